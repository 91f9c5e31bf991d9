package markdown

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

func TestInputWarnings(t *testing.T) {
	out := render(t, sample.Report(), Options{})
	want := "**⚠️ Input warnings:** 5 problems in your documents, repaired instead of refused:\n" +
		"- `api.yaml:3` `servers[0].url`: names https://api.example.com, not the target → requests go to the target\n" +
		"- `api.yaml:42` `paths./notes/{id}.get.parameters[0]`: required is a boolean on a property → read as required: \\[title\\]\n"
	if !strings.Contains(out, want) {
		t.Errorf("lacks\n%s\nin:\n%s", want, out)
	}
	if !strings.Contains(out, "- `traffic.har` `log.entries[40].request`: host cdn.example is out of scope\n") {
		t.Errorf("a warning without line or repair is not listed")
	}
	if i, j := strings.Index(out, "Input warnings"), strings.Index(out, "| Severity |"); i < 0 || i > j {
		t.Errorf("the warnings are not above the findings (%d, %d)", i, j)
	}
	if strings.Contains(render(t, sample.Empty(), Options{}), "Input warnings") {
		t.Errorf("a report without warnings has the block")
	}
}

// A warning's text is the user's document's and may hold anything: it is
// one inert list item.
func TestInputWarningHostile(t *testing.T) {
	r := sample.Empty()
	r.InputWarnings = []rampart.InputWarning{{
		File: "x|y.yaml", Line: 2, Path: "paths./a`|b",
		Problem: "<script>alert(1)</script> | cell\n# heading @octocat",
		Repair:  "[x](javascript:alert(1)) ![i](http://evil/p.png)",
	}}
	out := render(t, r, Options{})
	for _, bad := range []string{"<script", "](javascript:", "![i](", "@octocat", "\n# heading", "| cell"} {
		if unescaped(out, bad) {
			t.Errorf("hostile %q survived:\n%s", bad, out)
		}
	}
	var items []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "- `x|y.yaml:2`") {
			items = append(items, l)
		}
	}
	if len(items) != 1 || !strings.Contains(items[0], "&lt;script&gt;alert(1)&lt;/script&gt; \\| cell \\# heading") {
		t.Errorf("the warning is not one escaped line: %q\n%s", items, out)
	}
}

func TestInputWarningsBounded(t *testing.T) {
	r := sample.Empty()
	for i := range 30 {
		r.InputWarnings = append(r.InputWarnings, rampart.InputWarning{File: "api.yaml", Line: i + 1, Problem: strings.Repeat("p", 150), Repair: "r"})
	}
	out := render(t, r, Options{})
	if n := strings.Count(out, "- `api.yaml:"); n != MaxWarnings || !strings.Contains(out, "- _20 more warnings in the full report._") {
		t.Errorf("%d warnings listed, want %d and a count of the rest:\n%s", n, MaxWarnings, out)
	}
	small := render(t, r, Options{MaxLen: 3000})
	n := strings.Count(small, "- `api.yaml:")
	if n >= MaxWarnings || !strings.Contains(small, fmt.Sprintf("- _%d more warnings in the full report._", 30-n)) || !strings.Contains(small, "</sub>") {
		t.Errorf("under a 3000-character cap, %d warnings listed:\n%s", n, small)
	}
}

func TestOperationsFound(t *testing.T) {
	out := render(t, sample.Report(), Options{})
	if !strings.Contains(out, " · 70% coverage · 4 operations: 2 from the spec, 1 from HAR traffic, 1 by probing common paths\n") {
		t.Errorf("no summary of how operations were found:\n%s", out[:600])
	}
	if !strings.Contains(out, "| Operation | Found | bola |") || !strings.Contains(out, "| `POST /notes` | HAR: traffic.har (3 requests) | ❓ |") {
		t.Errorf("the matrix has no Found column")
	}
	// Rows that do not say (older reports): no column, no count, no "unknown".
	old := render(t, sample.Uncovered(), Options{})
	if strings.Contains(old, "Found") || strings.Contains(old, "operations:") || strings.Contains(old, "unknown") {
		t.Errorf("a report without sources:\n%s", old)
	}
	// A hostile origin cannot split the row.
	r := sample.Report()
	r.Coverage.Operations[1].Origin = "a|b\n<img src=x> | x"
	for _, l := range strings.Split(render(t, r, Options{}), "\n") {
		if strings.HasPrefix(l, "| `GET /search`") {
			if n := unescapedPipes(l); n != 10 {
				t.Errorf("row has %d cell separators, want 10: %s", n, l)
			}
			if strings.Contains(l, "<img") {
				t.Errorf("markup in the row: %s", l)
			}
		}
	}
}
