package surface

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestReadJSObject(t *testing.T) {
	tests := []struct {
		name, src, want string // want: the value as JSON; "" for an error
	}{
		{"bare and quoted keys", `{url: '/a.json', "dom_id": "#x", 'deep': true, n: -1.5e2, i: 42, z: null, u: undefined}`,
			`{"deep":true,"dom_id":"#x","i":42,"n":-150,"u":null,"url":"/a.json","z":null}`},
		{"trailing commas and comments", "{a: [1, 2,], // line\n b: /* block */ {c: `tpl`,},}", `{"a":[1,2],"b":{"c":"tpl"}}`},
		{"escapes", `{s: 'it\'s \u00e9\x41\n', d: "a \"b\" }"}`, `{"d":"a \"b\" }","s":"it's éA\n"}`},
		{"code reads as null", `{presets: [SwaggerUIBundle.presets.apis, Preset], plugins: [function () { return {a: 1} }], f: () => { x() }, on() { y({}) }, v: cfg.url}`,
			`{"f":null,"on":null,"plugins":[null],"presets":[null,null],"v":null}`},
		{"a path built from the location", `{url: window.location.origin + "/openapi.json", other: "x" + y}`, `{"other":null,"url":"/openapi.json"}`},
		{"shorthand", `{url, spec}`, `{"spec":null,"url":null}`},
		{"ends after the object", `{a: 1}, {b: 2})`, `{"a":1}`},
		{"template with substitution", "{u: `/x/${id}`}", ""},
		{"unterminated", `{a: "x`, ""},
		{"not an object", `[1, 2]`, ""},
		{"computed key", `{[k]: 1}`, ""},
		{"spread", `{...base, url: "/x"}`, ""},
		{"too deep", strings.Repeat("{a:", maxJSDepth+2) + "1" + strings.Repeat("}", maxJSDepth+2), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _, err := readJSObject(tt.src)
			if tt.want == "" {
				if err == nil {
					t.Errorf("got %v, want an error", v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(v)
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestBundlePaths(t *testing.T) {
	js := `fetch("/api/v1/users");get('/api/v1/users/');x=` + "`/api/orders/${order.id}/items?full=1`" +
		`;y="/api/files/${a}";"/apiary";"/api";'/api/a b';"//api/x";"/api/v1/users"`
	got := bundlePaths(js)
	want := []string{"/api/v1/users", "/api/orders/{id}/items?full=1", "/api/files/{a}"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func FuzzReadJSObject(f *testing.F) {
	for _, s := range []string{
		`{url: '/a.json', urls: [{url: "/b", name: 'b'}], spec: {openapi: "3.0.0"}}`,
		`{a: () => { return {b: [1, "}"]} }, c: /* } */ 1}`,
		"{s: `x${y}`}", `{"a": {"b": {"c": [[[[]]]]}}}`, `{on() { if (a) { b() } }, x: 1,}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		v, n, err := readJSObject(src)
		if n < 0 || n > len(src) {
			t.Fatalf("read %d bytes of %d", n, len(src))
		}
		if err != nil {
			return
		}
		if _, ok := v.(map[string]any); !ok {
			t.Fatalf("got %T, want an object", v)
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("value does not marshal: %v", err)
		}
	})
}

// Hostile docs pages: whatever the page, the reader returns in bounds and
// never hands out a script on another origin.
func FuzzDocsPage(f *testing.F) {
	for _, s := range []string{
		`<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#x"})</script>`,
		`<redoc spec-url="/r.yaml"></redoc><rapi-doc spec-url='x.json'></rapi-doc>`,
		`<script src="init.js"></script><script src="//evil.example/x.js"></script><link rel="service-desc" href="/d.json">`,
		`<script>Redoc.init({openapi: '3.0.0', paths: {}})</script><a href="api.yaml">`,
		`<script>SwaggerUIBundle(Object.assign({spec: {a: [` + strings.Repeat("[", 100) + `}))</script>`,
	} {
		f.Add(s)
	}
	page, _ := url.Parse("http://127.0.0.1:8080/docs/")
	f.Fuzz(func(t *testing.T, body string) {
		refs, scripts := pageDocRefs(page, []byte(body))
		if len(refs) > maxDocRefs || len(scripts) > maxPageScripts {
			t.Fatalf("%d refs, %d scripts", len(refs), len(scripts))
		}
		for _, s := range scripts {
			if !sameOrigin(s, page) {
				t.Fatalf("script off origin: %s", s)
			}
		}
		if refs := scriptDocRefs(page, body); len(refs) > maxDocRefs {
			t.Fatalf("%d refs from a script", len(refs))
		}
	})
}
