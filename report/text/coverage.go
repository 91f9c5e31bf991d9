package text

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
)

// maxReasons is how many reasons the summary explains; the JSON report and
// the HTML matrix have the rest.
const maxReasons = 3

// coverageField is the header line: the share tested, and INCOMPLETE next
// to the grade it caps.
func (p *printer) coverageField(c *rampart.Coverage) {
	if c == nil {
		return
	}
	v := fmt.Sprintf("%d%% tested (%d of %d operation × family cells)", c.Percent, c.Tested, c.Applicable)
	if c.Incomplete {
		v = p.paint(sgrBoldYel, "INCOMPLETE") + "  " + v
	}
	p.field("Coverage", v)
}

// coverage is the summary: one line per family, then why the rest was not
// tested, most cells first, with an example and what to do.
func (p *printer) coverage(c *rampart.Coverage) {
	if c == nil {
		return
	}
	head := fmt.Sprintf("Coverage (%d%% of %d applicable cells tested", c.Percent, c.Applicable)
	if c.Incomplete {
		head += fmt.Sprintf("; under %d%%, so the report is incomplete and the grade at best C", rampart.IncompleteBelow)
	}
	p.wrapped("", "", head+")")
	famWidth := 0
	for _, f := range c.Families {
		famWidth = max(famWidth, len(oneLine(string(f.Family))))
	}
	// By default a family tested wherever it applied takes a word, not a
	// line: the lines are for the families with something left to do.
	var whole []string
	for _, f := range c.Families {
		if !p.opt.Verbose && f.NotTested == 0 {
			whole = append(whole, oneLine(string(f.Family)))
			continue
		}
		p.line(indentFinding, fmt.Sprintf("%-*s  ", famWidth, oneLine(string(f.Family))), familyCounts(f))
	}
	if len(whole) > 0 {
		p.wrapped(indentFinding, "Tested wherever they apply: ", strings.Join(whole, ", "))
	}
	reasons := c.Reasons
	if len(reasons) > maxReasons {
		reasons = reasons[:maxReasons]
	}
	if len(reasons) > 0 {
		p.line(indentFinding, "Not tested:")
	}
	for _, r := range reasons {
		lead := r.Reason.Summary() + " (" + plural(r.Cells, "cell", "cells") + ")"
		if len(r.Examples) > 0 {
			lead += ", e.g. " + oneLine(r.Examples[0])
		}
		p.wrapped(indentBody, "- ", lead)
		p.wrapped(indentBody, "  → ", oneLine(r.Action))
	}
	if n := len(c.Reasons) - len(reasons); n > 0 {
		p.line(indentBody, plural(n, "more reason", "more reasons"), " in the JSON and HTML reports")
	}
	p.line()
}

// familyCounts is "1 proved · 2 tested · 1 not tested (1 by choice) · 1 n/a",
// leaving out the states the family has none of.
func familyCounts(f rampart.FamilyCoverage) string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+what)
		}
	}
	add(f.Proved, "proved")
	add(f.Tested, "tested")
	if f.NotTested > 0 {
		s := strconv.Itoa(f.NotTested) + " not tested"
		if f.Chosen > 0 {
			s += " (" + strconv.Itoa(f.Chosen) + " by choice)"
		}
		parts = append(parts, s)
	}
	add(f.NotApplicable, "not applicable")
	if len(parts) == 0 {
		return "nothing applicable"
	}
	return strings.Join(parts, " · ")
}
