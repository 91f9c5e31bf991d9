package surface

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
)

func load(t *testing.T, path string) *Surface {
	t.Helper()
	s, err := Load(context.Background(), Source{Path: path})
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return s
}

func loadData(t *testing.T, doc string) *Surface {
	t.Helper()
	s, err := Load(context.Background(), Source{Data: []byte(doc)})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func keys(s *Surface) []string {
	var out []string
	for _, op := range s.Operations {
		out = append(out, op.Key())
	}
	return out
}

func mustOp(t *testing.T, s *Surface, method, path string) *rampart.Operation {
	t.Helper()
	op := s.Operation(method, path)
	if op == nil {
		t.Fatalf("no operation %s %s; have %v", method, path, keys(s))
	}
	return op
}

func TestLoadSwagger2(t *testing.T) {
	s := load(t, "testdata/swagger2.yaml")
	if s.Title != "Notes (Swagger 2)" || s.Version != "1.2" || s.SpecVersion != "2.0" {
		t.Errorf("info = %q %q %q", s.Title, s.Version, s.SpecVersion)
	}
	if s.BasePath != "/api/v1" {
		t.Errorf("BasePath = %q, want /api/v1", s.BasePath)
	}
	if want := []string{"https://notes.example.com/api/v1"}; !reflect.DeepEqual(s.Servers, want) {
		t.Errorf("Servers = %v, want %v", s.Servers, want)
	}
	want := []string{"GET /health", "POST /login", "GET /notes", "POST /notes", "GET /notes/{note_id}", "DELETE /notes/{note_id}"}
	if got := keys(s); !reflect.DeepEqual(got, want) {
		t.Errorf("operations = %v\nwant %v", got, want)
	}
	if got := s.SecuritySchemes["apiKey"]; got != (Scheme{Type: "apiKey", In: "header", Name: "X-API-Key"}) {
		t.Errorf("apiKey scheme = %+v", got)
	}
	if got := s.SecuritySchemes["basic"]; got.Type != "http" || got.Scheme != "basic" {
		t.Errorf("basic scheme = %+v", got)
	}

	get := mustOp(t, s, "GET", "/notes/{note_id}")
	if p := get.Param("path", "note_id"); p == nil || !p.Required || p.Schema.Type != "integer" {
		t.Errorf("path-level param not inherited: %+v", get.Params)
	}
	del := mustOp(t, s, "DELETE", "/notes/{note_id}")
	if len(del.Params) != 1 || del.Params[0].Schema.Type != "string" {
		t.Errorf("operation-level param must replace path-level one: %+v", del.Params)
	}
	if !reflect.DeepEqual(del.Security, [][]string{{"basic"}}) {
		t.Errorf("DELETE security = %v", del.Security)
	}
	create := mustOp(t, s, "POST", "/notes")
	if create.Body == nil || create.Body.ContentType != "application/json" || !create.Body.Required {
		t.Fatalf("POST /notes body = %+v", create.Body)
	}
	if !reflect.DeepEqual(create.Body.Schema.Required, []string{"title"}) {
		t.Errorf("body required = %v", create.Body.Schema.Required)
	}
	resp := create.Responses[0].Schema
	if resp == nil || resp.Properties["id"] == nil || !resp.Properties["id"].ReadOnly || resp.Properties["title"] == nil {
		t.Errorf("allOf not merged into response schema: %+v", resp)
	}
	login := mustOp(t, s, "POST", "/login")
	if login.Body == nil || login.Body.ContentType != "application/x-www-form-urlencoded" || login.Body.Schema.Properties["password"] == nil {
		t.Errorf("formData not turned into a form body: %+v", login.Body)
	}
	if get.Source != "spec" || get.ID != "getNote" {
		t.Errorf("op = %+v", get)
	}
}

func TestLoadOpenAPI30(t *testing.T) {
	s := load(t, "testdata/openapi30.yaml")
	want := []string{
		"GET /notes", "POST /notes",
		"GET /notes/{note_id}", "HEAD /notes/{note_id}", "PUT /notes/{note_id}", "PATCH /notes/{note_id}",
		"DELETE /notes/{note_id}", "OPTIONS /notes/{note_id}",
		"GET /public",
	}
	if got := keys(s); !reflect.DeepEqual(got, want) {
		t.Errorf("operations = %v\nwant %v", got, want)
	}
	if s.BasePath != "/api/v1" || !reflect.DeepEqual(s.Servers, []string{"/api/v1"}) {
		t.Errorf("servers = %v, base path %q", s.Servers, s.BasePath)
	}
	if got := s.SecuritySchemes["bearer"]; got != (Scheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT"}) {
		t.Errorf("bearer = %+v", got)
	}
	if got := s.SecuritySchemes["cookie"]; got != (Scheme{Type: "apiKey", In: "cookie", Name: "session"}) {
		t.Errorf("cookie = %+v", got)
	}

	get := mustOp(t, s, "GET", "/notes/{note_id}")
	if get.Summary != "Get one note" || !reflect.DeepEqual(get.Tags, []string{"notes"}) {
		t.Errorf("summary/tags = %q %v", get.Summary, get.Tags)
	}
	if p := get.Param("path", "note_id"); p == nil || p.Schema.Format != "int64" || *p.Schema.Minimum != 1 {
		t.Errorf("$ref parameter not resolved: %+v", get.Params)
	}
	put := mustOp(t, s, "PUT", "/notes/{note_id}")
	if h := put.Param("header", "X-Trace"); h == nil || !h.Required || h.Schema.Format != "uuid" {
		t.Errorf("operation-level header must win: %+v", put.Params)
	}
	if len(put.Params) != 2 {
		t.Errorf("PUT params = %+v, want note_id and X-Trace once each", put.Params)
	}
	post := mustOp(t, s, "POST", "/notes")
	if post.Body.ContentType != "application/json" {
		t.Errorf("JSON must be preferred over forms, got %q", post.Body.ContentType)
	}
	if ex, ok := post.Body.Example.(map[string]any); !ok || ex["title"] != "From example" {
		t.Errorf("media type example = %#v", post.Body.Example)
	}
	if got := []string{post.Responses[0].Status, post.Responses[1].Status}; !reflect.DeepEqual(got, []string{"201", "default"}) {
		t.Errorf("responses = %v", got)
	}
	list := mustOp(t, s, "GET", "/notes")
	if p := list.Param("query", "page"); p == nil || !p.Required || p.Example != 2.0 && p.Example != 2 {
		t.Errorf("page param = %+v", p)
	}
}

func TestLoadSecurity(t *testing.T) {
	s := load(t, "testdata/openapi30.yaml")
	noGlobal := loadData(t, `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a: {get: {responses: {"200": {description: ok}}}}
  /b: {get: {security: [{k: []}], responses: {"200": {description: ok}}}}
components: {securitySchemes: {k: {type: apiKey, in: header, name: K}}}
`)
	emptyGlobal := loadData(t, `openapi: 3.0.3
info: {title: t, version: "1"}
security: []
paths:
  /a: {get: {responses: {"200": {description: ok}}}}
`)
	tests := []struct {
		name          string
		op            *rampart.Operation
		want          [][]string
		secured, open bool
	}{
		{"global applies", mustOp(t, s, "GET", "/notes"), [][]string{{"bearer"}, {"cookie"}}, true, false},
		{"security: [] overrides global", mustOp(t, s, "DELETE", "/notes/{note_id}"), [][]string{}, false, true},
		{"security: [{}] is public", mustOp(t, s, "PATCH", "/notes/{note_id}"), [][]string{{}}, false, true},
		{"nothing said", mustOp(t, noGlobal, "GET", "/a"), nil, false, false},
		{"operation only", mustOp(t, noGlobal, "GET", "/b"), [][]string{{"k"}}, true, false},
		{"global security: []", mustOp(t, emptyGlobal, "GET", "/a"), [][]string{}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.op.Security, tt.want) || (tt.op.Security == nil) != (tt.want == nil) {
				t.Errorf("Security = %#v, want %#v", tt.op.Security, tt.want)
			}
			if tt.op.Secured() != tt.secured || tt.op.Public() != tt.open {
				t.Errorf("Secured() = %v, Public() = %v; want %v, %v", tt.op.Secured(), tt.op.Public(), tt.secured, tt.open)
			}
		})
	}
	// Operations must not share requirement slices.
	a, b := mustOp(t, s, "GET", "/notes"), mustOp(t, s, "POST", "/notes")
	a.Security[0][0] = "changed"
	if b.Security[0][0] != "bearer" {
		t.Error("operations share Security slices")
	}
}

func TestLoadOpenAPI31(t *testing.T) {
	s := load(t, "testdata/openapi31.json")
	if s.SpecVersion != "3.1.0" {
		t.Errorf("SpecVersion = %q", s.SpecVersion)
	}
	if !reflect.DeepEqual(s.Servers, []string{"https://eu.example.com/v3"}) || s.BasePath != "/v3" {
		t.Errorf("server variables not applied: %v %q", s.Servers, s.BasePath)
	}
	op := mustOp(t, s, "GET", "/notes/{id}")
	id := op.Param("path", "id")
	if id == nil || id.Schema.Type != "integer" || id.Schema.Minimum == nil || *id.Schema.Minimum != 1 {
		t.Errorf("exclusiveMinimum: 0 should give minimum 1: %+v", id.Schema)
	}
	lang := op.Param("query", "lang").Schema
	if lang.Type != "string" || !lang.Nullable || lang.Example != "fr" {
		t.Errorf(`type: [string, "null"] with examples: got %+v`, lang)
	}
	if mode := op.Param("query", "mode").Schema; !reflect.DeepEqual(mode.Enum, []any{"full"}) {
		t.Errorf("const not kept as a one-value enum: %+v", mode)
	}
	note := op.Responses[0].Schema
	if title := note.Properties["title"]; title.Type != "string" || !title.Nullable || title.MinLength != 3 {
		t.Errorf("title = %+v", title)
	}
	score := note.Properties["score"]
	if score.Minimum == nil || score.Maximum == nil || *score.Minimum <= 10 || *score.Maximum >= 20 {
		t.Errorf("numeric exclusive bounds not folded: %+v", score)
	}
	if v := Value(score, "score").(float64); v <= 10 || v >= 20 {
		t.Errorf("Value(score) = %v, want strictly between 10 and 20", v)
	}
}

func depth(s *rampart.Schema, seen int) int {
	if s == nil {
		return seen
	}
	d := seen + 1
	for _, p := range s.Properties {
		d = max(d, depth(p, seen+1))
	}
	return max(d, depth(s.Items, seen+1))
}

func TestLoadRecursiveAndExternalFile(t *testing.T) {
	s := load(t, "testdata/recursive.yaml")
	get := mustOp(t, s, "GET", "/nodes/{node_id}")
	node := get.Responses[0].Schema
	if node.Properties["name"] == nil || node.Properties["children"].Items == nil {
		t.Fatalf("node schema = %+v", node)
	}
	if d := depth(node, 0); d > maxSchemaDepth+1 {
		t.Errorf("recursive schema depth %d, want at most %d", d, maxSchemaDepth+1)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("surface is not a finite tree: %v", err)
	}
	errSchema := get.Responses[1].Schema
	if errSchema == nil || errSchema.Properties["code"] == nil || errSchema.Properties["message"] == nil {
		t.Errorf("external file $ref not resolved: %+v", errSchema)
	}
	post := mustOp(t, s, "POST", "/nodes/{node_id}")
	body, ct := Body(post)
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil || ct != "application/json" || v["name"] == nil {
		t.Errorf("Body of recursive schema = %s (%s), %v", body, ct, err)
	}
}

const urlRefDoc = `openapi: 3.0.3
info: {title: remote, version: "1"}
servers: [{url: /v1}]
paths:
  /things:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "%s/schemas/common.yaml#/components/schemas/Error"}
        "404":
          description: relative to the document's URL
          content:
            application/json:
              schema: {$ref: "common.yaml#/components/schemas/Error"}
`

func TestLoadExternalURLRef(t *testing.T) {
	common, err := os.ReadFile("testdata/common.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path)
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/common.yaml") {
			_, _ = w.Write(common)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	fetch := func(ctx context.Context, u string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("status %d", resp.StatusCode)
		}
		return io.ReadAll(resp.Body)
	}
	doc := fmt.Sprintf(urlRefDoc, srv.URL)
	s, err := Load(context.Background(), Source{URL: srv.URL + "/specs/openapi.yaml", Data: []byte(doc), Fetch: fetch})
	if err != nil {
		t.Fatal(err)
	}
	op := mustOp(t, s, "GET", "/things")
	for _, r := range op.Responses {
		if r.Schema == nil || r.Schema.Properties["code"] == nil {
			t.Errorf("response %s: external URL $ref not resolved: %+v", r.Status, r.Schema)
		}
	}
	if want := []string{srv.URL + "/v1"}; !reflect.DeepEqual(s.Servers, want) || s.BasePath != "/v1" {
		t.Errorf("relative server not resolved against the document URL: %v %q", s.Servers, s.BasePath)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"/schemas/common.yaml", "/specs/common.yaml"} {
		if !contains(seen, want) {
			t.Errorf("server saw %v, want a request for %s", seen, want)
		}
	}

	// Without a fetcher the same document loads without that schema, and
	// says so at the $ref; --strict-spec refuses it there.
	s, err = Load(context.Background(), Source{URL: srv.URL + "/specs/openapi.yaml", Data: []byte(doc)})
	if err != nil || len(s.Warnings) == 0 || s.Warnings[0].Line != 12 || !strings.Contains(s.Warnings[0].Problem, "no fetcher") {
		t.Errorf("want a located warning about the missing fetcher, got %v, %v", s, err)
	}
	_, err = Load(context.Background(), Source{URL: srv.URL + "/specs/openapi.yaml", Data: []byte(doc), Strict: true})
	var se *SpecError
	if !errors.As(err, &se) || se.Line != 12 || !strings.Contains(err.Error(), "no fetcher") || !errors.Is(err, ErrStrict) {
		t.Errorf("want a located error about the missing fetcher, got %v", err)
	}
}

func TestLoadRemoteDocNeverReadsLocalFiles(t *testing.T) {
	abs, err := filepath.Abs("testdata/common.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "` + abs + `#/components/schemas/Error"}
`
	var asked []string
	fetch := func(_ context.Context, u string) ([]byte, error) {
		asked = append(asked, u)
		return nil, errors.New("offline")
	}
	s, err := Load(context.Background(), Source{URL: "https://api.example.com/openapi.yaml", Data: []byte(doc), Fetch: fetch})
	if err != nil {
		t.Fatal(err)
	}
	if sc := mustOp(t, s, "GET", "/a").Responses[0].Schema; sc != nil && sc.Properties["code"] != nil {
		t.Fatal("a remote document's absolute path $ref was read from local disk")
	}
	if want := "https://api.example.com" + filepath.ToSlash(abs); len(asked) == 0 || asked[0] != want {
		t.Errorf("fetcher asked for %v, want %s", asked, want)
	}
	// Bytes of unknown origin have nothing to resolve a file against.
	s, err = Load(context.Background(), Source{Data: []byte(doc)})
	if err != nil || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Problem, "no location") {
		t.Errorf("bytes without origin must not read local files, got %v, %v", s, err)
	} else if sc := mustOp(t, s, "GET", "/a").Responses[0].Schema; sc != nil && sc.Properties["code"] != nil {
		t.Error("bytes without origin read a local file")
	}
}

func TestLoadServersFromURL(t *testing.T) {
	doc := `{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}`
	s, err := Load(context.Background(), Source{URL: "http://127.0.0.1:8080/api/openapi.json", Data: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Servers, []string{"http://127.0.0.1:8080/"}) || s.BasePath != "" {
		t.Errorf("default server = %v %q", s.Servers, s.BasePath)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		file   string // a fixture, or
		doc    string // an inline document
		want   []string
		notAPI bool
		// repaired: the loader repairs it with a warning holding want, and
		// only Strict refuses it.
		repaired bool
	}{
		{name: "bad YAML", file: "testdata/bad_yaml.yaml", want: []string{"testdata/bad_yaml.yaml: line 11: ", "mapping values are not allowed"}},
		{name: "bad JSON", file: "testdata/bad_json.json", want: []string{"testdata/bad_json.json: line 3: ", "invalid JSON"}},
		{name: "missing paths", file: "testdata/missing_paths.yaml", want: []string{`testdata/missing_paths.yaml: missing "paths"`}},
		{name: "parameter without in", file: "testdata/param_no_in.json", want: []string{`testdata/param_no_in.json: line 8: paths./notes/{id}.get.parameters[0]: parameter without "in"`}, repaired: true},
		{name: "dangling $ref", file: "testdata/dangling_ref.yaml", want: []string{"line 12: paths./notes.get.responses.200.content.application/json.schema", `"#/components/schemas/Nope" points to nothing`, `no "Nope" in #/components/schemas`}, repaired: true},
		{name: "missing external file", file: "testdata/missing_file_ref.yaml", want: []string{"line 12: ", "nowhere.yaml", "cannot be read"}, repaired: true},
		{name: "not a spec", file: "testdata/not_spec.json", want: []string{`testdata/not_spec.json: not an OpenAPI or Swagger document (no "openapi" or "swagger" key)`}, notAPI: true},
		{name: "empty", doc: "  \n", want: []string{"spec: not an OpenAPI or Swagger document (empty document)"}, notAPI: true},
		{name: "top-level list", doc: "- a\n- b\n", want: []string{"not an OpenAPI or Swagger document", "a list"}, notAPI: true},
		{name: "unsupported version", doc: "openapi: 4.0.0\npaths: {}\n", want: []string{"spec: line 1: openapi: unsupported OpenAPI version \"4.0.0\""}},
		{name: "swagger 1.2", doc: "swagger: \"1.2\"\npaths: {}\n", want: []string{`unsupported Swagger version "1.2"`}},
		{name: "paths not a mapping", doc: "openapi: 3.0.0\npaths: [1, 2]\n", want: []string{"line 2: paths: want a mapping, got a list"}},
		{name: "path without slash", doc: "openapi: 3.0.0\npaths:\n  notes: {}\n", want: []string{`line 3: paths.notes: path does not start with "/"`}, repaired: true},
		{name: "body in 3.0", doc: "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      parameters:\n        - {name: x, in: body}\n", want: []string{`line 6: paths./a.get.parameters[0]: "in: body" is Swagger 2, not OpenAPI 3`}, repaired: true},
		{name: "bad in", doc: "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      parameters:\n        - {name: x, in: form}\n", want: []string{`line 6: paths./a.get.parameters[0]: "in" is not one of path, query, header, cookie`}, repaired: true},
		{name: "parameter without name", doc: "swagger: '2.0'\npaths:\n  /a:\n    parameters:\n      - in: query\n", want: []string{`line 5: paths./a.parameters[0]: parameter without "name"`}, repaired: true},
		{name: "operation not a mapping", doc: "openapi: 3.0.0\npaths:\n  /a:\n    get: 7\n    put: {}\n", want: []string{`line 4: paths./a.get: want a mapping, got an integer`}, repaired: true},
		{name: "no usable operation", doc: "openapi: 3.0.0\npaths:\n  /a:\n    get: 7\n", want: []string{`line 4: paths./a.get: no operation can be read: 1 written, none usable; the first problem: want a mapping, got an integer`}},
		{name: "security not a list", doc: "openapi: 3.0.0\nsecurity: {a: []}\npaths: {}\n", want: []string{"line 2: security: want a list"}, repaired: true},
		{name: "security a number", doc: "openapi: 3.0.0\nsecurity: 5\npaths: {}\n", want: []string{"line 2: security: want a list, got an integer"}, repaired: true},
		{name: "$ref not a string", doc: "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: [1]}\n", want: []string{"line 6: paths./a.get.responses.200: $ref must be a string"}, repaired: true},
		{name: "dangling component $ref in swagger", doc: "swagger: '2.0'\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          schema: {$ref: '#/definitions/Gone'}\n", want: []string{`line 8: paths./a.get.responses.200.schema: $ref "#/definitions/Gone" points to nothing (no "definitions" in #)`}, repaired: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := Source{Path: tt.file}
			if tt.file == "" {
				src = Source{Data: []byte(tt.doc)}
			}
			if tt.repaired {
				s, err := Load(context.Background(), src)
				if err != nil {
					t.Fatalf("want it repaired, got %v", err)
				}
				var all []string
				for _, w := range s.Warnings {
					all = append(all, (&SpecError{File: w.File, Line: w.Line, Path: w.Path, Msg: w.Problem}).Error())
				}
				for _, w := range tt.want {
					if !strings.Contains(strings.Join(all, "\n"), w) {
						t.Errorf("warnings %q\ndo not contain %q", all, w)
					}
				}
				src.Strict = true
			}
			_, err := Load(context.Background(), src)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.repaired && !errors.Is(err, ErrStrict) {
				t.Errorf("error %v does not wrap ErrStrict", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			var se *SpecError
			if !errors.As(err, &se) {
				t.Errorf("error is %T, want *SpecError", err)
			}
			if errors.Is(err, ErrNotSpec) != tt.notAPI {
				t.Errorf("errors.Is(err, ErrNotSpec) = %v, want %v", !tt.notAPI, tt.notAPI)
			}
		})
	}
}

func TestLoadSourceErrors(t *testing.T) {
	if _, err := Load(context.Background(), Source{}); err == nil {
		t.Error("empty Source: no error")
	}
	_, err := Load(context.Background(), Source{Path: "testdata/does-not-exist.yaml"})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want it to wrap os.ErrNotExist", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, Source{Path: "testdata/openapi30.yaml"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestLoadDeterministic(t *testing.T) {
	a, _ := json.Marshal(load(t, "testdata/openapi30.yaml"))
	for range 5 {
		b, _ := json.Marshal(load(t, "testdata/openapi30.yaml"))
		if string(a) != string(b) {
			t.Fatal("two loads of one document differ")
		}
	}
}

// The testbed's spec is written by another team; when it exists, it must
// load and declare security on its operations.
func TestLoadTestbedSpec(t *testing.T) {
	path := filepath.Join("..", "..", "testbed", "openapi.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s not present", path)
	}
	s := load(t, path)
	if len(s.Operations) == 0 {
		t.Fatal("testbed spec has no operations")
	}
	secured := 0
	for _, op := range s.Operations {
		if op.Security != nil {
			secured++
		}
	}
	if secured == 0 {
		t.Error("no testbed operation declares security (non-nil Security)")
	}
}

// Hand-written YAML leaves version strings unquoted; kin-openapi alone
// rejects that, the loader must not.
func TestLoadUnquotedVersions(t *testing.T) {
	for _, doc := range []string{
		"swagger: 2.0\ninfo: {title: t, version: 1}\npaths:\n  /a: {get: {responses: {200: {description: ok}}}}\n",
		"openapi: 3.0\ninfo: {title: t, version: 1.0}\npaths:\n  /a: {get: {summary: 12, responses: {200: {description: ok}}}}\n",
		`{"openapi": "3.1.0", "info": {"title": "t", "version": 2}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}`,
	} {
		s := loadData(t, doc)
		if len(s.Operations) != 1 || s.Version == "" {
			t.Errorf("%q: version %q, %d operations", doc, s.Version, len(s.Operations))
		}
	}
}

// TestExternalDocumentLimits: a spec on disk may be split over many files
// (vendors split theirs per schema); one from a URL may pull in 64.
func TestExternalDocumentLimits(t *testing.T) {
	const n = 100
	var props strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&props, "                p%d: {$ref: 's%d.yaml'}\n", i, i)
	}
	spec := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n" + strings.ReplaceAll(props.String(), "                p", "                  p")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "api.yaml"), []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.yaml", i)), []byte("type: string\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Load(context.Background(), Source{Path: filepath.Join(dir, "api.yaml")})
	if err != nil || len(s.Warnings) != 0 {
		t.Fatalf("a local spec over %d files: %v (warnings %v)", n, err, s)
	}
	fetched := 0
	_, err = Load(context.Background(), Source{URL: "http://127.0.0.1:1/api.yaml", Data: []byte(spec), Fetch: func(ctx context.Context, u string) ([]byte, error) {
		fetched++
		return []byte("type: string\n"), nil
	}})
	if err == nil || !strings.Contains(err.Error(), "more than 64 external documents") {
		t.Fatalf("a remote spec over %d documents: want the 64-document limit, got %v", n, err)
	}
	if fetched > 64 {
		t.Errorf("fetched %d documents past the limit", fetched)
	}
}
