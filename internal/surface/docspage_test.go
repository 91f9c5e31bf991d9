package surface

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// docSpec is a valid document whose one operation is GET path.
func docSpec(path string) string {
	return fmt.Sprintf(`{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {%q: {"get": {"responses": {"200": {"description": "ok"}}}}}}`, path)
}

func TestDiscoverDocsPage(t *testing.T) {
	const html = "text/html; charset=utf-8"
	type page struct {
		ct, body string
		status   int
	}
	tests := []struct {
		name  string
		pages map[string]page
		op    string // the one operation the document holds
		page  string // the docs page the document was shown by
		doc   string // the document's path; "" for an inline one
	}{
		{
			name: "FastAPI Swagger UI",
			pages: map[string]page{
				"/docs": {ct: html, body: `<!DOCTYPE html><html><head><title>API - Swagger UI</title></head><body><div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>
    const ui = SwaggerUIBundle({
        url: '/internal/schema-v1.json',
    "dom_id": "#swagger-ui",
"layout": "BaseLayout",
    "deepLinking": true,
    "showExtensions": true,
    presets: [
        SwaggerUIBundle.presets.apis,
        SwaggerUIBundle.SwaggerUIStandalonePreset
        ],
    })
</script></body></html>`},
				"/internal/schema-v1.json": {ct: "application/json", body: docSpec("/fastapi")},
			},
			op: "GET /fastapi", page: "/docs", doc: "/internal/schema-v1.json",
		},
		{
			name: "flasgger Object.assign",
			pages: map[string]page{
				"/apidocs/": {ct: html, body: `<html><body><script>
window.onload = function() {
  const ui = SwaggerUIBundle(Object.assign({
    url: "/specs/flasgger.json", // the spec
    dom_id: '#swagger-ui',
    validatorUrl: null,
    displayOperationId: true,
    deepLinking: true,
    jsonEditor: false,
    apisSorter: "alpha",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    onComplete() { console.log("{not: 'json'}") },
  }, {}));
  window.ui = ui
}</script></body></html>`},
				"/specs/flasgger.json": {ct: "application/json", body: docSpec("/flasgger")},
			},
			op: "GET /flasgger", page: "/apidocs/", doc: "/specs/flasgger.json",
		},
		{
			name: "inline spec",
			pages: map[string]page{
				"/swagger-ui/": {ct: html, body: `<html><body><script>
SwaggerUIBundle({
  dom_id: '#ui',
  spec: {openapi: '3.0.3', info: {title: 'Inline', version: '1.0', description: "a \"quoted\" word, a comma, and a } brace"},
    paths: {
      '/inline/{id}': {get: {parameters: [{name: 'id', in: 'path', required: true, schema: {type: 'integer'}}], responses: {'200': {description: ` + "`ok`" + `}}}}, // trailing comma next
    },
  },
})</script></body></html>`},
			},
			op: "GET /inline/{id}", page: "/swagger-ui/",
		},
		{
			name: "springdoc swagger-initializer.js with urls",
			pages: map[string]page{
				"/swagger-ui/index.html": {ct: html, body: `<html><body><div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="./swagger-initializer.js" charset="UTF-8"></script></body></html>`},
				"/swagger-ui/swagger-initializer.js": {ct: "application/javascript", body: `window.onload = function() {
  window.ui = SwaggerUIBundle({
    urls: [{url: "/v3/api-docs/public", name: "public"}, {url: "/v3/api-docs/admin", name: "admin"}],
    "urls.primaryName": "public",
    dom_id: '#swagger-ui',
  });
};`},
				"/v3/api-docs/public": {ct: "application/json", body: docSpec("/springdoc")},
			},
			op: "GET /springdoc", page: "/swagger-ui/index.html", doc: "/v3/api-docs/public",
		},
		{
			name: "configUrl",
			pages: map[string]page{
				"/swagger/":           {ct: html, body: `<script>const ui = SwaggerUIBundle({configUrl: "/cfg/swagger-config", dom_id: "#x"})</script>`},
				"/cfg/swagger-config": {ct: "application/json", body: `{"configUrl": "/cfg/swagger-config", "urls": [{"url": "/cfg/doc.json", "name": "default"}], "validatorUrl": ""}`},
				"/cfg/doc.json":       {ct: "application/json", body: docSpec("/configured")},
			},
			op: "GET /configured", page: "/swagger/", doc: "/cfg/doc.json",
		},
		{
			name: "URL built from the location",
			pages: map[string]page{
				"/ui/":                    {ct: html, body: `<script>SwaggerUIBundle({url: window.location.origin + "/connexion/openapi.json", dom_id: '#swagger-ui'})</script>`},
				"/connexion/openapi.json": {ct: "application/json", body: docSpec("/connexion")},
			},
			op: "GET /connexion", page: "/ui/", doc: "/connexion/openapi.json",
		},
		{
			name: "ReDoc element",
			pages: map[string]page{
				"/redoc":      {ct: html, body: `<html><body><redoc spec-url="/r/doc.yaml"></redoc><script src="https://cdn.redoc.ly/redoc/latest/bundles/redoc.standalone.js"></script></body></html>`},
				"/r/doc.yaml": {ct: "application/yaml", body: "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /redoc-op:\n    get:\n      responses: {'200': {description: ok}}\n"},
			},
			op: "GET /redoc-op", page: "/redoc", doc: "/r/doc.yaml",
		},
		{
			name: "Redoc.init",
			pages: map[string]page{
				"/documentation": {ct: html, body: `<div id="r"></div><script>Redoc.init('/r2/doc.json', {scrollYOffset: 50}, document.getElementById('r'))</script>`},
				"/r2/doc.json":   {ct: "application/json", body: docSpec("/redoc-init")},
			},
			op: "GET /redoc-init", page: "/documentation", doc: "/r2/doc.json",
		},
		{
			name: "RapiDoc",
			pages: map[string]page{
				"/rapidoc":       {ct: html, body: `<rapi-doc spec-url = "/rapi/doc.json" theme="dark"></rapi-doc>`},
				"/rapi/doc.json": {ct: "application/json", body: docSpec("/rapidoc-op")},
			},
			op: "GET /rapidoc-op", page: "/rapidoc", doc: "/rapi/doc.json",
		},
		{
			name: "service-desc link on the base page",
			pages: map[string]page{
				"/":            {ct: html, body: `<html><head><link rel="service-desc" href="/sd/doc.json" type="application/openapi+json"></head><body>hi</body></html>`},
				"/sd/doc.json": {ct: "application/json", body: docSpec("/service-desc")},
			},
			op: "GET /service-desc", page: "/", doc: "/sd/doc.json",
		},
		{
			name: "anchor to a YAML document",
			pages: map[string]page{
				"/":                  {ct: html, body: `<html><body><a href="/about">About</a> <a href="files/api-v2.yaml">Download the API description</a></body></html>`},
				"/files/api-v2.yaml": {ct: "text/plain", body: "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /anchored:\n    get:\n      responses: {'200': {description: ok}}\n"},
			},
			op: "GET /anchored", page: "/", doc: "/files/api-v2.yaml",
		},
		{
			name: "springfox swagger-resources",
			pages: map[string]page{
				"/swagger-resources": {ct: "application/json", body: `[{"name": "default", "url": "/springfox/docs?group=default", "swaggerVersion": "2.0", "location": "/springfox/docs?group=default"}]`},
				"/springfox/docs":    {ct: "application/json", body: docSpec("/springfox")},
			},
			op: "GET /springfox", doc: "/springfox/docs?group=default",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				p, ok := tt.pages[r.URL.Path]
				if !ok {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", p.ct)
				if p.status != 0 {
					w.WriteHeader(p.status)
				}
				_, _ = w.Write([]byte(p.body))
			})
			base := mustParse(t, rec.srv.URL)
			d, err := Discover(context.Background(), base, getter(t, base))
			if err != nil {
				t.Fatal(err)
			}
			if got := keys(d.Surface); len(got) != 1 || got[0] != tt.op {
				t.Fatalf("operations %v (where %s, notes %q), want [%s]", got, d.Where, d.Notes, tt.op)
			}
			op := d.Surface.Operations[0]
			srv := rec.srv.URL
			switch {
			case tt.page == "":
				// A listing at a usual place: the spec is what was found there.
				if op.Source != rampart.SourceSpec || op.Origin != srv+tt.doc || d.Where != srv+tt.doc {
					t.Errorf("found by %s: %s, where %s; want spec: %s", op.Source, op.Origin, d.Where, srv+tt.doc)
				}
			case tt.doc == "":
				if want := srv + tt.page + " (inline document)"; op.Source != rampart.SourceDocsPage || op.Origin != want {
					t.Errorf("found by %s: %s; want docs: %s", op.Source, op.Origin, want)
				}
			default:
				if want := srv + tt.page + " (document " + srv + tt.doc + ")"; op.Source != rampart.SourceDocsPage || op.Origin != want {
					t.Errorf("found by %s: %s; want docs: %s", op.Source, op.Origin, want)
				}
				if !strings.Contains(d.Where, srv+tt.doc) {
					t.Errorf("where = %s", d.Where)
				}
			}
			for _, r := range rec.requests() {
				if !strings.HasPrefix(r, "GET ") {
					t.Errorf("sent %s", r)
				}
			}
		})
	}
}

// A docs page naming a document on another origin is not followed there.
func TestDiscoverDocsPageStaysOnOrigin(t *testing.T) {
	other := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(docSpec("/elsewhere")))
	})
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/docs":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<script src="%s/init.js"></script><script>SwaggerUIBundle({url: "%s/openapi.json"})</script><redoc spec-url="%s/r.json"></redoc>`,
				other.srv.URL, other.srv.URL, other.srv.URL)
		case "/":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"status": "ok"}`))
		default:
			http.NotFound(w, r)
		}
	})
	base := mustParse(t, rec.srv.URL)
	d, err := Discover(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if d.Surface.Operation("GET", "/elsewhere") != nil {
		t.Error("the other origin's document was used")
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the other origin saw %d requests: %v", n, other.requests())
	}
}
