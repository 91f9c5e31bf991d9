package surface

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"
)

// Errors about a document never quote what it holds: a spec may $ref a
// credentials file, and a mistaken --spec may be one, and error messages end
// up in CI logs. The loader's own messages name the file, the line, the keys
// leading there and the $ref being followed, never a value. Messages written
// by the libraries it uses (the YAML parser, kin-openapi) quote values, so
// every quoted part of those is replaced unless it is one of those names.

const elided = "…"

// withoutContent replaces the quoted parts of msg that known does not
// accept (all of them when known is nil). A quoted single character, or a
// character escape, stays: that is how JSON and YAML parsers name the
// character they stopped at, and one character reveals nothing.
func withoutContent(msg string, known func(string) bool) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		q := msg[i]
		if (q != '"' && q != '\'' && q != '`') || !opensQuote(msg, i) {
			b.WriteByte(q)
			i++
			continue
		}
		end := closingQuote(msg, i)
		if end < 0 {
			b.WriteByte(q)
			i++
			continue
		}
		inner := msg[i+1 : end]
		if q == '"' {
			if s, err := strconv.Unquote(msg[i : end+1]); err == nil {
				inner = s
			}
		}
		b.WriteByte(q)
		if isCharName(inner) || (known != nil && known(inner)) {
			b.WriteString(msg[i+1 : end])
		} else {
			b.WriteString(elided)
		}
		b.WriteByte(q)
		i = end + 1
	}
	return b.String()
}

// opensQuote tells a quote from an apostrophe ("can't"): a quote follows
// the start, a space or punctuation.
func opensQuote(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func closingQuote(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q == '"':
			j++
		case s[j] == q:
			if j+1 == len(s) {
				return j
			}
			r, _ := utf8.DecodeRuneInString(s[j+1:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return j
			}
		}
	}
	return -1
}

func isCharName(s string) bool {
	if utf8.RuneCountInString(s) == 1 {
		return true
	}
	return len(s) <= 6 && strings.HasPrefix(s, `\`)
}

// specNames accepts the names a document's errors may quote: its keys,
// its $ref strings (and any part of one, such as a fragment), and JSON
// pointers made of its keys. The names are collected at once and the
// function holds nothing of the tree, so that the tree can be let go.
func specNames(root *yaml.Node) func(string) bool {
	keys := map[string]bool{}
	var refs []string
	collectNames(root, keys, &refs, 0)
	return func(s string) bool {
		if keys[s] {
			return true
		}
		for _, r := range refs {
			if strings.Contains(r, s) {
				return true
			}
		}
		if p, ok := strings.CutPrefix(strings.TrimPrefix(s, "#"), "/"); ok {
			for _, tok := range strings.Split(p, "/") {
				tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
				if _, err := strconv.Atoi(tok); err != nil && !keys[tok] {
					return false
				}
			}
			return true
		}
		return false
	}
}

// collectNames walks the tree as written (aliases are not followed: their
// anchors are walked where they are defined).
func collectNames(n *yaml.Node, keys map[string]bool, refs *[]string, depth int) {
	if n == nil || depth > MaxDepth {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode {
				keys[k.Value] = true
				if k.Value == "$ref" && v.Kind == yaml.ScalarNode {
					*refs = append(*refs, v.Value)
				}
			}
		}
	}
	for _, c := range n.Content {
		collectNames(c, keys, refs, depth+1)
	}
}
