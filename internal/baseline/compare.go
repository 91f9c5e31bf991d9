package baseline

import "github.com/rampart-sec/rampart"

// Diff is a run's findings against a baseline's, matched by ID as Apply
// matches them.
type Diff struct {
	New       []rampart.Finding // not in the baseline
	Unchanged []rampart.Finding // in both
	// Fixed are the baseline's findings the run no longer made.
	Fixed []rampart.Finding
}

// Compare splits findings (what a run reports) into new and unchanged
// against base, and lists base's findings that found (everything the run
// found, shown or not) no longer has: a finding a filter hid this time is
// not fixed. found may be nil to take findings itself.
func Compare(findings, found []rampart.Finding, base *rampart.Report) Diff {
	var d Diff
	if base == nil {
		d.New = findings
		return d
	}
	known := make(map[string]bool, len(base.Findings))
	for i := range base.Findings {
		known[id(&base.Findings[i])] = true
	}
	for i := range findings {
		if known[id(&findings[i])] {
			d.Unchanged = append(d.Unchanged, findings[i])
		} else {
			d.New = append(d.New, findings[i])
		}
	}
	if found == nil {
		found = findings
	}
	still := make(map[string]bool, len(found))
	for i := range found {
		still[id(&found[i])] = true
	}
	for i := range base.Findings {
		if !still[id(&base.Findings[i])] {
			d.Fixed = append(d.Fixed, base.Findings[i])
		}
	}
	return d
}
