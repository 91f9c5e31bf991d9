package traffic

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/surface"
)

// maxVariance is the deepest path (in segments) whose words are compared
// with its siblings': the comparison costs the square of the depth, and
// no API nests 64 collections.
const maxVariance = 64

// maxValues bounds the recorded values kept to tell data from route
// words.
const maxValues = 20000

// pathOf is one in-scope exchange's path, relative to the base, split on
// "/" (the first element is empty).
type pathOf struct {
	segs []string // escaped
	dyn  []bool   // a parameter: by kind, by name, or because siblings vary there
}

// templates infers the path template of each path: segments whose value
// is an id by the API model's kinds, or named by the collection, are
// parameters; so is a word that varies between sibling paths (equal
// everywhere else) when the recording also shows it as data, e.g.
// /users/alice and /users/bob where a listing returned "alice". A
// constant word, or words never seen as data (/reports/summary,
// /reports/daily), stay route words.
func templates(paths []*pathOf, named []map[int]string, values map[string]bool) []string {
	for i, p := range paths {
		p.dyn = make([]bool, len(p.segs))
		for j, s := range p.segs {
			if j == 0 {
				continue
			}
			_, isNamed := named[i][j]
			p.dyn[j] = isNamed || isBrace(s) || apimodel.SegmentKind(s) != apimodel.KindOther
		}
	}
	// Sibling variance, position by position: the first segment has no
	// collection before it, so it is never a parameter by variance.
	type group struct {
		members []*pathOf
		values  map[string]bool
	}
	for pos := 2; pos < maxVariance; pos++ {
		groups := map[string]*group{}
		any := false
		for _, p := range paths {
			if pos >= len(p.segs) || len(p.segs) > maxVariance || p.dyn[pos] {
				continue
			}
			any = true
			key := siblingKey(p, pos)
			g := groups[key]
			if g == nil {
				g = &group{values: map[string]bool{}}
				groups[key] = g
			}
			g.members = append(g.members, p)
			g.values[p.segs[pos]] = true
		}
		if !any {
			break
		}
		for _, g := range groups {
			if len(g.values) < 2 {
				continue
			}
			seen := 0
			for v := range g.values {
				if values[unescape(v)] {
					seen++
				}
			}
			if seen == 0 {
				continue
			}
			for _, p := range g.members {
				p.dyn[pos] = true
			}
		}
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		segs := make([]string, len(p.segs))
		copy(segs, p.segs)
		var forced []int
		for j := range segs {
			if name, ok := named[i][j]; ok {
				segs[j] = "{" + name + "}"
			} else if p.dyn[j] && !isBrace(segs[j]) {
				// Kinds templatize would not see by itself (e-mails,
				// accounts, cards, keys) and words siblings vary at.
				forced = append(forced, j)
			}
		}
		t, _ := surface.Templatize(strings.Join(segs, "/"), forced...)
		out[i] = t
	}
	return out
}

// siblingKey is the path with pos blanked and every parameter made
// alike, so that paths that differ only at pos share it.
func siblingKey(p *pathOf, pos int) string {
	var b strings.Builder
	for j, s := range p.segs {
		b.WriteByte('/')
		switch {
		case j == pos:
			b.WriteString("\x00")
		case p.dyn[j]:
			b.WriteString("{}")
		default:
			b.WriteString(s)
		}
	}
	return b.String()
}

func isBrace(s string) bool {
	s = unescape(s)
	return len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' && !strings.ContainsAny(s[1:len(s)-1], "{}/")
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// collectValues adds the short string and integer scalars of a JSON body
// to values: what the API handed out as data.
func collectValues(body []byte, values map[string]bool) {
	if len(body) == 0 || len(values) >= maxValues {
		return
	}
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return
	}
	n := 0
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if n++; n > 5000 || depth > 32 || len(values) >= maxValues {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case string:
			if len(x) <= 128 {
				values[x] = true
			}
		case json.Number:
			values[x.String()] = true
		}
	}
	walk(v, 0)
}
