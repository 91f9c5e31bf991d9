// Package triage is the step every run ends with, black-box or white-box:
// it drops the findings below the confidence the user asked for, sets
// aside those the config's ignore list accepts and those a baseline
// already had, adds the stack's advice to the rest, sorts and scores them.
// `rampart scan` (scan.Run) and `rampart code` (scan.Code) both call
// Apply, so one setting means the same thing on both.
//
// The grade describes the application, not the list: findings set aside
// by an ignore or a baseline still count in it, findings below
// MinConfidence do not.
package triage

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/advice"
	"github.com/rampart-sec/rampart/internal/baseline"
	"github.com/rampart-sec/rampart/internal/score"
)

// Settings are what the user asked of the report.
type Settings struct {
	// MinConfidence drops findings below it (--min-confidence).
	MinConfidence rampart.Confidence
	// Ignores are the config's ignore list.
	Ignores []baseline.Ignore
	// Baseline is an earlier report (--baseline): only the findings it did
	// not have are reported. BaselineName names it in notes.
	Baseline     *rampart.Report
	BaselineName string
	// Now decides which ignores have expired; zero is the current time.
	Now time.Time
	// OnNote sees each note as it is added to the report.
	OnNote func(string)
}

// Validate checks the ignore list, so that a run can refuse it before it
// starts rather than after.
func (s Settings) Validate() error {
	for i, ig := range s.Ignores {
		if err := ig.Validate(); err != nil {
			return fmt.Errorf("ignore[%d]: %w", i, err)
		}
	}
	return nil
}

// fixedListed is how many fixed findings a note names before it counts.
const fixedListed = 5

// Apply filters, suppresses, advises, sorts and scores rep's findings,
// and notes what it left out. The score is capped as the report says it
// must be: at C when its coverage is incomplete or the target's health is
// not ok. It fails only on an invalid ignore, and then changes nothing.
func Apply(rep *rampart.Report, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	now := s.Now
	if now.IsZero() {
		now = time.Now()
	}
	found := slices.Clone(rep.Findings)
	rep.Findings = slices.DeleteFunc(rep.Findings, func(f rampart.Finding) bool { return f.Confidence < s.MinConfidence })
	counted := slices.Clone(rep.Findings)
	if len(s.Ignores) > 0 {
		res, err := baseline.ApplyIgnores(rep, s.Ignores, now)
		if err != nil {
			return err
		}
		if res.Suppressed > 0 {
			note(rep, s, fmt.Sprintf("%d findings suppressed by the config's ignore list; the grade still counts them", res.Suppressed))
		}
		for _, ig := range res.Expired {
			note(rep, s, "expired ignore no longer applies: "+ig.String())
		}
		for _, ig := range res.Unused {
			note(rep, s, "unused ignore (matched no finding): "+ig.String())
		}
	}
	if s.Baseline != nil {
		d := baseline.Compare(rep.Findings, found, s.Baseline)
		rep.Findings = d.New
		note(rep, s, baselineNote(d, s.BaselineName))
	}
	if rep.Findings == nil {
		rep.Findings = []rampart.Finding{}
	}
	advice.Apply(rep.Findings, rep.Fingerprint)
	slices.SortStableFunc(rep.Findings, rampart.CompareFindings)
	res := score.Score(counted)
	if rep.Coverage != nil && rep.Coverage.Incomplete {
		// Every writer says INCOMPLETE by the grade, with the reasons.
		res = score.Capped(res, score.CeilingIncomplete)
	}
	if rep.Health != nil && rep.Health.Verdict != rampart.HealthOK {
		res = score.Capped(res, score.CeilingUnhealthy)
	}
	rep.Score, rep.Grade, rep.Categories = res.Score, res.Grade, res.Categories
	return nil
}

// baselineNote says what changed since the baseline: how many findings
// are new, which were fixed, and how many were suppressed as unchanged.
func baselineNote(d baseline.Diff, name string) string {
	var fixed string
	if len(d.Fixed) > 0 {
		var names []string
		for _, f := range d.Fixed[:min(len(d.Fixed), fixedListed)] {
			names = append(names, where(f))
		}
		if len(d.Fixed) > fixedListed {
			names = append(names, fmt.Sprintf("%d more", len(d.Fixed)-fixedListed))
		}
		fixed = " (" + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf("%d findings suppressed by the baseline %s as unchanged; the grade still counts them. Since it: %d new, %d fixed%s",
		len(d.Unchanged), name, len(d.New), len(d.Fixed), fixed)
}

// where names a finding in a note by its check and location, never by
// its content: "PY-SQLI-001 app.py:17", "SQLI-001 GET /search".
func where(f rampart.Finding) string {
	l := f.Location
	switch {
	case l.File != "" && l.Line > 0:
		return fmt.Sprintf("%s %s:%d", f.Check, l.File, l.Line)
	case l.File != "":
		return f.Check + " " + l.File
	case l.Path != "" && l.Method != "":
		return f.Check + " " + l.Method + " " + l.Path
	case l.Path != "":
		return f.Check + " " + l.Path
	}
	return f.Check
}

func note(rep *rampart.Report, s Settings, msg string) {
	rep.Notes = append(rep.Notes, msg)
	if s.OnNote != nil {
		s.OnNote(msg)
	}
}
