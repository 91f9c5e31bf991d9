package scan

import (
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
