package jwt

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
	token "github.com/rampart-sec/rampart/internal/jwt"
)

// gatedAPI is an API with no "who am I" endpoint (unless asked): a list of the caller's
// orders behind a JWT, and a public health read. How it verifies tokens is
// the case under test.
type gatedAPI struct {
	key        []byte
	verify     string // strict, none (alg=none trusted), noverify, noexp (exp ignored)
	public     bool   // the orders are the same for everyone, anonymous callers included
	unstable   bool   // every answer differs from the last
	sameForAll bool   // every user gets the same orders
	bare       bool   // the token goes in Authorization without "Bearer "
	onlyBob    bool   // the orders are reserved to bob (a group only he is in)
	me         bool   // GET /me names the caller by username only
}

func (a *gatedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/health":
		fmt.Fprint(w, `{"status":"ok","version":"1.2"}`)
		return
	case "/orders":
	case "/me":
		if !a.me {
			http.NotFound(w, r)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	user := ""
	if a.bare {
		user = a.userOf(r.Header.Get("Authorization"))
	} else if raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		user = a.userOf(raw)
	}
	if user == "" && !a.public {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"unauthorized"}`)
		return
	}
	if r.URL.Path == "/me" && user != "" {
		fmt.Fprintf(w, `{"username":%q}`, user)
		return
	}
	if a.onlyBob && user != "" && user != "bob" {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":"bob's group only"}`)
		return
	}
	if a.sameForAll || a.public {
		user = "everyone"
	}
	orders := []map[string]any{{"id": len(user) * 7, "item": "book for " + user, "total": 12.5}, {"id": len(user)*7 + 1, "item": "pen for " + user, "total": 2}}
	out := map[string]any{"owner": user, "orders": orders}
	if a.unstable {
		b := make([]byte, 8)
		rand.Read(b)
		out = map[string]any{"nonce": fmt.Sprintf("%x", b)}
	}
	json.NewEncoder(w).Encode(out)
}

func (a *gatedAPI) userOf(raw string) string {
	tok, err := token.Parse(raw)
	if err != nil {
		return ""
	}
	alg := tok.Alg()
	switch {
	case a.verify == "noverify":
	case a.verify == "none" && strings.EqualFold(alg, "none"):
	case tok.HMAC() && tok.Verify(a.key):
		exp, has := tok.Expiry()
		if a.verify != "noexp" && (!has || exp < time.Now().Unix()) {
			return ""
		}
	default:
		return ""
	}
	sub, _ := tok.Claims["sub"].(string)
	return sub
}

func (a *gatedAPI) tokenFor(t *testing.T, sub string) string {
	t.Helper()
	tok, err := token.Sign(map[string]any{"alg": "HS256", "typ": "JWT"},
		map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}, a.key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestForgeriesProvedByDifference: without a "who am I" endpoint, a forged
// token is accepted when it gets the genuine token's answer on a read that
// refuses no token and a garbage token.
func TestForgeriesProvedByDifference(t *testing.T) {
	strong := []byte("0c4f2d9b7e1a86f35d0b9e4c7a2f1e68")
	tests := []struct {
		name  string
		api   gatedAPI
		want  []string
		other bool // the proof names the second identity too
	}{
		{"alg=none trusted (and then exp ignored)", gatedAPI{key: strong, verify: "none"}, []string{"JWT-001", "JWT-004", "JWT-005"}, true},
		{"signature never checked", gatedAPI{key: strong, verify: "noverify"}, []string{"JWT-003", "JWT-004", "JWT-005"}, true},
		{"weak key", gatedAPI{key: []byte("your-256-bit-secret"), verify: "strict"}, []string{"JWT-002"}, true},
		{"weak key, exp ignored", gatedAPI{key: []byte("secret"), verify: "noexp"}, []string{"JWT-002", "JWT-004", "JWT-005"}, true},
		{"weak key, every user the same answer", gatedAPI{key: []byte("secret"), verify: "strict", sameForAll: true}, []string{"JWT-002"}, false},
		{"a bare token in Authorization", gatedAPI{key: strong, verify: "none", bare: true}, []string{"JWT-001", "JWT-004", "JWT-005"}, true},
		{"a read reserved to bob's group", gatedAPI{key: []byte("secret"), verify: "strict", onlyBob: true}, []string{"JWT-002"}, false},
		{"a who-am-I read that names callers by username only", gatedAPI{key: []byte("secret"), verify: "strict", me: true}, []string{"JWT-002"}, true},
		{"strong key, exp required: nothing", gatedAPI{key: strong, verify: "strict"}, nil, false},
		{"the read answers anonymous callers: nothing to prove", gatedAPI{key: strong, verify: "noverify", public: true}, nil, false},
		{"answers that change by themselves prove nothing", gatedAPI{key: strong, verify: "noverify", unstable: true}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := tt.api
			srv := checktest.NewServer(t, &api)
			user := func(name, role string) *identity.Identity {
				if api.bare {
					return identity.New(name, role, http.Header{"Authorization": {api.tokenFor(t, name)}})
				}
				return checktest.User(name, role, api.tokenFor(t, name))
			}
			who := []*identity.Identity{user("alice", "user"), user("bob", "admin")}
			ops := []*rampart.Operation{checktest.Op("GET", "/health", ""), checktest.Op("GET", "/orders", "bearer"), checktest.Op("GET", "/logout"), checktest.Op("GET", "/me")}
			env := checktest.New(t, srv, rampart.Safe, ops, who...)
			for _, c := range all {
				env.Run(t, c)
			}
			got := checks(env)
			for _, id := range tt.want {
				f, ok := got[id]
				if !ok {
					t.Errorf("missing %s", id)
					continue
				}
				if f.Location.Path != "/orders" && !(api.me && f.Location.Path == "/me") {
					t.Errorf("%s at %s", id, f.Location.Path)
				}
				if !strings.Contains(f.Message, "genuine token") {
					t.Errorf("%s not proved by difference: %s", id, f.Message)
				}
				if id != "JWT-004" && id != "JWT-005" && strings.Contains(f.Message, "own answer, not") != tt.other {
					t.Errorf("%s: second identity named = %v, want %v: %s", id, !tt.other, tt.other, f.Message)
				}
			}
			if len(got) != len(tt.want) {
				for id, f := range got {
					t.Logf("got %s: %s", id, f.Message)
				}
				t.Errorf("%d findings, want %d", len(got), len(tt.want))
			}
			for _, r := range srv.Requests() {
				// An anonymous GET /logout (the session check's cookie
				// collection) ends nobody's session.
				if r.Method != http.MethodGet || (r.Path == "/logout" && r.Header.Get("Authorization") != "") {
					t.Errorf("sent %s %s (%v)", r.Method, r.Path, r.Header)
				}
			}
			if n := len(srv.Requests()); n > budget {
				t.Errorf("%d requests, over the budget of %d", n, budget)
			}
		})
	}
}
