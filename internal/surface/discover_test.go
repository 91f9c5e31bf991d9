package surface

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
)

// recorder is a deterministic test server that remembers every request.
type recorder struct {
	mu   sync.Mutex
	reqs []string
	srv  *httptest.Server
}

func newRecorder(t *testing.T, h http.HandlerFunc) *recorder {
	t.Helper()
	r := &recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req.Method+" "+req.URL.RequestURI())
		r.mu.Unlock()
		h(w, req)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// getter is the Getter a scanner would pass, plus a guard that fails the
// test on any request off the allowed origin.
func getter(t *testing.T, allowed *url.URL) Getter {
	return func(ctx context.Context, u string) (int, http.Header, []byte, error) {
		pu, err := url.Parse(u)
		if err != nil || !sameOrigin(pu, allowed) {
			t.Errorf("request off origin: %s", u)
			return 0, nil, nil, errors.New("off origin")
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, nil, nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		return resp.StatusCode, resp.Header, b, err
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCandidates(t *testing.T) {
	got := Candidates(mustParse(t, "http://127.0.0.1:8080/api/"))
	if got[0] != "http://127.0.0.1:8080/api/openapi.json" {
		t.Errorf("first candidate = %s, want the base path's own", got[0])
	}
	n := len(candidatePaths())
	// /api + /openapi.json and /api + /swagger.json are also root candidates.
	if len(got) != 2*n-2 {
		t.Errorf("got %d candidates, want %d", len(got), 2*n-2)
	}
	if got[n] != "http://127.0.0.1:8080/openapi.json" {
		t.Errorf("candidate %d = %s, want the host root's", n, got[n])
	}
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c] {
			t.Errorf("duplicate candidate %s", c)
		}
		seen[c] = true
	}
	if root := Candidates(mustParse(t, "http://127.0.0.1:8080")); len(root) != n {
		t.Errorf("root base: %d candidates, want %d", len(root), n)
	}
	for _, want := range []string{"/v3/api-docs", "/swagger/v1/swagger.json", "/openapi/v1.json", "/apispec_1.json"} {
		if !seen["http://127.0.0.1:8080"+want] {
			t.Errorf("missing candidate %s", want)
		}
	}
}

func TestDiscoverSpec(t *testing.T) {
	spec, err := os.ReadFile("testdata/openapi30.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/openapi.json":
			w.Header().Set("Content-Type", "application/yaml")
			_, _ = w.Write(spec)
		case "/openapi.json":
			// Something JSON that is not a spec must not stop the search.
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"error": "not here"}`))
		default:
			// A single-page app answers every path with its shell.
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<!doctype html><html><body>app</body></html>"))
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	s, where := d.Surface, d.Where
	if len(d.Notes) != 0 {
		t.Errorf("notes %q: nothing was wrong", d.Notes)
	}
	if where != rec.srv.URL+"/api/openapi.json" {
		t.Errorf("where = %s", where)
	}
	if s.Title != "Notes" || len(s.Operations) != 9 || s.Operations[0].Source != "spec" {
		t.Errorf("surface = %q with %d operations", s.Title, len(s.Operations))
	}
	// Relative servers resolve against where the spec was found.
	if !reflect.DeepEqual(s.Servers, []string{rec.srv.URL + "/api/v1"}) || s.BasePath != "/api/v1" {
		t.Errorf("servers = %v, base path %q", s.Servers, s.BasePath)
	}
	reqs := rec.requests()
	if reqs[len(reqs)-1] != "GET /api/openapi.json" {
		t.Errorf("search did not stop at the spec: %v", reqs)
	}
}

func TestDiscoverSpecRefsStayOnOrigin(t *testing.T) {
	other := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("components: {schemas: {X: {type: object}}}"))
	})
	doc := fmt.Sprintf(`{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "%s/x.yaml#/components/schemas/X"}}}}}}}}}`, other.srv.URL)
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/openapi.json":
			_, _ = w.Write([]byte(doc))
		case "/":
			_, _ = w.Write([]byte(`{}`))
		default:
			http.NotFound(w, r)
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	// The spec loads without what the $ref names, and says why.
	if err != nil || d.Surface == nil || len(d.Surface.Warnings) != 1 || !strings.Contains(d.Surface.Warnings[0].Problem, "refusing") {
		t.Errorf("an off-origin $ref must be refused, and the spec loaded without it, with a warning; got %+v, %v", d, err)
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the other origin saw %d requests", n)
	}
}

func TestCrawl(t *testing.T) {
	other := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"links": {"x": "/secret"}}`))
	})
	var rec *recorder
	rec = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		self := rec.srv.URL
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"links": {"notes": "/notes", "note": "/notes/7", "ui": "/ui", "evil": %q, "protocol_relative": "//%s/x"}, "message": "see /docs for more"}`,
				other.srv.URL+"/steal", strings.TrimPrefix(other.srv.URL, "http://"))
		case "/notes":
			w.Header().Set("Content-Type", "application/hal+json")
			fmt.Fprintf(w, `{"_links": {"self": {"href": "/notes{?page}"}, "next": {"href": "notes?page=2"}},
				"_embedded": {"notes": [
					{"id": 8, "owner_id": 1, "_links": {"self": {"href": %q}}},
					{"id": 9, "_links": {"self": {"href": "/notes/9"}, "owner": {"href": "/users/3f2504e0-4f89-41d3-9a0c-0305e82c3301"}}}
				]},
				"data": {"type": "notes", "relationships": {"author": {"links": {"related": "/users/2/notes/11"}}}}}`, self+"/notes/8")
		case "/notes/7", "/notes/8", "/notes/9":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id": 7, "title": "t", "owner": {"id": 1, "email": "a@b.c"}}`))
		case "/ui":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<html><body>
				<a href="/about">about</a> <a href="%s/x">elsewhere</a> <a href="/logout">out</a>
				<a href="mailto:a@b.c">mail</a> <a href="javascript:alert(1)">js</a> <img src="/img/logo.png">
				<a href="/static/app.js">asset</a>
				<form action="/notes" method="post">
					<input name="title" required><textarea name="body"></textarea>
					<input type="hidden" name="csrf" value="tok123"><input type="submit" value="Save">
				</form>
				<form action="/search"><input name="q" type="search"><select name="order"></select></form>
				<form action="%s/collect" method="post"><input name="x"></form>
			</body></html>`, other.srv.URL, other.srv.URL)
		case "/about":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<p>about</p>`))
		default:
			http.NotFound(w, r)
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	s, where := d.Surface, d.Where
	if where != Discovered {
		t.Errorf("where = %q", where)
	}
	want := []string{
		"GET /", "GET /about", "GET /logout", "GET /notes", "POST /notes", "GET /notes/{id}",
		"GET /search", "GET /ui", "GET /users/{id}", "GET /users/{user_id}/notes/{id}",
	}
	if got := keys(s); !reflect.DeepEqual(got, want) {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
	// /notes is a common path, probed before the crawl; the rest is linked.
	origins := map[string]string{
		"GET /notes": "probe: common path", "POST /notes": "crawl: a form on GET /ui", "GET /notes/{id}": "crawl: linked from GET /",
		"GET /": "crawl: the start URL", "GET /users/{user_id}/notes/{id}": "crawl: linked from GET /notes",
	}
	for _, op := range s.Operations {
		if want, ok := origins[op.Key()]; ok && op.Source+": "+op.Origin != want {
			t.Errorf("%s: found by %s: %s, want %s", op.Key(), op.Source, op.Origin, want)
		}
		if op.Source != rampart.SourceCrawl && op.Source != rampart.SourceProbe || op.Origin == "" {
			t.Errorf("%s: Source = %q, Origin %q", op.Key(), op.Source, op.Origin)
		}
	}
	note := mustOp(t, s, "GET", "/notes/{id}")
	if p := note.Param("path", "id"); p == nil || p.Example != int64(7) || p.Schema.Type != "integer" || !p.Required {
		t.Errorf("GET /notes/{id} id param = %+v", p)
	}
	if len(note.Responses) != 1 || note.Responses[0].Schema == nil || note.Responses[0].Schema.Properties["owner"] == nil {
		t.Errorf("observed response schema not recorded: %+v", note.Responses)
	}
	if p := mustOp(t, s, "GET", "/users/{id}").Param("path", "id"); p == nil || p.Schema.Format != "uuid" {
		t.Errorf("uuid segment param = %+v", p)
	}
	if p := mustOp(t, s, "GET", "/notes").Param("query", "page"); p == nil || p.Example != "2" {
		t.Errorf("query param from link = %+v", p)
	}
	post := mustOp(t, s, "POST", "/notes")
	if post.Body == nil || post.Body.ContentType != "application/x-www-form-urlencoded" {
		t.Fatalf("form body = %+v", post.Body)
	}
	if got := post.Body.Schema.Required; !reflect.DeepEqual(got, []string{"title", "csrf"}) {
		t.Errorf("form required = %v", got)
	}
	if b, _ := Body(post); string(b) != "body=Rampart+test+content&csrf=tok123&title=Rampart+test+title" {
		t.Errorf("form body = %s", b)
	}
	if search := mustOp(t, s, "GET", "/search"); search.Param("query", "q") == nil || search.Param("query", "order") == nil {
		t.Errorf("GET form fields not learned as query params: %+v", search.Params)
	}

	// What the search for a spec, a docs page and common paths asks for
	// is not the crawl's doing.
	probes := map[string]bool{}
	for _, c := range Candidates(base) {
		probes["GET "+strings.TrimPrefix(c, rec.srv.URL)] = true
	}
	w := loadWordlist()
	for _, p := range slices.Concat(docsPagePaths(), w.paths, w.prefixes, w.resources) {
		probes["GET "+p] = true
	}
	var reqs []string
	for _, r := range rec.requests() {
		if !probes[r] && !strings.Contains(r, "/rampart-") && !strings.HasPrefix(r, "GET /api/") && !strings.HasPrefix(r, "GET /v") {
			reqs = append(reqs, r)
		}
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("crawl sent %s", r)
		}
		for _, never := range []string{"/logout", "/search", "/img/", "/static/", "/docs"} {
			if strings.HasPrefix(strings.TrimPrefix(r, "GET "), never) {
				t.Errorf("crawl requested %s", r)
			}
		}
	}
	fetchedNotes := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, "GET /notes/") {
			fetchedNotes++
		}
	}
	if fetchedNotes != 1 {
		t.Errorf("fetched %d concrete notes, want 1 per template: %v", fetchedNotes, reqs)
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the other origin saw %d requests: %v", n, other.requests())
	}
}

func TestCrawlBounds(t *testing.T) {
	var rec *recorder
	rec = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		// Every page links to 100 new literal paths one level deeper.
		w.Header().Set("Content-Type", "application/json")
		var links []string
		for i := range 100 {
			links = append(links, fmt.Sprintf("%q", strings.TrimSuffix(r.URL.Path, "/")+fmt.Sprintf("/p%c%d", 'a'+i%26, i)))
		}
		fmt.Fprintf(w, `{"links": [%s]}`, strings.Join(links, ","))
	})
	base := mustParse(t, rec.srv.URL)
	s, err := Crawl(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) > maxCrawlPages {
		t.Errorf("crawl sent %d requests, want at most %d", len(reqs), maxCrawlPages)
	}
	for _, r := range reqs {
		// "/" and "/pa0" are one link deep at most, "/pa0/pb1" two.
		if strings.Count(strings.TrimPrefix(r, "GET "), "/") > maxCrawlDepth {
			t.Errorf("request deeper than %d links: %s", maxCrawlDepth, r)
		}
	}
	if len(s.Operations) <= len(reqs) {
		t.Errorf("links seen but not fetched should still be operations: %d ops, %d requests", len(s.Operations), len(reqs))
	}
}

func TestCrawlErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Crawl(ctx, mustParse(t, "/relative"), nil); err == nil {
		t.Error("relative base: no error")
	}
	down := func(context.Context, string) (int, http.Header, []byte, error) {
		return 0, nil, nil, errors.New("connection refused")
	}
	if _, err := Crawl(ctx, mustParse(t, "http://127.0.0.1:1/"), down); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("unreachable base: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Discover(cctx, mustParse(t, "http://127.0.0.1:1/"), down); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestTemplatize(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		params []string
	}{
		{"/notes", "/notes", nil},
		{"/notes/12", "/notes/{id}", []string{"id"}},
		{"/users/3/notes/7", "/users/{user_id}/notes/{id}", []string{"user_id", "id"}},
		{"/categories/5/items/6", "/categories/{category_id}/items/{id}", []string{"category_id", "id"}},
		{"/a/1/2", "/a/{a_id}/{id}", []string{"a_id", "id"}},
		{"/users/3f2504e0-4f89-41d3-9a0c-0305e82c3301", "/users/{id}", []string{"id"}},
		{"/objects/507f1f77bcf86cd799439011", "/objects/{id}", []string{"id"}},
		{"/v1/notes", "/v1/notes", nil},
		{"/notes/{note_id}/share/4", "/notes/{note_id}/share/{id}", []string{"note_id", "id"}},
		{"/deadbeefdeadbeef", "/deadbeefdeadbeef", nil},
	}
	for _, tt := range tests {
		got, params := templatize(tt.in)
		var names []string
		for _, p := range params {
			names = append(names, p.Name)
		}
		if got != tt.want || !reflect.DeepEqual(names, tt.params) {
			t.Errorf("templatize(%s) = %s %v, want %s %v", tt.in, got, names, tt.want, tt.params)
		}
	}
}

func TestJSONLinks(t *testing.T) {
	v := map[string]any{
		"self":  "notes?page=2",
		"note":  "/notes/1",
		"abs":   "http://127.0.0.1/x",
		"text":  "/ this is prose",
		"name":  "relative-but-not-a-link-key",
		"proto": "//evil.example/x",
		"tmpl":  "/search{?q}",
		"list":  []any{"/a", map[string]any{"href": "b"}},
	}
	got := jsonLinks(v)
	want := []string{"http://127.0.0.1/x", "/a", "b", "/notes/1", "notes?page=2", "/search"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("jsonLinks = %v, want %v", got, want)
	}
}

func TestHTMLLinksBaseTag(t *testing.T) {
	page := mustParse(t, "http://127.0.0.1/app/index.html")
	links := htmlLinks(page, []byte(`<base href="/v2/"><a href="notes">n</a><form method="PATCH" action="x"><input name="a"></form>`))
	var got []string
	for _, l := range links {
		got = append(got, l.method+" "+l.u.String())
	}
	want := []string{"GET http://127.0.0.1/v2/notes", "PATCH http://127.0.0.1/v2/x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("links = %v, want %v", got, want)
	}
}

// A spec that is found but refused, broken or failing does not end
// discovery: it is noted, and the next candidate or the crawl takes over.
// Only when nothing at all was learned is it an error.
func TestDiscoverFallsBack(t *testing.T) {
	const valid = `{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/v": {"get": {"responses": {"200": {"description": "ok"}}}}}}`
	type answer struct {
		status int
		body   string
	}
	tests := []struct {
		name    string
		answers map[string]answer // by path; others: everything else
		others  answer
		where   string // "crawl", or the path of the spec used
		notes   []string
		nothing string // when set, the error must wrap ErrNothingLearned and say this
	}{
		{
			name:    "malformed spec",
			answers: map[string]answer{"/openapi.json": {200, `{"openapi": "3.0.0", "paths": [1]}`}, "/": {200, `{"items": "/items"}`}},
			others:  answer{404, ""},
			where:   Discovered,
			notes:   []string{"/openapi.json is not a usable OpenAPI document (line 1: paths: want a mapping, got a list): learned operations by probing common paths and following links instead", "probed 400 common paths: 0 answered"},
		},
		{
			name:    "invalid JSON",
			answers: map[string]answer{"/openapi.json": {200, "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {,}\n}"}, "/": {200, `{"items": "/items"}`}},
			others:  answer{404, ""},
			where:   Discovered,
			notes:   []string{"/openapi.json is not a usable OpenAPI document (line 3: column 13: invalid JSON: invalid character ',' looking for beginning of object key string): learned operations by probing common paths and following links instead", "probed 400 common paths: 0 answered"},
		},
		{
			name:    "401 everywhere but the root",
			answers: map[string]answer{"/": {200, `{"items": "/items"}`}},
			others:  answer{401, `{"error": "login required"}`},
			where:   Discovered,
			notes: []string{
				"GET /openapi.json answered 401 (as did 19 other usual spec locations): learned operations by probing common paths and following links instead",
				"every unknown path answers the same JSON document with status 401: such answers count as not found",
				"probed 400 common paths: 0 answered",
			},
		},
		{
			name:    "403 and 500",
			answers: map[string]answer{"/openapi.json": {403, ""}, "/swagger.json": {500, "boom"}, "/": {200, `{"items": "/items"}`}},
			others:  answer{404, ""},
			where:   Discovered,
			notes: []string{
				"GET /openapi.json answered 403: learned operations by probing common paths and following links instead",
				"GET /swagger.json answered 500: learned operations by probing common paths and following links instead",
				"probed 400 common paths: 0 answered",
			},
		},
		{
			name:    "broken first, valid later",
			answers: map[string]answer{"/openapi.json": {200, `{"openapi": "3.0.0"}`}, "/api-docs": {200, valid}},
			others:  answer{404, ""},
			where:   "/api-docs",
			notes:   []string{`/openapi.json is not a usable OpenAPI document (missing "paths"): used {srv}/api-docs instead`},
		},
		{
			name:    "root without links is still an operation",
			answers: map[string]answer{"/": {200, `{"status": "ok"}`}},
			others:  answer{404, ""},
			where:   Discovered,
			notes:   []string{"probed 400 common paths: 0 answered"},
		},
		{
			name:    "401 everywhere",
			others:  answer{401, `{"error": "login required"}`},
			nothing: "GET / answered 401 and linked to nothing; GET /openapi.json answered 401 (as did 19 other usual spec locations); probed 400 common paths: 0 answered",
		},
		{
			name:    "nothing anywhere",
			others:  answer{404, ""},
			nothing: "GET / answered 404 and linked to nothing, and no spec was found at the usual places",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				a, ok := tt.answers[r.URL.Path]
				if !ok {
					a = tt.others
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(a.status)
				_, _ = w.Write([]byte(a.body))
			})
			base := mustParse(t, rec.srv.URL)
			d, err := Discover(context.Background(), base, getter(t, base))
			if tt.nothing != "" {
				if !errors.Is(err, ErrNothingLearned) || !strings.Contains(err.Error(), tt.nothing) {
					t.Errorf("got %v\nwant ErrNothingLearned saying %q", err, tt.nothing)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			where := tt.where
			if where != Discovered {
				where = rec.srv.URL + where
			}
			var want []string
			for _, n := range tt.notes {
				n = strings.ReplaceAll(n, "{srv}", rec.srv.URL)
				if strings.HasPrefix(n, "/") {
					n = rec.srv.URL + n
				}
				want = append(want, n)
			}
			if d.Where != where || !reflect.DeepEqual(d.Notes, want) {
				t.Errorf("got %s with notes\n%q\nwant %s with\n%q", d.Where, d.Notes, where, want)
			}
			if len(d.Surface.Operations) == 0 {
				t.Error("no operations")
			}
		})
	}
}

// A discovered alias bomb is refused as fast as a given one, and the API
// crawled instead.
func TestDiscoverRefusesAliasBomb(t *testing.T) {
	for name, doc := range bombs {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/openapi.json":
					_, _ = w.Write([]byte(doc))
				case "/":
					_, _ = w.Write([]byte(`{"items": "/items"}`))
				default:
					_, _ = w.Write([]byte(`[]`))
				}
			})
			base := mustParse(t, rec.srv.URL)
			var d *Discovery
			var err error
			bounded(t, func() { d, err = Discover(context.Background(), base, getter(t, base)) })
			if err != nil {
				t.Fatal(err)
			}
			if d.Where != Discovered || len(d.Notes) == 0 || !strings.Contains(d.Notes[0], "/openapi.json is not a usable OpenAPI document (line ") ||
				!strings.Contains(d.Notes[0], "more than 1000000 nodes") {
				t.Errorf("want the bomb skipped with a note and the API crawled, got %q, notes %q", d.Where, d.Notes)
			}
		})
	}
}
