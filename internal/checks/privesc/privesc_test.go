package privesc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/signup"
)

// club is an API with sign-up, login, an admin-only member list and a role
// update; what it lets users do is the case under test.
type club struct {
	signupRole bool // sign-up binds role and is_admin from the body
	selfRole   bool // anyone may change their own role
	everyAdmin bool // every new account is an admin (no field needed)
	anyPass    bool // anyone may set anyone's password
	anyDelete  bool // anyone may delete anyone
	closed     bool // sign-up refuses everyone

	mu    sync.Mutex
	users map[string]*member
}

type member struct {
	pass, role string
}

func newClub() *club {
	return &club{users: map[string]*member{"root": {"root-pass", "admin"}, "ann": {"ann-pass", "user"}}}
}

func (c *club) who(r *http.Request) *member {
	name, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer tok-")
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.users[name]
}

func (c *club) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	me := c.who(r)
	switch {
	case r.Method == "POST" && r.URL.Path == "/register":
		if c.closed {
			w.WriteHeader(403)
			fmt.Fprint(w, `{"error":"sign-up is closed"}`)
			return
		}
		name, _ := body["username"].(string)
		pass, _ := body["password"].(string)
		role := "user"
		if c.everyAdmin {
			role = "admin"
		}
		if c.signupRole {
			if v, _ := body["role"].(string); v != "" {
				role = v
			}
			if v, _ := body["is_admin"].(bool); v {
				role = "admin"
			}
		}
		c.mu.Lock()
		c.users[name] = &member{pass, role}
		c.mu.Unlock()
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"message":"welcome %s"}`, name)
	case r.Method == "POST" && r.URL.Path == "/login":
		name, _ := body["username"].(string)
		c.mu.Lock()
		m := c.users[name]
		c.mu.Unlock()
		if m == nil || m.pass != body["password"] {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"bad credentials"}`)
			return
		}
		fmt.Fprintf(w, `{"token":"tok-%s"}`, name)
	case me == nil:
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"log in"}`)
	case r.URL.Path == "/admin/members" && me.role == "admin":
		fmt.Fprint(w, `{"members":[{"name":"root","role":"admin"},{"name":"ann","role":"user"}]}`)
	case r.URL.Path == "/admin/members":
		w.WriteHeader(403)
		fmt.Fprint(w, `{"error":"admins only"}`)
	case r.URL.Path == "/news":
		fmt.Fprint(w, `{"news":[{"id":1,"title":"hello"}]}`)
	case strings.HasPrefix(r.URL.Path, "/members/") && strings.HasSuffix(r.URL.Path, "/role") && r.Method == "PATCH":
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/members/"), "/role")
		c.mu.Lock()
		target := c.users[name]
		self := target == me
		allowed := me.role == "admin" || (c.selfRole && self)
		if target != nil && allowed {
			target.role, _ = body["role"].(string)
		}
		c.mu.Unlock()
		if !allowed || target == nil {
			w.WriteHeader(403)
			fmt.Fprint(w, `{"error":"forbidden"}`)
			return
		}
		fmt.Fprint(w, `{"message":"role changed"}`)
	case r.Method == "PUT" && strings.HasPrefix(r.URL.Path, "/members/") && strings.HasSuffix(r.URL.Path, "/password"):
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/members/"), "/password")
		c.mu.Lock()
		target := c.users[name]
		ok := target != nil && (target == me || c.anyPass)
		if ok {
			target.pass, _ = body["password"].(string)
		}
		c.mu.Unlock()
		if !ok {
			w.WriteHeader(403)
			fmt.Fprint(w, `{"error":"forbidden"}`)
			return
		}
		w.WriteHeader(204)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/members/"):
		name := strings.TrimPrefix(r.URL.Path, "/members/")
		c.mu.Lock()
		target := c.users[name]
		role := ""
		if target != nil {
			role = target.role
		}
		c.mu.Unlock()
		if target == nil || target != me {
			w.WriteHeader(403)
			fmt.Fprint(w, `{"error":"forbidden"}`)
			return
		}
		fmt.Fprintf(w, `{"username":%q,"role":%q}`, name, role)
	case r.Method == "DELETE" && strings.HasPrefix(r.URL.Path, "/members/"):
		name := strings.TrimPrefix(r.URL.Path, "/members/")
		c.mu.Lock()
		if c.users[name] == me || c.anyDelete {
			delete(c.users, name)
		}
		c.mu.Unlock()
		w.WriteHeader(204)
	default:
		http.NotFound(w, r)
	}
}

func obj(props map[string]*rampart.Schema, required ...string) *rampart.Body {
	return &rampart.Body{ContentType: "application/json", Required: true, Schema: &rampart.Schema{Type: "object", Properties: props, Required: required}}
}

func clubOps(documentRole bool) []*rampart.Operation {
	reg := checktest.Op("POST", "/register", "")
	props := map[string]*rampart.Schema{"username": {Type: "string"}, "password": {Type: "string"}}
	if documentRole {
		props["is_admin"] = &rampart.Schema{Type: "boolean"}
	}
	reg.Body = obj(props, "username", "password")
	login := checktest.Op("POST", "/login", "")
	login.Body = obj(map[string]*rampart.Schema{"username": {Type: "string"}, "password": {Type: "string"}}, "username", "password")
	role := checktest.Op("PATCH", "/members/{username}/role", "bearer")
	role.Params = []rampart.Param{{Name: "username", In: "path", Required: true, Schema: &rampart.Schema{Type: "string"}}}
	role.Body = obj(map[string]*rampart.Schema{"role": {Type: "string", Enum: []any{"user", "moderator", "admin"}}}, "role")
	del := checktest.Op("DELETE", "/members/{username}", "bearer")
	del.Params = role.Params
	pass := checktest.Op("PUT", "/members/{username}/password", "bearer")
	pass.Params = role.Params
	pass.Body = obj(map[string]*rampart.Schema{"password": {Type: "string"}}, "password")
	return []*rampart.Operation{reg, login, checktest.Op("GET", "/news", "bearer"), checktest.Op("GET", "/admin/members", "bearer"), role, del, pass}
}

// env is a pass over the club with root (admin) and ann (user), and the
// scan's sign-up as the scanner sets it up.
func env(t *testing.T, c *club, ops []*rampart.Operation) (*checktest.Env, *[]*signup.Account) {
	t.Helper()
	srv := checktest.NewServer(t, c)
	e := checktest.New(t, srv, rampart.Active, ops,
		checktest.User("root", identity.RoleAdmin, "tok-root"), checktest.User("ann", identity.RoleUser, "tok-ann"))
	plan := signup.Find(ops, nil)
	if plan == nil {
		t.Fatal("no sign-up plan")
	}
	base, _ := url.Parse(srv.URL)
	senv := signup.Env{Client: e.Pass.Client, Base: base, Body: e.Pass.Body}
	var made []*signup.Account
	fixture.SetAccountMaker(e.Pass, &fixture.AccountMaker{Register: plan.Register,
		New: func(ctx context.Context, extra map[string]any) (*signup.Account, error) {
			a, err := plan.CreateWith(ctx, senv, signup.UseCheck, extra)
			if a != nil {
				made = append(made, a)
			}
			return a, err
		}})
	return e, &made
}

func TestPrivilegeEscalation(t *testing.T) {
	tests := []struct {
		name     string
		club     *club
		document bool
		want     []string
	}{
		{"undocumented role at sign-up", &club{signupRole: true}, false, []string{"MASS-002"}},
		{"documented is_admin at sign-up", &club{signupRole: true}, true, []string{"MASS-002"}},
		{"a member promotes itself", &club{selfRole: true}, false, []string{"BFLA-004"}},
		{"secure: nothing", &club{}, true, nil},
		{"anyone sets anyone's password", &club{anyPass: true}, false, []string{"BOLA-003"}},
		{"anyone deletes anyone", &club{anyDelete: true}, false, []string{"BFLA-005"}},
		{"every new account is an admin: no field to blame", &club{everyAdmin: true, signupRole: true}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.club
			c.users = newClub().users
			e, made := env(t, c, clubOps(tt.document))
			e.Run(t, &Signup)
			e.Run(t, &Self)
			e.Run(t, &Takeover)
			e.Run(t, &DeleteAccount)
			var got []string
			for _, f := range e.Findings() {
				got = append(got, f.Check)
				if f.Confidence != rampart.Confirmed || (f.Check != "BOLA-003" && f.Check != "BFLA-005" && !strings.Contains(f.Message, "/admin/members")) {
					t.Errorf("%s: %s %s", f.Check, f.Confidence, f.Message)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
			// Nobody but the scan's own accounts changed role.
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.users["ann"].role != "user" || c.users["root"].role != "admin" || c.users["ann"].pass != "ann-pass" || c.users["root"].pass != "root-pass" {
				t.Errorf("an identity's role changed: ann %s, root %s", c.users["ann"].role, c.users["root"].role)
			}
			for _, a := range *made {
				if !strings.HasPrefix(a.Name, signup.Prefix) {
					t.Errorf("account %q", a.Name)
				}
			}
		})
	}
}

func TestAdminFor(t *testing.T) {
	tests := []struct {
		name string
		s    *rampart.Schema
		want any
	}{
		{"is_admin", &rampart.Schema{Type: "boolean"}, true},
		{"role", &rampart.Schema{Type: "string", Enum: []any{"user", "moderator", "admin"}}, "admin"},
		{"role", &rampart.Schema{Type: "string", Enum: []any{"member", "staff"}}, "staff"},
		{"role", &rampart.Schema{Type: "string", Enum: []any{"member", "guest"}}, nil},
		{"roles", &rampart.Schema{Type: "array", Items: &rampart.Schema{Type: "string", Enum: []any{"reader", "superuser"}}}, []any{"superuser"}},
		{"role", &rampart.Schema{Type: "string"}, "admin"},
		{"access_level", &rampart.Schema{Type: "integer"}, nil},
	}
	for _, tt := range tests {
		got, ok := adminFor(tt.name, tt.s)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || ok != (tt.want != nil) {
			t.Errorf("%s %+v: %v %v", tt.name, tt.s, got, ok)
		}
	}
}

// Without a read only administrators get data from, MASS-002 proves a
// privileged field by the account's own record read back: it carries the
// value sent, and an account signed up without the field carries another.
func TestSignupPrivilegeReadBack(t *testing.T) {
	self := checktest.Op("GET", "/members/{username}", "bearer")
	self.Params = []rampart.Param{{Name: "username", In: "path", Required: true, Schema: &rampart.Schema{Type: "string"}}}
	ops := append(slices.DeleteFunc(clubOps(false), func(op *rampart.Operation) bool { return op.Path == "/admin/members" }), self)
	for _, tc := range []struct {
		name string
		c    *club
		want bool
	}{
		{"role bound from the body", &club{signupRole: true}, true},
		{"role ignored", &club{}, false},
		{"every account an admin", &club{signupRole: true, everyAdmin: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			c.users = newClub().users
			e, _ := env(t, c, ops)
			e.Run(t, &Signup)
			fs := e.Of("MASS-002")
			if got := len(fs) == 1; got != tc.want {
				t.Fatalf("findings %v, want one: %v", fs, tc.want)
			}
			if tc.want && (fs[0].Confidence != rampart.Firm || fs[0].Location.Param != "role" || !strings.Contains(fs[0].Message, "role = admin")) {
				t.Errorf("finding %+v", fs[0])
			}
		})
	}
}
