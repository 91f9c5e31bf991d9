package apimodel_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// recorder is a loopback API that records what it was asked.
type recorder struct {
	mu   sync.Mutex
	seen []string // "alice GET /notes/1"
	who  func(r *http.Request) string
}

func (rc *recorder) record(r *http.Request) string {
	who := rc.who(r)
	rc.mu.Lock()
	rc.seen = append(rc.seen, who+" "+r.Method+" "+r.URL.RequestURI())
	rc.mu.Unlock()
	return who
}

func (rc *recorder) asked(s string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Contains(rc.seen, s)
}

func (rc *recorder) any(prefix string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, s := range rc.seen {
		if strings.Contains(s, prefix) {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func op(method, path string, params ...rampart.Param) *rampart.Operation {
	o := &rampart.Operation{Method: method, Path: path, Params: params}
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") {
			o.Params = append(o.Params, rampart.Param{Name: strings.Trim(seg, "{}"), In: "path", Required: true})
		}
	}
	return o
}

// setup builds the engine, the model (as the engine's observer) and the
// identities, logged in.
func setup(t *testing.T, srv *httptest.Server, mode rampart.Mode, ops []*rampart.Operation, ids ...*identity.Identity) (*apimodel.Model, *engine.Client, []*identity.Identity) {
	t.Helper()
	base, _ := url.Parse(srv.URL)
	var m *apimodel.Model
	c, err := engine.New(engine.Config{Base: base, Mode: mode, Observe: func(r *engine.Response) { m.Observe(r) }})
	if err != nil {
		t.Fatal(err)
	}
	m = apimodel.New(apimodel.Config{Surface: ops, Base: base})
	all := []*identity.Identity{identity.Anonymous()}
	for _, id := range ids {
		if err := id.EnsureLoggedIn(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		all = append(all, id)
	}
	return m, c, all
}

func values(t *testing.T, m *apimodel.Model, key, param string, q apimodel.Query) []string {
	t.Helper()
	o := m.Operation(key)
	if o == nil {
		t.Fatalf("no operation %s", key)
	}
	var out []string
	for _, c := range m.Values(o, param, q) {
		out = append(out, c.Value)
	}
	return out
}

// A notes API: numeric ids found in lists, static bearer tokens, no "who
// am I" endpoint; a logout, a delete-like GET and the spec exploring must
// leave alone.
func TestExploreNumericIDsFromLists(t *testing.T) {
	tokens := map[string]string{"Bearer tok-alice": "alice", "Bearer tok-bob": "bob", "Bearer tok-carol": "carol"}
	notes := map[string][]int{"alice": {11, 12}, "bob": {21}, "carol": {31}}
	rc := &recorder{who: func(r *http.Request) string { return cmpOr(tokens[r.Header.Get("Authorization")], "anonymous") }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := rc.record(r)
		var id int
		switch {
		case r.URL.Path == "/":
			writeJSON(w, 200, map[string]string{"service": "notes"})
		case r.URL.Path == "/openapi.json", r.URL.Path == "/logout":
			writeJSON(w, 200, map[string]string{"message": "must not be asked"})
		case who == "anonymous":
			writeJSON(w, 401, map[string]string{"error": "login required"})
		case r.URL.Path == "/notes":
			var out []map[string]any
			for _, n := range notes[who] {
				out = append(out, map[string]any{"id": n, "title": "note " + who})
			}
			writeJSON(w, 200, out)
		case strings.HasSuffix(r.URL.Path, "/delete"):
			writeJSON(w, 200, map[string]string{"message": "deleted"})
		case scan(r.URL.Path, "/notes/%d", &id):
			if !slices.Contains(notes[who], id) {
				writeJSON(w, 404, map[string]string{"error": "not found"})
				return
			}
			writeJSON(w, 200, map[string]any{"id": id, "title": "note", "body": "text"})
		default:
			writeJSON(w, 404, map[string]string{"error": "not found"})
		}
	}))
	defer srv.Close()
	ops := []*rampart.Operation{op("GET", "/"), op("GET", "/openapi.json"), op("GET", "/logout"), op("GET", "/notes"),
		op("GET", "/notes/{note_id}"), op("GET", "/notes/{note_id}/delete"), op("POST", "/notes")}
	mk := func(name, role string) *identity.Identity {
		return identity.New(name, role, http.Header{"Authorization": {"Bearer tok-" + name}})
	}
	m, c, ids := setup(t, srv, rampart.Safe, ops, mk("alice", "user"), mk("bob", "user"), mk("carol", "admin"))
	st, err := m.Explore(context.Background(), c, ids)
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := ids[1], ids[2]
	mine := m.Values(m.Operation("GET /notes/{note_id}"), "note_id", apimodel.Query{As: alice, Owner: apimodel.Mine})
	if len(mine) != 2 || mine[0].Value != "11" || mine[1].Value != "12" || mine[0].Public || mine[0].Evidence != apimodel.HowExclusive {
		t.Errorf("alice's notes: %+v", mine)
	}
	if got := values(t, m, "GET /notes/{note_id}", "note_id", apimodel.Query{As: alice, Owner: apimodel.Others, Of: bob}); !slices.Equal(got, []string{"21"}) {
		t.Errorf("bob's notes, asked by alice: %q", got)
	}
	if !rc.asked("alice GET /notes/11") || !rc.asked("bob GET /notes/21") {
		t.Errorf("exploring did not read the identities' own notes: %q", rc.seen)
	}
	for _, never := range []string{"/logout", "/openapi.json", "/delete"} {
		if rc.any(never) {
			t.Errorf("exploring asked %s", never)
		}
	}
	// The anonymous caller reads a parameterised operation once, at a URL
	// an identity was answered, to learn whether it needs credentials.
	var anon []string
	for _, s := range rc.seen {
		if strings.HasPrefix(s, "anonymous GET /notes/") {
			anon = append(anon, s)
		}
	}
	if !slices.Equal(anon, []string{"anonymous GET /notes/11"}) {
		t.Errorf("the anonymous caller asked %q", anon)
	}
	// Budget: PerUnit × GET operations exploring may read × identities.
	if st.Budget != apimodel.PerUnit*3*4 || st.Requests > st.Budget || int64(st.Requests) != c.Stats().Requests {
		t.Errorf("stats %+v, engine sent %d", st, c.Stats().Requests)
	}
	g, ok := m.Gate(m.Operation("GET /notes"))
	if !ok || !g.NeedsCredentials {
		t.Errorf("GET /notes: %+v", g)
	}
	if a, ok := g.Answer(alice); !ok || a.Status != 200 || a.Shape != "list{id,title}" {
		t.Errorf("alice's answer at GET /notes: %+v", a)
	}
	if a, ok := g.Answer(nil); !ok || a.Status != 401 || a.Data {
		t.Errorf("the anonymous answer at GET /notes: %+v", a)
	}
	var gated []string
	for _, g := range m.Gated() {
		gated = append(gated, g.Operation)
	}
	if !slices.Equal(gated, []string{"GET /notes", "GET /notes/{note_id}"}) {
		t.Errorf("gated reads %q", gated)
	}
	objs := m.Objects(alice)
	var urls []string
	for _, o := range objs {
		// Exploring stops at the first object of an operation that answers.
		if want := map[string]int{"11": 200, "12": 0}[o.Key]; o.Status != want {
			t.Errorf("alice's note %s: status %d, want %d", o.Key, o.Status, want)
		}
		urls = append(urls, strings.TrimPrefix(o.URL, srv.URL))
	}
	if !slices.Equal(urls, []string{"/notes/11", "/notes/12"}) {
		t.Errorf("alice's objects %q", urls)
	}
}

// A wiki: pages keyed by the title the client chose, a create that
// answers only a message, enveloped listings, and a session cookie from a
// login flow as the only credential.
func TestExploreClientChosenNamesAndCookies(t *testing.T) {
	var mu sync.Mutex
	sessions := map[string]string{}
	pages := []map[string]string{
		{"title": "welcome", "owner": "carol", "visibility": "public"},
		{"title": "alice-diary", "owner": "alice", "visibility": "private"},
		{"title": "bob-plans", "owner": "bob", "visibility": "private"},
	}
	rc := &recorder{}
	rc.who = func(r *http.Request) string {
		if c, err := r.Cookie("sid"); err == nil {
			mu.Lock()
			defer mu.Unlock()
			return cmpOr(sessions[c.Value], "anonymous")
		}
		return "anonymous"
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := rc.record(r)
		switch {
		case r.Method == "POST" && r.URL.Path == "/login":
			var body map[string]string
			json.NewDecoder(r.Body).Decode(&body)
			sid := base64.RawURLEncoding.EncodeToString([]byte("session-of-" + body["username"]))
			mu.Lock()
			sessions[sid] = body["username"]
			mu.Unlock()
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, HttpOnly: true})
			writeJSON(w, 200, map[string]string{"message": "logged in"})
		case who == "anonymous":
			writeJSON(w, 401, map[string]string{"error": "login required"})
		case r.Method == "GET" && r.URL.Path == "/pages":
			var out []map[string]string
			mu.Lock()
			for _, p := range pages {
				if p["visibility"] == "public" || p["owner"] == who {
					out = append(out, map[string]string{"title": p["title"], "owner": p["owner"]})
				}
			}
			mu.Unlock()
			writeJSON(w, 200, map[string]any{"status": "ok", "data": map[string]any{"pages": out, "total": len(out)}})
		case r.Method == "POST" && r.URL.Path == "/pages":
			var body map[string]string
			json.NewDecoder(r.Body).Decode(&body)
			mu.Lock()
			pages = append(pages, map[string]string{"title": body["title"], "owner": who, "visibility": "private"})
			mu.Unlock()
			writeJSON(w, 201, map[string]string{"message": "created"})
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/users/") && strings.HasSuffix(r.URL.Path, "/pages"):
			u := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/users/"), "/pages")
			if u != who {
				writeJSON(w, 403, map[string]string{"error": "not yours"})
				return
			}
			writeJSON(w, 200, map[string]any{"result": []any{}, "page": 1, "pages": 1})
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/pages/"):
			title := strings.TrimPrefix(r.URL.Path, "/pages/")
			mu.Lock()
			defer mu.Unlock()
			for _, p := range pages {
				if p["title"] == title && (p["visibility"] == "public" || p["owner"] == who) {
					writeJSON(w, 200, map[string]any{"status": "ok", "data": p})
					return
				}
			}
			writeJSON(w, 404, map[string]string{"error": "no such page"})
		default:
			writeJSON(w, 404, map[string]string{"error": "not found"})
		}
	}))
	defer srv.Close()
	ops := []*rampart.Operation{op("POST", "/login"), op("GET", "/pages"), op("POST", "/pages"), op("GET", "/pages/{title}"),
		op("GET", "/users/{username}/pages")}
	mk := func(name, role string) *identity.Identity {
		id := identity.New(name, role, nil)
		id.Login = &identity.Login{Login: rampart.Login{Method: "POST", URL: "/login",
			JSON: map[string]any{"username": name, "password": "pw-" + name}, Cookies: []string{"sid"}}}
		return id
	}
	m, c, ids := setup(t, srv, rampart.Active, ops, mk("alice", "user"), mk("bob", "user"), mk("carol", "admin"))
	if _, err := m.Explore(context.Background(), c, ids); err != nil {
		t.Fatal(err)
	}
	alice, bob := ids[1], ids[2]
	if rc.any("POST /pages") {
		t.Error("exploring sent a write")
	}
	// A check creates a page as alice: the answer says only "created".
	if _, err := alice.Do(context.Background(), c, &engine.Request{Method: "POST", URL: srv.URL + "/pages",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"title":"made-by-alice","body":"x"}`), Route: "POST /pages"}); err != nil {
		t.Fatal(err)
	}
	if p := m.Person(alice); p.Username != "alice" {
		t.Errorf("alice is %+v", p)
	}
	mine := m.Values(m.Operation("GET /pages/{title}"), "title", apimodel.Query{As: alice, Owner: apimodel.Mine})
	var got []string
	for _, c := range mine {
		got = append(got, c.Value+" ("+c.Evidence.String()+")")
	}
	if !slices.Equal(got, []string{"made-by-alice (sent in a create)", "alice-diary (owner field)"}) {
		t.Errorf("alice's titles %q", got)
	}
	if got := values(t, m, "GET /pages/{title}", "title", apimodel.Query{As: bob, Owner: apimodel.Others, Of: alice}); !slices.Contains(got, "alice-diary") {
		t.Errorf("alice's titles, asked by bob: %q", got)
	}
	if got := values(t, m, "GET /pages/{title}", "title", apimodel.Query{As: bob, Owner: apimodel.Mine}); !slices.Equal(got, []string{"bob-plans"}) {
		t.Errorf("bob's titles: %q", got)
	}
	// The username it logged in with fills {username}, no "who am I" needed.
	if !rc.asked("bob GET /users/bob/pages") || rc.any("bob GET /users/alice") {
		t.Errorf("bob's pages by username: %q", rc.seen)
	}
	if !rc.asked("alice GET /pages/alice-diary") {
		t.Errorf("exploring did not read alice's page as alice: %q", rc.seen)
	}
}

// A bank: account numbers known only from the login answer, a JWT whose
// claims nest under "user", enveloped answers, and e-mail addresses in
// paths.
func TestExploreLoginAnswerKeysAndEmails(t *testing.T) {
	accounts := map[string][]string{"alice": {"NL91ZOOB0417164300", "NL20ZOOB0123456789"}, "bob": {"NL55ZOOB0987654321"}, "carol": {"NL02ZOOB0555555555"}}
	emails := map[string]string{"alice": "alice@example.com", "bob": "bob@example.com", "carol": "carol@example.com"}
	rc := &recorder{}
	tokens := map[string]string{}
	var mu sync.Mutex
	rc.who = func(r *http.Request) string {
		mu.Lock()
		defer mu.Unlock()
		return cmpOr(tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")], "anonymous")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := rc.record(r)
		ok := func(v any) { writeJSON(w, 200, map[string]any{"status": "ok", "data": v}) }
		switch {
		case r.Method == "POST" && r.URL.Path == "/auth/login":
			var body map[string]string
			json.NewDecoder(r.Body).Decode(&body)
			u := body["username"]
			claims, _ := json.Marshal(map[string]any{"user": map[string]any{"id": "u-" + u, "email": emails[u]}, "exp": 4102444800})
			tok := "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(claims) + ".c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0wMTIzNDU2Nzg5"
			mu.Lock()
			tokens[tok] = u
			mu.Unlock()
			var accs []map[string]string
			for _, n := range accounts[u] {
				accs = append(accs, map[string]string{"number": n, "currency": "EUR"})
			}
			ok(map[string]any{"access_token": tok, "accounts": accs})
		case who == "anonymous":
			writeJSON(w, 401, map[string]string{"detail": "bearer token required"})
		case strings.HasPrefix(r.URL.Path, "/accounts/"):
			n := strings.TrimPrefix(r.URL.Path, "/accounts/")
			if !slices.Contains(accounts[who], n) {
				writeJSON(w, 404, map[string]string{"detail": "no such account"})
				return
			}
			ok(map[string]any{"number": n, "owner": who, "balance": 100})
		case strings.HasPrefix(r.URL.Path, "/customers/") && strings.HasSuffix(r.URL.Path, "/statements"):
			e := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/customers/"), "/statements")
			if e != emails[who] {
				writeJSON(w, 403, map[string]string{"detail": "not yours"})
				return
			}
			ok([]map[string]any{{"id": 1, "month": "2026-11"}})
		default:
			writeJSON(w, 404, map[string]string{"detail": "not found"})
		}
	}))
	defer srv.Close()
	ops := []*rampart.Operation{op("POST", "/auth/login"), op("GET", "/accounts/{account_number}"), op("GET", "/customers/{email}/statements")}
	mk := func(name, role string) *identity.Identity {
		id := identity.New(name, role, nil)
		id.Login = &identity.Login{Login: rampart.Login{Method: "POST", URL: "/auth/login",
			JSON: map[string]any{"username": name, "password": "pw"}, Token: &rampart.TokenSource{Path: "data.access_token"}}}
		return id
	}
	m, c, ids := setup(t, srv, rampart.Safe, ops, mk("alice", "user"), mk("bob", "user"), mk("carol", "admin"))
	if _, err := m.Explore(context.Background(), c, ids); err != nil {
		t.Fatal(err)
	}
	alice, bob := ids[1], ids[2]
	p := m.Person(alice)
	if p.ID != "u-alice" || p.Email != "alice@example.com" || p.Username != "alice" || !slices.Equal(p.Accounts, []string{"NL20ZOOB0123456789", "NL91ZOOB0417164300"}) {
		t.Errorf("alice is %+v", p)
	}
	if got := values(t, m, "GET /accounts/{account_number}", "account_number", apimodel.Query{As: bob, Owner: apimodel.Others, Of: alice}); len(got) != 2 {
		t.Errorf("alice's accounts, asked by bob: %q", got)
	}
	if got := values(t, m, "GET /customers/{email}/statements", "email", apimodel.Query{As: bob, Owner: apimodel.Mine}); !slices.Equal(got, []string{"bob@example.com"}) {
		t.Errorf("bob's e-mail: %q", got)
	}
	for _, s := range []string{"alice GET /accounts/NL20ZOOB0123456789", "bob GET /customers/bob@example.com/statements"} {
		if !rc.asked(s) {
			t.Errorf("exploring did not ask %s: %q", s, rc.seen)
		}
	}
	var objs []string
	for _, o := range m.Objects(bob) {
		objs = append(objs, o.Operation+" "+o.Key+" "+o.Evidence.String())
	}
	want := []string{"GET /accounts/{account_number} NL55ZOOB0987654321 login answer", "GET /customers/{email}/statements bob@example.com token claim"}
	if !slices.Equal(objs, want) {
		t.Errorf("bob's objects %q\nwant %q", objs, want)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func scan(path, format string, id *int) bool {
	prefix := strings.TrimSuffix(format, "%d")
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	n := 0
	rest := path[len(prefix):]
	if rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
	}
	*id = n
	return true
}

// An operation that never answers is read at most PerUnit times per
// identity, however many values the harvest offers.
func TestExplorePerUnitBudget(t *testing.T) {
	rc := &recorder{who: func(r *http.Request) string {
		return cmpOr(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "anonymous")
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.record(r)
		if r.URL.Path == "/items" {
			var out []map[string]int
			for i := range 20 {
				out = append(out, map[string]int{"id": 100 + i})
			}
			writeJSON(w, 200, out)
			return
		}
		writeJSON(w, 500, map[string]string{"error": "broken"})
	}))
	defer srv.Close()
	ops := []*rampart.Operation{op("GET", "/items"), op("GET", "/items/{item_id}")}
	m, c, ids := setup(t, srv, rampart.Safe, ops, identity.New("alice", "user", http.Header{"Authorization": {"Bearer alice"}}))
	st, err := m.Explore(context.Background(), c, ids)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range rc.seen {
		if strings.HasPrefix(s, "alice GET /items/") {
			n++
		}
	}
	if n != apimodel.PerUnit || st.MaxUnit != apimodel.PerUnit || st.Requests > st.Budget {
		t.Errorf("alice read the item %d times (stats %+v), want %d", n, st, apimodel.PerUnit)
	}
}
