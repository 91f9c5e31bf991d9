package scan

import (
	"fmt"
	"net/url"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/coverage"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/surface"
)

// coverageInput is what the coverage needs to know of the scan's choices:
// every check (the unselected ones get cells that say why), the selection,
// the mode and the excluded paths.
func coverageInput(selected []*check.Check, ops []*rampart.Operation, opt Options, client *engine.Client, base *url.URL) coverage.Input {
	in := coverage.Input{All: checks.All(), Selected: map[string]bool{}, Mode: opt.Mode, Ops: ops}
	for _, c := range selected {
		in.Selected[c.ID] = true
	}
	if len(opt.Exclude) > 0 {
		in.Excluded = func(op *rampart.Operation) bool { return client.Excluded(surface.URL(base, op, nil)) }
	}
	return in
}

// incompleteNote is the first note of a scan that tested less than half of
// what applied: it changes how the grade reads.
func incompleteNote(c *rampart.Coverage) string {
	s := fmt.Sprintf("incomplete: %d%% of the applicable operation × family cells were tested (%d of %d), so the grade is at best C", c.Percent, c.Tested, c.Applicable)
	if len(c.Reasons) > 0 {
		s += fmt.Sprintf("; most were not tested because: %s — %s", c.Reasons[0].Reason.Summary(), c.Reasons[0].Action)
	}
	return s
}
