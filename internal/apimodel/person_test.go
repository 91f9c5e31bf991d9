package apimodel

import (
	"net/http"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart/internal/identity"
)

func TestPerson(t *testing.T) {
	type want struct {
		id, username, email, apiRole string
		admin                        bool
		accounts, owns               []string
	}
	for _, tc := range []struct {
		name    string
		ops     []string
		exs     func(t *testing.T) []ex
		headers http.Header // the identity's own, for Register
		who     string
		want    want
	}{
		{
			name: "login answer with a JWT whose sub is the username and a role claim",
			exs: func(t *testing.T) []ex {
				tok := signJWT(t, map[string]any{"sub": "carol", "role": "admin", "exp": 1})
				return []ex{{method: "POST", path: "/auth/login", who: "carol", login: true, sent: `{"username":"carol","password":"pw"}`,
					body: `{"status":"ok","data":{"access_token":"` + tok + `","accounts":[{"number":"NL02ZOOB0555555555"}]}}`}}
			},
			who:  "carol",
			want: want{username: "carol", apiRole: "admin", admin: true, accounts: []string{"NL02ZOOB0555555555"}},
		},
		{
			name: "claims nested under user",
			exs: func(t *testing.T) []ex {
				tok := signJWT(t, map[string]any{"user": map[string]any{"id": "b1f1e036-0425-49b6-a352-84d9240e42ef", "email": "alice@example.com"}})
				return []ex{{method: "POST", path: "/login", who: "alice", login: true, sent: `{"email":"alice@example.com","password":"pw"}`,
					body: `{"result":{"token":"` + tok + `","expires_in":3600}}`}}
			},
			who:  "alice",
			want: want{id: "b1f1e036-0425-49b6-a352-84d9240e42ef", email: "alice@example.com"},
		},
		{
			name: "claims nested under data, with a numeric user id",
			exs: func(t *testing.T) []ex {
				tok := signJWT(t, map[string]any{"data": map[string]any{"user_id": 7, "is_admin": false}, "sub": "7"})
				return []ex{{method: "POST", path: "/login", who: "bob", login: true, body: `{"token":"` + tok + `"}`}}
			},
			who:  "bob",
			want: want{id: "7"},
		},
		{
			name: "the login answer's own user object",
			exs: func(*testing.T) []ex {
				return []ex{{method: "POST", path: "/login", who: "bob", login: true, sent: `{"login":"bob","password":"pw"}`,
					body: `{"access_token":"opaque-0123456789abcdef","user":{"id":2,"username":"bob","email":"bob@example.com","is_admin":false}}`}}
			},
			who:  "bob",
			want: want{id: "2", username: "bob", email: "bob@example.com"},
		},
		{
			name: "a Flask session cookie set by the login",
			exs: func(*testing.T) []ex {
				return []ex{{method: "POST", path: "/login", who: "alice", login: true, sent: `{"username":"alice","password":"pw"}`,
					body: `{"message":"logged in"}`, header: http.Header{"Set-Cookie": {"session=" + flaskCookie(`{"user":"alice","user_id":3}`) + "; HttpOnly; Path=/"}}}}
			},
			who:  "alice",
			want: want{id: "3", username: "alice"},
		},
		{
			name:    "a JWT carried in the identity's cookie header",
			headers: http.Header{"Cookie": {"theme=dark; auth=" + "PLACEHOLDER"}},
			who:     "alice",
			want:    want{id: "12", username: "alice", apiRole: "member"},
		},
		{
			name: "a profile answer: an object about a person naming the caller",
			ops:  []string{"GET /profile"},
			exs: func(*testing.T) []ex {
				return []ex{
					{method: "POST", path: "/login", who: "alice", login: true, sent: `{"username":"alice","password":"pw"}`, body: `{"message":"ok"}`},
					{path: "/profile", who: "alice", body: `{"data":{"id":12,"username":"alice","email":"alice@example.com","role":"user"}}`},
				}
			},
			who:  "alice",
			want: want{id: "12", username: "alice", email: "alice@example.com", apiRole: "user"},
		},
		{
			name: "an order naming its customer is not the customer's profile",
			ops:  []string{"GET /orders/{order_id}"},
			exs: func(*testing.T) []ex {
				return []ex{
					{method: "POST", path: "/login", who: "alice", login: true, sent: `{"username":"alice","password":"pw"}`, body: `{"message":"ok"}`},
					{path: "/orders/5", who: "alice", body: `{"id":5,"username":"alice","total":3}`},
				}
			},
			who:  "alice",
			want: want{username: "alice", owns: []string{"5"}},
		},
		{
			name: "the password is never kept",
			exs: func(*testing.T) []ex {
				return []ex{{method: "POST", path: "/login", who: "alice", login: true, sent: `{"username":"alice","password":"wonderland-zoo"}`, body: `{}`}}
			},
			who:  "alice",
			want: want{username: "alice"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var exs []ex
			if tc.exs != nil {
				exs = tc.exs(t)
			}
			m, _ := feed(t, tc.ops, users, exs...)
			if tc.headers != nil {
				h := tc.headers.Clone()
				if c := h.Get("Cookie"); c != "" {
					tok := signJWT(t, map[string]any{"identity": map[string]any{"uid": 12, "preferred_username": "alice", "roles": []any{"member"}}})
					h.Set("Cookie", c[:len(c)-len("PLACEHOLDER")]+tok)
				}
				m.Register(identity.New(tc.who, "user", h))
			}
			p := m.Person(identity.New(tc.who, "", nil))
			got := want{id: p.ID, username: p.Username, email: p.Email, apiRole: p.APIRole, admin: p.Admin, accounts: p.Accounts, owns: p.Owns}
			if got.id != tc.want.id || got.username != tc.want.username || got.email != tc.want.email ||
				got.apiRole != tc.want.apiRole || got.admin != tc.want.admin || !slices.Equal(got.accounts, tc.want.accounts) ||
				!slices.Equal(got.owns, tc.want.owns) {
				t.Errorf("person %+v\nwant %+v", got, tc.want)
			}
			m.mu.RLock()
			defer m.mu.RUnlock()
			if _, kept := m.values["wonderland-zoo"]; kept {
				t.Error("the password was kept as a value")
			}
		})
	}
}

// With a static opaque token the model knows nothing of the caller until
// an answer about a person comes from a read without parameters (GET /me,
// /profile): that is the caller's own record, unless it names another
// identity.
func TestPersonFromParameterlessProfile(t *testing.T) {
	m, ids := feed(t, []string{"GET /me", "GET /users/{user_id}", "GET /settings"}, users,
		ex{path: "/me", who: "alice", body: `{"id":1,"username":"alice","email":"alice@example.com"}`},
		ex{path: "/me", who: "carol", body: `{"data":{"id":3,"username":"carol","role":"admin"}}`},
		ex{path: "/users/2", who: "bob", body: `{"id":2,"username":"bob"}`},
		ex{path: "/settings", who: "bob", body: `{"theme":"dark","email":"support@example.com"}`},
	)
	if p := m.Person(ids["alice"]); p.ID != "1" || p.Username != "alice" || p.Email != "alice@example.com" || p.From["id"] != HowProfile {
		t.Errorf("alice %+v", p)
	}
	if p := m.Person(ids["carol"]); p.ID != "3" || !p.Admin || p.APIRole != "admin" {
		t.Errorf("carol %+v", p)
	}
	// A read with a parameter names whoever it was asked for; settings are
	// no person.
	if p := m.Person(ids["bob"]); p.Known() {
		t.Errorf("bob %+v", p)
	}
	// bob's /me naming alice is not bob.
	m.Observe(ex{path: "/me", who: "bob", body: `{"id":1,"username":"alice"}`}.response())
	if p := m.Person(ids["bob"]); p.Known() {
		t.Errorf("bob %+v after an answer naming alice", p)
	}
}
