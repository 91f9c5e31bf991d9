package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

const jwtTok = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"

// logins is an API with one login route per shape real APIs use.
func logins() http.Handler {
	mux := http.NewServeMux()
	js := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	// A form login: 302 to the home page with the session cookie, or back
	// to the form on a wrong password (with a flash-message cookie).
	mux.HandleFunc("POST /user/login", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
			http.Error(w, "form expected", 400)
			return
		}
		if r.PostForm.Get("password") != "pw-123456" {
			http.SetCookie(w, &http.Cookie{Name: "flash", Value: "bad-password-flash-message"})
			http.Redirect(w, r, "/user/login", http.StatusFound)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "vulpy_session", Value: "c2Vzc2lvbi1hbGljZS0xMjM0NTY=", HttpOnly: true})
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc("POST /nocookie/login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc("POST /auth/login", func(w http.ResponseWriter, r *http.Request) {
		js(w, map[string]any{"status": "ok", "data": map[string]any{"access_token": "tok-nested-123456", "token_type": "bearer"}})
	})
	mux.HandleFunc("POST /gw/login", func(w http.ResponseWriter, r *http.Request) {
		js(w, map[string]any{"auth": map[string]any{"jwt": jwtTok}, "refresh_token": "refresh-should-not-be-used"})
	})
	mux.HandleFunc("POST /list/login", func(w http.ResponseWriter, r *http.Request) {
		js(w, map[string]any{"data": map[string]any{"tokens": []any{map[string]any{"access": "tok-in-a-list-123456"}}}})
	})
	mux.HandleFunc("POST /session", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Session-Token", "hdr-token-abcdef123456")
		js(w, map[string]any{"message": "welcome"})
	})
	mux.HandleFunc("POST /bearer-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Authorization", "Bearer hdr-bearer-abcdef123456")
		w.WriteHeader(204)
	})
	// Whoever presents a credential gets it echoed back, to see how it was sent.
	mux.HandleFunc("GET /echo", func(w http.ResponseWriter, r *http.Request) {
		js(w, map[string]string{"authorization": r.Header.Get("Authorization"), "x-session-token": r.Header.Get("X-Session-Token"),
			"cookie": r.Header.Get("Cookie")})
	})
	return mux
}

func client(t *testing.T, h http.Handler) *engine.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func scheme(s string) *string { return &s }

func TestLoginFlows(t *testing.T) {
	c := client(t, logins())
	creds := map[string]any{"username": "alice", "password": "pw-123456"}
	form := map[string]string{"username": "alice", "password": "pw-123456"}
	tests := []struct {
		name   string
		login  rampart.Login
		header string // the header the credential is sent in
		want   string // its value
		err    string // a login error that contains this
	}{
		{name: "form login answering 302 with the session cookie",
			login:  rampart.Login{URL: "/user/login", Form: form, Cookies: []string{"vulpy_session"}},
			header: "Cookie", want: "vulpy_session=c2Vzc2lvbi1hbGljZS0xMjM0NTY="},
		{name: "form login redirected back to the form is a failure",
			login: rampart.Login{URL: "/user/login", Form: map[string]string{"username": "alice", "password": "wrong"}, Cookies: []string{"*"}},
			err:   "back to the login page"},
		{name: "a redirect without the cookie is a failure",
			login: rampart.Login{URL: "/nocookie/login", Form: form, Cookies: []string{"session"}},
			err:   "answered 302: the answer set none of the cookies"},
		{name: "nested token, default Bearer",
			login:  rampart.Login{URL: "/auth/login", JSON: creds, Token: &rampart.TokenSource{Path: "data.access_token"}},
			header: "Authorization", want: "Bearer tok-nested-123456"},
		{name: "nested token, no scheme",
			login:  rampart.Login{URL: "/auth/login", JSON: creds, Token: &rampart.TokenSource{Path: "data.access_token", Header: "Authorization", Scheme: scheme("")}},
			header: "Authorization", want: "tok-nested-123456"},
		{name: "token scheme",
			login:  rampart.Login{URL: "/auth/login", JSON: creds, Token: &rampart.TokenSource{Path: "data.access_token", Scheme: scheme("Token")}},
			header: "Authorization", want: "Token tok-nested-123456"},
		{name: "JWT nested under auth.jwt",
			login:  rampart.Login{URL: "/gw/login", JSON: creds, Token: &rampart.TokenSource{From: "body", Path: "auth.jwt"}},
			header: "Authorization", want: "Bearer " + jwtTok},
		{name: "token in a list",
			login:  rampart.Login{URL: "/list/login", JSON: creds, Token: &rampart.TokenSource{Path: "data.tokens.0.access"}},
			header: "Authorization", want: "Bearer tok-in-a-list-123456"},
		{name: "token in a custom header, sent in that header",
			login:  rampart.Login{URL: "/session", JSON: creds, Token: &rampart.TokenSource{From: "header", Path: "X-Session-Token", Header: "X-Session-Token"}},
			header: "X-Session-Token", want: "hdr-token-abcdef123456"},
		{name: "token answered in Authorization keeps one scheme",
			login:  rampart.Login{URL: "/bearer-header", JSON: creds, Token: &rampart.TokenSource{From: "header", Path: "Authorization"}},
			header: "Authorization", want: "Bearer hdr-bearer-abcdef123456"},
		{name: "token answered in Authorization, sent bare",
			login:  rampart.Login{URL: "/bearer-header", JSON: creds, Token: &rampart.TokenSource{From: "header", Path: "Authorization", Scheme: scheme("")}},
			header: "Authorization", want: "hdr-bearer-abcdef123456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.login.Validate(); err != nil {
				t.Fatal(err)
			}
			id := New("alice", RoleUser, nil)
			id.Login = &Login{Login: tt.login}
			err := id.EnsureLoggedIn(context.Background(), c)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("login error %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "wrong") || strings.Contains(err.Error(), "flash-message") {
					t.Errorf("the error quotes a credential or the answer: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, err := id.Do(context.Background(), c, &engine.Request{Method: "GET", URL: "/echo"})
			if err != nil {
				t.Fatal(err)
			}
			var echo map[string]string
			json.Unmarshal(resp.Body, &echo)
			if got := echo[strings.ToLower(tt.header)]; got != tt.want {
				t.Errorf("%s: sent %q, want %q", tt.header, got, tt.want)
			}
			secrets := strings.Join(id.Secrets(), " ")
			if v := tt.want[strings.LastIndex(tt.want, " ")+1:]; !strings.Contains(secrets, strings.TrimPrefix(v, "vulpy_session=")) {
				t.Errorf("the credential is not among the secrets to redact")
			}
		})
	}
}

func TestTokenSchemeValidation(t *testing.T) {
	for _, tt := range []struct {
		tok rampart.TokenSource
		ok  bool
	}{
		{rampart.TokenSource{Path: "t", Scheme: scheme("")}, true},
		{rampart.TokenSource{Path: "t", Scheme: scheme("JWT")}, true},
		{rampart.TokenSource{Path: "t", Scheme: scheme("Bearer"), Prefix: "Bearer "}, false},
		{rampart.TokenSource{Path: "t", Scheme: scheme("two words")}, false},
	} {
		l := rampart.Login{URL: "/login", Token: &tt.tok}
		if err := l.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: %v", tt.tok, err)
		}
	}
}

func TestInfer(t *testing.T) {
	ans := func(body string, h http.Header) *engine.Response {
		if h == nil {
			h = http.Header{}
		}
		return &engine.Response{Status: 200, Body: []byte(body), Header: h}
	}
	cookie := func(v string) http.Header { return http.Header{"Set-Cookie": {v}} }
	tests := []struct {
		name    string
		resp    *engine.Response
		how     Sending
		path    string // token path ("" for none)
		from    string
		header  string
		cookies string
	}{
		{name: "access_token in an envelope", resp: ans(`{"status":"ok","data":{"access_token":"tok-nested-123456","refresh_token":"r-1234567890123456"}}`, nil),
			path: "data.access_token", from: "body"},
		{name: "a JWT under any name", resp: ans(`{"auth":{"value":"`+jwtTok+`"},"user":{"id":7}}`, nil), path: "auth.value", from: "body"},
		{name: "api key sent in the spec's header", resp: ans(`{"result":{"api_key":"ak-1234567890abcdef"}}`, nil),
			how: Sending{Header: "X-API-Key", Scheme: scheme("")}, path: "result.api_key", from: "body", header: "X-API-Key"},
		{name: "token in a response header", resp: ans(`{"message":"ok"}`, http.Header{"X-Session-Token": {"hdr-token-abcdef123456"}}),
			path: "X-Session-Token", from: "header", header: "X-Session-Token"},
		{name: "session cookie", resp: ans(`{"message":"logged in"}`, cookie("session=abcdef123456; HttpOnly")), cookies: "*"},
		{name: "the spec's cookie", resp: ans(`{}`, http.Header{"Set-Cookie": {"other=1", "sid=abcdef123456"}}), how: Sending{Cookie: "sid"}, cookies: "sid"},
		{name: "the spec's cookie carries the body's token", resp: ans(`{"token":"tok-1234567890abcdef"}`, nil), how: Sending{Cookie: "sid"},
			path: "token", from: "body", header: "Cookie"},
		{name: "short values are not tokens", resp: ans(`{"token":"abc","id":"1234567890abcdefgh"}`, nil)},
		{name: "a cleared cookie is no credential", resp: ans(`{}`, cookie("session=; Max-Age=0"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, cookies, err := Infer(tt.resp, tt.how)
			if tt.path == "" && tt.cookies == "" {
				if err == nil {
					t.Fatalf("inferred %+v %v from an answer without a credential", tok, cookies)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.cookies != "" {
				if tok != nil || strings.Join(cookies, ",") != tt.cookies {
					t.Errorf("token %+v, cookies %v", tok, cookies)
				}
				return
			}
			if tok == nil || tok.Path != tt.path || tok.From != tt.from || tok.Header != tt.header {
				t.Errorf("token %+v", tok)
			}
		})
	}
}

// An inferred login finds its credential in the first answer and pins it
// for the logins after it.
func TestInferredLogin(t *testing.T) {
	c := client(t, logins())
	id := New("rampart-tmp-x", RoleUser, nil)
	id.Login = Inferred(rampart.Login{Method: "POST", URL: "/session", JSON: map[string]any{"username": "x", "password": "pw-123456"}}, Sending{})
	if err := id.EnsureLoggedIn(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if got := id.Header().Get("X-Session-Token"); got != "hdr-token-abcdef123456" {
		t.Errorf("X-Session-Token %q", got)
	}
	if tok := id.Login.Token; tok == nil || tok.From != "header" || tok.Path != "X-Session-Token" {
		t.Errorf("the inferred place is not pinned: %+v", tok)
	}
	form := New("rampart-tmp-y", RoleUser, nil)
	form.Login = Inferred(rampart.Login{URL: "/user/login", Form: map[string]string{"username": "y", "password": "pw-123456"}}, Sending{})
	if err := form.EnsureLoggedIn(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if got := form.Header().Get("Cookie"); got != "vulpy_session=c2Vzc2lvbi1hbGljZS0xMjM0NTY=" {
		t.Errorf("cookie %q", got)
	}
}
