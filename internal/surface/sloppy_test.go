package surface

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

var update = flag.Bool("update", false, "rewrite the golden warnings of testdata/sloppy")

// Each document of testdata/sloppy has one kind of mistake real documents
// make. It loads, with the warnings of its golden file, into the surface it
// should; under Strict it is refused at its first warning.
//
//	go test ./internal/surface -run TestSloppy -update
func TestSloppy(t *testing.T) {
	target, _ := url.Parse("http://127.0.0.1:8000")
	tests := []struct {
		file  string
		check func(t *testing.T, s *Surface)
		clean bool // a document Rampart reads as is: no warning, not refused under Strict
	}{
		{file: "required_bool_30.yaml", check: func(t *testing.T, s *Surface) {
			b := mustBody(t, s, "POST", "/users")
			wantStrings(t, "required", b.Schema.Required, []string{"email", "name"})
			wantStrings(t, "address.required", b.Schema.Properties["address"].Required, []string{"city"})
		}},
		{file: "required_bool_20.yaml", check: func(t *testing.T, s *Surface) {
			wantStrings(t, "required", mustBody(t, s, "POST", "/users").Schema.Required, []string{"name"})
		}},
		{file: "required_bool_31.json", check: func(t *testing.T, s *Surface) {
			wantStrings(t, "required", mustBody(t, s, "POST", "/users").Schema.Required, []string{"name"})
		}},
		{file: "params_30.yaml", check: func(t *testing.T, s *Surface) {
			op := mustOp(t, s, "GET", "/notes/{note_id}")
			wantParam(t, op, "path", "note_id", "integer")
			wantParam(t, op, "query", "fields", "string")
			wantParam(t, op, "header", "X-Trace", "string")
			if p := wantParam(t, op, "query", "limit", "integer"); p != nil && (p.Schema.Minimum == nil || *p.Schema.Minimum != 1) {
				t.Errorf("limit's minimum was not moved into its schema: %+v", p.Schema)
			}
			wantParam(t, op, "query", "sort", "string")
			if len(op.Params) != 5 {
				t.Errorf("params = %+v, want the five with a name", op.Params)
			}
		}},
		{file: "params_20.yaml", check: func(t *testing.T, s *Surface) {
			op := mustOp(t, s, "GET", "/notes/{note_id}")
			wantParam(t, op, "path", "note_id", "integer")
			wantParam(t, op, "query", "fields", "string")
			if p := wantParam(t, op, "query", "limit", "integer"); p != nil && (p.Schema.Maximum == nil || *p.Schema.Maximum != 100) {
				t.Errorf("limit's maximum was not read from its schema: %+v", p.Schema)
			}
			wantParam(t, op, "cookie", "session", "string")
			wantParam(t, op, "query", "upload", "string")
		}},
		{file: "inline_params_20.yaml", check: func(t *testing.T, s *Surface) {
			op := mustOp(t, s, "GET", "/items")
			if p := wantParam(t, op, "query", "limit", "integer"); p != nil && (fmt.Sprint(p.Schema.Default) != "20" || p.Schema.Maximum == nil || *p.Schema.Maximum != 100) {
				t.Errorf("limit = %+v", p.Schema)
			}
			if p := wantParam(t, op, "query", "sort", "string"); p != nil && !reflect.DeepEqual(p.Schema.Enum, []any{"name", "1"}) {
				t.Errorf("sort enum = %#v", p.Schema.Enum)
			}
			if p := wantParam(t, op, "query", "ids", "array"); p != nil && (p.Schema.Items == nil || p.Schema.Items.Type != "integer") {
				t.Errorf("ids = %+v", p.Schema)
			}
			if p := wantParam(t, op, "query", "offset", "integer"); p != nil && (p.Schema.Minimum == nil || *p.Schema.Minimum != 1) {
				t.Errorf("offset = %+v, want an exclusive minimum of 0 (1)", p.Schema)
			}
			if p := wantParam(t, op, "query", "fields", "array"); p != nil && (p.Schema.Items == nil || !reflect.DeepEqual(p.Schema.Items.Enum, []any{"id", "name"})) {
				t.Errorf("fields = %+v, want the enum on its items", p.Schema)
			}
		}},
		{file: "swagger_params_30.yaml", check: func(t *testing.T, s *Surface) {
			b := mustBody(t, s, "POST", "/notes")
			if b.ContentType != "application/json" || b.Schema.Properties["text"] == nil {
				t.Errorf("body parameter not read as a JSON body: %+v", b)
			}
			f := mustBody(t, s, "POST", "/avatars")
			if f.ContentType != "multipart/form-data" || f.Schema.Properties["image"] == nil || f.Schema.Properties["image"].Format != "binary" || f.Schema.Properties["user_id"].Type != "integer" {
				t.Errorf("form parameters not read as a multipart body: %+v", f)
			}
			wantStrings(t, "required", f.Schema.Required, []string{"user_id"})
			if ps := mustOp(t, s, "POST", "/avatars").Params; len(ps) != 0 {
				t.Errorf("form parameters left as parameters: %+v", ps)
			}
		}},
		{file: "formdata_20.yaml", clean: true, check: func(t *testing.T, s *Surface) {
			b := mustBody(t, s, "POST", "/login")
			if b.ContentType != "application/x-www-form-urlencoded" || b.Schema.Properties["password"] == nil {
				t.Errorf("login form = %+v", b)
			}
			wantStrings(t, "login required", b.Schema.Required, []string{"password", "username"})
			f := mustBody(t, s, "POST", "/avatars")
			if f.ContentType != "multipart/form-data" || f.Schema.Properties["image"] == nil || f.Schema.Properties["image"].Type != "string" || f.Schema.Properties["image"].Format != "binary" {
				t.Errorf("upload form = %+v", f)
			}
		}},
		{file: "dangling_refs_30.yaml", check: func(t *testing.T, s *Surface) {
			op := mustOp(t, s, "GET", "/notes/{id}")
			if len(op.Params) != 1 || op.Params[0].Name != "id" {
				t.Errorf("params = %+v, want only id", op.Params)
			}
			note := responseSchema(t, op, "200")
			if note == nil || note.Properties["text"] == nil || note.Properties["author"] == nil {
				t.Errorf("the note schema lost more than its author's schema: %+v", note)
			}
			if b := mustOp(t, s, "PUT", "/notes/{id}").Body; b == nil || b.ContentType != "application/json" {
				t.Errorf("PUT body = %+v, want a JSON body of any schema", b)
			}
		}},
		{file: "dangling_refs_20.json", check: func(t *testing.T, s *Surface) {
			op := mustOp(t, s, "POST", "/notes")
			if len(op.Params) != 0 || op.Body == nil || op.Body.Schema.Properties["text"] == nil {
				t.Errorf("params %+v, body %+v", op.Params, op.Body)
			}
		}},
		{file: "duplicates_30.yaml", check: func(t *testing.T, s *Surface) {
			ids := []string{mustOp(t, s, "GET", "/notes").ID, mustOp(t, s, "GET", "/users").ID, mustOp(t, s, "GET", "/tags").ID}
			wantStrings(t, "operationIds", ids, []string{"list", "list_2", "list_3"})
			op := mustOp(t, s, "GET", "/notes")
			if len(op.Params) != 2 || op.Param("query", "page").Schema.Type != "integer" || op.Param("header", "page") == nil {
				t.Errorf("params = %+v, want the first query page and the header page", op.Params)
			}
		}},
		{file: "duplicates_20.yaml", check: func(t *testing.T, s *Surface) {
			wantStrings(t, "operationIds", []string{mustOp(t, s, "GET", "/notes").ID, mustOp(t, s, "GET", "/users").ID}, []string{"list", "list_2"})
			if op := mustOp(t, s, "GET", "/notes"); len(op.Params) != 1 || op.Params[0].Schema.Type != "integer" {
				t.Errorf("params = %+v", op.Params)
			}
		}},
		{file: "examples_30.yaml", check: func(t *testing.T, s *Surface) {
			op := mustOp(t, s, "GET", "/items")
			if p := op.Param("query", "limit"); p.Schema.Example != nil || fmt.Sprint(p.Schema.Default) != "20" {
				t.Errorf("limit = %+v, want no example and default 20", p.Schema)
			}
			if p := op.Param("query", "code"); p.Schema.Example != "12345" || !reflect.DeepEqual(p.Schema.Enum, []any{"a", "1", "true"}) {
				t.Errorf("code = %+v, want the example and enum as strings", p.Schema)
			}
			if p := op.Param("query", "flag"); p.Schema.Example != nil || p.Schema.Default != true {
				t.Errorf("flag = %+v, want no example and default true", p.Schema)
			}
		}},
		{file: "examples_20.yaml", check: func(t *testing.T, s *Surface) {
			props := mustBody(t, s, "POST", "/items").Schema.Properties
			if props["count"].Example != nil || props["price"].Example != 9.99 || props["tags"].Example != nil {
				t.Errorf("examples = %v %v %v", props["count"].Example, props["price"].Example, props["tags"].Example)
			}
		}},
		{file: "servers_30.yaml", check: func(t *testing.T, s *Surface) {
			if s.BasePath != "/v2" || len(s.Servers) != 2 || s.Servers[1] != "https://api.example.com/" {
				t.Errorf("servers %v, base path %q", s.Servers, s.BasePath)
			}
		}},
		{file: "servers_templated_30.yaml", check: func(t *testing.T, s *Surface) {
			if s.BasePath != "/api" {
				t.Errorf("servers %v, base path %q, want /api", s.Servers, s.BasePath)
			}
		}},
		{file: "servers_relative_31.yaml", clean: true, check: func(t *testing.T, s *Surface) {
			if s.BasePath != "/api/v1" {
				t.Errorf("base path %q", s.BasePath)
			}
		}},
		{file: "host_20.yaml", check: func(t *testing.T, s *Surface) {
			if s.BasePath != "/v1" {
				t.Errorf("base path %q, want /v1", s.BasePath)
			}
		}},
		{file: "nullable_31.yaml", check: func(t *testing.T, s *Surface) {
			op := mustOp(t, s, "GET", "/items")
			if p := op.Param("query", "after"); !p.Schema.Nullable || p.Schema.Type != "string" {
				t.Errorf("after = %+v, want a nullable string", p.Schema)
			}
			if p := op.Param("query", "before"); p.Schema.Nullable {
				t.Errorf("before = %+v", p.Schema)
			}
		}},
		{file: "type_list_30.yaml", check: func(t *testing.T, s *Surface) {
			op := mustOp(t, s, "GET", "/items")
			if p := op.Param("query", "after"); !p.Schema.Nullable || p.Schema.Type != "string" {
				t.Errorf("after = %+v, want a nullable string", p.Schema)
			}
			if p := op.Param("query", "size"); p.Schema.Type != "" {
				t.Errorf("size = %+v, want any type", p.Schema)
			}
			if p := op.Param("query", "kind"); p.Schema.Type != "integer" {
				t.Errorf("kind = %+v, want integer", p.Schema)
			}
		}},
		{file: "exclusive_30.yaml", check: func(t *testing.T, s *Surface) {
			sc := mustOp(t, s, "GET", "/items").Param("query", "price").Schema
			// exclusive: just above 0, just below 100 (the tighter maximum)
			if sc.Minimum == nil || *sc.Minimum <= 0 || *sc.Minimum >= 1 || sc.Maximum == nil || *sc.Maximum >= 100 || *sc.Maximum <= 99 {
				t.Errorf("price = %+v", sc)
			}
		}},
		{file: "exclusive_31.yaml", check: func(t *testing.T, s *Surface) {
			sc := mustOp(t, s, "GET", "/items").Param("query", "price").Schema
			if sc.Maximum == nil || *sc.Maximum != 100 {
				t.Errorf("price = %+v", sc)
			}
		}},
		{file: "examples_list_30.yaml", check: func(t *testing.T, s *Surface) {
			if sc := mustOp(t, s, "GET", "/items").Param("query", "color").Schema; sc.Example != "red" {
				t.Errorf("color = %+v, want example red", sc)
			}
		}},
		{file: "jsonschema_30.yaml", check: func(t *testing.T, s *Surface) {
			sc := mustBody(t, s, "POST", "/orders").Schema
			if k := sc.Properties["kind"]; k == nil || !reflect.DeepEqual(k.Enum, []any{"standard"}) {
				t.Errorf("kind = %+v, want enum [standard]", k)
			}
			if p := sc.Properties["point"]; p == nil || p.Items == nil {
				t.Errorf("point = %+v, want items", p)
			}
			if c := sc.Properties["card"]; c == nil || c.Properties["number"] == nil {
				t.Errorf("card = %+v, want the $defs schema", c)
			}
		}},
		{file: "tuple_items_20.json", check: func(t *testing.T, s *Surface) {
			sc := responseSchema(t, mustOp(t, s, "GET", "/history"), "200")
			if l := sc.Properties["links"]; l == nil || l.Items == nil || l.Items.Properties["href"] == nil {
				t.Errorf("links = %+v, want items of Link", l)
			}
			if m := sc.Properties["messages"]; m == nil || m.Items == nil || m.Items.Type != "string" {
				t.Errorf("messages = %+v, want items of its first schema", m)
			}
		}},
		{file: "keywords_30.yaml", check: func(t *testing.T, s *Surface) {
			props := mustBody(t, s, "POST", "/items").Schema.Properties
			if !props["id"].ReadOnly || props["name"].MinLength != 1 || props["name"].MaxLength != 0 || props["name"].Pattern != "123" {
				t.Errorf("id %+v, name %+v", props["id"], props["name"])
			}
			if props["color"] == nil || props["color"].Type != "string" || props["size"] == nil {
				t.Errorf("color %+v, size %+v", props["color"], props["size"])
			}
		}},
		{file: "structure_30.yaml", check: func(t *testing.T, s *Surface) {
			wantStrings(t, "operations", keys(s), []string{"GET /notes", "DELETE /notes/{id}"})
			if op := mustOp(t, s, "GET", "/notes"); !reflect.DeepEqual(op.Security, [][]string{{"apiKey"}}) {
				t.Errorf("security = %v, want the one requirement", op.Security)
			}
			if _, ok := s.SecuritySchemes["broken"]; ok {
				t.Error("a scheme without a type was kept")
			}
		}},
		{file: "text_refs_30.yaml", check: func(t *testing.T, s *Surface) {
			p := wantParam(t, mustOp(t, s, "GET", "/notes"), "query", "description", "object")
			if p != nil && (p.Schema.Properties["description"] == nil || p.Schema.Properties["title"] == nil) {
				t.Errorf("properties named like prose fields were dropped: %+v", p.Schema)
			}
		}},
		{file: "alias_params_30.yaml", check: func(t *testing.T, s *Surface) {
			for _, path := range []string{"/notes", "/tags"} {
				op := mustOp(t, s, "GET", path)
				wantParam(t, op, "query", "page", "integer")
				if len(op.Params) != 1 {
					t.Errorf("%s params = %+v, want page only", path, op.Params)
				}
			}
		}},
		{file: "anchor_ref_31.json", check: func(t *testing.T, s *Surface) {
			if sc := responseSchema(t, mustOp(t, s, "GET", "/profile"), "200"); sc == nil || sc.Properties["name"] == nil {
				t.Errorf("schema = %+v, want the anchored Profile", sc)
			}
		}},
	}
	files, _ := filepath.Glob("testdata/sloppy/*.*")
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[filepath.Join("testdata/sloppy", tt.file)] = true
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".golden") && !covered[f] {
			t.Errorf("%s has no test", f)
		}
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata/sloppy", tt.file)
			s, err := Load(context.Background(), Source{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, w := range s.Warnings {
				got.WriteString(w.String() + "\n")
			}
			if w, ok := s.ServerWarning(target); ok {
				got.WriteString("target " + target.String() + ": " + w.String() + "\n")
			}
			golden := strings.TrimSuffix(path, filepath.Ext(path)) + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("warnings:\n%s\nwant (%s):\n%s", got.String(), golden, want)
			}
			if tt.clean != (len(s.Warnings) == 0) {
				t.Errorf("%d warnings; clean = %t", len(s.Warnings), tt.clean)
			}
			tt.check(t, s)

			_, err = Load(context.Background(), Source{Path: path, Strict: true})
			switch {
			case tt.clean && err != nil:
				t.Errorf("refused under Strict: %v", err)
			case !tt.clean && len(s.Warnings) > 0:
				var se *SpecError
				first := s.Warnings[0]
				if !errors.As(err, &se) || !errors.Is(err, ErrStrict) || se.Line != first.Line || se.Path != first.Path || se.Msg != first.Problem {
					t.Errorf("under Strict: %v\nwant the first warning: %s", err, first)
				}
			}
		})
	}
}

func mustBody(t *testing.T, s *Surface, method, path string) *rampart.Body {
	t.Helper()
	op := mustOp(t, s, method, path)
	if op.Body == nil || op.Body.Schema == nil {
		t.Fatalf("%s %s has no body schema: %+v", method, path, op.Body)
	}
	return op.Body
}

func responseSchema(t *testing.T, op *rampart.Operation, status string) *rampart.Schema {
	t.Helper()
	for _, r := range op.Responses {
		if r.Status == status {
			return r.Schema
		}
	}
	t.Fatalf("%s has no response %s", op.Key(), status)
	return nil
}

func wantParam(t *testing.T, op *rampart.Operation, in, name, typ string) *rampart.Param {
	t.Helper()
	p := op.Param(in, name)
	if p == nil {
		t.Errorf("%s: no %s parameter %s in %+v", op.Key(), in, name, op.Params)
		return nil
	}
	if p.Schema == nil || p.Schema.Type != typ {
		t.Errorf("%s: %s %s has schema %+v, want type %s", op.Key(), in, name, p.Schema, typ)
	}
	return p
}

func wantStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	got = slices.Sorted(slices.Values(got))
	want = slices.Sorted(slices.Values(want))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// A document that repeats one mistake thousands of times gives a bounded
// list of warnings that says how many it left out.
func TestWarningsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\ncomponents:\n  schemas:\n    A:\n      properties:\n")
	for i := range maxWarnings + 20 {
		fmt.Fprintf(&b, "        p%d: {type: string, required: true}\n", i)
	}
	s, err := Load(context.Background(), Source{Data: []byte(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != maxWarnings+1 {
		t.Fatalf("%d warnings, want %d and one saying how many more", len(s.Warnings), maxWarnings+1)
	}
	if last := s.Warnings[maxWarnings]; last.Problem != "20 more problems are not listed" {
		t.Errorf("last warning = %+v", last)
	}
}
