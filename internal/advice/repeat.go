package advice

import (
	"regexp"
	"slices"
	"strings"
)

// codeSpan is a code example long enough that two paragraphs sharing it
// teach the same fix.
var codeSpan = regexp.MustCompile("`[^`]{24,}`")

// sameThing reports whether two paragraphs say the same thing: equal,
// sharing a long code example, or made mostly of the same words. A rule's
// own fix and a stack section often do (a white-box rule's fix is already
// written for Python), and the reader should get it once.
func sameThing(a, b string) bool {
	if a == b {
		return true
	}
	for _, span := range codeSpan.FindAllString(a, -1) {
		if strings.Contains(b, span) {
			return true
		}
	}
	wa, wb := words(a), words(b)
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	if len(wa) < 8 {
		return false
	}
	n := 0
	for _, w := range wa {
		if slices.Contains(wb, w) {
			n++
		}
	}
	return n*10 >= len(wa)*6
}

// words are the distinct words of more than three letters.
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
	}) {
		if len(w) > 3 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
