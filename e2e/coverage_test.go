package e2e

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// checkCoverage holds every scan of the testbed and the zoo to the
// coverage promise: each operation × applicable family has a state, and
// each one not tested says why, with a reason the user can act on. A unit
// that sent nothing and said nothing (unexplained) is a check that does not
// account for itself.
func checkCoverage(t *testing.T, name string, rep *rampart.Report) {
	t.Helper()
	c := rep.Coverage
	if c == nil {
		t.Errorf("%s: no coverage in the report", name)
		return
	}
	if len(c.Operations) == 0 || c.Operations[0].Operation != "" {
		t.Errorf("%s: coverage has no whole-API row first", name)
	}
	rows := 0
	for _, row := range c.Operations {
		if row.Operation != "" {
			rows++
		}
		for _, cell := range row.Cells {
			where := fmt.Sprintf("%s: %s × %s", name, cmp.Or(row.Operation, rampart.WholeAPI), cell.Family)
			if !slices.Contains([]rampart.CoverageState{rampart.CoverageProved, rampart.CoverageTested, rampart.CoverageNotTested, rampart.CoverageNotApplicable}, cell.State) {
				t.Errorf("%s: state %q", where, cell.State)
			}
			checks := cell.Checks
			if len(checks) == 0 {
				checks = []rampart.CheckCoverage{{Check: "(the family's checks)", State: cell.State, Reason: cell.Reason, Detail: cell.Detail}}
			}
			for _, cc := range checks {
				switch {
				case cc.State == rampart.CoverageNotTested && cc.Reason == rampart.ReasonUnexplained:
					t.Errorf("%s: %s sent nothing and said nothing (unexplained)", where, cc.Check)
				case cc.State == rampart.CoverageNotTested && (cc.Reason == "" || cc.Reason.Action() == ""):
					t.Errorf("%s: %s not tested without a reason", where, cc.Check)
				case cc.State == rampart.CoverageNotApplicable && cc.Detail == "":
					t.Errorf("%s: %s not applicable without saying why", where, cc.Check)
				}
			}
		}
	}
	if rows != rep.Operations {
		t.Errorf("%s: coverage has %d operation rows for %d operations", name, rows, rep.Operations)
	}
	t.Logf("%s: coverage %d%% (%d of %d cells)%s; %s", name, c.Percent, c.Tested, c.Applicable, map[bool]string{true: ", INCOMPLETE"}[c.Incomplete], reasonsLine(c))
}

func reasonsLine(c *rampart.Coverage) string {
	var parts []string
	for _, r := range c.Reasons {
		parts = append(parts, fmt.Sprintf("%s %d", r.Reason, r.Cells))
	}
	if len(parts) == 0 {
		return "every unit tested"
	}
	return "not tested: " + strings.Join(parts, ", ")
}
