package codescan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseSpecDoc(t *testing.T) {
	tests := []struct {
		name, doc string
		base      string
		ops       []string // method path opID controller security(optional) body inputs
	}{
		{"openapi 3 yaml, servers path, global security, $ref parameter", `
openapi: 3.0.0
servers: [{url: "https://h.example/api/v3"}]
security: [{bearer: []}]
components:
  parameters:
    Id: {name: id, in: path, schema: {type: integer}}
paths:
  /pets/{id}:
    x-openapi-router-controller: app.pets
    parameters: [{$ref: "#/components/parameters/Id"}]
    get: {operationId: show}
    put: {operationId: update, security: [], requestBody: {content: {}}}
  /pets:
    get:
      operationId: app.pets.search
      parameters: [{name: petType, in: query, schema: {type: string}}]
      security: [{}, {oauth: [admin]}]
  notapath: {get: {operationId: x.y}}
  /nothing: {get: {summary: no operationId}}
`, "/api/v3", []string{
			"GET /pets/<int:id> show app.pets [bearer] false body=false",
			"PUT /pets/<int:id> update app.pets [] false body=true",
			"GET /pets app.pets.search  [oauth] true body=false",
		}},
		{"swagger 2 json, basePath, body and formData", `{"swagger": "2.0", "basePath": "/v1",
 "paths": {"/users/{name}": {"post": {"operationId": "api.users.create",
   "parameters": [{"name": "name", "in": "path", "type": "string"}, {"name": "user", "in": "body"}, {"name": "age", "in": "formData", "type": "integer"}]}}}}`,
			"/v1", []string{"POST /users/<name> api.users.create  [] false body=true"}},
		{"aliases are followed, not expanded", `
openapi: 3.0.0
x-op: &op {operationId: m.f}
paths:
  /a: {get: *op, post: *op}
`, "", []string{"GET /a m.f  [] false body=false", "POST /a m.f  [] false body=false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseSpecDoc([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if d.basePath != tt.base {
				t.Errorf("base path %q, want %q", d.basePath, tt.base)
			}
			var got []string
			for _, o := range d.ops {
				got = append(got, strings.Join([]string{o.method, o.flaskRule(""), o.opID, o.controller,
					"[" + strings.Join(o.security, ",") + "]", boolStr(o.optional), "body=" + boolStr(o.body)}, " "))
			}
			if !reflect.DeepEqual(got, tt.ops) {
				t.Errorf("operations:\n got %q\nwant %q", got, tt.ops)
			}
		})
	}
	// A billion laughs: nine levels of nine aliases each. The reader never
	// expands aliases, so this costs what the text does.
	bomb := "openapi: 3.0.0\na0: &a0 [{name: p, in: query}]\n"
	for i := 1; i < 10; i++ {
		bomb += fmt.Sprintf("a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", "))
	}
	bomb += "paths: {/a: {get: {operationId: m.f, parameters: *a9}}}\n"
	if d, err := parseSpecDoc([]byte(bomb)); err != nil || len(d.ops) != 1 || len(d.ops[0].params) != 0 {
		t.Errorf("alias bomb: %v %+v", err, d)
	}
	for _, bad := range []string{"", "[1, 2]", "paths: {}", "openapi: [\n", "{\"swagger\": 2, \"paths\": 7}"} {
		if d, err := parseSpecDoc([]byte(bad)); err == nil && len(d.ops) > 0 {
			t.Errorf("%q: %d operations from a document without any", bad, len(d.ops))
		}
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestSpecOpInputs(t *testing.T) {
	o := specOp{body: true, params: []specParam{{name: "petType", in: "query", typ: "string"}, {name: "limit", in: "query", typ: "integer"},
		{name: "id", in: "path", typ: "integer"}, {name: "X-Key", in: "header"}}}
	in := o.inputs()
	if in["petType"] != lReq|lInj || in["pet_type"] != lReq|lInj || in["limit"] != lReq || in["body"] != lReq|lInj|lKey {
		t.Errorf("inputs %v", in)
	}
	if _, ok := in["id"]; ok {
		t.Error("a path parameter is an input (the rule carries it)")
	}
	if _, ok := in["X-Key"]; ok {
		t.Error("connexion does not pass headers as arguments")
	}
}

// writeTree writes files under a fresh directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const specHandler = `def show(item_id):
    return {}
`

const specDoc1 = `openapi: 3.0.0
paths:
  /items/{item_id}:
    get: {operationId: handlers.show}
`

// TestSpecLocation: the document is found in the specification_dir, next
// to the call, or by name anywhere in the tree, never outside it; a
// missing or unreadable one is a note, not an error.
func TestSpecLocation(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		link   string // a symbolic link app/spec.yaml → this path outside the tree
		routes int
		note   string
	}{
		{"specification_dir", map[string]string{
			"app/main.py":        "import connexion\napp = connexion.App(__name__, specification_dir='specs')\napp.add_api('api.yaml')\n",
			"app/specs/api.yaml": specDoc1, "handlers.py": specHandler}, "", 1, "1 operations of app/specs/api.yaml routed"},
		{"next to the call", map[string]string{
			"app/main.py":  "from connexion import FlaskApp\napp = FlaskApp(__name__)\napp.add_api('api.yaml')\n",
			"app/api.yaml": specDoc1, "handlers.py": specHandler}, "", 1, "routed"},
		{"by name elsewhere in the tree", map[string]string{
			"app/main.py":           "import connexion\napp = connexion.App(__name__)\napp.add_api(specification='api.yaml')\n",
			"docs/openapi/api.yaml": specDoc1, "handlers.py": specHandler}, "", 1, "docs/openapi/api.yaml"},
		{"missing", map[string]string{
			"app/main.py": "import connexion\napp = connexion.App(__name__)\napp.add_api('api.yaml')\n",
			"handlers.py": specHandler}, "", 0, "not found in the tree"},
		{"not a spec", map[string]string{
			"app/main.py":  "import connexion\napp = connexion.App(__name__)\napp.add_api('api.yaml')\n",
			"app/api.yaml": "password: hunter2\n", "handlers.py": specHandler}, "", 0, "not an OpenAPI document"},
		{"a link out of the tree is not followed", map[string]string{
			"app/main.py": "import connexion\napp = connexion.App(__name__)\napp.add_api('spec.yaml')\n",
			"handlers.py": specHandler}, "outside.yaml", 0, "not found in the tree"},
		{"an operationId naming nothing", map[string]string{
			"app/main.py":  "import connexion\napp = connexion.App(__name__)\napp.add_api('api.yaml')\n",
			"app/api.yaml": strings.ReplaceAll(specDoc1, "handlers.show", "handlers.nope"), "handlers.py": specHandler}, "", 0,
			"1 whose operationId names no function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			if tt.link != "" {
				out := filepath.Join(t.TempDir(), tt.link)
				if err := os.WriteFile(out, []byte(specDoc1), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(out, filepath.Join(dir, "app", "spec.yaml")); err != nil {
					t.Skip("no symbolic links:", err)
				}
			}
			res, err := Analyze(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Routes) != tt.routes {
				t.Errorf("%d routes, want %d: %+v", len(res.Routes), tt.routes, res.Routes)
			}
			if tt.routes > 0 && res.Routes[0].Path != "/items/{item_id}" {
				t.Errorf("path %q", res.Routes[0].Path)
			}
			notes := strings.Join(res.Notes, "\n")
			if !strings.Contains(notes, tt.note) {
				t.Errorf("notes %q, want one saying %q", notes, tt.note)
			}
			if strings.Contains(notes, "hunter2") {
				t.Error("a note quotes the file")
			}
		})
	}
}

// FuzzParseSpecDoc: any bytes as an OpenAPI document never crash the
// reader, and what it returns stays within its bounds.
func FuzzParseSpecDoc(f *testing.F) {
	f.Add([]byte(specDoc1))
	f.Add([]byte(`{"swagger": "2.0", "paths": {"/a/{b}": {"get": {"operationId": "m.f", "parameters": [{"$ref": "#/x/y"}]}}}}`))
	f.Add([]byte("openapi: 3.0.0\nx: &a [*a]\npaths: {/a: {get: &g {operationId: m.f, security: [*g]}}}\n"))
	f.Add([]byte("openapi: 3\nsecurity: [{a: [admin]}, {}]\nservers: [{url: '%zz'}]\npaths:\n  /{a}{b}:\n    parameters: [{$ref: '#/paths/~1{a}{b}/parameters/0'}]\n    get: {operationId: x}\n"))
	if b, err := os.ReadFile("testdata/projects/specfirst/library/openapi/library.yaml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseSpecDoc(data)
		if err != nil {
			return
		}
		if len(d.ops) > maxSpecOps {
			t.Fatalf("%d operations", len(d.ops))
		}
		for _, o := range d.ops {
			if o.opID == "" || !strings.HasPrefix(o.path, "/") || len(o.params) > 2*maxSpecParams {
				t.Fatalf("operation %+v", o)
			}
			_ = o.flaskRule(d.basePath)
			_ = o.inputs()
			_ = o.auth("x.yaml")
		}
	})
}
