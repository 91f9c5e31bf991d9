package text

import (
	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"github.com/rampart-sec/rampart/report/internal/found"
)

// maxWarnings is how many input warnings the report lists without -v: the
// first ones say the documents were sloppy; the rest are -v's and the JSON
// report's.
const maxWarnings = 3

// maxWarningText bounds one warning's line: a path or a problem can quote
// a key of the user's document, of any length.
const maxWarningText = 300

// inputWarnings lists what Rampart repaired in the documents it read, near
// the top: a scan of a repaired spec must say so before its findings.
func (p *printer) inputWarnings(ws []rampart.InputWarning) {
	if len(ws) == 0 {
		return
	}
	p.line()
	p.line(p.paint(sgrBoldYel, "Input warnings"), " (", plural(len(ws), "problem", "problems"),
		" in your documents, repaired instead of refused)")
	shown := ws
	if !p.opt.Verbose && len(shown) > maxWarnings {
		shown = shown[:maxWarnings]
	}
	// One line each, like a compiler's, even past the page width: a user
	// greps them and jumps to file:line.
	for _, w := range shown {
		p.line(indentFinding, "- ", clip.Runes(oneLine(w.String()), maxWarningText))
	}
	if n := len(ws) - len(shown); n > 0 {
		p.line(indentFinding, "  ", plural(n, "more", "more"), " (-v lists them all)")
	}
}

// operations lists, with -v, each operation and how it was found; rows of
// reports older than schema 1.4 say nothing.
func (p *printer) operations(c *rampart.Coverage) {
	if !p.opt.Verbose || found.Summary(c) == "" {
		return
	}
	p.line("Operations (how each was found)")
	opWidth := 0
	for _, op := range c.Operations {
		if op.Operation != "" {
			opWidth = max(opWidth, len(oneLine(op.Operation)))
		}
	}
	opWidth = min(opWidth, 40)
	for _, op := range c.Operations {
		if op.Operation == "" {
			continue
		}
		how := oneLine(found.Of(op))
		if how == "" {
			p.line(indentFinding, oneLine(op.Operation))
			continue
		}
		p.wrapped(indentFinding, padRight(oneLine(op.Operation), opWidth)+"  ", clip.Runes(how, maxWarningText))
	}
	p.line()
}

func padRight(s string, n int) string {
	for len(s) < n {
		s += " "
	}
	return s
}
