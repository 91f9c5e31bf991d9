// Package coverage turns what each unit of a scan (one check on one
// operation) said of itself into the report's coverage: an operations ×
// families matrix where every cell is proved, tested, not applicable, or
// not tested with a reason the user can act on.
package coverage

import (
	"fmt"
	"slices"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

// Target is the row of checks that look at the API as a whole.
const Target = ""

// maxExamples bounds the cells quoted per reason.
const maxExamples = 3

// Recorder collects the units' outcomes while a scan runs; safe for
// concurrent use.
type Recorder struct {
	mu    sync.Mutex
	units map[key]rampart.CheckCoverage
}

type key struct{ check, op string }

// cellKey is one reason on one cell, counted once.
type cellKey struct {
	op     string
	family rampart.Family
	reason rampart.Reason
}

// Record keeps what one unit ended as (check.Pass.Coverage). op is nil for a
// target-level check.
func (r *Recorder) Record(op *rampart.Operation, c rampart.CheckCoverage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.units == nil {
		r.units = map[key]rampart.CheckCoverage{}
	}
	r.units[key{c.Check, opKey(op)}] = c
}

func opKey(op *rampart.Operation) string {
	if op == nil {
		return Target
	}
	return op.Key()
}

// Input is what Build needs besides the recorded units.
type Input struct {
	// All is every check Rampart has, selected or not: a check the user
	// did not select, or the mode does not allow, still has cells, with
	// that reason.
	All []*check.Check
	// Selected holds the IDs of the checks the scan ran.
	Selected map[string]bool
	Mode     rampart.Mode
	Ops      []*rampart.Operation
	// Excluded reports an operation whose path --exclude refuses; nil:
	// none is.
	Excluded func(op *rampart.Operation) bool
	// Findings mark their operation's cell of their family proved, even
	// when a check found them while testing another unit.
	Findings []rampart.Finding
}

// Build makes the coverage of a scan.
func (r *Recorder) Build(in Input) *rampart.Coverage {
	r.mu.Lock()
	defer r.mu.Unlock()
	proved := map[key]bool{} // family, operation
	for _, f := range in.Findings {
		if f.Origin == "code" || !f.Location.IsHTTP() {
			continue
		}
		proved[key{string(f.Family), f.Location.Method + " " + f.Location.Path}] = true
		proved[key{f.Check, f.Location.Method + " " + f.Location.Path}] = true
	}
	cov := &rampart.Coverage{Operations: []rampart.OperationCoverage{}, Families: []rampart.FamilyCoverage{}}
	families := map[rampart.Family]*rampart.FamilyCoverage{}
	reasons := map[rampart.Reason]*rampart.ReasonCount{}
	counted := map[cellKey]bool{}
	row := func(op *rampart.Operation, cs []*check.Check) {
		k := opKey(op)
		byFamily := map[rampart.Family][]rampart.CheckCoverage{}
		var order []rampart.Family
		for _, c := range cs {
			cc := r.unitState(in, c, op)
			if cc.State != rampart.CoverageProved && (proved[key{c.ID, k}]) {
				cc = rampart.CheckCoverage{Check: c.ID, State: rampart.CoverageProved}
			}
			if _, seen := byFamily[c.Family]; !seen {
				order = append(order, c.Family)
			}
			byFamily[c.Family] = append(byFamily[c.Family], cc)
			if cc.State == rampart.CoverageNotTested {
				rc := reasons[cc.Reason]
				if rc == nil {
					rc = &rampart.ReasonCount{Reason: cc.Reason, Action: cc.Reason.Action()}
					reasons[cc.Reason] = rc
				}
				// A cell counts once per reason, however many of its
				// family's checks give it.
				if ck := (cellKey{k, c.Family, cc.Reason}); !counted[ck] {
					counted[ck] = true
					rc.Cells++
				}
				if len(rc.Examples) < maxExamples {
					rc.Examples = append(rc.Examples, example(c.ID, k, cc.Detail))
				}
			}
		}
		// An operation no check applies to still gets its row, empty:
		// the report says of every operation what was done there.
		oc := rampart.OperationCoverage{Operation: k, Cells: []rampart.CoverageCell{}}
		if op != nil {
			oc.Source, oc.Origin = op.Source, op.Origin
		}
		for _, fam := range order {
			cell := merge(fam, byFamily[fam])
			if cell.State != rampart.CoverageProved && proved[key{string(fam), k}] {
				cell.State, cell.Reason, cell.Detail = rampart.CoverageProved, "", ""
			}
			oc.Cells = append(oc.Cells, cell)
			fc := families[fam]
			if fc == nil {
				fc = &rampart.FamilyCoverage{Family: fam}
				families[fam] = fc
			}
			count(cov, fc, cell)
		}
		slices.SortStableFunc(oc.Cells, func(a, b rampart.CoverageCell) int { return familyOrder(a.Family) - familyOrder(b.Family) })
		cov.Operations = append(cov.Operations, oc)
	}
	var whole []*check.Check
	for _, c := range in.All {
		if !c.PerOperation() {
			whole = append(whole, c)
		}
	}
	row(nil, whole)
	for _, op := range in.Ops {
		var cs []*check.Check
		for _, c := range in.All {
			if c.PerOperation() && c.Applies(op) {
				cs = append(cs, c)
			}
		}
		row(op, cs)
	}
	for _, f := range rampart.Families {
		if fc := families[f]; fc != nil {
			cov.Families = append(cov.Families, *fc)
		}
	}
	for _, rs := range rampart.Reasons {
		if rc := reasons[rs]; rc != nil {
			cov.Reasons = append(cov.Reasons, *rc)
		}
	}
	// Most frequent first; the user's own choices after what the scan
	// could not do, since those are what need an answer.
	slices.SortStableFunc(cov.Reasons, func(a, b rampart.ReasonCount) int {
		if a.Reason.Chosen() != b.Reason.Chosen() {
			if a.Reason.Chosen() {
				return 1
			}
			return -1
		}
		return b.Cells - a.Cells
	})
	if cov.Applicable > 0 {
		cov.Percent = cov.Tested * 100 / cov.Applicable
	} else {
		cov.Percent = 100
	}
	cov.Incomplete = cov.Applicable > 0 && cov.Tested*100 < cov.Applicable*rampart.IncompleteBelow
	return cov
}

// unitState is one check's state on one operation: the user's choices
// first (the check not selected, the mode, the path excluded), then what
// the unit recorded; a unit that should have run and did not was stopped
// by an interrupted scan.
func (r *Recorder) unitState(in Input, c *check.Check, op *rampart.Operation) rampart.CheckCoverage {
	out := rampart.CheckCoverage{Check: c.ID, State: rampart.CoverageNotTested}
	switch {
	case !in.Selected[c.ID] && c.Mode > in.Mode:
		out.Reason = rampart.ReasonNeedsActive
		out.Detail = fmt.Sprintf("%s needs --mode %s", c.ID, c.Mode)
		return out
	case !in.Selected[c.ID]:
		out.Reason, out.Detail = rampart.ReasonExcluded, "not selected by --checks/--skip-checks"
		return out
	case op != nil && in.Excluded != nil && in.Excluded(op):
		out.Reason, out.Detail = rampart.ReasonExcluded, "path excluded by --exclude"
		return out
	}
	if u, ok := r.units[key{c.ID, opKey(op)}]; ok {
		return u
	}
	out.Reason = rampart.ReasonInterrupted
	return out
}

// merge is a family's cell from its checks: the strongest state, the
// reason of the first check that has it, and every check's own state when
// they differ.
func merge(f rampart.Family, cs []rampart.CheckCoverage) rampart.CoverageCell {
	best := cs[0]
	same := true
	for _, c := range cs[1:] {
		if c.State.Stronger(best.State) {
			best = c
		}
		if c.State != cs[0].State || c.Reason != cs[0].Reason {
			same = false
		}
	}
	cell := rampart.CoverageCell{Family: f, State: best.State, Reason: best.Reason, Detail: best.Detail}
	if !same {
		cell.Checks = cs
	}
	return cell
}

func count(cov *rampart.Coverage, fc *rampart.FamilyCoverage, cell rampart.CoverageCell) {
	switch cell.State {
	case rampart.CoverageProved:
		fc.Proved++
		cov.Tested++
		cov.Applicable++
	case rampart.CoverageTested:
		fc.Tested++
		cov.Tested++
		cov.Applicable++
	case rampart.CoverageNotTested:
		fc.NotTested++
		if chosen(cell) {
			fc.Chosen++
			return
		}
		cov.Applicable++
	default:
		fc.NotApplicable++
	}
}

// chosen reports whether a not-tested cell is so only by the user's choice.
func chosen(cell rampart.CoverageCell) bool {
	if len(cell.Checks) == 0 {
		return cell.Reason.Chosen()
	}
	for _, c := range cell.Checks {
		if c.State == rampart.CoverageNotTested && !c.Reason.Chosen() {
			return false
		}
	}
	return true
}

func example(check, op, detail string) string {
	where := op
	if where == Target {
		where = "the API as a whole"
	}
	s := check + " " + where
	if detail != "" {
		s += ": " + detail
	}
	return s
}

func familyOrder(f rampart.Family) int { return slices.Index(rampart.Families, f) }
