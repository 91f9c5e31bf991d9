package signup

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/surface"
)

func obj(required []string, props map[string]*rampart.Schema) *rampart.Body {
	return &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object", Required: required, Properties: props}}
}

var str = &rampart.Schema{Type: "string"}

func TestFind(t *testing.T) {
	creds := map[string]*rampart.Schema{"username": str, "password": {Type: "string", Format: "password"}}
	byEmail := map[string]*rampart.Schema{"email": {Type: "string", Format: "email"}, "password": str}
	full := map[string]*rampart.Schema{"email": str, "password": str, "name": str, "is_admin": {Type: "boolean"}}
	tests := []struct {
		name            string
		ops             []*rampart.Operation
		register, login string
		loginByEmail    bool
		deletes         []string
		header, cookie  string
		schemes         map[string]surface.Scheme
		security        string
	}{
		{name: "signup and login", ops: []*rampart.Operation{
			{Method: "POST", Path: "/signup", Body: obj([]string{"username", "password"}, creds)},
			{Method: "POST", Path: "/login", Body: obj(nil, creds)},
			{Method: "DELETE", Path: "/me"},
			{Method: "DELETE", Path: "/notes/{id}"},
		}, register: "/signup", login: "/login", deletes: []string{"/me"}},
		{name: "a collection of users and a token endpoint", ops: []*rampart.Operation{
			{Method: "POST", Path: "/api/v1/users", Body: obj(nil, creds)},
			{Method: "POST", Path: "/api/v1/users/{id}/password", Body: obj(nil, creds)},
			{Method: "POST", Path: "/auth/token", Body: obj(nil, creds)},
			{Method: "DELETE", Path: "/api/v1/users/{username}"},
		}, register: "/api/v1/users", login: "/auth/token", deletes: []string{"/api/v1/users/{username}"},
			schemes: map[string]surface.Scheme{"key": {Type: "apiKey", In: "header", Name: "X-API-Key"}}, security: "key", header: "X-API-Key"},
		{name: "login by e-mail", ops: []*rampart.Operation{
			{Method: "POST", Path: "/register", Body: obj([]string{"email", "password", "name"}, full)},
			{Method: "POST", Path: "/login", Body: obj(nil, byEmail)},
		}, register: "/register", login: "/login", loginByEmail: true,
			schemes: map[string]surface.Scheme{"session": {Type: "apiKey", In: "cookie", Name: "sid"}}, security: "session", cookie: "sid"},
		{name: "a form sign-up by its summary", ops: []*rampart.Operation{
			{Method: "POST", Path: "/user/create", Summary: "Sign up", Body: &rampart.Body{ContentType: "application/x-www-form-urlencoded",
				Schema: &rampart.Schema{Type: "object", Properties: creds}}},
			{Method: "POST", Path: "/user/login", Body: &rampart.Body{ContentType: "application/x-www-form-urlencoded",
				Schema: &rampart.Schema{Type: "object", Properties: creds}}},
		}, register: "/user/create", login: "/user/login"},
		{name: "no login", ops: []*rampart.Operation{
			{Method: "POST", Path: "/register", Body: obj(nil, creds)},
		}},
		{name: "an admin creating users is no sign-up", ops: []*rampart.Operation{
			{Method: "POST", Path: "/admin/users", Body: obj(nil, creds)},
			{Method: "POST", Path: "/members", Body: obj(nil, creds), Security: [][]string{{"bearer"}}},
			{Method: "POST", Path: "/login", Body: obj(nil, creds)},
		}},
		{name: "no sign-up", ops: []*rampart.Operation{
			{Method: "POST", Path: "/login", Body: obj(nil, creds)},
			{Method: "POST", Path: "/password/reset", Body: obj(nil, creds)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.security != "" {
				tt.ops = append(tt.ops, &rampart.Operation{Method: "GET", Path: "/things", Security: [][]string{{tt.security}}})
			}
			pl := Find(tt.ops, tt.schemes)
			if tt.register == "" {
				if pl != nil {
					t.Fatalf("plan %+v", pl)
				}
				return
			}
			if pl == nil {
				t.Fatal("no plan")
			}
			if pl.Register.Path != tt.register || pl.Login.Path != tt.login || pl.loginByEmail != tt.loginByEmail {
				t.Errorf("register %s login %s by e-mail %v", pl.Register.Path, pl.Login.Path, pl.loginByEmail)
			}
			var dels []string
			for _, d := range pl.deletes {
				dels = append(dels, d.Path)
			}
			if !slices.Equal(dels, tt.deletes) {
				t.Errorf("deletes %v, want %v", dels, tt.deletes)
			}
			if pl.how.Header != tt.header || pl.how.Cookie != tt.cookie {
				t.Errorf("sending %+v", pl.how)
			}
		})
	}
}

// members is a sign-up API: accounts keyed by username, a bearer token from
// the login answer, DELETE /me. Its users/{id} route lets anyone delete
// anyone, and its sign-up answers the id of somebody else's record: the
// scan must never delete by an id it has not seen is its own.
type members struct {
	mu       sync.Mutex
	accounts map[string]string // username → password
	tokens   map[string]string // token → username
	signups  []map[string]any
	deleted  []string
	selfDel  bool // DELETE /me works
	closed   bool // sign-up refused
}

func newMembers() *members {
	return &members{accounts: map[string]string{"alice": "alice-pw"}, tokens: map[string]string{}, selfDel: true}
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
	case r.Method == "POST" && r.URL.Path == "/signup":
		m.signups = append(m.signups, body)
		if m.closed {
			out(403, map[string]string{"error": "sign-up is closed"})
			return
		}
		name, _ := body["username"].(string)
		pw, _ := body["password"].(string)
		if name == "" || len(pw) < 8 {
			out(422, map[string]string{"error": "username and a password of 8 characters are required"})
			return
		}
		m.accounts[name] = pw
		out(201, map[string]any{"message": "welcome", "id": 1}) // id 1 is alice's record, not the new account's
	case r.Method == "POST" && r.URL.Path == "/login":
		name, _ := body["username"].(string)
		if pw, ok := m.accounts[name]; !ok || pw != body["password"] {
			out(401, map[string]string{"error": "invalid credentials"})
			return
		}
		tok := "tok-" + name + "-0123456789"
		m.tokens[tok] = name
		out(200, map[string]any{"data": map[string]any{"access_token": tok}})
	case me == "":
		out(401, map[string]string{"error": "login required"})
	case r.Method == "GET" && r.URL.Path == "/users/1":
		out(200, map[string]any{"id": 1, "username": "alice"})
	case r.Method == "DELETE" && r.URL.Path == "/users/1":
		m.deleted = append(m.deleted, "alice")
		delete(m.accounts, "alice")
		w.WriteHeader(204)
	case r.Method == "DELETE" && r.URL.Path == "/me" && m.selfDel:
		m.deleted = append(m.deleted, me)
		delete(m.accounts, me)
		w.WriteHeader(204)
	default:
		out(404, map[string]string{"error": "no route"})
	}
}

func membersOps() []*rampart.Operation {
	creds := map[string]*rampart.Schema{
		"username": {Type: "string", Pattern: "^[a-z][a-z0-9_-]{2,31}$"},
		"password": {Type: "string", MinLength: 8},
		"email":    {Type: "string", Format: "email"},
		"bio":      {Type: "string"},
		"role":     {Type: "string", Enum: []any{"user", "admin"}},
	}
	id := []rampart.Param{{Name: "user_id", In: "path", Required: true, Schema: &rampart.Schema{Type: "integer"}}}
	return []*rampart.Operation{
		{Method: "POST", Path: "/signup", Body: obj([]string{"username", "password", "email"}, creds)},
		{Method: "POST", Path: "/login", Body: obj([]string{"username", "password"}, creds)},
		{Method: "DELETE", Path: "/me"},
		{Method: "GET", Path: "/users/{user_id}", Params: id},
		{Method: "DELETE", Path: "/users/{user_id}", Params: id},
	}
}

func membersEnv(t *testing.T, m *members) Env {
	t.Helper()
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Active})
	if err != nil {
		t.Fatal(err)
	}
	return Env{Client: c, Base: base, Body: surface.Body}
}

func TestCreateLogsInAndRemoves(t *testing.T) {
	m := newMembers()
	env := membersEnv(t, m)
	pl := Find(membersOps(), nil)
	if pl == nil {
		t.Fatal("no plan")
	}
	a, err := pl.Create(context.Background(), env, UseVictim)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Name, Prefix) || !strings.HasSuffix(a.Email, "@example.com") {
		t.Errorf("account %s <%s>", a.Name, a.Email)
	}
	// Only the required fields: no role, no bio.
	if len(m.signups) != 1 {
		t.Fatalf("%d sign-ups", len(m.signups))
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m.signups[0] {
			if !yield(k) {
				return
			}
		}
	})
	if !slices.Equal(keys, []string{"email", "password", "username"}) {
		t.Errorf("sign-up sent %v", keys)
	}
	if got := a.Identity.Header().Get("Authorization"); got != "Bearer tok-"+a.Name+"-0123456789" {
		t.Errorf("the account sends %q", got)
	}
	if !slices.Contains(a.Secrets(), a.password) {
		t.Error("the password is not among the secrets")
	}
	pl.Remove(context.Background(), env, a)
	rep := a.Report()
	if !rep.Removed || !strings.Contains(rep.Note, "DELETE /me") || rep.Use != UseVictim || rep.Via != "POST /signup" {
		t.Errorf("report %+v", rep)
	}
	if !slices.Equal(m.deleted, []string{a.Name}) {
		t.Errorf("deleted %v", m.deleted)
	}
}

// Without a way to delete itself, the account is left and the report says
// why; an id the sign-up answered is never used before the account has
// seen it is its own (here it is alice's).
func TestRemoveNeverGuessesAnID(t *testing.T) {
	m := newMembers()
	m.selfDel = false
	env := membersEnv(t, m)
	pl := Find(membersOps(), nil)
	a, err := pl.Create(context.Background(), env, UseIdentity)
	if err != nil {
		t.Fatal(err)
	}
	pl.Remove(context.Background(), env, a)
	if len(m.deleted) != 0 {
		t.Fatalf("deleted %v", m.deleted)
	}
	if rep := a.Report(); rep.Removed || !strings.Contains(rep.Note, "DELETE /me as itself answered 404") {
		t.Errorf("report %+v", rep)
	}
}

func TestSignupRefused(t *testing.T) {
	m := newMembers()
	m.closed = true
	a, err := Find(membersOps(), nil).Create(context.Background(), membersEnv(t, m), UseIdentity)
	if a != nil || err == nil || !strings.Contains(err.Error(), "POST /signup answered 403") {
		t.Fatalf("Create = %+v, %v", a, err)
	}
}

// A form sign-up that redirects to the login page, and a form login that
// redirects as it sets the session cookie: the account logs in with the
// cookie.
func TestFormSignupAndLogin(t *testing.T) {
	var mu sync.Mutex
	accounts := map[string]string{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user/create", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		accounts[r.PostForm.Get("username")] = r.PostForm.Get("password")
		mu.Unlock()
		http.Redirect(w, r, "/user/login", http.StatusFound)
	})
	mux.HandleFunc("POST /user/login", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		pw, ok := accounts[r.PostForm.Get("username")]
		mu.Unlock()
		if !ok || pw != r.PostForm.Get("password") {
			http.Redirect(w, r, "/user/login", http.StatusFound)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "app_session", Value: "sess-" + r.PostForm.Get("username")})
		http.Redirect(w, r, "/", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c, _ := engine.New(engine.Config{Base: base, Mode: rampart.Active})
	form := func(path string) *rampart.Operation {
		return &rampart.Operation{Method: "POST", Path: path, Body: &rampart.Body{ContentType: "application/x-www-form-urlencoded",
			Schema: &rampart.Schema{Type: "object", Required: []string{"username", "password"},
				Properties: map[string]*rampart.Schema{"username": str, "password": str}}}}
	}
	pl := Find([]*rampart.Operation{form("/user/create"), form("/user/login")}, nil)
	if pl == nil {
		t.Fatal("no plan")
	}
	a, err := pl.Create(context.Background(), Env{Client: c, Base: base, Body: surface.Body}, UseIdentity)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Identity.Header().Get("Cookie"); got != "app_session=sess-"+a.Name {
		t.Errorf("cookie %q", got)
	}
}
