package junit

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

// The input warnings are a passing test case whose output lists them, so a
// CI viewer shows them without failing the build.
func TestInputCase(t *testing.T) {
	doc := parse(t, render(t, sample.Report(), Options{FailOn: rampart.Low}))
	var in *testcase
	for i, c := range doc.Suites[0].Cases {
		if c.Classname == "rampart" && c.Name == InputCase {
			in = &doc.Suites[0].Cases[i]
		}
	}
	if in == nil {
		t.Fatalf("no input test case in the rampart suite: %+v", doc.Suites[0].Cases)
	}
	if in.Failure != nil || in.Error != nil || in.Skipped != nil || in.SystemOut == nil {
		t.Fatalf("the input case is not a passing case with output: %+v", in)
	}
	for _, want := range []string{
		"5 problems in your documents, repaired instead of refused:\n",
		"  api.yaml:42: paths./notes/{id}.get.parameters[0]: required is a boolean on a property (read as required: [title])\n",
		"  traffic.har: log.entries[40].request: host cdn.example is out of scope\n",
	} {
		if !strings.Contains(in.SystemOut.Text, want) {
			t.Errorf("input case lacks %q:\n%s", want, in.SystemOut.Text)
		}
	}
	for _, c := range parse(t, render(t, sample.Empty(), Options{})).Suites[0].Cases {
		if c.Name == InputCase {
			t.Errorf("a report without warnings has an input case")
		}
	}
	r := sample.Empty()
	r.InputWarnings = []rampart.InputWarning{{File: "a.yaml", Path: "x</system-out><injected/>", Problem: "]]>\x1b[31m\nsecond line"}}
	out := render(t, r, Options{})
	parse(t, out)
	if bytes.Contains(out, []byte("<injected/>")) || bytes.Contains(out, []byte("]]>")) || bytes.Contains(out, []byte("\x1b")) {
		t.Errorf("a warning's text was not escaped:\n%s", out)
	}
	if !bytes.Contains(out, []byte("  a.yaml: x&lt;/system-out&gt;&lt;injected/&gt;: ]]&gt;[31m second line\n")) {
		t.Errorf("a warning is not one escaped line:\n%s", out)
	}
}

func TestOperationsFound(t *testing.T) {
	props := func(r *rampart.Report) map[string]string {
		m := map[string]string{}
		for _, p := range parse(t, render(t, r, Options{})).Suites[0].Properties.Props {
			m[p.Name] = p.Value
		}
		return m
	}
	p := props(sample.Report())
	for k, v := range map[string]string{
		"operations-found": "2 from the spec, 1 from HAR traffic, 1 by probing common paths",
		"operations-spec":  "2", "operations-har": "1", "operations-probe": "1",
		"found POST /notes": "HAR: traffic.har (3 requests)", "found GET /search": "spec: api.yaml",
		"input-warnings": "5",
	} {
		if p[k] != v {
			t.Errorf("property %q = %q, want %q", k, p[k], v)
		}
	}
	doc := parse(t, render(t, sample.Report(), Options{}))
	if out := doc.Suites[0].Cases[0].SystemOut.Text; !strings.Contains(out, "Operations: 4 — 2 from the spec, 1 from HAR traffic, 1 by probing common paths\n") {
		t.Errorf("the scan case does not say how operations were found:\n%s", out)
	}
	// Rows that do not say (older reports): nothing, not "unknown".
	for k, v := range props(sample.Uncovered()) {
		if strings.HasPrefix(k, "operations") || strings.HasPrefix(k, "found ") || k == "input-warnings" || v == "unknown" {
			t.Errorf("a report without sources has %s=%s", k, v)
		}
	}
}
