package text

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

func TestInputWarnings(t *testing.T) {
	r := sample.Report()
	first := "  - api.yaml:3: servers[0].url: names https://api.example.com, not the target (requests go to the target)\n"
	last := "  - traffic.har: log.entries[40].request: host cdn.example is out of scope\n"
	tests := []struct {
		name      string
		opt       Options
		want, not []string
	}{
		{"first few, and a count of the rest", Options{},
			[]string{"Input warnings (5 problems in your documents, repaired instead of refused)\n" + first,
				"  - api.yaml:118: components.schemas.Note.properties.owner: $ref #/components/schemas/User does not resolve (dropped this schema)\n    2 more (-v lists them all)\n"},
			[]string{last}},
		{"all with -v", Options{Verbose: true}, []string{first, last}, []string{"more (-v"}},
	}
	for _, tt := range tests {
		out := render(t, r, tt.opt)
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.name, w, out)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(out, w) {
				t.Errorf("%s: output has %q", tt.name, w)
			}
		}
		// Near the top: before the findings.
		if strings.Index(out, "Input warnings") > strings.Index(out, "── Critical") {
			t.Errorf("%s: the warnings come after the findings", tt.name)
		}
	}
	if out := render(t, sample.Empty(), Options{Verbose: true}); strings.Contains(out, "Input warnings") {
		t.Errorf("a report without warnings has the block")
	}
}

// A warning is one line however hostile its text: a newline in a problem
// cannot forge another warning or a finding.
func TestInputWarningHostile(t *testing.T) {
	r := sample.Empty()
	r.InputWarnings = []rampart.InputWarning{{
		File: "api.yaml\x1b[2J", Line: 7, Path: "paths./x\n[CRITICAL] forged",
		Problem: "bad\n  - other.yaml:1: forged warning", Repair: strings.Repeat("x", 1000),
	}}
	out := render(t, r, Options{Verbose: true})
	for _, l := range strings.Split(out, "\n") {
		if t2 := strings.TrimSpace(l); strings.HasPrefix(t2, "[CRITICAL]") || strings.HasPrefix(t2, "- other.yaml") {
			t.Errorf("a newline in a warning forged a line: %q", l)
		}
	}
	if strings.Contains(out, "\x1b") || !strings.Contains(out, `api.yaml\x1b[2J:7: paths./x\n[CRITICAL] forged: bad\n  - other.yaml:1`) {
		t.Errorf("warning not escaped on one line:\n%s", out)
	}
	if strings.Contains(out, strings.Repeat("x", maxWarningText+1)) {
		t.Errorf("a 1000-character repair printed whole")
	}
}

func TestOperationsFound(t *testing.T) {
	out := render(t, sample.Report(), Options{})
	if !strings.Contains(out, "\nOperations  4 — 2 from the spec, 1 from HAR traffic, 1 by probing common paths\n") {
		t.Errorf("no summary of how operations were found:\n%s", out)
	}
	if strings.Contains(out, "how each was found") {
		t.Errorf("the per-operation list is -v's")
	}
	v := render(t, sample.Report(), Options{Verbose: true})
	for _, want := range []string{
		"Operations (how each was found)\n  GET /search      spec: api.yaml\n  GET /notes/{id}  spec: api.yaml\n",
		"  POST /notes      HAR: traffic.har (3 requests)\n  POST /login      probe: common path\n",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("-v lacks %q:\n%s", want, v)
		}
	}
	// A report without sources (older than schema 1.4) says nothing of them,
	// not "unknown".
	old := render(t, sample.Uncovered(), Options{Verbose: true})
	if !strings.Contains(old, "\nOperations  18\n") || strings.Contains(old, "how each was found") || strings.Contains(old, "unknown") {
		t.Errorf("a report without sources:\n%s", old)
	}
}
