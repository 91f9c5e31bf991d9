package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

func TestParseFlag(t *testing.T) {
	tests := []struct {
		in                        string
		name, role, header, value string
		wantErr                   bool
	}{
		{in: "alice:user=Authorization: Bearer abc", name: "alice", role: "user", header: "Authorization", value: "Bearer abc"},
		{in: "carol:admin=Cookie: session=a.b.c=", name: "carol", role: "admin", header: "Cookie", value: "session=a.b.c="},
		// The role is required: a default would hide a mistyped spec.
		{in: "bob=X-Api-Key: k", wantErr: true},
		{in: "bob:=X-Api-Key: k", wantErr: true},
		{in: "bob:ADMIN=X-Api-Key:k", name: "bob", role: "admin", header: "X-Api-Key", value: "k"},
		{in: "alice:user", wantErr: true},
		{in: ":user=A: b", wantErr: true},
		{in: "alice:root=A: b", wantErr: true},
		{in: "anonymous:user=A: b", wantErr: true},
		{in: "alice:user=no colon", wantErr: true},
		{in: "alice:user=Bad Name: x", wantErr: true},
		// An empty credential would turn the identity into anonymous.
		{in: "alice:user=Authorization:", wantErr: true},
		{in: "alice:user=Authorization: ", wantErr: true},
		{in: "alice:user=Authorization: \t ", wantErr: true},
		{in: "alice:user=", wantErr: true},
		{in: "alice:user=Authorization: Bearer ", wantErr: true},
		{in: "alice:user=Authorization: basic", wantErr: true},
		{in: "alice:user=X-Api-Key:", wantErr: true},
		{in: "alice:user=Authorization: Bearer\r\nX: y", wantErr: true},
		{in: "alice:user=Authorization: opaque-token", name: "alice", role: "user", header: "Authorization", value: "opaque-token"},
	}
	for _, tt := range tests {
		name, role, h, v, err := ParseFlag(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseFlag(%q) err = %v", tt.in, err)
			continue
		}
		if err == nil && (name != tt.name || role != tt.role || h != tt.header || v != tt.value) {
			t.Errorf("ParseFlag(%q) = %q %q %q %q", tt.in, name, role, h, v)
		}
	}
}

// A malformed --identity is reported without the credential it carries.
func TestParseFlagErrorsHideTheCredential(t *testing.T) {
	const secret = "s3cr3t-T0KEN"
	for _, in := range []string{
		"Authorization: Bearer " + secret, // no NAME:ROLE=
		"alice:root=Authorization: Bearer " + secret,
		"alice:user=Bad Name: " + secret,
		"alice:user=Authorization: Bearer " + secret + "\nX: y",
	} {
		_, _, _, _, err := ParseFlag(in)
		if err == nil {
			t.Errorf("ParseFlag(%q) accepted", in)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("ParseFlag(%q) error quotes the credential: %v", in, err)
		}
	}
}

func TestCheckHeader(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		ok          bool
	}{
		{"Authorization", "Bearer abc", true},
		{"Cookie", "session=abc", true},
		{"X-Api-Key", "k", true},
		{"Authorization", "", false},
		{"Authorization", "  ", false},
		{"authorization", "Bearer", false},
		{"Proxy-Authorization", "Basic ", false},
		{"X-Api-Key", "", false},
		{"", "x", false},
		{"Bad Name", "x", false},
		{"X", "a\r\nInjected: b", false},
	} {
		err := CheckHeader(tt.name, tt.value)
		if (err == nil) != tt.ok {
			t.Errorf("CheckHeader(%q, %q) = %v, want ok=%v", tt.name, tt.value, err, tt.ok)
		}
	}
}

// tokenServer issues a new token on each login and accepts only the newest.
type tokenServer struct {
	mu     sync.Mutex
	logins int
	valid  string
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/login":
		var body map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		if body["password"] != "pw-123456" {
			w.WriteHeader(401)
			return
		}
		s.logins++
		s.valid = fmt.Sprintf("tok-%d-xyz", s.logins)
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "cookie-" + s.valid})
		fmt.Fprintf(w, `{"data":{"access_token":%q}}`, s.valid)
	case "/expire":
		s.valid = ""
	case "/forbidden":
		w.WriteHeader(401)
	default:
		if r.Header.Get("Authorization") != "Bearer "+s.valid || s.valid == "" {
			w.WriteHeader(401)
			return
		}
		fmt.Fprint(w, "hello")
	}
}

func TestLoginAndReloginOnExpiry(t *testing.T) {
	ts := &tokenServer{}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	id := New("alice", RoleUser, nil)
	id.Login = &Login{Login: rampart.Login{URL: "/login", JSON: map[string]any{"username": "alice", "password": "pw-123456"}, Token: &rampart.TokenSource{Path: "data.access_token"}}}
	if err := id.Login.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := id.EnsureLoggedIn(ctx, c); err != nil {
		t.Fatal(err)
	}
	resp, err := id.Do(ctx, c, &engine.Request{Method: "GET", URL: "/me"})
	if err != nil || resp.Status != 200 {
		t.Fatalf("first: %v %v", resp, err)
	}
	// The token expires mid-scan: the next request logs in again, once,
	// even when many requests hit the 401 together.
	c.Do(ctx, &engine.Request{Method: "GET", URL: "/expire"})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := id.Do(ctx, c, &engine.Request{Method: "GET", URL: "/me"})
			if err != nil || resp.Status != 200 {
				t.Errorf("after expiry: %v %v", resp, err)
			}
		}()
	}
	wg.Wait()
	if ts.logins != 2 {
		t.Fatalf("%d logins, want 2", ts.logins)
	}
	// The password and the tokens are secrets.
	secrets := strings.Join(id.Secrets(), " ")
	for _, s := range []string{"pw-123456", "tok-1-xyz", "tok-2-xyz"} {
		if !strings.Contains(secrets, s) {
			t.Errorf("secret %q not recorded", s)
		}
	}
}

func TestLoginWithCookies(t *testing.T) {
	srv := httptest.NewServer(&tokenServer{})
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	c, _ := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	id := New("bob", RoleUser, nil)
	id.Login = &Login{Login: rampart.Login{URL: "/login", JSON: map[string]any{"password": "pw-123456"}, Cookies: []string{"sid"}}}
	if err := id.EnsureLoggedIn(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if got := id.Header().Get("Cookie"); got != "sid=cookie-tok-1-xyz" {
		t.Fatalf("cookie header %q", got)
	}
	bad := New("eve", RoleUser, nil)
	bad.Login = &Login{Login: rampart.Login{URL: "/login", JSON: map[string]any{"password": "wrong"}, Cookies: []string{"sid"}}}
	if err := bad.EnsureLoggedIn(context.Background(), c); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("bad login: %v", err)
	}
}

func TestExpired(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
		want   bool
	}{
		{401, "", true},
		{422, `{"msg": "Token has expired"}`, true},
		{403, `{"error": "session expired, log in again"}`, true},
		{403, `{"error": "admins only"}`, false},
		{404, `expired`, false},
		{200, `{"expired": true}`, false},
	} {
		if got := expired(&engine.Response{Status: tt.status, Body: []byte(tt.body)}); got != tt.want {
			t.Errorf("expired(%d %s) = %v", tt.status, tt.body, got)
		}
	}
}

// A refusal that a fresh login does not cure is about the request: the
// identity does not log in again for every such request.
func TestNoReloginStorm(t *testing.T) {
	ts := &tokenServer{}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	c, _ := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	id := New("alice", RoleUser, nil)
	id.Login = &Login{Login: rampart.Login{URL: "/login", JSON: map[string]any{"password": "pw-123456"}, Token: &rampart.TokenSource{Path: "data.access_token"}}}
	if err := id.EnsureLoggedIn(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		// /forbidden answers 401 whatever the token.
		id.Do(context.Background(), c, &engine.Request{Method: "GET", URL: "/forbidden?always=401"})
	}
	if ts.logins > 2 {
		t.Fatalf("%d logins for 10 refused requests", ts.logins)
	}
}

// A request is labelled with who sends it, except a login, which keeps the
// name of the identity whose credentials it carries in its body.
func TestApplyLabels(t *testing.T) {
	anon := Anonymous()
	alice := New("alice", RoleUser, http.Header{"Authorization": {"Bearer tok-alice"}})
	for _, tc := range []struct {
		name string
		r    engine.Request
		by   *Identity
		want string
	}{
		{"a read as alice", engine.Request{}, alice, "alice"},
		{"a read anonymous", engine.Request{}, anon, AnonymousName},
		{"a request resent anonymous", engine.Request{Identity: "alice"}, anon, AnonymousName},
		{"alice's login, sent without credentials", engine.Request{Identity: "alice", Login: true}, anon, "alice"},
		{"an unnamed login", engine.Request{Login: true}, anon, AnonymousName},
	} {
		r := tc.r
		tc.by.Apply(&r)
		if r.Identity != tc.want {
			t.Errorf("%s: labelled %q, want %q", tc.name, r.Identity, tc.want)
		}
	}
	r := engine.Request{Identity: "alice", Login: true}
	anon.Apply(&r)
	if r.Header.Get("Authorization") != "" {
		t.Errorf("the anonymous caller's login carries a credential: %v", r.Header)
	}
}
