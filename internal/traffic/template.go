package traffic

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/lazyre"
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
	// word names a parameter by what its values are, by index, when they
	// say it ("collection": they are names of the API's collections).
	word map[int]string
	// shape is the top-level keys of its 2xx JSON answer ("" when none):
	// two routes rarely answer alike, two values of one parameter do.
	shape string
}

// templates infers the path template of each path. Segments whose value
// is an id by the API model's kinds, or that the collection names, are
// parameters. A word that varies between sibling paths (equal everywhere
// else) is one when the recording shows it is data: its siblings answer
// with the same shape (/reports/notes and /reports/transfers both count
// rows; /reports/summary answers otherwise and stays a route), or another
// exchange carries it as a value (/users/alice/profile after a listing
// returned "alice"). A constant word stays a route word, and so does a
// version (v1, v2). A word parameter whose values all name the API's
// collections (/reports/notes, /reports/transfers beside /notes and
// /transfers) is called {collection}: it names a table or dataset.
func templates(paths []*pathOf, named []map[int]string, values map[string][]int) []string {
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
	// dataElsewhere says whether a value was carried by an exchange whose
	// path does not hold it: data, not an echo of the path.
	dataElsewhere := func(v string) bool {
		for _, j := range values[unescape(v)] {
			if !slices.ContainsFunc(paths[j].segs, func(s string) bool { return unescape(s) == unescape(v) }) {
				return true
			}
		}
		return false
	}
	// The API's collections are the first segments of its routes: a
	// parameter whose values all name one names a collection (a table, a
	// dataset), which is what it is called.
	collections := map[string]bool{}
	for _, p := range paths {
		if len(p.segs) > 1 && !p.dyn[1] {
			collections[unescape(p.segs[1])] = true
		}
	}
	// Sibling variance, position by position: the first segment has no
	// collection before it, so it is never a parameter by variance.
	type group struct {
		members []*pathOf
		values  map[string]bool
		shapes  map[string]map[string]bool // shape → values answering with it
	}
	for pos := 2; pos < maxVariance; pos++ {
		groups := map[string]*group{}
		any := false
		for _, p := range paths {
			if pos >= len(p.segs) || len(p.segs) > maxVariance || p.dyn[pos] || versionSeg.MatchString(p.segs[pos]) {
				continue
			}
			any = true
			key := siblingKey(p, pos)
			g := groups[key]
			if g == nil {
				g = &group{values: map[string]bool{}, shapes: map[string]map[string]bool{}}
				groups[key] = g
			}
			g.members = append(g.members, p)
			v := p.segs[pos]
			g.values[v] = true
			if p.shape != "" {
				if g.shapes[p.shape] == nil {
					g.shapes[p.shape] = map[string]bool{}
				}
				g.shapes[p.shape][v] = true
			}
		}
		if !any {
			break
		}
		for _, g := range groups {
			if len(g.values) < 2 {
				continue
			}
			param := map[string]bool{}
			for _, vs := range g.shapes {
				if len(vs) >= 2 {
					for v := range vs {
						param[v] = true
					}
				}
			}
			for v := range g.values {
				if dataElsewhere(v) {
					param[v] = true
				}
			}
			named := len(param) > 0
			for v := range param {
				named = named && collections[unescape(v)]
			}
			for _, p := range g.members {
				if param[p.segs[pos]] {
					p.dyn[pos] = true
					if named {
						if p.word == nil {
							p.word = map[int]string{}
						}
						p.word[pos] = "collection"
					}
				}
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
			} else if name, ok := p.word[j]; ok {
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

// versionSeg is an API version segment: siblings v1 and v2 are two
// routes, not two values.
var versionSeg = lazyre.New(`^(?i:v|version)[-_.]?[0-9]+(?:[._][0-9]+)*$`)

// shapeOf is the keys of a decoded 2xx JSON answer, two levels deep (the
// keys of an object, and of the objects and first array elements under
// them): enough to tell two collections' answers apart even in a common
// envelope ({"items": [...]} of orders and of customers). "" when there
// are none.
func shapeOf(x *Exchange, answer any) string {
	if x.Status < 200 || x.Status > 299 {
		return ""
	}
	return shape(answer, 2)
}

// decodeJSON decodes a JSON body with numbers kept as written; nil when it
// is none.
func decodeJSON(body []byte) any {
	if len(body) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	return v
}

func shape(v any, depth int) string {
	if a, ok := v.([]any); ok {
		if len(a) == 0 {
			return ""
		}
		return "[" + shape(a[0], depth) + "]"
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 || depth == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		if sub := shape(m[k], depth-1); sub != "" {
			b.WriteByte(':')
			b.WriteString(sub)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// collectValues records the short string and integer scalars of a
// decoded JSON body as carried by exchange i: what the API handed out as
// data.
func collectValues(v any, i int, values map[string][]int) {
	if v == nil || len(values) >= maxValues {
		return
	}
	n := 0
	note := func(v string) {
		if is := values[v]; len(is) < 4 && !slices.Contains(is, i) {
			values[v] = append(is, i)
		}
	}
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
				note(x)
			}
		case json.Number:
			note(x.String())
		}
	}
	walk(v, 0)
}
