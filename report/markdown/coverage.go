package markdown

import (
	"cmp"
	"fmt"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"github.com/rampart-sec/rampart/report/internal/found"
	"strings"

	"github.com/rampart-sec/rampart"
)

// MaxMatrixRows is how many operations the coverage matrix shows. A larger
// API shows the first operations that were not fully tested; the JSON and
// HTML reports have the whole matrix.
const MaxMatrixRows = 50

// MaxExample is how much of an example the summary quotes: a detail can
// carry the API's own validation message, of any length.
const MaxExample = 200

// Symbols of the matrix, one per state; a not-tested cell the user chose
// (mode, --checks, --exclude) has its own.
var symbol = map[rampart.CoverageState]string{
	rampart.CoverageProved:        "❗",
	rampart.CoverageTested:        "✅",
	rampart.CoverageNotTested:     "❓",
	rampart.CoverageNotApplicable: "➖",
}

const chosenSymbol = "⏭️"

const legend = "❗ proved (a finding) · ✅ tested, nothing found · ❓ not tested (see the reasons) · ⏭️ not tested by your choice · ➖ not applicable · blank: no check of the family looks at it"

// incompleteBanner goes under the grade: a scan that tested less than half
// of what applied cannot vouch for the API.
func incompleteBanner(c *rampart.Coverage) string {
	if c == nil || !c.Incomplete {
		return ""
	}
	return fmt.Sprintf("> ⚠️ **INCOMPLETE: only %d%% of the applicable operation × family cells were tested (%d of %d), so the grade is at best C.** The coverage section says why and what to do.\n\n",
		c.Percent, c.Tested, c.Applicable)
}

// coverageSummary is the percentage, one table row per family and the
// reasons with what to do about each. Its size is bounded by the number of
// families and reasons, not by the API's.
func coverageSummary(c *rampart.Coverage) string {
	if c == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#### Coverage: %d%% tested (%d of %d applicable operation × family cells)\n\n", c.Percent, c.Tested, c.Applicable)
	if len(c.Families) > 0 {
		b.WriteString("| Family | Proved | Tested | Not tested | Not applicable |\n|---|--:|--:|--:|--:|\n")
		for _, f := range familiesInOrder(c) {
			nt := fmt.Sprint(f.NotTested)
			if f.Chosen > 0 {
				nt += fmt.Sprintf(" (%d by choice)", f.Chosen)
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %s | %d |\n", cell(string(f.Family)), f.Proved, f.Tested, nt, f.NotApplicable)
		}
		b.WriteString("\n")
	}
	if len(c.Reasons) > 0 {
		b.WriteString("Not tested, and what to do:\n")
		for _, r := range c.Reasons {
			line := fmt.Sprintf("- **%s** (%s", text(r.Reason.Summary()), plural(r.Cells, "cell"))
			if r.Reason.Chosen() {
				line += ", your choice"
			}
			line += "): " + text(oneLine(cmp.Or(r.Action, r.Reason.Action())))
			if len(r.Examples) > 0 {
				line += " — e.g. " + text(clip.Runes(oneLine(r.Examples[0]), MaxExample))
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// coverageMatrix is the operations × families matrix in a collapsed block,
// a symbol per cell. Over MaxMatrixRows operations it keeps the first ones
// with a cell not tested, and says how many it left out.
func coverageMatrix(c *rampart.Coverage) string {
	if c == nil || len(c.Operations) == 0 {
		return ""
	}
	fams := c.FamiliesCovered()
	rows := c.Rows()
	left := 0
	if len(rows) > MaxMatrixRows {
		var keep []rampart.OperationCoverage
		for _, op := range rows {
			if len(keep) < MaxMatrixRows && !allTested(op) {
				keep = append(keep, op)
			}
		}
		left = len(rows) - len(keep)
		rows = keep
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<details>\n<summary>Coverage matrix: %s × %s</summary>\n\n", plural(len(c.Operations), "operation"), families(len(fams)))
	b.WriteString(legend + "\n\n")
	// How each operation was found, when the report says (schema 1.4).
	sourced := found.Summary(c) != ""
	b.WriteString("| Operation |")
	if sourced {
		b.WriteString(" Found |")
	}
	for _, f := range fams {
		b.WriteString(" " + cell(string(f)) + " |")
	}
	b.WriteString("\n|---|")
	if sourced {
		b.WriteString("---|")
	}
	b.WriteString(strings.Repeat(":-:|", len(fams)) + "\n")
	for _, op := range rows {
		name := text(rampart.WholeAPI)
		if op.Operation != "" {
			name = code(oneLine(op.Operation), true)
		}
		b.WriteString("| " + name + " |")
		if sourced {
			b.WriteString(" " + foundCell(op) + " |")
		}
		for _, f := range fams {
			b.WriteString(" " + cellSymbol(op, f) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if left > 0 {
		which := fmt.Sprintf("the first %d", len(rows))
		if len(rows) < MaxMatrixRows {
			which = fmt.Sprintf("the %d", len(rows))
		}
		fmt.Fprintf(&b, "_%s left out: %s with a cell not tested are shown; the JSON and HTML reports have the whole matrix._\n\n",
			plural(left, "operation"), which)
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

func families(n int) string {
	if n == 1 {
		return "1 family"
	}
	return fmt.Sprintf("%d families", n)
}

// familiesInOrder is the family counts in the matrix's column order.
func familiesInOrder(c *rampart.Coverage) []rampart.FamilyCoverage {
	out := make([]rampart.FamilyCoverage, 0, len(c.Families))
	for _, f := range c.FamiliesCovered() {
		for _, fc := range c.Families {
			if fc.Family == f {
				out = append(out, fc)
				break
			}
		}
	}
	return out
}

// allTested reports whether every cell of an operation that applies was
// proved or tested.
func allTested(op rampart.OperationCoverage) bool {
	for _, c := range op.Cells {
		if c.State == rampart.CoverageNotTested {
			return false
		}
	}
	return true
}

func cellSymbol(op rampart.OperationCoverage, f rampart.Family) string {
	for _, c := range op.Cells {
		if c.Family != f {
			continue
		}
		if c.State == rampart.CoverageNotTested && c.Reason.Chosen() {
			return chosenSymbol
		}
		if s, ok := symbol[c.State]; ok {
			return s
		}
		return "?"
	}
	return ""
}
