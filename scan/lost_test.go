package scan

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// cut answers with head and body, then closes the connection (with a RST
// when reset): what a crashing or hostile server does mid-answer.
func cut(w http.ResponseWriter, head, body string, reset bool) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	buf.WriteString(head + body)
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
	conn.Close()
}

// lossy cuts, resets or stalls the answers of some routes and answers the
// others, with a debugger console and an SQL error text to find.
func lossy(spec []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/openapi.json":
			w.Header().Set("Content-Type", "application/json")
			w.Write(spec)
		case r.URL.Path == "/console":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><html><head><title>Console // Werkzeug Debugger</title><script>var CONSOLE_MODE = true,\n EVALEX = true,\n EVALEX_TRUSTED = true,\n SECRET = \"AbCdEfGhIjKlMnOpQrSt\";</script></head></html>"))
		case strings.HasPrefix(r.URL.Path, "/items/"):
			cut(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", `{"id": 1, "na`, false)
		case r.URL.Path == "/orders":
			cut(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\n[{\"id\r\n", true)
		case strings.HasPrefix(r.URL.Path, "/slow/"):
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			w.Write([]byte(`{"id": 1`))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case r.URL.Path == "/search":
			if strings.ContainsAny(r.URL.Query().Get("q"), `'"\`) {
				w.WriteHeader(500)
				w.Write([]byte("psycopg2.errors.SyntaxError: unterminated quoted string at or near \"'lamp''\"\nLINE 1: SELECT * FROM items WHERE name LIKE '%lamp'%'\n"))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`[{"id": 1, "name": "lamp"}]`))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id": 1}`))
		}
	}
}

// Answers cut short, reset or stalled after their headers are errors of
// the checks that sent them, listed with check and operation; the routes
// that answered still give their findings.
func TestLostAnswersAreListedWithCheckAndOperation(t *testing.T) {
	spec := specWith("/items/{id}", "/orders", "/slow/{id}")
	spec = []byte(strings.Replace(string(spec), `"paths":{`, `"paths":{"/search":{"get":{"parameters":[{"name":"q","in":"query","schema":{"type":"string","example":"lamp"}}],"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"array"}}}}}}},`, 1))
	srv := httptest.NewServer(lossy(spec))
	t.Cleanup(srv.Close)
	rep, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Active, Timeout: 300 * time.Millisecond, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{ // operation: what its errors may say
		"GET /items/{id}": {"GET /items/1: body cut short after 13 of 100 bytes"},
		"GET /orders":     {"GET /orders: "},
		"GET /slow/{id}":  {"GET /slow/1: timed out after 300ms, 8 of 100 bytes of the body read", "gave up on GET /slow/{id} after 3 timeouts"},
	}
	listed := map[string]int{}
	seen := map[rampart.CheckError]bool{}
	for _, e := range rep.Errors {
		if seen[e] {
			t.Errorf("listed twice: %+v", e)
		}
		seen[e] = true
		if e.Check == "" {
			t.Errorf("an error without its check: %+v", e)
		}
		if strings.Contains(e.Error, "?") || strings.Contains(e.Error, srv.URL) {
			t.Errorf("an error names more than method and path: %+v", e)
		}
		says, ok := want[e.Operation]
		if !ok {
			if e.Operation != "" {
				t.Errorf("an error on a route that answered: %+v", e)
			}
			continue
		}
		match := false
		for _, s := range says {
			match = match || strings.Contains(e.Error, s)
		}
		if !match {
			t.Errorf("%s %s: %q, want one of %q", e.Check, e.Operation, e.Error, says)
		}
		listed[e.Operation]++
	}
	for op := range want {
		if listed[op] == 0 {
			t.Errorf("no error listed for %s; errors: %+v", op, rep.Errors)
		}
	}
	got := findingsByCheck(rep)
	if len(got["DEBUG-001"]) == 0 || len(got["LEAK-001"]) == 0 || got["LEAK-001"][0].Location.Path != "/search" {
		t.Errorf("the routes that answered lost their findings: %v", rep.Findings)
	}
}

// A dead target with many operations lists the first maxLostListed units
// that lost answers, and a note counts the rest.
func TestLostErrorsAreBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cut(w, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "01", false)
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	pass := check.NewPassFor(check.Env{Client: c, Identities: []*identity.Identity{identity.Anonymous()}}, func(rampart.Finding) {})
	chk := &check.Check{Meta: rampart.Meta{ID: "T-001"}}
	l := &lostList{}
	var errs []rampart.CheckError
	const units = maxLostListed + 20
	for i := range units {
		op := &rampart.Operation{Method: "GET", Path: "/op" + strings.Repeat("x", i)}
		p := pass.WithOp(chk.Meta, op)
		p.Get(context.Background(), nil, op.Path, nil)
		p.Get(context.Background(), nil, op.Path, nil)
		errs = append(errs, l.unitErrors(unit{c: chk, op: op}, p, nil)...)
	}
	if len(errs) != maxLostListed {
		t.Errorf("%d errors listed, want %d", len(errs), maxLostListed)
	}
	if !strings.HasSuffix(errs[0].Error, "(1 more request got no complete answer)") || errs[0].Check != "T-001" || errs[0].Operation != "GET /op" {
		t.Errorf("first entry %+v", errs[0])
	}
	if n := l.note(); !strings.HasPrefix(n, "and 20 more check runs lost answers") {
		t.Errorf("note %q", n)
	}
}
