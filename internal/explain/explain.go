// Package explain writes what a runtime check or a white-box rule detects,
// what it sends or reads, and how to fix what it finds: the text of
// `rampart explain ID`, which the MCP explain tool returns too.
package explain

import (
	"fmt"
	"io"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
)

// Kinds of what an ID names.
const (
	Runtime = "runtime" // a check of rampart scan
	Code    = "code"    // a rule of rampart code
)

// Lookup finds a check or rule by ID (case-insensitive) and writes its
// explanation to w. It returns the metadata and the kind, or false when
// the ID names nothing (and writes nothing).
func Lookup(w io.Writer, id string) (rampart.Meta, string, bool) {
	id = strings.TrimSpace(id)
	if c := checks.Lookup(id); c != nil {
		head(w, c.Meta, "")
		return c.Meta, Runtime, true
	}
	if r := codescan.LookupRule(id); r != nil {
		head(w, r.Meta, r.Confidence.String())
		section(w, "What it reads", "The Python source files under the directory given to 'rampart code': "+
			"nothing is executed or sent.")
		section(w, "How to fix", r.Fix)
		if r.Doc != "" {
			fmt.Fprintf(w, "More: %s\n", r.Doc)
		}
		return r.Meta, Code, true
	}
	return rampart.Meta{}, "", false
}

// head writes the head of an explanation; a runtime check's explanation
// is complete, a rule's (conf set) continues with what it reads.
func head(w io.Writer, m rampart.Meta, conf string) {
	fmt.Fprintf(w, "%s  %s\n\n", m.ID, m.Title)
	if conf == "" {
		fmt.Fprintf(w, "  family     %s\n  severity   %s (default)\n  mode       %s or higher\n  CWE        %s\n  OWASP      %s\n\n",
			m.Family, m.Severity, m.Mode, m.CWE, m.OWASP)
	} else {
		fmt.Fprintf(w, "  family     %s\n  severity   %s (default)\n  confidence %s (default)\n  kind       white-box (rampart code)\n  CWE        %s\n  OWASP      %s\n\n",
			m.Family, m.Severity, conf, m.CWE, m.OWASP)
	}
	section(w, "What it detects", m.Detects)
	if conf != "" {
		return
	}
	section(w, "Requests it sends", m.Requests)
	section(w, "How to fix", m.Fix)
	if m.Doc != "" {
		fmt.Fprintf(w, "More: %s\n", m.Doc)
	}
}

func section(w io.Writer, title, body string) {
	if body == "" {
		return
	}
	fmt.Fprintf(w, "%s\n", title)
	for _, line := range Wrap(body, 76) {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprintln(w)
}

// Wrap breaks s into lines of at most width bytes at spaces (a longer word
// stands alone).
func Wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
