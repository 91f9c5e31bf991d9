package exposure

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

func TestDetectors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // kind, "" for nothing
	}{
		{"bcrypt", `{"password":"$2b$12$KIXQJQ5cUlbJ8Yk3d6vG3eQ0m5n6o7p8q9r0s1t2u3v4w5x6y7z8a"}`, "bcrypt hash"},
		{"argon2", `{"hash":"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"}`, "Argon2 hash"},
		{"werkzeug pbkdf2", `{"password_hash":"pbkdf2:sha256:260000$JprfSQS4GFm7UBx0$27021567ee6f960ffbd687fd8a7ee166c8866a4c0a1d5bb6f11d3202dedd17e5"}`, "Werkzeug PBKDF2 hash"},
		{"werkzeug scrypt", `{"pw":"scrypt:32768:8:1$abcdEFGH12345678$` + strings.Repeat("ab", 64) + `"}`, "Werkzeug scrypt hash"},
		{"django", `{"password":"pbkdf2_sha256$600000$abcdefgh12345678$Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE="}`, "Django password hash"},
		{"sha512-crypt", `{"shadow":"$6$rounds=5000$saltsalt$` + strings.Repeat("a", 86) + `"}`, "SHA-crypt hash"},
		{"hex digest under a password key", `{"password_md5":"5f4dcc3b5aa765d61d8327deb882cf99"}`, "unsalted hex digest"},
		{"hex digest elsewhere is not a password", `{"etag":"5f4dcc3b5aa765d61d8327deb882cf99","sha":"` + strings.Repeat("a", 40) + `"}`, ""},
		{"hash in HTML", `<td>$2a$10$KIXQJQ5cUlbJ8Yk3d6vG3eQ0m5n6o7p8q9r0s1t2u3v4w5x6y7z8a</td>`, "bcrypt hash"},
		{"private key", `{"key":"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"}`, "private key"},
		{"public key is fine", `{"key":"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"}`, ""},
		{"aws key", `{"config":{"aws":"AKIAIOSFODNN7EXAMPLE"}}`, "AWS access key id"},
		{"github token", `{"t":"ghp_` + strings.Repeat("A", 36) + `"}`, "GitHub token"},
		{"email", `{"id":3,"email":"ann@corp.example"}`, "e-mail address"},
		{"phone under a phone key", `{"id":3,"mobile":"+44 20 7946 0958"}`, "phone number"},
		{"digits without a phone key", `{"id":3,"ref":"+44 20 7946 0958"}`, ""},
		{"card under a card key, Luhn ok", `{"id":3,"card_number":"4111111111111111"}`, "card number"},
		{"grouped card without key", `{"id":3,"note":"4111 1111 1111 1111"}`, "card number"},
		{"Luhn fails", `{"id":3,"card_number":"4111111111111112"}`, ""},
		{"long id is not a card", `{"id":3,"order":"4111111111111111"}`, ""},
		{"ssn in context", `{"id":3,"ssn":"123-45-6789"}`, "national id"},
		{"ssn shape without context", `{"id":3,"code":"123-45-6789"}`, ""},
		{"openapi document", `{"openapi":"3.0.3","info":{"contact":{"email":"api@corp.example"}},"paths":{}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := scan([]byte(tt.body))
			if tt.want == "" {
				if len(hs) != 0 {
					t.Fatalf("unexpected %s: %q", hs[0].kind, hs[0].value)
				}
				return
			}
			for _, h := range hs {
				if h.kind == tt.want {
					if m := mask(h); strings.Contains(m, h.value) && len(h.value) > 4 {
						t.Errorf("mask(%q) = %q", h.value, m)
					}
					return
				}
			}
			t.Fatalf("want %s, got %+v", tt.want, hs)
		})
	}
}

const (
	hashVal = "pbkdf2:sha256:260000$JprfSQS4GFm7UBx0$27021567ee6f960ffbd687fd8a7ee166c8866a4c0a1d5bb6f11d3202dedd17e5"
)

// api: /users/1 is public and leaks; /me is the caller's own record;
// /team lists several people; /admin/users is for admins.
func api() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		auth := r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/users/1":
			w.Write([]byte(`{"id":1,"username":"ann","email":"ann@corp.example","password_hash":"` + hashVal + `"}`))
		case "/me", "/profile":
			switch auth {
			case "Bearer tok-ann":
				w.Write([]byte(`{"id":1,"username":"ann","email":"ann@corp.example"}`))
			case "Bearer tok-root":
				w.Write([]byte(`{"id":9,"username":"root","email":"root@corp.example"}`))
			default:
				w.WriteHeader(401)
			}
		case "/team":
			if auth == "" {
				w.WriteHeader(401)
				return
			}
			w.Write([]byte(`{"members":[{"id":1,"name":"ann","email":"ann@corp.example"},{"id":2,"name":"ben","email":"ben@corp.example"}]}`))
		case "/admin/users":
			if auth != "Bearer tok-root" {
				w.WriteHeader(403)
				return
			}
			w.Write([]byte(`{"users":[{"id":1,"email":"ann@corp.example"},{"id":2,"email":"ben@corp.example"}]}`))
		case "/support":
			w.Write([]byte(`{"support_email":"help@corp.example"}`))
		default:
			w.WriteHeader(404)
		}
	})
}

func TestExposureChecks(t *testing.T) {
	ops := []*rampart.Operation{
		{Method: "GET", Path: "/users/{id}", Params: []rampart.Param{{Name: "id", In: "path", Required: true, Schema: &rampart.Schema{Type: "integer", Example: 1}}}},
		checktest.Op("GET", "/me", "bearer"),
		checktest.Op("GET", "/team", "bearer"),
		checktest.Op("GET", "/admin/users", "bearer"),
		checktest.Op("GET", "/support", ""),
	}
	srv := checktest.NewServer(t, api())
	env := checktest.New(t, srv, rampart.Safe, ops, checktest.User("ann", "user", "tok-ann"), checktest.User("root", "admin", "tok-root"))
	env.Run(t, &Hashes)
	env.Run(t, &Secrets)
	env.Run(t, &PII)
	want := map[string]rampart.Severity{
		"DATA-001 GET /users/{id}": rampart.High,
		"DATA-003 GET /users/{id}": rampart.Medium, // anonymous reads an e-mail
		"DATA-003 GET /team":       rampart.Medium, // ann reads ben's e-mail
	}
	got := map[string]rampart.Finding{}
	for _, f := range env.Findings() {
		got[f.Check+" "+f.Location.Method+" "+f.Location.Path] = f
	}
	for k, sev := range want {
		f, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if f.Severity != sev {
			t.Errorf("%s: severity %s", k, f.Severity)
		}
		for _, e := range f.Evidence {
			for _, secret := range []string{hashVal, "ben@corp.example"} {
				if strings.Contains(e.Response+f.Message, secret) {
					t.Errorf("%s: evidence repeats %q", k, secret)
				}
			}
		}
	}
	for k, f := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s: %s", k, f.Message)
		}
	}
	if !strings.Contains(got["DATA-003 GET /team"].Message, "b***@corp.example") ||
		strings.Contains(got["DATA-003 GET /team"].Message, "a***@corp.example") {
		t.Errorf("the caller's own e-mail is not exposure: %s", got["DATA-003 GET /team"].Message)
	}
}
