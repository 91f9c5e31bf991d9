package sarif

import (
	"fmt"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"strings"

	"github.com/rampart-sec/rampart"
)

// MaxExample is how much of an example the log quotes: a detail can carry
// the API's own validation message, of any length. The JSON report keeps
// all of it.
const MaxExample = 300

// coverageProperties is the run's coverage for tools that read SARIF
// properties: the percentage, whether the scan is incomplete, the cells of
// each family by state, and each reason with its action. The matrix itself
// stays in the JSON report: a SARIF viewer shows none of it.
func coverageProperties(c *rampart.Coverage) map[string]any {
	fams := make([]map[string]any, 0, len(c.Families))
	for _, f := range c.Families {
		m := map[string]any{
			"family":        oneLine(string(f.Family)),
			"proved":        f.Proved,
			"tested":        f.Tested,
			"notTested":     f.NotTested,
			"notApplicable": f.NotApplicable,
		}
		if f.Chosen > 0 {
			m["chosen"] = f.Chosen
		}
		fams = append(fams, m)
	}
	reasons := make([]map[string]any, 0, len(c.Reasons))
	for _, r := range c.Reasons {
		m := map[string]any{
			"reason":  oneLine(string(r.Reason)),
			"cells":   r.Cells,
			"summary": r.Reason.Summary(),
			"action":  oneLine(r.Action),
			"chosen":  r.Reason.Chosen(),
		}
		if len(r.Examples) > 0 {
			ex := make([]string, 0, len(r.Examples))
			for _, e := range r.Examples {
				ex = append(ex, clip.Runes(oneLine(e), MaxExample))
			}
			m["examples"] = ex
		}
		reasons = append(reasons, m)
	}
	return map[string]any{
		"percent":    c.Percent,
		"tested":     c.Tested,
		"applicable": c.Applicable,
		"incomplete": c.Incomplete,
		"families":   fams,
		"reasons":    reasons,
	}
}

// coverageNotifications says, once per reason, how many cells the scan
// could not test and what to do about it. What the user chose not to test
// (a mode, a check selection, an excluded path) is configuration and a
// note; what the scan could not do is a warning about its execution.
func coverageNotifications(c *rampart.Coverage) (execution, configuration []notification) {
	for _, r := range c.Reasons {
		cells, them := "cells", "them"
		if r.Cells == 1 {
			cells, them = "cell", "it"
		}
		msg := fmt.Sprintf("Coverage: %d operation × family %s not tested: %s.", r.Cells, cells, r.Reason.Summary())
		if a := oneLine(r.Action); a != "" {
			msg += " To test " + them + ": " + strings.TrimSuffix(a, ".") + "."
		}
		if len(r.Examples) > 0 {
			msg += " For example " + clip.Runes(oneLine(r.Examples[0]), MaxExample) + "."
		}
		n := notification{
			Level:      "warning",
			Message:    text{Text: msg},
			Properties: map[string]any{"reason": oneLine(string(r.Reason)), "cells": r.Cells},
		}
		if r.Reason.Chosen() {
			n.Level = "note"
			configuration = append(configuration, n)
			continue
		}
		execution = append(execution, n)
	}
	return execution, configuration
}
