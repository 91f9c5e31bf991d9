package markdown

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

func TestCoverage(t *testing.T) {
	out := render(t, sample.Uncovered(), Options{})
	for _, want := range []string{
		// Under the grade, before anything else.
		"### 🛡️ Rampart · grade C · 79/100\n\n> ⚠️ **INCOMPLETE: only 40% of the applicable operation × family cells were tested (2 of 5), so the grade is at best C.**",
		"· 40% coverage\n",
		"#### Coverage: 40% tested (2 of 5 applicable operation × family cells)",
		"| sqli | 0 | 1 | 1 | 0 |",
		"- **request body rejected** (1 cell): add a valid example request body to the spec",
		"e.g. SQLI-001 POST /orders: the API answered 422: field required: items",
		"<summary>Coverage matrix: 3 operations × 3 families</summary>",
		"❓ not tested (see the reasons)",
		"| Operation | bola | sqli | headers |\n|---|:-:|:-:|:-:|\n| (whole API) |  |  | ✅ |\n| `GET /orders/{id}` | ❓ | ✅ |  |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	full := render(t, sample.Report(), Options{})
	for _, want := range []string{
		"| `GET /notes/{id}` | spec: api.yaml | ❗ | ✅ |  | ❓ | ➖ |  |  |", // proved, tested, not tested, not applicable
		"| `POST /login` | probe: common path |  |  |  |  |  |  | ⏭️ |",   // the user's choice
		"| mass-assignment | 0 | 0 | 1 (1 by choice) | 0 |",
		"- **needs --mode active** (2 cells, your choice):",
	} {
		if !strings.Contains(full, want) {
			t.Errorf("lacks %q", want)
		}
	}
	if strings.Contains(full, "INCOMPLETE") {
		t.Errorf("a 70%% scan is called incomplete")
	}
	// The summary comes after the findings and before the footer.
	if i, j, k := strings.Index(full, "| Severity |"), strings.Index(full, "#### Coverage"), strings.Index(full, "⚠️ 1 check could not run"); !(i < j && j < k) {
		t.Errorf("order: findings %d, coverage %d, errors %d", i, j, k)
	}
	if out := render(t, sample.Empty(), Options{}); strings.Contains(out, "Coverage") || strings.Contains(out, "coverage") {
		t.Errorf("coverage section without coverage")
	}
}

// large is a report whose API has n operations, every third one with a
// family not tested.
func large(n int) *rampart.Report {
	r := sample.Uncovered()
	c := r.Coverage
	c.Operations = c.Operations[:1]
	for i := range n {
		st := rampart.CoverageTested
		var reason rampart.Reason
		if i%3 == 0 {
			st, reason = rampart.CoverageNotTested, rampart.ReasonNoValues
		}
		c.Operations = append(c.Operations, rampart.OperationCoverage{
			Operation: fmt.Sprintf("GET /r%04d/{id}", i),
			Cells:     []rampart.CoverageCell{{Family: rampart.FamilyBOLA, State: st, Reason: reason}},
		})
	}
	return r
}

func matrixRows(out string) []string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| `GET /r") || strings.HasPrefix(l, "| (whole API)") {
			rows = append(rows, l)
		}
	}
	return rows
}

func TestCoverageMatrixIsCut(t *testing.T) {
	tests := []struct {
		n, rows int
		note    string
	}{
		{MaxMatrixRows - 1, MaxMatrixRows, ""}, // with the whole-API row: all shown
		// One row too many: only those with a cell not tested (every third) stay.
		{MaxMatrixRows, 17, "34 operations left out: the 17 with a cell not tested are shown"},
		{600, MaxMatrixRows, "551 operations left out: the first 50 with a cell not tested are shown"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			out := render(t, large(tt.n), Options{})
			rows := matrixRows(out)
			if len(rows) != tt.rows {
				t.Errorf("%d matrix rows, want %d", len(rows), tt.rows)
			}
			if tt.note == "" {
				if strings.Contains(out, "left out") {
					t.Errorf("says rows were left out when none were")
				}
				return
			}
			if !strings.Contains(out, tt.note) {
				t.Errorf("no note %q", tt.note)
			}
			for _, r := range rows {
				if !strings.Contains(r, "❓") {
					t.Errorf("a fully tested row was kept over one that was not: %s", r)
				}
			}
		})
	}
	// A comment too small for the matrix says where it is, and keeps the summary.
	out := render(t, large(600), Options{MaxLen: 4000})
	if len(matrixRows(out)) != 0 || !strings.Contains(out, "does not fit in this comment") || !strings.Contains(out, "#### Coverage: 40%") {
		t.Errorf("small cap:\n%s", out)
	}
}

func TestCoverageHostile(t *testing.T) {
	r := sample.Uncovered()
	c := r.Coverage
	c.Operations[1].Operation = "GET /a|b/<script>alert(1)</script>/`x`"
	c.Families[0].Family = rampart.Family("bola|<img src=x onerror=alert(1)>")
	c.Operations[1].Cells[0].Family = c.Families[0].Family
	c.Reasons[0].Examples = []string{"BOLA-001 GET /x: [click](javascript:alert(1)) @octocat | <iframe>"}
	out := render(t, r, Options{})
	// The operation is a code span, where GitHub renders markup as text.
	span := "`` GET /a\\|b/<script>alert(1)</script>/`x` ``"
	if !strings.Contains(out, "| "+span+" |") {
		t.Errorf("the operation is not one code span %s:\n%s", span, out)
	}
	out = strings.ReplaceAll(out, span, "OP")
	for _, bad := range []string{"<script", "<img", "<iframe", "](javascript:", "@octocat"} {
		if unescaped(out, bad) {
			t.Errorf("hostile %q survived:\n%s", bad, out)
		}
	}
	// Every matrix row keeps its columns: operation + 3 families.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| `GET") || strings.HasPrefix(l, "| (whole") || strings.HasPrefix(l, "| Operation") {
			if n := unescapedPipes(l); n != 5 {
				t.Errorf("matrix row has %d separators, want 5: %s", n, l)
			}
		}
	}
}

// A detail can be the API's whole validation message: the comment quotes
// the start of it.
func TestCoverageLongExample(t *testing.T) {
	r := sample.Uncovered()
	r.Coverage.Reasons[1].Examples = []string{"SQLI-001 POST /orders: " + strings.Repeat("x", 100_000)}
	out := render(t, r, Options{})
	if len(out) > 10_000 || !strings.Contains(out, strings.Repeat("x", MaxExample-len("SQLI-001 POST /orders: "))+"…") {
		t.Errorf("example not cut (%d bytes)", len(out))
	}
}
