package markdown

import (
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"github.com/rampart-sec/rampart/report/internal/found"
)

// MaxWarnings is how many input warnings the comment lists; the header is
// never cut for findings, so its size must not grow with the documents'.
const MaxWarnings = 10

// MaxFound is how much of an operation's origin the matrix quotes.
const MaxFound = 80

// inputWarnings lists what Rampart repaired in the documents it read, under
// the header: a scan of a repaired spec says so before its findings. The
// block stays within limit characters (and MaxWarnings lines), so that a
// sloppy document leaves the findings their room.
func inputWarnings(ws []rampart.InputWarning, limit int) string {
	if len(ws) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("**⚠️ Input warnings:** " + plural(len(ws), "problem") + " in your documents, repaired instead of refused:\n")
	const moreReserve = 60 // the line that says how many are left out
	for i, w := range ws {
		line := warningLine(w)
		if i == MaxWarnings || runes(b.String())+runes(line)+moreReserve > limit {
			b.WriteString("- _" + plural(len(ws)-i, "more warning") + " in the full report._\n")
			break
		}
		b.WriteString(line)
	}
	b.WriteString("\n")
	return b.String()
}

// warningLine is one warning as a list item: its place as code, its
// problem and repair as escaped text.
func warningLine(w rampart.InputWarning) string {
	loc := oneLine(w.File)
	if w.Line > 0 {
		loc += ":" + strconv.Itoa(w.Line)
	}
	line := "- " + code(clip.Runes(loc, MaxExample), false)
	if p := clip.Runes(oneLine(w.Path), MaxExample); p != "" {
		line += " " + code(p, false)
	}
	line += ": " + text(clip.Runes(oneLine(w.Problem), MaxExample))
	if r := clip.Runes(oneLine(w.Repair), MaxExample); r != "" {
		line += " → " + text(r)
	}
	return line + "\n"
}

// operationsFact is "4 operations: 2 from the spec, 1 from HAR traffic", or
// "" when the report does not say how they were found.
func operationsFact(r *rampart.Report) string {
	sum := found.Summary(r.Coverage)
	if sum == "" {
		return ""
	}
	return plural(r.Operations, "operation") + ": " + text(oneLine(sum))
}

// foundCell is how an operation was found, for the matrix's Found column.
func foundCell(op rampart.OperationCoverage) string {
	return cell(clip.Runes(oneLine(found.Of(op)), MaxFound))
}
