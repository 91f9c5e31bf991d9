package sqli

import (
	"bytes"
	"encoding/json"
	"html"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// A differential oracle compares answers, and answers carry noise: the
// value the request sent (a search echoes its query), timestamps, request
// ids, nonces. A view is an answer with that noise taken out, so that two
// answers the application means to be the same compare equal, and the
// baseline's own variation (learnt from two baseline samples) is ignored.

// maxLeaves bounds what one body contributes to a view: a hostile or huge
// answer cannot make a comparison expensive.
const maxLeaves = 4000

// view is a normalised answer.
type view struct {
	status int
	// leaves is the flattened JSON body (path → value), nil when the body
	// is not JSON.
	leaves map[string]string
	// tokens is the word multiset of a non-JSON body.
	tokens map[string]int
}

// volatile matches values that change between identical requests:
// timestamps, UUIDs, long hex or base64 runs, epoch numbers.
var volatile = lazyre.New(`^(?:` +
	`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?` +
	`|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}` +
	`|[0-9a-fA-F]{16,}` +
	`|[A-Za-z0-9_\-+/]{24,}={0,2}` +
	`|1[0-9]{9}(?:[0-9]{3})?(?:\.[0-9]+)?` +
	`)$`)

// newView normalises an answer to a request that sent `sent` where the
// baseline sent `base`: reflections of the probe are put back to the
// baseline value, so an echoed query does not count as a difference.
func newView(status int, body []byte, sent, base string) view {
	v := view{status: status}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		var doc any
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if dec.Decode(&doc) == nil {
			v.leaves = map[string]string{}
			flatten(doc, "", v.leaves, sent, base, 0)
			return v
		}
	}
	text := string(body)
	if sent != "" && sent != base {
		// Reflected as typed, HTML-escaped or URL-encoded.
		for _, form := range []string{sent, html.EscapeString(sent), strings.ReplaceAll(html.EscapeString(sent), "&#39;", "&#x27;")} {
			text = strings.ReplaceAll(text, form, base)
		}
	}
	v.tokens = map[string]int{}
	n := 0
	for _, tok := range strings.FieldsFunc(text, splitToken) {
		if n >= maxLeaves {
			break
		}
		n++
		v.tokens[mask(tok)]++
	}
	return v
}

func splitToken(r rune) bool {
	return !(r == '_' || r == '-' || r == '.' || r == ':' || r == '+' || r == '/' || r == '=' ||
		(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r > 127)
}

func mask(s string) string {
	if volatile.MatchString(s) {
		return "\x00volatile"
	}
	return s
}

func flatten(v any, path string, out map[string]string, sent, base string, depth int) {
	if len(out) >= maxLeaves || depth > 32 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		if len(keys) == 0 {
			out[path] = "{}"
		}
		for _, k := range keys {
			flatten(x[k], path+"."+k, out, sent, base, depth+1)
		}
	case []any:
		out[path+"#"] = strconv.Itoa(len(x))
		for i, c := range x {
			flatten(c, path+"."+strconv.Itoa(i), out, sent, base, depth+1)
		}
	case string:
		if sent != "" && sent != base && strings.Contains(x, sent) {
			x = strings.ReplaceAll(x, sent, base)
		}
		out[path] = "s:" + mask(x)
	case json.Number:
		out[path] = "n:" + mask(x.String())
	case bool:
		out[path] = "b:" + strconv.FormatBool(x)
	case nil:
		out[path] = "null"
	}
}

// noise is what varies between two baseline samples: JSON paths or text
// tokens to leave out of comparisons.
type noise struct {
	paths  map[string]bool
	tokens map[string]bool
}

// learnNoise compares baseline samples. It reports false when they differ
// too much for any comparison with them to mean something (a page whose
// content changes on every request).
func learnNoise(samples ...view) (noise, bool) {
	n := noise{paths: map[string]bool{}, tokens: map[string]bool{}}
	if len(samples) < 2 {
		return n, true
	}
	a := samples[0]
	total := 0
	for _, b := range samples[1:] {
		if a.status != b.status || (a.leaves == nil) != (b.leaves == nil) {
			return n, false
		}
		if a.leaves != nil {
			for k, va := range a.leaves {
				if vb, ok := b.leaves[k]; !ok || va != vb {
					n.paths[k] = true
				}
			}
			for k := range b.leaves {
				if _, ok := a.leaves[k]; !ok {
					n.paths[k] = true
				}
			}
			total = max(len(a.leaves), len(b.leaves))
			continue
		}
		for k, ca := range a.tokens {
			if b.tokens[k] != ca {
				n.tokens[k] = true
			}
		}
		for k := range b.tokens {
			if _, ok := a.tokens[k]; !ok {
				n.tokens[k] = true
			}
		}
		total = max(len(a.tokens), len(b.tokens))
	}
	varying := len(n.paths) + len(n.tokens)
	// A few moving parts (a counter, a timestamp the mask missed) are
	// noise; when a fifth of the page moves, there is no stable baseline.
	if varying > 0 && varying*5 > total {
		return n, false
	}
	return n, true
}

// same reports whether two views are the same answer, apart from the
// baseline's noise.
func same(a, b view, n noise) bool {
	if a.status != b.status || (a.leaves == nil) != (b.leaves == nil) {
		return false
	}
	if a.leaves != nil {
		for k, va := range a.leaves {
			if n.paths[k] {
				continue
			}
			if vb, ok := b.leaves[k]; !ok || va != vb {
				return false
			}
		}
		for k := range b.leaves {
			if n.paths[k] {
				continue
			}
			if _, ok := a.leaves[k]; !ok {
				return false
			}
		}
		return true
	}
	for k, ca := range a.tokens {
		if !n.tokens[k] && b.tokens[k] != ca {
			return false
		}
	}
	for k := range b.tokens {
		if _, ok := a.tokens[k]; !ok && !n.tokens[k] {
			return false
		}
	}
	return true
}
