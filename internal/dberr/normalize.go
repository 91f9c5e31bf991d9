package dberr

import (
	"html"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// MaxScan is how much of a body is examined. Leaked errors sit near the top
// of a page or inside a small JSON object; a cap keeps hostile multi-megabyte
// bodies from costing more than a bounded amount of regexp work.
const MaxScan = 1 << 20

// normalize turns a body into the text the matchers read. Two rounds of
// decoding cover the common double escapes (a JSON string in HTML, a JSON
// document serialised into another JSON string) without looping on input
// that keeps producing new escapes.
func normalize(body []byte) string {
	if len(body) > MaxScan {
		body = body[:MaxScan]
	}
	s := string(body)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	for range 2 {
		t := s
		if strings.IndexByte(t, '&') >= 0 {
			t = html.UnescapeString(t)
		}
		if strings.IndexByte(t, '\\') >= 0 {
			t = unescapeString(t)
		}
		if t == s {
			break
		}
		s = t
	}
	return s
}

// unescapeString decodes JSON string escapes (and Python's \') wherever they
// appear, leaving anything it does not understand as it was. Unknown escapes
// must survive because CockroachDB's hint `try \h INSERT` is itself a marker.
func unescapeString(s string) string {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/', '\'':
			b.WriteByte(e)
			i += 2
		case 'n':
			b.WriteByte('\n')
			i += 2
		case 't':
			b.WriteByte('\t')
			i += 2
		case 'r':
			b.WriteByte('\r')
			i += 2
		case 'b', 'f':
			b.WriteByte(' ')
			i += 2
		case 'u':
			r, n := decodeU(s[i:])
			if n == 0 {
				b.WriteByte(c)
				i++
				continue
			}
			b.WriteRune(r)
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// decodeU decodes \uXXXX (and a following low surrogate) at the start of s,
// returning the rune and the bytes consumed, or n == 0 if s is not a valid
// escape.
func decodeU(s string) (r rune, n int) {
	r1, ok := hex4(s, 2)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r1) {
		if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if r2, ok := hex4(s, 8); ok {
				if d := utf16.DecodeRune(r1, r2); d != utf8.RuneError {
					return d, 12
				}
			}
		}
		return utf8.RuneError, 6
	}
	return r1, 6
}

func hex4(s string, at int) (rune, bool) {
	if len(s) < at+4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[at : at+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}

// MaxSnippet bounds Hit.Snippet so evidence stays readable and a leaked
// multi-kilobyte transaction dump does not flood a report.
const MaxSnippet = 200

// snippet returns the evidence text for a match at [start, end): the match
// with some of its line around it (the exception class usually precedes the
// message on the same line), cut at HTML tag edges, whitespace collapsed, at
// most MaxSnippet bytes of valid UTF-8.
func snippet(text string, start, end int) string {
	ls := strings.LastIndexByte(text[:start], '\n') + 1
	le := len(text)
	if j := strings.IndexByte(text[end:], '\n'); j >= 0 {
		le = end + j
	}
	// Drop markup on the left (`<p class="errormsg">`) and closing tags on
	// the right; an opening `<int>` inside the message is kept.
	if j := strings.LastIndexByte(text[ls:start], '>'); j >= 0 {
		ls += j + 1
	}
	if j := strings.Index(text[end:le], "</"); j >= 0 {
		le = end + j
	}
	// Inside a JSON document the message starts after its key.
	lo := max(ls, start-2*MaxSnippet)
	if ks := jsonKeyRe.FindAllStringIndex(text[lo:start], -1); ks != nil {
		ls = lo + ks[len(ks)-1][1]
	}
	const lead = 80
	if start-ls > lead {
		ls = start
	}
	// Bound the work on single-line megabyte bodies.
	whole := true
	if le-ls > 2*MaxSnippet {
		whole = false
		le = ls + 2*MaxSnippet
		for le > ls && !utf8.RuneStart(text[le]) {
			le--
		}
	}
	line := text[ls:le]
	if whole {
		line = jsonCloseRe.ReplaceAllString(line, "")
	}
	s := collapseSpace(line)
	if len(s) > MaxSnippet {
		cut := MaxSnippet
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimSpace(s[:cut])
	}
	return s
}

var (
	jsonKeyRe   = lazyre.New(`[{,]\s*"[\w.-]{1,40}"\s*:\s*"`)
	jsonCloseRe = lazyre.New(`"\s*[}\]][\s,}\]]*$`)
)

func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r < 0x20 || r == 0x7f {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
