package codescan

import (
	"context"
	"strings"
	"testing"
)

// TestFastAPIProjectRoutes checks the route model of the FastAPI fixture
// project: prefixes of routers and of include_router calls made in another
// module, path parameters with their types, and what the dependencies
// (signature, router, include_router, chains across modules) demand.
func TestFastAPIProjectRoutes(t *testing.T) {
	res, err := Analyze(context.Background(), "testdata/projects/fastapi", Options{})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		auth   string
		params string
	}
	wants := map[string]want{
		"POST /api/accounts/signup":              {"none", ""},
		"PATCH /api/accounts/me":                 {"login", ""},
		"GET /api/notes/search":                  {"login", ""},
		"GET /api/notes/{note_id}":               {"login", "note_id:int:integer"},
		"PATCH /api/notes/{note_id}":             {"login", "note_id:int:integer"},
		"GET /api/notes/files/{file_path}":       {"login", "file_path:path:string"},
		"POST /api/notes/import":                 {"login", ""},
		"GET /api/admin/users":                   {"role", ""},
		"POST /api/admin/maintenance/jobs/purge": {"login", ""},
		"POST /public/notes":                     {"none", ""},
		"GET /public/health":                     {"none", ""},
		"GET /public/status/{code}":              {"none", "code:string:string"},
	}
	got := map[string]want{}
	for _, r := range res.Routes {
		var ps []string
		for _, p := range r.Params {
			ps = append(ps, p.Name+":"+p.Converter+":"+p.Type)
		}
		got[r.Method+" "+r.Path] = want{r.Auth, strings.Join(ps, ",")}
	}
	if res.Fingerprint.Framework != "FastAPI" {
		t.Errorf("framework %q, want FastAPI", res.Fingerprint.Framework)
	}
	for route, w := range wants {
		g, ok := got[route]
		switch {
		case !ok:
			t.Errorf("%s: not in the route model (%d routes)", route, len(got))
		case g != w:
			t.Errorf("%s: auth %s, params %q; want auth %s, params %q", route, g.auth, g.params, w.auth, w.params)
		}
	}
}
