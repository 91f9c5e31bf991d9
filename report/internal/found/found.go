// Package found says how the operations of a scan were found (the spec, a
// HAR recording, a Postman collection, the code, a crawl, probing common
// paths, a docs page), from the Source and Origin the coverage rows copy
// from each operation, so that every report format counts and names them
// alike.
package found

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
)

// Sources is every source, in the order reports count them: what the user
// gave first, then what the scan discovered.
var Sources = []string{
	rampart.SourceSpec, rampart.SourceDocsPage, rampart.SourceHAR, rampart.SourcePostman,
	rampart.SourceCode, rampart.SourceCrawl, rampart.SourceProbe,
}

// Count is how many operations one source found.
type Count struct {
	Source string
	N      int
}

// Counts counts the operations of the coverage matrix by source, in
// Sources order, then sources this version does not know by name. The
// whole-API row and rows without a source (reports older than schema 1.4)
// are not counted: a report says nothing rather than "unknown".
func Counts(c *rampart.Coverage) []Count {
	if c == nil {
		return nil
	}
	n := map[string]int{}
	for _, op := range c.Operations {
		if op.Operation == "" || strings.TrimSpace(op.Source) == "" {
			continue
		}
		n[strings.TrimSpace(op.Source)]++
	}
	var out []Count
	for _, s := range Sources {
		if n[s] > 0 {
			out = append(out, Count{s, n[s]})
			delete(n, s)
		}
	}
	var rest []Count
	for s, k := range n {
		rest = append(rest, Count{s, k})
	}
	slices.SortFunc(rest, func(a, b Count) int { return cmp.Compare(a.Source, b.Source) })
	return append(out, rest...)
}

// Summary is the counts in words: "11 from the spec, 2 from code, 1 by
// probing common paths"; "" when no operation says how it was found.
func Summary(c *rampart.Coverage) string {
	var parts []string
	for _, k := range Counts(c) {
		parts = append(parts, strconv.Itoa(k.N)+" "+Phrase(k.Source))
	}
	return strings.Join(parts, ", ")
}

// Operations is the header line of the operations: "14 — 11 from the
// spec, 2 from code, 1 by probing common paths", or the bare number when
// no operation says how it was found.
func Operations(total int, c *rampart.Coverage) string {
	s := strconv.Itoa(total)
	if sum := Summary(c); sum != "" {
		s += " — " + sum
	}
	return s
}

// Phrase says how operations of a source were found, after their number.
func Phrase(source string) string {
	if p, ok := words[source]; ok {
		return p.phrase
	}
	return "from " + source
}

// Label is a source in a word or two, for a table column.
func Label(source string) string {
	if p, ok := words[source]; ok {
		return p.label
	}
	return source
}

var words = map[string]struct{ phrase, label string }{
	rampart.SourceSpec:     {"from the spec", "spec"},
	rampart.SourceDocsPage: {"from a documentation page", "docs page"},
	rampart.SourceHAR:      {"from HAR traffic", "HAR"},
	rampart.SourcePostman:  {"from a Postman collection", "Postman"},
	rampart.SourceCode:     {"from code", "code"},
	rampart.SourceCrawl:    {"by following links", "crawl"},
	rampart.SourceProbe:    {"by probing common paths", "probe"},
}

// Of says how one operation was found: "HAR: traffic.har (3 requests)",
// "spec"; "" when its row has no source.
func Of(op rampart.OperationCoverage) string {
	if strings.TrimSpace(op.Source) == "" {
		return ""
	}
	s := Label(strings.TrimSpace(op.Source))
	if o := strings.TrimSpace(op.Origin); o != "" {
		s += ": " + o
	}
	return s
}
