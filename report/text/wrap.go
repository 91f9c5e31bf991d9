package text

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// clean makes untrusted text safe to print: every control character except
// newline and tab is shown as an escape (\x1b, \u202e) instead of reaching
// the terminal, where it could move the cursor, clear the screen, retitle
// the window or reorder what the reader sees (bidi overrides). Invalid UTF-8
// is shown byte by byte for the same reason.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func isClean(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || unsafeRune(r) {
			return false
		}
		i += n
	}
	return true
}

// unsafeRune covers C1 controls (0x9b is a one-byte CSI on some terminals)
// and the bidirectional overrides and isolates used to disguise text.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f
}

// oneLine is clean for fields that must stay on their line (titles,
// locations): a newline there would forge a line of the report.
func oneLine(s string) string {
	s = clean(s)
	s = strings.ReplaceAll(s, "\n", `\n`)
	return strings.ReplaceAll(s, "\t", " ")
}

// wrapped prints text after indent and label, word-wrapped to the page
// width with continuation lines aligned under the text. Paragraphs (blank
// lines) are kept; lines that start with a space are code or pre-formatted
// output and are printed as they are, since re-flowing them would change
// their meaning.
func (p *printer) wrapped(indent, label, text string) {
	hang := indent + strings.Repeat(" ", utf8.RuneCountInString(label))
	avail := max(width-utf8.RuneCountInString(hang), 20)
	first := true
	emit := func(s string) {
		lead := hang
		if first {
			lead = indent + label
			first = false
		}
		p.line(strings.TrimRight(lead+s, " "))
	}
	for _, para := range strings.Split(strings.TrimRight(clean(text), "\n"), "\n") {
		if para == "" || para[0] == ' ' || para[0] == '\t' {
			emit(para)
			continue
		}
		for _, l := range wrap(para, avail) {
			emit(l)
		}
	}
}

// wrap breaks s into lines of at most n runes at spaces. A word longer than
// n (a URL, a token) gets a line of its own rather than being split, so it
// can still be copied.
func wrap(s string, n int) []string {
	var lines []string
	var cur strings.Builder
	curLen := 0
	for _, w := range strings.Fields(s) {
		wl := utf8.RuneCountInString(w)
		if curLen > 0 && curLen+1+wl > n {
			lines = append(lines, cur.String())
			cur.Reset()
			curLen = 0
		}
		if curLen > 0 {
			cur.WriteByte(' ')
			curLen++
		}
		cur.WriteString(w)
		curLen += wl
	}
	if curLen > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
