package junit

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

// A family that could not test some operations is a skipped test case
// whose message says how many and why; its output lists the operations and
// what to do. A family that tested everything it applies to passes.
func TestCoverageCases(t *testing.T) {
	doc := parse(t, render(t, sample.Uncovered(), Options{FailOn: rampart.High}))
	cases := map[string]testcase{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Classname == CoverageClass {
				if c.Name != s.Name {
					t.Errorf("coverage case %s is in suite %s", c.Name, s.Name)
				}
				cases[c.Name] = c
			}
		}
	}
	if len(cases) != 3 {
		t.Fatalf("%d coverage cases, want one per family (3): %v", len(cases), cases)
	}
	tests := []struct {
		family  string
		skipped string // the message, or "" for a pass
		out     []string
	}{
		{"bola", "2 of 2 operations not tested: needs an identity (2)", []string{
			"0 of 2 operations tested (0 proved, 0 clean).",
			"Not tested, needs an identity: add identities: --identity 'alice:user=Authorization: Bearer …'",
			"  GET /orders/{id}: needs a user-role identity\n  POST /orders: needs a user-role identity",
		}},
		{"sqli", "1 of 2 operations not tested: request body rejected (1)", []string{
			"1 of 2 operations tested (0 proved, 1 clean).",
			"  POST /orders: the API answered 422: field required: items",
		}},
		{"headers", "", []string{"1 of 1 operations tested (0 proved, 1 clean)."}},
	}
	for _, tt := range tests {
		c := cases[tt.family]
		switch {
		case tt.skipped == "" && c.Skipped != nil:
			t.Errorf("%s: skipped (%s), want a pass", tt.family, c.Skipped.Message)
		case tt.skipped != "" && (c.Skipped == nil || c.Skipped.Message != tt.skipped):
			t.Errorf("%s: skipped %+v, want %q", tt.family, c.Skipped, tt.skipped)
		}
		if c.SystemOut == nil {
			t.Errorf("%s: no output", tt.family)
			continue
		}
		for _, w := range tt.out {
			if !strings.Contains(c.SystemOut.Text, w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.family, w, c.SystemOut.Text)
			}
		}
	}
	// The user's own choice says so.
	doc = parse(t, render(t, sample.Report(), Options{FailOn: rampart.High}))
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Classname == CoverageClass && c.Name == "rate-limit" {
				if c.Skipped == nil || c.Skipped.Message != "1 of 1 operations not tested: needs --mode active (1), your choice" {
					t.Errorf("rate-limit: %+v", c.Skipped)
				}
			}
		}
	}
	// A report without coverage (white-box) has no coverage case.
	for _, s := range parse(t, render(t, sample.Empty(), Options{})).Suites {
		for _, c := range s.Cases {
			if c.Classname == CoverageClass {
				t.Errorf("coverage case without coverage: %+v", c)
			}
		}
	}
}

func TestCoverageLongDetail(t *testing.T) {
	r := sample.Uncovered()
	r.Coverage.Operations[2].Cells[1].Detail = "the API answered 422: " + strings.Repeat("x", 100_000)
	out := string(render(t, r, Options{}))
	if len(out) > 20_000 || !strings.Contains(out, "xxx…\n") {
		t.Errorf("detail not cut (%d bytes)", len(out))
	}
}
