package ratelimit

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

func loginOp() *rampart.Operation {
	op := checktest.Op("POST", "/auth/login", "")
	op.Body = &rampart.Body{ContentType: "application/json", Required: true, Schema: &rampart.Schema{
		Type: "object", Required: []string{"username", "password"},
		Properties: map[string]*rampart.Schema{"username": {Type: "string"}, "password": {Type: "string", Format: "password"}},
	}}
	return op
}

// loginServer fails every login; after `limit` failures it applies a
// throttle of the given kind.
type loginServer struct {
	mu       sync.Mutex
	n        int
	limit    int
	kind     string // "429", "lock", "slow", "" (none)
	jitter   bool
	users    map[string]bool
	badInput bool
	// ok200 answers failures with 200 and this body; cookie sets a cookie
	// with them, clear clears one.
	ok200  string
	cookie bool
	clear  bool
	// unknown404 answers a username that does not exist 404 "no such user".
	unknown404 bool
}

func (s *loginServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	s.n++
	n := s.n
	if u, ok := body["username"].(string); ok {
		s.users[u] = true
	}
	s.mu.Unlock()
	if s.jitter {
		time.Sleep(time.Duration(rand.IntN(25)) * time.Millisecond)
	}
	w.Header().Set("Content-Type", "application/json")
	if s.badInput {
		w.WriteHeader(400)
		w.Write([]byte(`{"error":"bad_request","message":"username and password are required"}`))
		return
	}
	if s.limit > 0 && n > s.limit || s.limit < 0 { // a negative limit throttles from the first attempt
		switch s.kind {
		case "429":
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(429)
			w.Write([]byte(`{"error":"too_many_requests"}`))
			return
		case "lock":
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"unauthorized","message":"account temporarily locked"}`))
			return
		case "slow":
			time.Sleep(700 * time.Millisecond)
		}
	}
	if s.unknown404 {
		w.WriteHeader(404)
		w.Write([]byte(`{"error":"no such user"}`))
		return
	}
	if s.ok200 != "" {
		if s.cookie {
			w.Header().Set("Set-Cookie", "session=abc123; HttpOnly")
		}
		if s.clear {
			w.Header().Set("Set-Cookie", "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/")
		}
		w.Write([]byte(s.ok200))
		return
	}
	w.WriteHeader(401)
	w.Write([]byte(`{"error":"unauthorized","message":"invalid username or password"}`))
}

func TestLoginThrottling(t *testing.T) {
	tests := []struct {
		name    string
		srv     *loginServer
		want    bool
		maxReqs int
		minReqs int
	}{
		{"no throttle", &loginServer{}, true, Attempts, Attempts},
		{"no throttle, random latency", &loginServer{jitter: true}, true, Attempts, Attempts},
		{"429 after 5", &loginServer{limit: 5, kind: "429"}, false, 6, 6},
		{"lockout message after 3", &loginServer{limit: 3, kind: "lock"}, false, 4, 4},
		{"slows down after 5", &loginServer{limit: 5, kind: "slow"}, false, 12, 8},
		{"answers are not login failures", &loginServer{badInput: true}, false, 1, 1},
		{"404 for a user that does not exist", &loginServer{unknown404: true}, true, Attempts, Attempts},
		{"404 for a user that does not exist, then 429", &loginServer{unknown404: true, limit: 5, kind: "429"}, false, 6, 6},
		{"200 with a failure status", &loginServer{ok200: `{"status": "fail", "message": "Username does not exist"}`}, true, Attempts, Attempts},
		{"200 with the form again", &loginServer{ok200: `<html><form><p class="err">Invalid user or password</p><input name="password"></form></html>`}, true, Attempts, Attempts},
		{"200 with the form again, clearing the session cookie", &loginServer{ok200: `<p>Invalid user or password</p>`, clear: true}, true, Attempts, Attempts},
		{"200 that sets a cookie is not a failure", &loginServer{ok200: `{"message": "invalid user"}`, cookie: true}, false, 1, 1},
		{"200 that says nothing failed", &loginServer{ok200: `{"status": "ok", "user": "x"}`}, false, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.srv.users = map[string]bool{}
			srv := checktest.NewServer(t, tt.srv)
			env := checktest.New(t, srv, rampart.Active, []*rampart.Operation{loginOp()}, checktest.User("ann", "user", "tok-ann"))
			env.Run(t, &Login)
			fs := env.Of("RATE-001")
			if (len(fs) == 1) != tt.want {
				t.Fatalf("findings: %v", fs)
			}
			n := len(srv.Requests())
			if n > tt.maxReqs || n < tt.minReqs {
				t.Errorf("%d requests, want %d-%d", n, tt.minReqs, tt.maxReqs)
			}
			// One username, never an identity's, never a real account.
			if len(tt.srv.users) != 1 {
				t.Errorf("usernames used: %v", tt.srv.users)
			}
			for u := range tt.srv.users {
				if !strings.HasPrefix(u, "rampart-nx-") {
					t.Errorf("username %q", u)
				}
			}
			for _, r := range srv.Requests() {
				if r.Header.Get("Authorization") != "" {
					t.Errorf("a login attempt carried an identity's credentials")
				}
			}
		})
	}
}

func TestIsAuth(t *testing.T) {
	withPassword := func(op *rampart.Operation) *rampart.Operation {
		op.Body = &rampart.Body{Schema: &rampart.Schema{Properties: map[string]*rampart.Schema{"password": {}}}}
		return op
	}
	withID := func(op *rampart.Operation, id string) *rampart.Operation {
		op.ID = id
		return op
	}
	withAccount := func(op *rampart.Operation) *rampart.Operation {
		op.Body = &rampart.Body{Schema: &rampart.Schema{Properties: map[string]*rampart.Schema{"username": {}, "password": {}}}}
		return op
	}
	tests := []struct {
		op   *rampart.Operation
		want bool
	}{
		{checktest.Op("POST", "/login", ""), true},
		{checktest.Op("POST", "/api/v2/token", ""), true},
		{checktest.Op("POST", "/oauth/token"), true},
		{withPassword(checktest.Op("POST", "/accounts/verify", "")), true},
		{checktest.Op("GET", "/login", ""), false},
		{checktest.Op("POST", "/logout", ""), false},
		{checktest.Op("POST", "/register", ""), false},
		{checktest.Op("POST", "/token/refresh", ""), false},
		{withPassword(checktest.Op("POST", "/admin/users", "bearer")), false},
		{withPassword(checktest.Op("POST", "/users")), false},
		{withAccount(checktest.Op("POST", "/api/key")), true},
		{withAccount(checktest.Op("POST", "/user/create")), false},
		{withID(withAccount(checktest.Op("POST", "/api/key")), "createApiKey"), true},
		{withID(withAccount(checktest.Op("POST", "/users")), "createUser"), false},
		{withAccount(checktest.Op("POST", "/users")), false},
		{withAccount(checktest.Op("POST", "/api/users/")), false},
		{withAccount(checktest.Op("POST", "/password/change")), false},
		{checktest.Op("POST", "/notes", "bearer"), false},
	}
	for _, tt := range tests {
		if got := IsAuth(tt.op); got != tt.want {
			t.Errorf("IsAuth(%s security %v) = %v", tt.op.Key(), tt.op.Security, got)
		}
	}
}

func TestSlowedDown(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		var out []time.Duration
		for _, v := range vs {
			out = append(out, time.Duration(v)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name string
		ds   []time.Duration
		want bool
	}{
		{"flat", ms(5, 6, 5, 7, 5, 6, 5, 5, 6, 5), false},
		{"one outlier", ms(5, 6, 5, 7, 5, 6, 900, 5, 6, 5), false},
		{"tripled but tiny", ms(5, 5, 5, 5, 5, 15, 15, 15, 15, 15), false},
		{"sustained delay", ms(5, 5, 5, 5, 5, 700, 700, 700, 700, 700), true},
		{"too few samples", ms(5, 700, 700), false},
	}
	for _, tt := range tests {
		if got, _, _ := slowedDown(tt.ds); got != tt.want {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
}
