package exposure

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
)

// unsignedJWT builds a token whose claims an answer hands out.
func unsignedJWT(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	c, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(c) + ".c2lnbmF0dXJlLWJ5dGVz"
}

func TestSensitiveDetectors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // kind, "" for none of the classes below
	}{
		{"plaintext password", `{"id":1,"username":"ann","password":"wonderland-zoo"}`, "plaintext password"},
		{"camelCase user password", `{"id":1,"userPassword":"hunter2-2024"}`, "plaintext password"},
		{"security answer", `{"id":1,"security_question":"pet?","security_answer":"Rex the dog"}`, "security answer"},
		{"bcrypt is a hash, not plaintext", `{"password":"$2b$12$KIXQJQ5cUlbJ8Yk3d6vG3eQ0m5n6o7p8q9r0s1t2u3v4w5x6y7z8a"}`, ""},
		{"zoo PBKDF2 is a hash", `{"password_hash":"pbkdf2-sha256$100000$aa$bb"}`, ""},
		{"a hash of an unknown format under password", `{"password":"pbkdf2-sha256$100000$0f1e2d3c4b5a69788796a5b4c3d2e1f0$9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9"}`, ""},
		{"LDAP SSHA", `{"password":"{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="}`, ""},
		{"hex digest under password", `{"password":"5f4dcc3b5aa765d61d8327deb882cf99"}`, ""},
		{"masked password", `{"id":1,"password":"********"}`, ""},
		{"placeholder", `{"id":1,"password":"[hidden]","pwd":null}`, ""},
		{"password metadata", `{"password_changed_at":"2024-01-01T00:00:00Z","has_password":"true","password_policy":"min 12 chars","password_reset_required":"no"}`, ""},
		{"passport is not a password", `{"passport":"X1234567"}`, ""},
		{"card with CVV and expiry", `{"id":1,"card_number":"4111111111111111","cvv":"737","expiry":"04/29"}`, "card number with CVV and expiry"},
		{"card with split expiry", `{"pan":"5555 5555 5555 4444","exp_month":"11","exp_year":"2028"}`, "card number with expiry"},
		{"card with CVV as a number", `{"number":"378282246310005","cvc":4242}`, "card number with CVV"},
		{"masked card with CVV", `{"card_number":"**** 1111","last4":"1111","cvv":"737","expiry":"04/29"}`, ""},
		{"card without CVV or expiry", `{"card_number":"4111111111111111","brand":"visa"}`, ""},
		{"Luhn fails", `{"card_number":"4111111111111112","cvv":"737"}`, ""},
		{"api key", `{"id":2,"username":"bob","api_key":"k3yB0b-0123456789abcdef"}`, "API key"},
		{"access token", `{"id":2,"accessToken":"a9f3c1d2e4b5a6c7d8e9f0"}`, "access token"},
		{"csrf token is not a credential", `{"csrf_token":"a9f3c1d2e4b5a6c7d8e9f0"}`, ""},
		{"pagination cursor", `{"next_token":"a9f3c1d2e4b5a6c7d8e9f0","items":[]}`, ""},
		{"token type", `{"token_type":"bearer","expires_in":3600}`, ""},
		{"a word is not a token", `{"token":"please-login-again-later"}`, ""},
		{"password in a JWT payload", `{"token":"` + unsignedJWT(map[string]any{"sub": "1", "password": "hunter2-2024"}) + `"}`, "plaintext password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []hit
			for _, h := range scan([]byte(tt.body)) {
				if h.class == classPlaintext || h.class == classCard || h.class == classToken {
					got = append(got, h)
				}
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected %s: %q", got[0].kind, got[0].value)
				}
				return
			}
			for _, h := range got {
				if h.kind == tt.want {
					if m := mask(h); strings.Contains(m, h.value) {
						t.Errorf("mask(%q) = %q", h.value, m)
					}
					return
				}
			}
			t.Fatalf("want %s, got %+v", tt.want, got)
		})
	}
}

// zoo is a small API of the zoo's shapes (testbed/zoo clinic and wallet):
// records keyed by e-mail and card number, known to each user from what it
// logs in with and from its login answer, with a secure switch.
// logins counts the logins the zoo answered: each gets its own cookie.
var logins atomic.Int64

func zoo(secure bool) http.Handler {
	users := map[string]map[string]any{
		"tok-alice": {"email": "alice@example.com", "password": "wonderland-zoo", "api_key": "ak-alice-0123456789abcdef", "card": "4111111111111111", "cvv": "737"},
		"tok-bob":   {"email": "bob@example.com", "password": "builder-zoo", "api_key": "ak-bob-0123456789abcdef0", "card": "4012888888881881", "cvv": "318"},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		me := users[tok]
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/login":
			var creds map[string]string
			json.NewDecoder(r.Body).Decode(&creds)
			logins.Add(1)
			for tk, u := range users {
				if u["email"] == creds["email"] && u["password"] == creds["password"] {
					http.SetCookie(w, &http.Cookie{Name: "sid", Value: fmt.Sprintf("sid-%s-login-%d", tk, logins.Load())})
					out := map[string]any{"token": tk, "cards": []map[string]any{{"card_number": u["card"], "brand": "visa"}}}
					if !secure {
						// The user's whole row, password included.
						out["user"] = map[string]any{"email": u["email"], "password": u["password"]}
					}
					json.NewEncoder(w).Encode(map[string]any{"data": out})
					return
				}
			}
			w.WriteHeader(401)
		case me == nil:
			w.WriteHeader(401)
		case strings.HasPrefix(r.URL.Path, "/patients/"):
			email := strings.TrimPrefix(r.URL.Path, "/patients/")
			if email != me["email"] {
				w.WriteHeader(404)
				return
			}
			rec := map[string]any{"email": email, "name": "Alice"}
			if !secure {
				rec["password"] = me["password"]
			}
			json.NewEncoder(w).Encode(rec)
		case strings.HasPrefix(r.URL.Path, "/cards/"):
			num := strings.TrimPrefix(r.URL.Path, "/cards/")
			if num != me["card"] {
				w.WriteHeader(404)
				return
			}
			card := map[string]any{"card_number": "**** " + num[len(num)-4:], "last4": num[len(num)-4:], "expiry": "04/29", "holder": "ALICE"}
			if !secure {
				card["card_number"], card["cvv"] = num, me["cvv"]
			}
			json.NewEncoder(w).Encode(map[string]any{"data": card})
		case r.URL.Path == "/members":
			var list []map[string]any
			for _, u := range users {
				name, _, _ := strings.Cut(fmt.Sprint(u["email"]), "@")
				m := map[string]any{"id": len(list) + 1, "name": name}
				if !secure {
					m["api_key"] = u["api_key"]
				}
				list = append(list, m)
			}
			json.NewEncoder(w).Encode(map[string]any{"members": list})
		default:
			w.WriteHeader(404)
		}
	})
}

func zooUser(name, email, password, token, apiKey string) *identity.Identity {
	id := identity.New(name, identity.RoleUser, nil)
	id.Login = &identity.Login{Login: rampart.Login{Method: "POST", URL: "/login",
		JSON:  map[string]any{"email": email, "password": password},
		Token: &rampart.TokenSource{From: "body", Path: "data.token"}}}
	if apiKey != "" {
		id.AddHeader("X-Api-Key", apiKey)
	}
	return id
}

func zooOps() []*rampart.Operation {
	str := &rampart.Schema{Type: "string"}
	return []*rampart.Operation{
		{Method: "POST", Path: "/login", ID: "login", Security: [][]string{{}}},
		{Method: "GET", Path: "/patients/{email}", Security: [][]string{{"bearer"}}, Params: []rampart.Param{{Name: "email", In: "path", Required: true, Schema: &rampart.Schema{Type: "string", Format: "email"}}}},
		{Method: "GET", Path: "/cards/{card_number}", Security: [][]string{{"bearer"}}, Params: []rampart.Param{{Name: "card_number", In: "path", Required: true, Schema: str}}},
		{Method: "GET", Path: "/members", Security: [][]string{{"bearer"}}},
	}
}

func runZoo(t *testing.T, secure bool) (*checktest.Env, *checktest.Server) {
	t.Helper()
	srv := checktest.NewServer(t, zoo(secure))
	alice := zooUser("alice", "alice@example.com", "wonderland-zoo", "tok-alice", "")
	bob := zooUser("bob", "bob@example.com", "builder-zoo", "tok-bob", "ak-bob-0123456789abcdef0")
	env := checktest.New(t, srv, rampart.Safe, zooOps(), alice, bob)
	for _, id := range []*identity.Identity{alice, bob} {
		if err := id.EnsureLoggedIn(context.Background(), env.Pass.Client); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*check.Check{&Hashes, &Secrets, &PII, &Plaintext, &Cards, &Tokens} {
		env.Run(t, c)
	}
	return env, srv
}

// The zoo's data-exposure shapes: a plaintext password in the caller's own
// record (read with the e-mail it logs in with) and in its login answer;
// full card data in its own card (read with the number its login answer
// lists); another member's API key in a listing.
func TestSensitiveFindings(t *testing.T) {
	env, _ := runZoo(t, false)
	want := map[string]struct {
		sev  rampart.Severity
		conf rampart.Confidence
		msg  []string
	}{
		"DATA-004 GET /patients/{email}":    {rampart.Critical, rampart.Confirmed, []string{"passwords in plaintext", "password = [masked]", "the caller's own login password", "in its own object"}},
		"DATA-004 POST /login":              {rampart.Critical, rampart.Confirmed, []string{"in the answer to its login", "data.user.password"}},
		"DATA-005 GET /cards/{card_number}": {rampart.Critical, rampart.Confirmed, []string{"payment card data", "****1111", "CVV"}},
		"DATA-006 GET /members":             {rampart.High, rampart.Confirmed, []string{"other people's credentials", "bob's credential"}},
	}
	got := map[string]rampart.Finding{}
	for _, f := range env.Findings() {
		got[f.Check+" "+f.Location.Method+" "+f.Location.Path] = f
	}
	for k, w := range want {
		f, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if f.Severity != w.sev || f.Confidence != w.conf {
			t.Errorf("%s: %s %s, want %s %s", k, f.Severity, f.Confidence, w.sev, w.conf)
		}
		for _, m := range w.msg {
			if !strings.Contains(f.Message, m) {
				t.Errorf("%s: message does not say %q: %s", k, m, f.Message)
			}
		}
		for _, e := range f.Evidence {
			for _, secret := range []string{"wonderland-zoo", "4111111111111111", `"737"`, "ak-bob-0123456789abcdef0", "tok-alice"} {
				if strings.Contains(e.Response+e.Request+f.Message, secret) {
					t.Errorf("%s: evidence or message repeats %q", k, secret)
				}
			}
		}
	}
	for k, f := range got {
		if _, ok := want[k]; !ok && f.Check >= "DATA-004" {
			t.Errorf("unexpected %s: %s", k, f.Message)
		}
	}
}

// A login sent again is labelled with the identity that logs in, though it
// carries no credential of it: the API model learns its answer as that
// identity's, not as what the anonymous caller may see.
func TestLoginAnswersAreTheIdentitys(t *testing.T) {
	env, _ := runZoo(t, false)
	las := loginAnswers(context.Background(), env.Pass)
	if len(las) != 2 {
		t.Fatalf("%d login answers, want 2", len(las))
	}
	for _, la := range las {
		if la.resp == nil || la.resp.Request == nil || la.resp.Request.Identity != la.id.Name {
			t.Errorf("%s's login answer is labelled %q", la.id.Name, la.resp.Request.Identity)
		}
		if la.resp.Request.Header.Get("Authorization") != "" {
			t.Errorf("%s's login was sent with a credential", la.id.Name)
		}
	}
}

// The secure variant: passwords dropped, cards masked, no keys in listings;
// the caller's own token in its login answer and its own full card number
// there are not findings.
func TestSensitiveSecureVariant(t *testing.T) {
	env, srv := runZoo(t, true)
	for _, f := range env.Findings() {
		t.Errorf("secure variant: %s %s: %s", f.Check, f.Location, f.Message)
	}
	// One extra login per identity, once per scan, and one read of each
	// user's own objects.
	if n := srv.Count("/login"); n != 4 {
		t.Errorf("%d logins, want 2 of the identities and 2 of the check", n)
	}
	// The cookie the check's own login got is the identity's secret now:
	// every output redacts it.
	for _, id := range env.Pass.Authenticated() {
		n := 0
		for _, s := range id.Secrets() {
			if strings.HasPrefix(s, "sid-") {
				n++
			}
		}
		if n < 1 {
			t.Errorf("%s: the second login's cookie is not among its secrets", id.Name)
		}
	}
}

// What the checks keep about an identity's own values is bounded, however
// large its login answer.
func TestOwnValuesBounded(t *testing.T) {
	big := map[string]any{}
	for i := 0; i < 5000; i++ {
		big[fmt.Sprintf("field_%d", i)] = []any{strings.Repeat("v", 300), fmt.Sprint(i), fmt.Sprint(i + 1), fmt.Sprint(i + 2), fmt.Sprint(i + 3), fmt.Sprint(i + 4)}
	}
	o := ownValues{}
	o.harvest(big, "", 0)
	if n := o.size(); n > maxOwnValues {
		t.Errorf("%d values kept, want at most %d", n, maxOwnValues)
	}
	for k, vs := range o {
		if len(vs) > maxOwnPerKey {
			t.Errorf("%s: %d values", k, len(vs))
		}
		for _, v := range vs {
			if len(v) > maxOwnValueLen {
				t.Errorf("%s: a value of %d bytes", k, len(v))
			}
		}
	}
}

// A second token endpoint none of the flows uses, whose token carries the
// user's security answer (Tiredful-API's JWT information disclosure): in
// active mode an identity's own credentials are exchanged there once and
// the token's payload is read; in safe mode nothing is sent.
func TestTokenEndpointClaims(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var creds map[string]string
		json.NewDecoder(r.Body).Decode(&creds)
		if creds["email"] != "alice@example.com" || creds["password"] != "wonderland-zoo" {
			w.WriteHeader(404)
			return
		}
		switch r.URL.Path {
		case "/login":
			w.Write([]byte(`{"data":{"token":"tok-alice"}}`))
		case "/api/get-jwt-token":
			json.NewEncoder(w).Encode(map[string]string{"token": unsignedJWT(map[string]any{
				"user": "alice", "email": "alice@example.com", "security_question": "first pet?", "security_answer": "Dinah the cat"})})
		}
	})
	body := &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{
		"email": {Type: "string", Format: "email"}, "password": {Type: "string", Format: "password"}}}}
	ops := []*rampart.Operation{
		{Method: "POST", Path: "/login", Security: [][]string{{}}, Body: body},
		{Method: "POST", Path: "/api/get-jwt-token", ID: "getJwtToken", Security: [][]string{{}}, Body: body},
	}
	for _, mode := range []rampart.Mode{rampart.Safe, rampart.Active} {
		srv := checktest.NewServer(t, h)
		alice := zooUser("alice", "alice@example.com", "wonderland-zoo", "tok-alice", "")
		env := checktest.New(t, srv, mode, ops, alice)
		env.Run(t, &Plaintext)
		fs := env.Of("DATA-004")
		if mode == rampart.Safe {
			if len(fs) != 0 || srv.Count("/api/get-jwt-token") != 0 {
				t.Errorf("safe mode: %d requests, %+v", srv.Count("/api/get-jwt-token"), fs)
			}
			continue
		}
		if len(fs) != 1 || fs[0].Location.Path != "/api/get-jwt-token" || !strings.Contains(fs[0].Message, "security answer") ||
			!strings.Contains(fs[0].Message, "<jwt>") || strings.Contains(fs[0].Message, "Dinah") {
			t.Fatalf("active mode: %+v", fs)
		}
		if n := srv.Count("/api/get-jwt-token"); n != 1 {
			t.Errorf("%d exchanges, want 1", n)
		}
	}
}
