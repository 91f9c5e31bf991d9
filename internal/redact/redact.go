// Package redact removes the identities' credentials from every string that
// leaves the scanner: the report (each of its string fields, whatever the
// format), evidence and curl lines, and the messages printed on stderr.
//
// A hostile API echoes what it receives, and seldom verbatim: in an error
// text, URL-escaped in a redirect, JSON-escaped (`\/`, `\u002f`) in a body,
// HTML-escaped in an error page, cut in the middle by a snippet or a body
// cap. So a Set does not look for the secret's bytes only. It decodes the
// text into canonical forms (percent, JSON/JavaScript/Python backslash and
// HTML entity escapes undone, up to three nested levels; white space and '+'
// folded to a space), keeps where each canonical byte came from, and looks
// in every form (and for the base64 of each secret) for
//   - every secret of MinLen to FragmentLen bytes, whole, and
//   - every run of FragmentLen bytes of a longer secret, so that a secret cut
//     by a snippet or a cap does not leave more than FragmentLen-1 of its
//     bytes behind.
//
// Each match is mapped back to the original text and replaced by Marker.
//
// Secrets shorter than MinLen are not redacted: a value that short (a
// password "a", a cookie "en") occurs in ordinary text, and replacing it
// everywhere would wipe the report while protecting little. Redactor warns
// once per identity that has one. The same floor applies to what a secret
// made of escapes decodes to ("%41%42%43" is looked for as it is, not as
// "ABC").
package redact

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"html"
	"slices"
	"strings"
	"sync"
)

// Marker replaces a credential.
const Marker = "[REDACTED]"

// MinLen is the shortest secret redacted, in bytes.
const MinLen = 6

// FragmentLen is the length of the runs of a long secret that are redacted
// wherever they appear, in bytes: a secret cut by a snippet or a body cap
// leaves at most FragmentLen-1 of its bytes on either side of the cut.
const FragmentLen = 12

// maxLevels is how many nested encodings are undone (a URL-escaped value in
// a JSON string in an HTML page is three).
const maxLevels = 3

// Set redacts a fixed list of secrets. It is immutable and safe for
// concurrent use; the zero value and nil redact nothing.
type Set struct {
	marker string
	// whole are the forms of at most FragmentLen bytes, looked for whole.
	whole []string
	// grams are the FragmentLen-byte runs of the longer forms; filter has
	// the bit of each one's rolling hash set, so that most positions of a
	// text are passed over without a map lookup.
	grams  map[string]struct{}
	filter []uint64
	// spaced says that a form holds a space: only then can folding a
	// text's white space and '+' make a match.
	spaced bool
}

// hashBase is the multiplier of the rolling hash over FragmentLen bytes;
// hashOut removes the byte that leaves the window.
const hashBase = 1099511628211

var hashOut = func() uint64 {
	p := uint64(1)
	for range FragmentLen - 1 {
		p *= hashBase
	}
	return p
}()

// filterBits is log2 of the filter's size in bits.
const filterBits = 16

func gramHash(g string) uint64 {
	var h uint64
	for i := 0; i < len(g); i++ {
		h = h*hashBase + uint64(g[i])
	}
	return h
}

func (s *Set) mayHold(h uint64) bool {
	i := h >> (64 - filterBits)
	return s.filter[i/64]&(1<<(i%64)) != 0
}

// New returns a set that redacts the given secrets. Values shorter than
// MinLen are ignored (see Short).
func New(secrets ...string) *Set {
	s := &Set{marker: Marker}
	seen := map[string]bool{}
	for _, sec := range secrets {
		if len(sec) < MinLen {
			continue
		}
		for _, f := range forms(sec) {
			if seen[f] || len(f) < MinLen {
				continue
			}
			seen[f] = true
			s.spaced = s.spaced || strings.ContainsAny(f, " +\t\n\r\v\f")
			if len(f) <= FragmentLen {
				s.whole = append(s.whole, f)
				continue
			}
			if s.grams == nil {
				s.grams = map[string]struct{}{}
				s.filter = make([]uint64, (1<<filterBits)/64)
			}
			for i := 0; i+FragmentLen <= len(f); i++ {
				g := f[i : i+FragmentLen]
				s.grams[g] = struct{}{}
				b := gramHash(g) >> (64 - filterBits)
				s.filter[b/64] |= 1 << (b % 64)
			}
		}
	}
	// Longest first only makes the output stable; overlapping matches are
	// merged whatever the order.
	slices.SortFunc(s.whole, func(a, b string) int { return len(b) - len(a) })
	return s
}

// Short returns the secrets New would ignore because they are shorter than
// MinLen (empty values are not secrets and are left out).
func Short(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if s != "" && len(s) < MinLen {
			out = append(out, s)
		}
	}
	return out
}

// forms are what a secret looks like once a text holding it, in any of the
// encodings the decoder undoes, is decoded: the secret itself, folded, and
// decoded itself (a secret that looks escaped, "a%41b", is found both in a
// text that holds it escaped and in one that holds it as it is).
func forms(sec string) []string {
	out := []string{sec}
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	add(fold(&level{text: sec}).text)
	lv := &level{text: sec}
	for range maxLevels {
		next := decode(lv)
		add(next.text)
		if !next.escaped {
			break
		}
		lv = next
	}
	// The text's decoder undoes every escape it knows at each level at
	// once, so an escaped secret that holds escapes of its own (backslashes
	// next to an HTML or XML character reference) decodes to something none
	// of the forms above is: decode the usual encodings of the secret the
	// same way.
	for _, enc := range []string{html.EscapeString(sec), xmlEscape(sec), jsonEscape(sec)} {
		lv := &level{text: enc}
		for range maxLevels {
			next := decode(lv)
			add(next.text)
			if !next.escaped {
				break
			}
			lv = next
		}
	}
	// An API that echoes a credential base64-encoded (a Basic header
	// rebuilt from a login's user:pass, a token in a state parameter):
	// whole, in the four alphabets.
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(sec)))
	}
	return out
}

// Empty reports whether the set redacts nothing.
func (s *Set) Empty() bool { return s == nil || (len(s.whole) == 0 && len(s.grams) == 0) }

// String returns text with every secret, in any form, replaced by Marker.
func (s *Set) String(text string) string {
	if s.Empty() || len(text) < MinLen {
		return text
	}
	spans := s.find(&level{text: text}, nil)
	if s.mayEncode(text) {
		sc := scratchPool.Get().(*[2]level)
		defer scratchPool.Put(sc)
		lv := &level{text: text}
		for i := range maxLevels {
			// The levels alternate between two buffers: decoding one only
			// needs the one before.
			next := &sc[i%2]
			transform(next, lv, true)
			if !next.escaped && i > 0 {
				break // folding again changes nothing
			}
			spans = s.find(next, spans)
			if !next.escaped {
				break
			}
			lv = next
		}
	}
	if len(spans) == 0 {
		return text
	}
	return s.replace(text, spans)
}

// mayEncode reports whether decoding text could show a secret that is not
// there as it is: the text holds an escape character, or white space or a
// '+' and a secret holds a space.
func (s *Set) mayEncode(text string) bool {
	if strings.ContainsAny(text, "%\\&") {
		return true
	}
	return s.spaced && strings.ContainsAny(text, " +\t\n\r\v\f")
}

// scratchPool holds the buffers of decoded levels: a report is thousands
// of strings, and each level takes nine bytes per byte of text.
var scratchPool = sync.Pool{New: func() any { return new([2]level) }}

// span is a half-open byte range of the original text.
type span struct{ from, to int }

// find appends the spans, in original coordinates, of every match in one
// form of the text.
func (s *Set) find(lv *level, spans []span) []span {
	t := lv.text
	if len(s.grams) > 0 && len(t) >= FragmentLen {
		h := gramHash(t[:FragmentLen])
		for i := 0; ; i++ {
			if s.mayHold(h) {
				if _, ok := s.grams[t[i:i+FragmentLen]]; ok {
					spans = append(spans, lv.orig(i, i+FragmentLen))
				}
			}
			if i+FragmentLen >= len(t) {
				break
			}
			h = (h-uint64(t[i])*hashOut)*hashBase + uint64(t[i+FragmentLen])
		}
	}
	for _, w := range s.whole {
		// Every occurrence, overlapping ones included: "abcabc" holds
		// "bcabca" in "abcabcabc" once "abcabc" was found at 0.
		for off := 0; off < len(t); {
			j := strings.Index(t[off:], w)
			if j < 0 {
				break
			}
			spans = append(spans, lv.orig(off+j, off+j+len(w)))
			off += j + 1
		}
	}
	return spans
}

// replace puts one marker in place of each run of overlapping or touching
// spans.
func (s *Set) replace(text string, spans []span) string {
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for i := 0; i < len(spans); {
		from, to := spans[i].from, spans[i].to
		for i++; i < len(spans) && spans[i].from <= to; i++ {
			to = max(to, spans[i].to)
		}
		b.WriteString(text[last:from])
		b.WriteString(s.marker)
		last = to
	}
	b.WriteString(text[last:])
	return b.String()
}

// xmlEscape is sec as XML text (control bytes as character references).
func xmlEscape(sec string) string {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(sec)); err != nil {
		return sec
	}
	return b.String()
}

// jsonEscape is sec as a JSON string's content.
func jsonEscape(sec string) string {
	b, err := json.Marshal(sec)
	if err != nil || len(b) < 2 {
		return sec
	}
	return string(b[1 : len(b)-1])
}
