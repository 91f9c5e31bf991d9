package junit

import (
	"fmt"
	"strconv"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"github.com/rampart-sec/rampart/report/internal/found"
)

// InputCase is the name of the test case, in the "rampart" suite, that
// lists the input warnings: it passes (the documents were read), and its
// <system-out> says what was repaired, where a CI viewer shows it.
const InputCase = "input"

// MaxWarningText bounds one warning's line: a path or a problem can quote
// a key of the user's document, of any length.
const MaxWarningText = 500

// inputCase is the passing test case of the input warnings, or nil when
// the documents needed no repair.
func inputCase(ws []rampart.InputWarning) *testcase {
	if len(ws) == 0 {
		return nil
	}
	out := fmt.Sprintf("%d problem%s in your documents, repaired instead of refused:\n", len(ws), plural(len(ws)))
	for _, w := range ws {
		out += "  " + clip.Runes(oneLine(w.String()), MaxWarningText) + "\n"
	}
	return &testcase{Classname: "rampart", Name: InputCase, Time: "0", SystemOut: text(out)}
}

// foundProps are the properties that say how the operations were found:
// the count per source, then each operation's source and origin. None for
// a report whose rows do not say (older than schema 1.4).
func foundProps(c *rampart.Coverage) []property {
	counts := found.Counts(c)
	if len(counts) == 0 {
		return nil
	}
	p := []property{{Name: "operations-found", Value: oneLine(found.Summary(c))}}
	for _, k := range counts {
		p = append(p, property{Name: "operations-" + oneLine(k.Source), Value: strconv.Itoa(k.N)})
	}
	for _, op := range c.Operations {
		if how := found.Of(op); op.Operation != "" && how != "" {
			p = append(p, property{Name: "found " + oneLine(op.Operation), Value: clip.Runes(oneLine(how), MaxWarningText)})
		}
	}
	return p
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
