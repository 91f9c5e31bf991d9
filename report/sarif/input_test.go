package sarif

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

// Each input warning is a warning notification of the run's execution,
// located at its document's file and line.
func TestInputWarnings(t *testing.T) {
	inv := decoded(t, sample.Report(), Options{}).Runs[0].Invocations[0]
	var got []notification
	for _, n := range inv.ToolExecutionNotifications {
		if n.Properties["kind"] == InputWarningKind {
			got = append(got, n)
		}
	}
	if len(got) != len(sample.InputWarnings()) {
		t.Fatalf("%d input-warning notifications, want %d: %+v", len(got), len(sample.InputWarnings()), inv.ToolExecutionNotifications)
	}
	type want struct {
		uri, base string
		line      int
		text      string
	}
	for i, w := range []want{
		{"api.yaml", SrcRoot, 3, "Input warning: servers[0].url: names https://api.example.com, not the target (repaired: requests go to the target)"},
		{"api.yaml", SrcRoot, 42, "Input warning: paths./notes/{id}.get.parameters[0]: required is a boolean on a property (repaired: read as required: [title])"},
		{"api.yaml", SrcRoot, 118, ""},
		{"traffic.har", SrcRoot, 0, "Input warning: log.entries[12].request.headers[2]: an Authorization header that belongs to no identity (repaired: credentials removed)"},
		{"traffic.har", SrcRoot, 0, "Input warning: log.entries[40].request: host cdn.example is out of scope"},
	} {
		n := got[i]
		if n.Level != "warning" || len(n.Locations) != 1 || n.Locations[0].PhysicalLocation == nil {
			t.Errorf("warning %d: %+v", i, n)
			continue
		}
		pl := n.Locations[0].PhysicalLocation
		if pl.ArtifactLocation.URI != w.uri || pl.ArtifactLocation.URIBaseID != w.base {
			t.Errorf("warning %d at %+v, want %s in %s", i, pl.ArtifactLocation, w.uri, w.base)
		}
		if (w.line == 0) != (pl.Region == nil) || (pl.Region != nil && pl.Region.StartLine != w.line) {
			t.Errorf("warning %d region %+v, want line %d", i, pl.Region, w.line)
		}
		if w.text != "" && n.Message.Text != w.text {
			t.Errorf("warning %d says %q, want %q", i, n.Message.Text, w.text)
		}
	}
	if got[0].Properties["repair"] != "requests go to the target" || got[0].Properties["path"] != "servers[0].url" {
		t.Errorf("properties %v", got[0].Properties)
	}
	// A spec fetched from the target keeps its URL; an absolute path is a
	// file: URI.
	h := decoded(t, hostile(), Options{}).Runs[0].Invocations[0].ToolExecutionNotifications
	var uris []string
	for _, n := range h {
		if n.Properties["kind"] == InputWarningKind {
			uris = append(uris, n.Locations[0].PhysicalLocation.ArtifactLocation.URI)
			if strings.ContainsAny(n.Message.Text, "\x1b\n") {
				t.Errorf("control characters kept: %q", n.Message.Text)
			}
		}
	}
	if len(uris) != 3 || !strings.HasPrefix(uris[1], "http://127.0.0.1:5000/openapi.json?x=") || uris[2] != "file:///C:/specs/api.yaml" {
		t.Errorf("artifact URIs %q", uris)
	}
}

// The run's properties count the operations by how they were found.
func TestOperationsFound(t *testing.T) {
	props := func(r *rampart.Report) map[string]json.RawMessage {
		var l struct {
			Runs []struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(write(t, r, Options{}), &l); err != nil {
			t.Fatal(err)
		}
		return l.Runs[0].Properties
	}
	p := props(sample.Report())
	want := `{"bySource":{"har":1,"probe":1,"spec":2},"summary":"2 from the spec, 1 from HAR traffic, 1 by probing common paths"}`
	if got := compact(t, p["operationsFound"]); got != want {
		t.Errorf("operationsFound = %s, want %s", got, want)
	}
	if string(p["inputWarnings"]) != "5" {
		t.Errorf("inputWarnings = %s", p["inputWarnings"])
	}
	// Rows that do not say (older reports) give no counts, not "unknown".
	u := props(sample.Uncovered())
	if _, ok := u["operationsFound"]; ok {
		t.Errorf("a report without sources has operationsFound %s", u["operationsFound"])
	}
	if _, ok := u["inputWarnings"]; ok {
		t.Errorf("a report without warnings has inputWarnings")
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
