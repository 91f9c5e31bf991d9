package html

import (
	"cmp"
	"strconv"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"github.com/rampart-sec/rampart/report/internal/found"
)

// warningView is one input warning: a problem Rampart repaired in a
// document the user gave it.
type warningView struct {
	Where   string // file:line
	Path    string // where in the document
	Problem string
	Repair  string
}

// sourceOption is one source of the matrix's "found" filter.
type sourceOption struct {
	Source, Label string
	N             int
}

func warningsOf(ws []rampart.InputWarning) []warningView {
	var out []warningView
	for _, w := range ws {
		where := oneLine(w.File)
		if w.Line > 0 {
			where += ":" + strconv.Itoa(w.Line)
		}
		out = append(out, warningView{
			Where:   clip.Runes(where, MaxDetail),
			Path:    clip.Runes(oneLine(w.Path), MaxDetail),
			Problem: clip.Runes(oneLine(w.Problem), MaxDetail),
			Repair:  clip.Runes(oneLine(w.Repair), MaxDetail),
		})
	}
	return out
}

// sourceOptions are the sources of the matrix's operations, for the
// filter; none for a report whose rows do not say (older than 1.4).
func sourceOptions(c *rampart.Coverage) []sourceOption {
	var out []sourceOption
	for _, k := range found.Counts(c) {
		out = append(out, sourceOption{Source: oneLine(k.Source), Label: cmp.Or(oneLine(found.Phrase(k.Source)), "?"), N: k.N})
	}
	return out
}

// foundOf fills a matrix row's "found" cell.
func foundOf(row *rowView, op rampart.OperationCoverage) {
	if op.Operation == "" || oneLine(op.Source) == "" {
		return
	}
	row.Source = oneLine(op.Source)
	row.Found = oneLine(found.Label(row.Source))
	row.Origin = clip.Runes(oneLine(op.Origin), MaxDetail)
	row.FoundTitle = clip.Runes(oneLine(found.Of(op)), MaxDetail)
}
