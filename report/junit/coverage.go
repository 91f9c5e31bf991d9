package junit

import (
	"cmp"
	"fmt"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
)

// CoverageClass is the classname of the test case that says what a family
// tested: one per family, named after it, in the family's suite.
const CoverageClass = "coverage"

// MaxDetail is how much of a cell's detail the output quotes: a detail can
// carry the API's own validation message, of any length, on every
// operation. The JSON report keeps all of it.
const MaxDetail = 500

// notTested is one cell a family could not test: the operation and the
// reason in its own terms.
type notTested struct{ where, detail string }

// coverageCases is one test case per family of the coverage: it passes
// when every operation the family applies to was tested, and is skipped
// otherwise, with why in the message, so that a CI dashboard shows what
// the scan could not test next to what it found.
func coverageCases(c *rampart.Coverage) map[string]testcase {
	// Counted from the cells, so that the message and the list agree.
	type counts struct{ proved, tested, notTested, notApplicable int }
	byFamily := map[rampart.Family]map[rampart.Reason][]notTested{}
	count := map[rampart.Family]*counts{}
	for _, op := range c.Operations {
		where := cmp.Or(oneLine(op.Operation), rampart.WholeAPI)
		for _, cell := range op.Cells {
			n := count[cell.Family]
			if n == nil {
				n = &counts{}
				count[cell.Family] = n
			}
			switch cell.State {
			case rampart.CoverageProved:
				n.proved++
			case rampart.CoverageTested:
				n.tested++
			case rampart.CoverageNotTested:
				n.notTested++
			default:
				n.notApplicable++
			}
			if cell.State != rampart.CoverageNotTested {
				continue
			}
			m := byFamily[cell.Family]
			if m == nil {
				m = map[rampart.Reason][]notTested{}
				byFamily[cell.Family] = m
			}
			m[cell.Reason] = append(m[cell.Reason], notTested{where, clip.Runes(oneLine(cell.Detail), MaxDetail)})
		}
	}
	out := map[string]testcase{}
	for _, fam := range c.FamiliesCovered() {
		f := count[fam]
		if f == nil {
			f = &counts{}
		}
		name := cmp.Or(oneLine(string(fam)), "other")
		applicable := f.proved + f.tested + f.notTested
		tc := testcase{Classname: CoverageClass, Name: name, Time: "0", sortKey: "4"}
		var b strings.Builder
		fmt.Fprintf(&b, "%d of %d operations tested (%d proved, %d clean)", f.proved+f.tested, applicable, f.proved, f.tested)
		if f.notApplicable > 0 {
			fmt.Fprintf(&b, "; not applicable on %d", f.notApplicable)
		}
		b.WriteString(".\n")
		if f.notTested > 0 {
			reasons := byFamily[fam]
			var parts []string
			for _, r := range orderedReasons(reasons) {
				cells := reasons[r]
				part := fmt.Sprintf("%s (%d)", r.Summary(), len(cells))
				if r.Chosen() {
					part += ", your choice"
				}
				parts = append(parts, part)
				fmt.Fprintf(&b, "\nNot tested, %s: %s\n", r.Summary(), r.Action())
				for _, nt := range cells {
					line := "  " + nt.where
					if nt.detail != "" {
						line += ": " + nt.detail
					}
					b.WriteString(line + "\n")
				}
			}
			tc.Skipped = &skipped{Message: fmt.Sprintf("%d of %d operations not tested: %s", f.notTested, applicable, strings.Join(parts, "; "))}
		}
		tc.SystemOut = text(b.String())
		out[name] = tc
	}
	return out
}

// orderedReasons is the reasons in the order reports explain them, then
// any the report names that this version does not know.
func orderedReasons(m map[rampart.Reason][]notTested) []rampart.Reason {
	var out []rampart.Reason
	for _, r := range rampart.Reasons {
		if _, ok := m[r]; ok {
			out = append(out, r)
		}
	}
	var rest []rampart.Reason
	for r := range m {
		if !slices.Contains(rampart.Reasons, r) {
			rest = append(rest, r)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}
