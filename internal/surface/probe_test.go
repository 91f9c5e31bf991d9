package surface

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func nonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// A single-page app answers every path with its shell, a nonce in each
// copy. The shell is not an API: only what its bundle names, and the
// common paths that answer something else, become operations.
func TestDiscoverSPAShell(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/static/js/main.4f2a.js":
			w.Header().Set("Content-Type", "application/javascript")
			_, _ = w.Write([]byte(`const A="/api/notes";function f(u){return fetch(` + "`/api/users/${u.id}/orders`" + `)}
				fetch('/api/notes?page=2');axios.get("/api/logout");const x="/apiary";`))
		case "/api/notes":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"id": 1, "self": "/api/notes/1"}]`))
		case "/api/notes/1":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id": 1}`))
		case "/health":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"status": "up"}`))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html><head><title>Notes App</title><meta name="csrf" content="%s">
				<script src="/static/js/runtime.1.js"></script><script src="/static/js/vendor.2.js"></script>
				<script src="https://cdn.example/react.js"></script><script src="/static/js/chunk.3.js"></script>
				<script nonce="%s" src="/static/js/main.4f2a.js"></script></head><body><div id="root"></div>
				<a href="/about">About</a></body></html>`, nonce(), nonce())
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /", "GET /api/logout", "GET /api/notes", "GET /api/notes/{id}", "GET /api/users/{id}/orders", "GET /health"}
	if got := keys(d.Surface); !reflect.DeepEqual(got, want) {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
	bundle := mustOp(t, d.Surface, "GET", "/api/notes")
	if bundle.Source != rampart.SourceCrawl || bundle.Origin != "named in /static/js/main.4f2a.js" {
		t.Errorf("GET /api/notes found by %s: %s", bundle.Source, bundle.Origin)
	}
	if p := bundle.Param("query", "page"); p == nil {
		t.Errorf("query of the bundle's literal not learned: %+v", bundle.Params)
	}
	if h := mustOp(t, d.Surface, "GET", "/health"); h.Source != rampart.SourceProbe || h.Origin != "common path" {
		t.Errorf("GET /health found by %s: %s", h.Source, h.Origin)
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "single-page app's shell") {
		t.Errorf("notes do not say the shell was recognised: %q", d.Notes)
	}
	for _, r := range rec.requests() {
		if strings.Contains(r, "logout") {
			t.Errorf("requested %s", r)
		}
	}
}

// An API that answers 200 {"error": "not found"} (with the path in it) to
// every unknown path: only the routes that answer something else count.
func TestDiscoverJSONCatchAll(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/":
			_, _ = w.Write([]byte(`{"name": "catch-all", "now": 1733550000}`))
		case "/users":
			_, _ = w.Write([]byte(`[{"id": 1, "name": "a"}]`))
		case "/orders":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error": "login required"}`))
		case "/login":
			w.Header().Set("Allow", "OPTIONS, POST")
			w.WriteHeader(http.StatusMethodNotAllowed)
		default:
			fmt.Fprintf(w, `{"error": "not found", "path": %q, "request_id": "%s"}`, r.URL.Path, nonce())
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /", "POST /login", "GET /orders", "GET /users"}
	if got := keys(d.Surface); !reflect.DeepEqual(got, want) {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
	if o := mustOp(t, d.Surface, "GET", "/orders"); len(o.Responses) != 1 || o.Responses[0].Status != "401" {
		t.Errorf("GET /orders responses = %+v", o.Responses)
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "every unknown path answers the same JSON document with status 200") {
		t.Errorf("notes: %q", d.Notes)
	}
}

// An API with no spec, no docs and no links: what it has is found at the
// common paths, politely.
func TestDiscoverCommonPaths(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1":
			_, _ = w.Write([]byte(`{"version": "1"}`))
		case "/api/v1/users":
			_, _ = w.Write([]byte(`{"users": [{"id": 4, "href": "/api/v1/users/4"}]}`))
		case "/api/v1/users/4":
			_, _ = w.Write([]byte(`{"id": 4}`))
		case "/api/v1/products":
			w.WriteHeader(http.StatusForbidden)
		case "/healthz":
			_, _ = w.Write([]byte(`{"ok": true}`))
		case "/graphql", "/token":
			w.WriteHeader(http.StatusMethodNotAllowed) // no Allow header
		case "/admin":
			w.WriteHeader(http.StatusMethodNotAllowed) // not an auth path: no method to learn
		case "/register":
			w.Header().Set("Allow", "POST, PUT")
			w.WriteHeader(http.StatusMethodNotAllowed)
		case "/api/v1/orders":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /api/v1", "GET /api/v1/orders", "GET /api/v1/products", "GET /api/v1/users", "GET /api/v1/users/{id}",
		"POST /graphql", "GET /healthz", "POST /register", "PUT /register", "POST /token",
	}
	if got := keys(d.Surface); !reflect.DeepEqual(got, want) {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
	for _, op := range d.Surface.Operations {
		wantSrc, wantOrigin := rampart.SourceProbe, "common path"
		if op.Path == "/api/v1/users/{id}" {
			wantSrc, wantOrigin = rampart.SourceCrawl, "linked from GET /api/v1/users"
		}
		if op.Source != wantSrc || op.Origin != wantOrigin {
			t.Errorf("%s found by %s: %s", op.Key(), op.Source, op.Origin)
		}
	}
	reqs := rec.requests()
	probes, quiet := 0, 0
	for _, r := range reqs {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("sent %s", r)
		}
		if unsafeWords.MatchString(r) {
			t.Errorf("requested a path that looks like it changes state: %s", r)
		}
		if strings.HasPrefix(r, "GET /v2/") && !slices.Contains(candidatePaths(), strings.TrimPrefix(r, "GET ")) {
			quiet++ // a resource name, not a usual spec place
		}
	}
	for _, n := range d.Notes {
		if _, err := fmt.Sscanf(n, "probed %d common paths", &probes); err == nil {
			break
		}
	}
	// The prefix that answered is asked for its resources before the root.
	if i, j := slices.Index(reqs, "GET /api/v1/users"), slices.Index(reqs, "GET /users"); i < 0 || (j >= 0 && j < i) {
		t.Errorf("GET /api/v1/users at %d, GET /users at %d: the answering prefix's names come first", i, j)
	}
	// One versioned prefix answered: it brings one list's worth of probes.
	if budget := maxProbes + len(loadWordlist().resources); probes == 0 || probes > budget {
		t.Errorf("probes = %d, want 1..%d (notes %q)", probes, budget, d.Notes)
	}
	if quiet > quietPrefixProbes {
		t.Errorf("a prefix that answers only 404 got %d probes, want at most %d", quiet, quietPrefixProbes)
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "answered (GET /healthz (200)") {
		t.Errorf("notes do not list what answered: %q", d.Notes)
	}
	t.Logf("%d requests in all; %s", len(reqs), d.Notes[len(d.Notes)-1])
}

func TestSoft404Fingerprint(t *testing.T) {
	h := func(ct string) http.Header { return http.Header{"Content-Type": {ct}} }
	shell := func(path, extra string) []byte {
		return []byte(`<html><head><title>Shop</title><script nonce="` + nonce() + `"></script></head><body data-path="` + path + `">` + extra + `</body></html>`)
	}
	tests := []struct {
		name    string
		a, b    fingerprint
		similar bool
	}{
		{"same shell, other nonce and path", fingerprintOf("/x", 200, h("text/html"), shell("/x", "")), fingerprintOf("/users", 200, h("text/html"), shell("/users", "")), true},
		{"same shell, a few bytes more", fingerprintOf("/x", 200, h("text/html"), shell("/x", "")), fingerprintOf("/y", 200, h("text/html"), shell("/y", "<i>hi</i>")), true},
		{"another title", fingerprintOf("/x", 200, h("text/html"), shell("/x", "")), fingerprintOf("/y", 200, h("text/html"), []byte(`<html><head><title>Login</title></head></html>`)), false},
		{"another status", fingerprintOf("/x", 200, h("application/json"), []byte(`{"error": "not found"}`)), fingerprintOf("/y", 401, h("application/json"), []byte(`{"error": "not found"}`)), false},
		{"JSON differs", fingerprintOf("/x", 200, h("application/json"), []byte(`{"error": "not found"}`)), fingerprintOf("/y", 200, h("application/json"), []byte(`{"error": "nope"}`)), false},
		{"JSON echoes the path", fingerprintOf("/x/y", 200, h("application/json"), []byte(`{"path": "/x/y", "id": 17}`)), fingerprintOf("/users", 200, h("application/json"), []byte(`{"path": "/users", "id": 18}`)), true},
	}
	for _, tt := range tests {
		if got := similar(tt.a, tt.b); got != tt.similar {
			t.Errorf("%s: similar = %v", tt.name, got)
		}
	}
}

// What a common path answered is kept for the crawl within bounds: a huge
// answer stays an operation, its links unread.
func TestProbeKeepsAnswersBounded(t *testing.T) {
	big := `{"self": "/users/9", "pad": "` + strings.Repeat("x", maxKeptAnswer) + `"}`
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/users":
			_, _ = w.Write([]byte(big))
		case "/orders":
			_, _ = w.Write([]byte(`{"self": "/orders/3"}`))
		case "/users/9", "/orders/3":
			_, _ = w.Write([]byte(`{}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /orders", "GET /orders/{id}", "GET /users"}
	if got := keys(d.Surface); !reflect.DeepEqual(got, want) {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
}

// flask-restx mounted under a prefix publishes its spec there: a prefix
// that answered a probe is searched for one.
func TestDiscoverSpecUnderAnsweringPrefix(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v2":
			_, _ = w.Write([]byte(`{"message": "hello"}`))
		case "/api/v2/swagger.json":
			_, _ = w.Write([]byte(docSpec("/restx")))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if d.Where != rec.srv.URL+"/api/v2/swagger.json" || d.Surface.Operation("GET", "/restx") == nil {
		t.Fatalf("where %s, operations %v", d.Where, keys(d.Surface))
	}
	if op := d.Surface.Operations[0]; op.Source != rampart.SourceSpec || op.Origin != d.Where {
		t.Errorf("found by %s: %s", op.Source, op.Origin)
	}
	if n := d.Notes[len(d.Notes)-1]; !strings.HasPrefix(n, "probed ") {
		t.Errorf("notes %q do not say what was probed", d.Notes)
	}
}

// A target below the host root (http://host/svc) is probed below it, and
// what was learned is relative to it, as a request goes to target + path.
func TestDiscoverBelowRoot(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/svc", "/svc/":
			_, _ = w.Write([]byte(`{"links": ["/svc/orders/3", "/elsewhere"]}`))
		case "/svc/users":
			_, _ = w.Write([]byte(`[]`))
		case "/svc/orders/3", "/elsewhere":
			_, _ = w.Write([]byte(`{}`))
		case "/users":
			t.Errorf("probed the host root")
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	base := mustParse(t, rec.srv.URL+"/svc/")
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /", "GET /orders/{id}", "GET /users"}
	if got := keys(d.Surface); !reflect.DeepEqual(got, want) {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "1 operations linked from outside /svc were left out") {
		t.Errorf("notes %q", d.Notes)
	}
	for _, r := range rec.requests() {
		if p := strings.TrimPrefix(r, "GET "); !strings.HasPrefix(p, "/svc") && !strings.Contains(p, "rampart-") {
			// Only the usual spec places and docs pages are looked up at the root.
			if !slices.Contains(Candidates(base), rec.srv.URL+p) && !slices.Contains(docsPagePaths(), p) && p != "/elsewhere" {
				t.Errorf("requested %s outside /svc", r)
			}
		}
	}
}

// TestDiscoverFollowsSlashRedirects: Django (APPEND_SLASH) and Flask
// (strict slashes) answer a route without its trailing slash with a
// redirect to it; the route is the one with the slash, and what it
// answers (a DRF API root's links) is what discovery learns from.
func TestDiscoverFollowsSlashRedirects(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<a href="/about">About</a>`)
		case "/about/":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<p>about</p>`)
		case "/api/v1", "/api/v1/users", "/about":
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
		case "/api/v1/":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"users": "%s/api/v1/users/", "orders": "%s/api/v1/orders/"}`, srv.URL, srv.URL)
		case "/api/v1/users/":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `[{"id": 1, "username": "alice"}]`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	base := mustParse(t, srv.URL)
	// The scan's engine does not follow redirects; neither does this getter.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(ctx context.Context, u string) (int, http.Header, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, nil, nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b, err
	}
	d, err := Discover(context.Background(), base, get)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, op := range d.Surface.Operations {
		have[op.Key()] = true
	}
	for _, want := range []string{"GET /api/v1/", "GET /api/v1/users/", "GET /api/v1/orders/", "GET /about/"} {
		if !have[want] {
			t.Errorf("discovery did not learn %s; learned %v", want, have)
		}
	}
	for _, op := range d.Surface.Operations {
		if op.Source == "" || op.Origin == "" {
			t.Errorf("%s does not say how it was found (%q, %q)", op.Key(), op.Source, op.Origin)
		}
	}
	if op := d.Surface.Operation("GET", "/about/"); op != nil && op.Origin != "linked from GET /" {
		t.Errorf("GET /about/ origin = %q, want the page that linked to it", op.Origin)
	}
	for _, redirecting := range []string{"GET /api/v1", "GET /api/v1/users", "GET /about"} {
		if have[redirecting] {
			t.Errorf("%s only redirects to its slashed path: it is not an operation of its own ", redirecting)
		}
	}
}

// TestDiscoverSiteWords: the names the site's own pages use are asked for
// under the API prefix that answered (a challenge site's /trains/ page for
// its /api/v1/trains/), once the links run out.
func TestDiscoverSiteWords(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<a href="/trains/">Trains</a> <a href="/about/">About</a>`)
		case "/trains/", "/about/":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<p>a page</p>`)
		case "/api/v1":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{}`)
		case "/api/v1/trains/":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"detail": "Authentication credentials were not provided."}`)
		default:
			http.NotFound(w, r)
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	op := d.Surface.Operation("GET", "/api/v1/trains/")
	if op == nil || op.Origin != siteWordOrigin {
		t.Fatalf("GET /api/v1/trains/ = %+v, want it learned from the site's own names; operations %v", op, keys(d.Surface))
	}
	if d.Surface.Operation("GET", "/api/v1/about/") != nil || d.Surface.Operation("GET", "/api/v1/about") != nil {
		t.Error("a name that answered 404 under the prefix became an operation")
	}
}
