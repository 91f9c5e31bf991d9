package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
)

// members is an API with sign-up, login and DELETE /me; alice exists.
type members struct {
	mu       sync.Mutex
	accounts map[string]string
	tokens   map[string]string
	signups  []map[string]any
	withSpec bool // serve sign-up; false: the API has none
}

func (m *members) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	me := m.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	switch {
	case r.Method == "POST" && r.URL.Path == "/signup" && m.withSpec:
		m.signups = append(m.signups, body)
		name, _ := body["username"].(string)
		m.accounts[name], _ = body["password"].(string)
		out(201, map[string]string{"message": "welcome"})
	case r.Method == "POST" && r.URL.Path == "/login":
		name, _ := body["username"].(string)
		if pw, ok := m.accounts[name]; !ok || pw != body["password"] {
			out(401, map[string]string{"error": "invalid credentials"})
			return
		}
		tok := fmt.Sprintf("opaque-token-%04d-0123456789", len(m.tokens))
		m.tokens[tok] = name
		out(200, map[string]any{"access_token": tok})
	case r.URL.Path == "/":
		out(200, map[string]string{"service": "members"})
	case me == "":
		out(401, map[string]string{"error": "login required"})
	case r.Method == "GET" && r.URL.Path == "/me":
		out(200, map[string]string{"username": me})
	case r.Method == "DELETE" && r.URL.Path == "/me":
		delete(m.accounts, me)
		w.WriteHeader(204)
	default:
		out(404, map[string]string{"error": "no route"})
	}
}

func (m *members) left() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.accounts {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestThrowawayAccounts(t *testing.T) {
	tests := []struct {
		name     string
		mode     rampart.Mode
		noSignup bool
		withSpec bool
		accounts int
	}{
		{name: "active: one more user and a victim", mode: rampart.Active, withSpec: true, accounts: 2},
		{name: "--no-signup", mode: rampart.Active, noSignup: true, withSpec: true},
		{name: "safe mode", mode: rampart.Safe, withSpec: true},
		{name: "an API without sign-up", mode: rampart.Active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &members{accounts: map[string]string{"alice": "alice-pw-1234"}, tokens: map[string]string{}, withSpec: tt.withSpec}
			srv := httptest.NewServer(m)
			t.Cleanup(srv.Close)
			spec := "testdata/members-openapi.yaml"
			if !tt.withSpec {
				spec = t.TempDir() + "/openapi.json"
				writeSpecWithout(t, spec, "/signup")
			}
			rep, err := Run(context.Background(), Options{
				Target: srv.URL, Spec: spec, Mode: tt.mode, NoSignup: tt.noSignup, Checks: []string{"HDR-001"},
				Identities: []rampart.Identity{{Name: "alice", Role: "user", Login: &rampart.Login{URL: "/login",
					JSON: map[string]any{"username": "alice", "password": "alice-pw-1234"}, Token: &rampart.TokenSource{Path: "access_token"}}}},
			})
			if err != nil {
				t.Fatal(err)
			}
			var accounts []rampart.Account
			if rep.Footprint != nil {
				accounts = rep.Footprint.Accounts
			}
			if len(accounts) != tt.accounts || len(m.signups) != tt.accounts {
				t.Fatalf("%d accounts in the report, %d sign-ups; want %d", len(accounts), len(m.signups), tt.accounts)
			}
			if tt.accounts == 0 {
				return
			}
			uses := []string{accounts[0].Use, accounts[1].Use}
			if !slices.Equal(uses, []string{"identity", "victim"}) {
				t.Errorf("uses %v", uses)
			}
			for _, a := range accounts {
				if !strings.HasPrefix(a.Name, "rampart-tmp-") || !a.Removed || a.Via != "POST /signup" {
					t.Errorf("account %+v", a)
				}
			}
			if !slices.ContainsFunc(rep.Identities, func(s string) bool { return strings.HasSuffix(s, "(user, throwaway)") }) {
				t.Errorf("identities %v", rep.Identities)
			}
			for _, s := range m.signups {
				if _, sent := s["role"]; sent {
					t.Errorf("sign-up sent an optional field: %v", s)
				}
			}
			if got := m.left(); !slices.Equal(got, []string{"alice"}) {
				t.Errorf("accounts left on the API: %v", got)
			}
			// The throwaway passwords are credentials like any other.
			b, _ := json.Marshal(rep)
			for _, s := range m.signups {
				if pw, _ := s["password"].(string); pw == "" || strings.Contains(string(b), pw) {
					t.Errorf("the report shows a throwaway password")
				}
			}
		})
	}
}

// writeSpecWithout writes the members spec without one path, as JSON.
func writeSpecWithout(t *testing.T, file, path string) {
	t.Helper()
	spec := `{"openapi":"3.0.3","info":{"title":"members","version":"1"},"security":[{"bearer":[]}],
"paths":{"/login":{"post":{"security":[],"requestBody":{"content":{"application/json":{"schema":{"type":"object",
"properties":{"username":{"type":"string"},"password":{"type":"string"}}}}}},"responses":{"200":{"description":"ok"}}}},
"/me":{"get":{"responses":{"200":{"description":"ok"}}}}},
"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}}}`
	if err := os.WriteFile(file, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
}
