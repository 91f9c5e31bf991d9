package sqli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/stack"
	"github.com/rampart-sec/rampart/internal/surface"
)

const aliceToken = "alice-token-0123456789"

// fakeApp is a deterministic API over fakeDB that records every request.
// Its vulnerable routes build SQL text from the request the way the usual
// Flask bugs do; its safe routes bind, allowlist or validate.
type fakeApp struct {
	mu       sync.Mutex
	requests []seenReq
	stale    bool // /stale/*: a failed statement left the transaction aborted
	rng      *rand.Rand
	// latency adds up to this much random delay to /slow/*.
	latency time.Duration
	// things is what /things/{id} and /safe/things/{id} store, by id.
	things map[string]map[string]any
	// flaky is the share of requests /flaky/* answer with a bare 500.
	flaky float64
	// titles are the courses POST /courses made: a title is unique.
	titles map[string]bool
}

type seenReq struct {
	Method, Path, Query, Body string
	Header                    http.Header
}

func newFakeApp() *fakeApp {
	return &fakeApp{rng: rand.New(rand.NewSource(7)), things: map[string]map[string]any{
		"1": {"id": 1, "name": "lamp", "kind": "light"}, "2": {"id": 2, "name": "chair", "kind": "seat"}}}
}

// serveThing is an object that can be read and updated. PUT validates
// like FastAPI (422, detail[].loc), including a field the spec does not
// document; the vulnerable route then runs
// `UPDATE things SET name = '<name>' WHERE id = <id>`, the safe one binds.
func (a *fakeApp) serveThing(w http.ResponseWriter, r *http.Request, id string, body []byte, safe bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	th, ok := a.things[id]
	if !ok {
		writeJSON(w, 404, map[string]string{"error": "no such thing"})
		return
	}
	if r.Method == http.MethodGet {
		writeJSON(w, 200, map[string]any{"data": th})
		return
	}
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	var errs []map[string]any
	if k := in["kind"]; k != "light" && k != "seat" {
		errs = append(errs, map[string]any{"loc": []any{"body", "kind"}, "type": "type_error.enum",
			"msg": "value is not a valid enumeration member; permitted: 'light', 'seat'"})
	}
	name, isStr := in["name"].(string)
	if !isStr {
		errs = append(errs, map[string]any{"loc": []any{"body", "name"}, "msg": "field required", "type": "value_error.missing"})
	}
	if len(errs) > 0 {
		writeJSON(w, 422, map[string]any{"detail": errs})
		return
	}
	if !safe {
		v, err := evalScalar("'" + name + "'")
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
			return
		}
		name = fmt.Sprint(v)
	}
	th["name"], th["kind"] = name, in["kind"]
	writeJSON(w, 200, map[string]any{"data": th})
}

func (a *fakeApp) seen() []seenReq {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]seenReq(nil), a.requests...)
}

func (a *fakeApp) count(path string) int {
	n := 0
	for _, r := range a.seen() {
		if r.Path == path {
			n++
		}
	}
	return n
}

func (a *fakeApp) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// answer is how the vulnerable routes answer: rows, or the database error
// as `jsonify(error=str(e))` would (showErrors), or a generic 500.
func answer(w http.ResponseWriter, query string, rows []row, err error, showErrors bool) {
	if err != nil {
		if showErrors {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
		} else {
			writeJSON(w, 500, map[string]string{"error": "internal_error"})
		}
		return
	}
	names := []string{}
	for _, r := range rows {
		names = append(names, fmt.Sprint(r["name"]))
	}
	writeJSON(w, 200, map[string]any{"query": query, "results": names, "count": len(rows)})
}

func (a *fakeApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.requests = append(a.requests, seenReq{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body), Header: r.Header.Clone()})
	a.mu.Unlock()
	noSleep := func(time.Duration) {}
	sleep := func(d time.Duration) { time.Sleep(d) }
	path := r.URL.Path
	if !strings.HasSuffix(path, "/login") && path != "/api/key" && r.Header.Get("Authorization") != "Bearer "+aliceToken {
		writeJSON(w, 401, map[string]string{"error": "login required"})
		return
	}
	q := r.URL.Query().Get("q")
	seg := func(prefix string) string { u, _ := url.PathUnescape(strings.TrimPrefix(path, prefix)); return u }
	switch {
	case path == "/items/search":
		rows, err := where("name ILIKE '%"+q+"%'", noSleep)
		answer(w, q, rows, err, true)
	case path == "/items/search2":
		rows, err := where("name ILIKE '%"+q+"%' AND name ILIKE '%"+q+"%'", noSleep)
		answer(w, q, rows, err, true)
	case path == "/items/byname":
		n := r.URL.Query().Get("name")
		rows, err := where("name = '"+n+"'", sleep)
		answer(w, n, rows, err, false)
	case path == "/items/blind":
		_, err := where("name = '"+q+"'", sleep)
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": "internal_error"})
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true})
	case strings.HasPrefix(path, "/items/blind/"):
		_, err := where("id = "+seg("/items/blind/"), sleep)
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": "internal_error"})
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true})
	case path == "/items/tenant":
		t := r.Header.Get("X-Tenant")
		rows, err := where("name = '"+t+"'", noSleep)
		answer(w, t, rows, err, true)
	case path == "/items/list":
		sort := r.URL.Query().Get("sort")
		if strings.HasPrefix(sort, "-") {
			sort = sort[1:] + " DESC"
		}
		rows, err := orderBy(sort)
		answer(w, "", rows, err, true)
	case strings.HasPrefix(path, "/catalog/"):
		n, err := fromTable(seg("/catalog/"))
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
			return
		}
		writeJSON(w, 200, map[string]any{"dataset": seg("/catalog/"), "rows": n})
	case strings.HasPrefix(path, "/stale/"):
		a.serveStale(w, seg("/stale/"))
	case path == "/auth/login" && r.Method == http.MethodPost:
		var creds map[string]any
		_ = json.Unmarshal(body, &creds)
		u, _ := creds["username"].(string)
		if u == "alice" && creds["password"] == "alice-password" {
			writeJSON(w, 200, map[string]string{"token": aliceToken})
			return
		}
		_, err := where("name = '"+u+"'", sleep)
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
			return
		}
		writeJSON(w, 401, map[string]string{"error": "invalid credentials"})
	case path == "/api/key" && r.Method == http.MethodPost:
		// An API key for a user name and password, checked in SQL text.
		var creds map[string]any
		_ = json.Unmarshal(body, &creds)
		u, _ := creds["username"].(string)
		rows, err := where("name = '"+u+"'", noSleep)
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
			return
		}
		if len(rows) == 0 || creds["password"] != "alice-password" {
			writeJSON(w, 403, map[string]string{"error": "invalid login"})
			return
		}
		writeJSON(w, 200, map[string]string{"key": "k-123"})
	case strings.HasPrefix(path, "/things/"):
		a.serveThing(w, r, seg("/things/"), body, false)
	case strings.HasPrefix(path, "/safe/things/"):
		a.serveThing(w, r, seg("/safe/things/"), body, true)
	case path == "/courses" && r.Method == http.MethodPost:
		var c map[string]any
		_ = json.Unmarshal(body, &c)
		title, _ := c["title"].(string)
		desc, _ := c["description"].(string)
		a.mu.Lock()
		taken := a.titles[title]
		a.mu.Unlock()
		if taken { // the unique index, before the INSERT runs
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(500)
			fmt.Fprintf(w, "500 Internal Server Error\n\npsycopg2.errors.UniqueViolation: duplicate key value violates unique constraint \"courses_title_idx\"\nDETAIL:  Key (title)=(%s) already exists.\n", title)
			return
		}
		if _, err := where("name = '"+desc+"'", noSleep); err != nil {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
			return
		}
		a.mu.Lock()
		if a.titles == nil {
			a.titles = map[string]bool{}
		}
		a.titles[title] = true
		a.mu.Unlock()
		writeJSON(w, 201, map[string]any{"title": title})
	case path == "/items" && r.Method == http.MethodPost:
		writeJSON(w, 201, map[string]any{"id": 9})
	case path == "/safe/search" || path == "/random/search" || path == "/slow/search":
		var names []string
		for _, row := range fakeRows {
			if like(fmt.Sprint(row["name"]), "%"+q+"%", true) {
				names = append(names, fmt.Sprint(row["name"]))
			}
		}
		out := map[string]any{"query": q, "results": names}
		if path == "/random/search" {
			// A different page on every request: recommendations picked
			// at random, in random number.
			a.mu.Lock()
			var recs []string
			for i := 0; i < 1+a.rng.Intn(4); i++ {
				recs = append(recs, fmt.Sprintf("item-%d", a.rng.Intn(1000)))
			}
			a.mu.Unlock()
			out["recommended"] = recs
		}
		if path == "/slow/search" && a.latency > 0 {
			a.mu.Lock()
			d := time.Duration(a.rng.Int63n(int64(a.latency)))
			a.mu.Unlock()
			time.Sleep(d)
		}
		writeJSON(w, 200, out)
	case strings.HasPrefix(path, "/safe/catalog/"):
		if seg("/safe/catalog/") != "items" {
			writeJSON(w, 404, map[string]string{"error": "unknown dataset"})
			return
		}
		writeJSON(w, 200, map[string]any{"dataset": "items", "rows": len(fakeRows)})
	case strings.HasPrefix(path, "/safe/") && path != "/safe/list" && path != "/safe/login":
		id := seg("/safe/")
		for _, row := range fakeRows {
			if fmt.Sprint(row["id"]) == id {
				writeJSON(w, 200, row)
				return
			}
		}
		writeJSON(w, 404, map[string]string{"error": "not found"})
	case path == "/safe/list":
		allowed := map[string]string{"name": "name", "-name": "name DESC", "created_at": "created_at", "-created_at": "created_at DESC"}
		spec, ok := allowed[r.URL.Query().Get("sort")]
		if !ok {
			writeJSON(w, 400, map[string]string{"error": "bad sort"})
			return
		}
		rows, err := orderBy(spec)
		answer(w, "", rows, err, true)
	case path == "/safe/login":
		var creds map[string]any
		_ = json.Unmarshal(body, &creds)
		if creds["username"] == "alice" && creds["password"] == "alice-password" {
			writeJSON(w, 200, map[string]string{"token": aliceToken})
			return
		}
		writeJSON(w, 401, map[string]string{"error": "invalid credentials"})
	case strings.HasPrefix(path, "/lite/") || strings.HasPrefix(path, "/my/"):
		a.serveDialect(w, r, path, sleep)
	case path == "/always500/search":
		writeJSON(w, 500, map[string]string{"error": "internal_error"})
	case path == "/strict/search":
		// Looks the value up in a dict and crashes on a key it lacks.
		if q != "lamp" {
			writeJSON(w, 500, map[string]string{"error": "internal_error"})
			return
		}
		writeJSON(w, 200, map[string]any{"query": q, "results": []string{"lamp"}})
	case path == "/shlex/search":
		// Splits the query like a shell: an unbalanced quote of either
		// kind fails, a balanced pair is removed.
		if strings.Count(q, "'")%2 == 1 || strings.Count(q, `"`)%2 == 1 {
			writeJSON(w, 500, map[string]string{"error": "internal_error"})
			return
		}
		writeJSON(w, 200, map[string]any{"query": q, "results": []string{}})
	case strings.HasPrefix(path, "/flaky/"):
		a.mu.Lock()
		fail := a.rng.Float64() < a.flaky
		a.mu.Unlock()
		if fail {
			writeJSON(w, 500, map[string]string{"error": "internal_error"})
			return
		}
		writeJSON(w, 200, map[string]any{"query": q, "results": []string{}})
	case path == "/broken/search":
		writeJSON(w, 500, map[string]string{"error": "database_error",
			"message": "syntax error at or near \"FROM\"\nLINE 1: SELECT name, FROM items WHERE name ILIKE $1\n                     ^\n"})
	case strings.HasPrefix(path, "/items/"):
		id := seg("/items/")
		rows, err := where("id = "+id, noSleep)
		answer(w, id, rows, err, true)
	default:
		writeJSON(w, 404, map[string]string{"error": "not found"})
	}
}

// serveDialect is /items' vulnerable shapes on SQLite (/lite) and MySQL
// (/my).
func (a *fakeApp) serveDialect(w http.ResponseWriter, r *http.Request, path string, sleep func(time.Duration)) {
	d, rest := fakeSQLite, strings.TrimPrefix(path, "/lite/")
	if strings.HasPrefix(path, "/my/") {
		d, rest = fakeMySQL, strings.TrimPrefix(path, "/my/")
	}
	q, name := r.URL.Query().Get("q"), r.URL.Query().Get("name")
	hidden := func(err error) bool {
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": "internal_error", "message": "internal server error"})
		}
		return err != nil
	}
	switch {
	case rest == "search":
		rows, err := whereIn(d, "name LIKE '%"+q+"%'", sleep)
		answer(w, q, rows, err, true)
	case rest == "byname":
		rows, err := whereIn(d, "name = '"+name+"'", sleep)
		answer(w, name, rows, err, false)
	case rest == "blind":
		if _, err := whereIn(d, "name = '"+q+"'", sleep); !hidden(err) {
			writeJSON(w, 200, map[string]any{"ok": true})
		}
	case strings.HasPrefix(rest, "blind/"):
		id, _ := url.PathUnescape(strings.TrimPrefix(rest, "blind/"))
		if _, err := whereIn(d, "id = "+id, sleep); !hidden(err) {
			writeJSON(w, 200, map[string]any{"ok": true})
		}
	case rest == "login":
		// A login whose password comes after the user name in an AND: for
		// a user that does not exist, SQLite never evaluates it.
		rows, err := whereIn(d, "name = '"+r.URL.Query().Get("user")+"' AND created_at = '"+r.URL.Query().Get("pass")+"'", sleep)
		if err != nil {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
			return
		}
		writeJSON(w, 401, map[string]any{"error": "invalid credentials", "n": len(rows)})
	case rest == "rename", rest == "rename-hidden":
		v, err := valueIn(d, "'"+name+"'", sleep)
		if err != nil && rest == "rename" {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
			return
		}
		if !hidden(err) {
			writeJSON(w, 200, map[string]any{"updated": 1, "note": v})
		}
	default:
		writeJSON(w, 404, map[string]string{"error": "not found"})
	}
}

// fromTable runs `SELECT count(*) FROM <name>`: one identifier, quoted or
// not, that must be the items table.
func fromTable(name string) (int, error) {
	stmt := "SELECT count(*) AS n FROM " + name + " WHERE owner_id = 1"
	toks, err := lex(name)
	if err != nil {
		return 0, err
	}
	if len(toks) != 2 || (toks[0].kind != "ident" && toks[0].kind != "qident") {
		return 0, syntaxErr(stmt, toks[0].s)
	}
	if toks[0].s != "items" {
		return 0, &sqlErr{fmt.Sprintf("relation %q does not exist\nLINE 1: %s\n", toks[0].s, stmt)}
	}
	return len(fakeRows), nil
}

// serveStale imitates a module-level connection whose transaction a failed
// statement left aborted: every statement that parses then fails with
// 25P02, while one that does not parse still reports its syntax error.
func (a *fakeApp) serveStale(w http.ResponseWriter, name string) {
	a.mu.Lock()
	stale := a.stale
	a.mu.Unlock()
	if stale {
		if _, err := lex(name); err != nil {
			writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
			return
		}
		writeJSON(w, 500, map[string]string{"error": "database_error",
			"message": "current transaction is aborted, commands ignored until end of transaction block\n"})
		return
	}
	n, err := fromTable(name)
	if err != nil {
		a.mu.Lock()
		a.stale = true
		a.mu.Unlock()
		writeJSON(w, 500, map[string]string{"error": "database_error", "message": err.Error()})
		return
	}
	writeJSON(w, 200, map[string]any{"dataset": name, "rows": n})
}

// harness runs checks against a fakeApp as a scan would.
type harness struct {
	app      *fakeApp
	srv      *httptest.Server
	ops      []*rampart.Operation
	pass     *check.Pass
	mu       sync.Mutex
	findings []rampart.Finding
	client   *engine.Client
}

func newHarness(t *testing.T, mode rampart.Mode) *harness {
	t.Helper()
	return newHarnessWith(t, mode, nil)
}

// newHarnessWith gives alice a login flow instead of a static token when
// login is set: she logs in again whenever an answer is 401.
func newHarnessWith(t *testing.T, mode rampart.Mode, login *rampart.Login) *harness {
	t.Helper()
	h := &harness{app: newFakeApp()}
	h.srv = httptest.NewServer(h.app)
	t.Cleanup(h.srv.Close)
	surf, err := surface.Load(context.Background(), surface.Source{Path: "testdata/api.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	h.ops = surf.Operations
	base, _ := url.Parse(h.srv.URL)
	obs := stack.New()
	h.client, err = engine.New(engine.Config{Base: base, Mode: mode, Timeout: 20 * time.Second,
		Observe: func(r *engine.Response) { obs.Observe(r.Status, r.Header, r.Body) }})
	if err != nil {
		t.Fatal(err)
	}
	alice := identity.New("alice", identity.RoleUser, http.Header{"Authorization": {"Bearer " + aliceToken}})
	if login != nil {
		alice = identity.New("alice", identity.RoleUser, nil)
		alice.Login = &identity.Login{Login: *login}
		if err := alice.EnsureLoggedIn(context.Background(), h.client); err != nil {
			t.Fatal(err)
		}
	}
	p := check.NewPass(func(f rampart.Finding) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.findings = append(h.findings, f)
	})
	p.Surface = h.ops
	p.Client = h.client
	p.Identities = []*identity.Identity{identity.Anonymous(), alice}
	p.Stack = obs
	p.Mode = mode
	p.Shared = &check.Shared{}
	p.URL = func(op *rampart.Operation, v map[string]string) string { return surface.URL(base, op, v) }
	p.Accept = accept.New(accept.Options{Tag: "t3st"})
	p.Body = func(op *rampart.Operation) ([]byte, string) { return p.Accept.Request(op).Encode() }
	h.pass = p
	return h
}

func (h *harness) op(t *testing.T, method, path string) *rampart.Operation {
	t.Helper()
	for _, op := range h.ops {
		if op.Method == method && op.Path == path {
			return op
		}
	}
	t.Fatalf("no operation %s %s in testdata/api.yaml", method, path)
	return nil
}

// run runs one check on one operation and returns the findings it made.
func (h *harness) run(t *testing.T, c *check.Check, method, path string) []rampart.Finding {
	t.Helper()
	op := h.op(t, method, path)
	h.mu.Lock()
	before := len(h.findings)
	h.mu.Unlock()
	if c.Applies != nil && !c.Applies(op) {
		return nil
	}
	if err := c.Run(context.Background(), h.pass.ForUnit(c, op)); err != nil {
		t.Errorf("%s on %s %s: %v", c.ID, method, path, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]rampart.Finding(nil), h.findings[before:]...)
}

func params(fs []rampart.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Location.Param)
	}
	return out
}
