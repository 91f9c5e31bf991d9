package dberr

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// pattern is a regexp that is only run near a literal it cannot match
// without. Go's regexp has linear time but a large constant when a pattern
// has no literal prefix (a leading \b or an alternation is enough to lose
// it), and scanning every response with some sixty such patterns ran at
// well under 1 MB/s. Almost every body contains none of the needles, so the
// common case costs a few substring searches.
type pattern struct {
	// re is the expression anchored at a window's start, where a lazy
	// prefix lets the real match begin up to lead+1 bytes later; the real
	// match is submatch 1. Anchoring means one attempt per needle instead
	// of one per byte of the window.
	// It is compiled on first use: the patterns number in the hundreds and
	// compiling them at start-up cost every run of the binary (`rampart
	// code` included) about 9 ms and 5 MB.
	re      func() *regexp.Regexp
	needles []string // one of them occurs in every match
	lead    int      // how far before its needle a match may start
	fold    bool     // needles are lower-case and searched case-insensitively
}

// window is how far after a needle's start a match may end. The longest
// patterns allow two 200-byte quoted tokens and a little text. Small windows
// also keep Go's regexp on its backtracking engine, several times faster
// than its NFA for these patterns.
const window = 512

// maxNeedleHits bounds the work on bodies that repeat a needle endlessly.
const maxNeedleHits = 64

// pat builds a pattern; needles are separated by "|".
// A bad expression panics on first use; TestPatternsCompile uses them all.
func pat(needles string, lead int, expr string) *pattern {
	anchored := `\A(?s:.){0,` + strconv.Itoa(lead+1) + `}?(` + expr + `)`
	re := sync.OnceValue(func() *regexp.Regexp {
		regexp.MustCompile(expr) // report a bad expression as itself
		return regexp.MustCompile(anchored)
	})
	return &pattern{re: re, needles: strings.Split(needles, "|"), lead: lead}
}

// patFold is pat with case-insensitive needles.
func patFold(needles string, lead int, expr string) *pattern {
	p := pat(needles, lead, expr)
	p.fold = true
	return p
}

// text is a normalised body with its ASCII-lowered twin made on demand.
// ASCII-only lowering keeps byte offsets identical between the two.
type text struct {
	s     string
	lower string
}

func (t *text) folded() string {
	if t.lower == "" && t.s != "" {
		b := []byte(t.s)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		t.lower = string(b)
	}
	return t.lower
}

// all returns up to n submatch index slices, in order, with absolute
// offsets.
func (p *pattern) all(t *text, n int) [][]int {
	hay := t.s
	if p.fold {
		hay = t.folded()
	}
	var starts []int
	for _, nd := range p.needles {
		for off, k := 0, 0; k < maxNeedleHits; k++ {
			i := strings.Index(hay[off:], nd)
			if i < 0 {
				break
			}
			starts = append(starts, off+i)
			off += i + len(nd)
		}
	}
	if len(starts) == 0 {
		return nil
	}
	slices.Sort(starts)
	var out [][]int
	lastEnd := -1 // matches must not overlap, as with FindAll
	for i, st := range starts {
		if len(out) >= n {
			break
		}
		if i > 0 && st == starts[i-1] {
			continue
		}
		// One byte more on the left so that \b sees the real preceding
		// character, but never back into the previous match, which would
		// be found again and hide a later one in the same window.
		ws := max(0, st-p.lead-1, lastEnd)
		we := min(len(t.s), st+window)
		m := p.re().FindStringSubmatchIndex(t.s[ws:we])
		if m == nil {
			continue
		}
		m = m[2:]
		for j := range m {
			if m[j] >= 0 {
				m[j] += ws
			}
		}
		if m[0] < lastEnd {
			continue
		}
		out = append(out, m)
		lastEnd = m[1]
	}
	return out
}

// first returns the first match's submatch indexes, or nil.
func (p *pattern) first(t *text) []int {
	if m := p.all(t, 1); len(m) > 0 {
		return m[0]
	}
	return nil
}
