package scan

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/surface"
)

// What Rampart repaired in a spec reaches the report as input warnings, with
// one note shown at once; a spec on another host than the target says that
// requests go to the target.
func TestSpecWarningsReachTheReport(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
paths:
  /items:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string, required: true}}}
      responses: {"200": {description: ok}}
`
	s, err := surface.Load(context.Background(), surface.Source{URL: "http://127.0.0.1:8000/openapi.yaml", Data: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse("http://127.0.0.1:8000")
	var shown []string
	rep := &rampart.Report{}
	specWarnings(rep, Options{OnNote: func(m string) { shown = append(shown, m) }}, s, target)
	if len(rep.InputWarnings) != 2 {
		t.Fatalf("input warnings = %+v, want the repair and the server", rep.InputWarnings)
	}
	if w := rep.InputWarnings[0]; w.Line != 10 || !strings.Contains(w.Problem, `"required: true" on a property`) {
		t.Errorf("first warning = %+v", w)
	}
	if w := rep.InputWarnings[1]; w.Path != "servers[0].url" || w.Line != 3 || !strings.Contains(w.Repair, "requests go to http://127.0.0.1:8000 under the server's path /v1") || strings.Contains(w.String(), "api.example.com") {
		t.Errorf("server warning = %+v", w)
	}
	want := "the spec had 2 problems Rampart repaired or worked around; see input warnings (--strict-spec refuses such a spec)"
	if len(shown) != 1 || shown[0] != want || len(rep.Notes) != 1 || rep.Notes[0] != want {
		t.Errorf("shown %q, notes %q; want %q once", shown, rep.Notes, want)
	}

	// A clean spec on the target's own host adds nothing.
	clean := strings.Replace(strings.Replace(doc, ", required: true", "", 1), "https://api.example.com/v1", "/v1", 1)
	s, err = surface.Load(context.Background(), surface.Source{URL: "http://127.0.0.1:8000/openapi.yaml", Data: []byte(clean)})
	if err != nil {
		t.Fatal(err)
	}
	rep = &rampart.Report{}
	specWarnings(rep, Options{}, s, target)
	if len(rep.InputWarnings) != 0 || len(rep.Notes) != 0 {
		t.Errorf("a clean spec gave %+v, %q", rep.InputWarnings, rep.Notes)
	}
}
