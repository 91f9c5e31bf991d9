package accept

import (
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/surface"
)

// apply turns one problem into a remembered fix. It reports whether the
// next request differs from req. st.mu is held.
func (l *Learner) apply(st *opState, op *rampart.Operation, req *Request, p Problem) bool {
	in, path := l.where(op, req, p)
	if in == "" || len(path) == 0 {
		return false
	}
	key := in + ":" + dotted(path)
	if _, known := st.fixes[key]; !known && len(st.fixes) >= maxFixes {
		return false
	}
	cur, has := current(req, in, path)
	var s *rampart.Schema
	if in == "body" {
		if op.Body != nil {
			s = schemaAt(op.Body.Schema, path)
		}
	} else if prm := paramCI(op, in, path[0]); prm != nil {
		s = prm.Schema
	}
	leaf := path[len(path)-1]
	if p.Kind == Missing && has && cur != nil {
		// Sent, yet "missing": the value's type or place is wrong.
		p.Kind = Invalid
	}
	var nv any
	if !has && p.Kind != Unknown && p.Kind != Missing {
		// Not sent, yet named with a rule ("isbn: 13 digits starting
		// with 978"): missing in effect, and a value the API has shown
		// under that name is likelier to pass than one made to the rule.
		if hv, ok := l.hint(op, in, path, s, 0); ok {
			nv = l.markAny(hv, s)
		}
	}
	switch {
	case nv != nil:
	case p.Kind == Unknown:
		if !has {
			return false
		}
		st.fixes[key] = fix{drop: true}
		return true
	case p.Kind == Missing:
		nv = synth(s, leaf)
		if hv, ok := l.hint(op, in, path, s, 0); ok {
			nv = hv
		}
		nv = l.markAny(nv, s)
	case p.Kind == Enum:
		nv = pickAllowed(p.Allowed, cur, s)
		if nv == nil {
			nv = l.candidate(st, key, op, in, path, s, cur)
		}
	case p.Kind == Type:
		nv = convert(cur, p.Want, s, leaf)
	case p.Kind == Format:
		if v := surface.FormatValue(p.Want); v != "" {
			nv = v
		}
	case p.Kind == Pattern:
		if g, ok := surface.FromPattern(p.Pattern); ok && p.Pattern != "" {
			nv = g
		} else if s != nil && s.Pattern != "" {
			if g, ok := surface.FromPattern(s.Pattern); ok {
				nv = g
			}
		}
		if nv == nil {
			nv = l.candidate(st, key, op, in, path, s, cur)
		}
	case p.Kind == TooShort:
		nv = lengthen(cur, p, s, leaf)
	case p.Kind == TooLong:
		nv = shorten(cur, p)
	case p.Kind == TooSmall, p.Kind == TooLarge:
		nv = bound(cur, p, s)
	default:
		nv = l.candidate(st, key, op, in, path, s, cur)
	}
	if nv == nil || (has && equal(cur, nv)) {
		return false
	}
	if str, ok := nv.(string); ok && len(str) > maxValueLen {
		return false
	}
	st.fixes[key] = fix{v: nv}
	return true
}

// where resolves a problem's location: a parameter when the answer says
// so or the name is one (case-insensitively, "idempotency-key" for
// Idempotency-Key), else a body field.
func (l *Learner) where(op *rampart.Operation, req *Request, p Problem) (string, []string) {
	path := p.Field
	switch p.In {
	case "query", "header", "path", "cookie":
		if prm := paramCI(op, p.In, path[0]); prm != nil {
			return p.In, []string{prm.Name}
		}
		if p.In == "header" {
			return "header", []string{http.CanonicalHeaderKey(path[0])}
		}
		return p.In, path[:1]
	case "body":
		return "body", path
	}
	if _, inBody := getAt(req.Body, path); !inBody && len(path) == 1 {
		for _, loc := range []string{"query", "header", "path"} {
			if prm := paramCI(op, loc, path[0]); prm != nil {
				return loc, []string{prm.Name}
			}
		}
	}
	if op.Body == nil {
		return "query", path[:1]
	}
	return "body", path
}

func paramCI(op *rampart.Operation, in, n string) *rampart.Param {
	nn := normName(n)
	for i := range op.Params {
		if op.Params[i].In == in && normName(op.Params[i].Name) == nn {
			return &op.Params[i]
		}
	}
	return nil
}

func current(req *Request, in string, path []string) (any, bool) {
	switch in {
	case "body":
		return getAt(req.Body, path)
	case "query":
		v, ok := req.Query[path[0]]
		return v, ok
	case "path":
		v, ok := req.Path[path[0]]
		return v, ok
	case "header":
		if v := req.Header.Values(path[0]); len(v) > 0 {
			return v[0], true
		}
	}
	return nil, false
}

// synth is a value for a field, from its schema when the spec has one;
// for a field only an answer named, a number when its name says so
// (JSON APIs send amounts and counts as numbers).
func synth(s *rampart.Schema, leaf string) any {
	if s == nil && numericName(leaf) {
		return surface.Value(&rampart.Schema{Type: "number"}, leaf)
	}
	return surface.Value(s, leaf)
}

func numericName(n string) bool {
	w := surface.Words(n)
	if len(w) == 0 {
		return false
	}
	switch w[len(w)-1] {
	case "value", "amount", "quantity", "qty", "count", "price", "total", "age", "size", "limit", "number", "rating",
		"score", "weight", "height", "width", "length", "duration", "percent", "percentage":
		return !(w[len(w)-1] == "number" && len(w) > 1) // account_number, card_number: identifiers
	}
	return false
}

func (l *Learner) hint(op *rampart.Operation, in string, path []string, s *rampart.Schema, skip int) (any, bool) {
	if l.hints == nil {
		return nil, false
	}
	n := 0
	for _, h := range l.hints(op, in, path) {
		if !fits(h, s) {
			continue
		}
		if n == skip {
			return h, true
		}
		n++
	}
	return nil, false
}

// candidate is the next value to try for a field whose problem names no
// fix: values the API has shown, the spec's enum and example, then
// values of other types.
func (l *Learner) candidate(st *opState, key string, op *rampart.Operation, in string, path []string, s *rampart.Schema, cur any) any {
	var cands []any
	if l.hints != nil {
		for _, h := range l.hints(op, in, path) {
			if fits(h, s) {
				cands = append(cands, h)
			}
		}
	}
	if s != nil {
		cands = append(cands, s.Enum...)
		if s.Example != nil {
			cands = append(cands, s.Example)
		}
	}
	leaf := path[len(path)-1]
	cands = append(cands, synth(s, leaf), synth(nil, leaf), int64(1), "rampart", true)
	for st.tries[key] < len(cands) {
		c := cands[st.tries[key]]
		if len(st.tries) < maxFixes {
			st.tries[key]++
		} else {
			return nil
		}
		if c != nil && !equal(c, cur) {
			return c
		}
	}
	return nil
}

func pickAllowed(allowed []string, cur any, s *rampart.Schema) any {
	numeric := s != nil && (s.Type == "integer" || s.Type == "number")
	if !numeric {
		switch cur.(type) {
		case int64, float64, json.Number, int:
			numeric = true
		}
	}
	for _, a := range allowed {
		var v any = a
		if numeric {
			if f, err := strconv.ParseFloat(a, 64); err == nil {
				v = f
				if f == math.Trunc(f) {
					v = int64(f)
				}
			}
		}
		if !equal(v, cur) {
			return v
		}
	}
	return nil
}

func convert(cur any, want string, s *rampart.Schema, leaf string) any {
	str := ""
	if cur != nil {
		str = surface.Format(cur)
	}
	switch want {
	case "integer":
		if f, err := strconv.ParseFloat(str, 64); err == nil && f == math.Trunc(f) {
			return int64(f)
		}
		return surface.Value(&rampart.Schema{Type: "integer"}, leaf)
	case "number":
		if f, err := strconv.ParseFloat(str, 64); err == nil {
			return f
		}
		return surface.Value(&rampart.Schema{Type: "number"}, leaf)
	case "boolean":
		if b, err := strconv.ParseBool(str); err == nil {
			return b
		}
		return false
	case "string":
		if cur != nil {
			if _, isStr := cur.(string); !isStr {
				return str
			}
		}
		return surface.Value(&rampart.Schema{Type: "string"}, leaf)
	case "array":
		if cur != nil {
			if _, isArr := cur.([]any); !isArr {
				return []any{cur}
			}
		}
		var items *rampart.Schema
		if s != nil {
			items = s.Items
		}
		return surface.Value(&rampart.Schema{Type: "array", Items: items}, leaf)
	case "object":
		if s != nil && len(s.Properties) > 0 {
			return surface.Value(s, leaf)
		}
		return map[string]any{}
	case "":
		// Another type, unnamed: a scalar where a nested object was
		// expected is the common case.
		switch cur.(type) {
		case string, int64, float64, json.Number, bool:
			return map[string]any{}
		case map[string]any:
			return []any{}
		}
	}
	return nil
}

func lengthen(cur any, p Problem, s *rampart.Schema, leaf string) any {
	n := 8
	if p.HasLimit {
		n = int(math.Ceil(p.Limit))
	}
	n = max(1, min(n, maxValueLen))
	switch x := cur.(type) {
	case []any:
		if len(x) >= n {
			return nil
		}
		out := append([]any(nil), x...)
		for len(out) < n && len(out) < maxArrayFill {
			if len(x) > 0 {
				out = append(out, deepCopy(x[0]))
			} else {
				var items *rampart.Schema
				if s != nil {
					items = s.Items
				}
				out = append(out, surface.Value(items, leaf))
			}
		}
		return out
	case string:
		if len([]rune(x)) >= n {
			return nil
		}
		return x + strings.Repeat("x", n-len([]rune(x)))
	case nil:
		v := surface.Value(s, leaf)
		if str, ok := v.(string); ok && len([]rune(str)) < n {
			return str + strings.Repeat("x", n-len([]rune(str)))
		}
		return v
	}
	return nil
}

func shorten(cur any, p Problem) any {
	switch x := cur.(type) {
	case string:
		r := []rune(x)
		n := len(r) / 2
		if p.HasLimit {
			n = int(p.Limit)
		}
		if n < 0 || n >= len(r) {
			return nil
		}
		return string(r[:n])
	case []any:
		n := len(x) / 2
		if p.HasLimit {
			n = int(p.Limit)
		}
		if n < 0 || n >= len(x) {
			return nil
		}
		return x[:n]
	}
	return nil
}

func bound(cur any, p Problem, s *rampart.Schema) any {
	if !p.HasLimit {
		return nil
	}
	if str, ok := cur.(string); ok && s != nil && s.Type == "string" {
		if _, err := strconv.ParseFloat(str, 64); err != nil {
			// A length given as a size ("at least 8"): a string to lengthen.
			if p.Kind == TooSmall {
				return lengthen(cur, Problem{Kind: TooShort, Limit: p.Limit, HasLimit: true}, s, "")
			}
			return shorten(cur, Problem{Kind: TooLong, Limit: p.Limit, HasLimit: true})
		}
	}
	integer := s != nil && s.Type == "integer"
	switch cur.(type) {
	case int64, int:
		integer = true
	case json.Number:
		integer = !strings.ContainsAny(surface.Format(cur), ".eE")
	}
	v := p.Limit
	step := 1.0
	if !integer {
		step = 0.01
	}
	if p.Exclusive {
		if p.Kind == TooSmall {
			v += step
		} else {
			v -= step
		}
	}
	if integer {
		if p.Kind == TooSmall {
			v = math.Ceil(v)
		} else {
			v = math.Floor(v)
		}
		if math.Abs(v) > 1<<53 {
			return nil
		}
		return int64(v)
	}
	return math.Round(v*100) / 100
}

func equal(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	_, ac := a.(map[string]any)
	_, bc := b.(map[string]any)
	_, aa := a.([]any)
	_, ba := b.([]any)
	if ac || bc || aa || ba || a == nil || b == nil {
		return false
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		// 1 and "1" differ on the wire of a JSON body.
		_, as := a.(string)
		_, bs := b.(string)
		if as != bs {
			return false
		}
	}
	return surface.Format(a) == surface.Format(b)
}

func matchPattern(p, s string) (bool, error) {
	re, err := regexp.Compile(p)
	if err != nil {
		return false, err
	}
	return re.MatchString(s), nil
}
