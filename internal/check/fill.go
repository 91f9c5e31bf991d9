package check

import (
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/identity"
)

// filler completes the path parameters a check left out of a URL with a
// value the API itself showed, where the spec gives none: a read of
// /users/{username}/orders is then sent with a real username (the first
// user's own when the model knows it) instead of a synthesised one that
// only ever answers 404, which tested nothing. Values the check gives, and
// the spec's own examples, enums and defaults, win. Each parameter is asked
// of the model once per scan.
type filler struct {
	model *apimodel.Model
	as    *identity.Identity // the first user-role identity; nil: anyone's values

	mu   sync.Mutex
	seen map[[2]string]answer // operation key, parameter → what the model said
}

// answer is a parameter's value, or "" with the model's size when it had
// none: asked again only once the model has learned more values, so a
// parameter nothing fills costs one lookup per URL, not three queries.
type answer struct {
	value string
	size  int
}

func newFiller(m *apimodel.Model, ids []*identity.Identity) *filler {
	f := &filler{model: m, seen: map[[2]string]answer{}}
	for _, id := range ids {
		if id.Role == identity.RoleUser {
			f.as = id
			break
		}
	}
	return f
}

// fill returns values with the path parameters it lacks completed, or
// values itself when there is nothing to add.
func (f *filler) fill(op *rampart.Operation, values map[string]string) map[string]string {
	if f == nil || f.model == nil || op == nil {
		return values
	}
	var out map[string]string
	for _, prm := range op.Params {
		if prm.In != "path" || specValue(prm) {
			continue
		}
		if _, given := values[prm.Name]; given {
			continue
		}
		v := f.value(op, prm.Name)
		if v == "" {
			continue
		}
		if out == nil {
			out = make(map[string]string, len(values)+1)
			for k, x := range values {
				out[k] = x
			}
		}
		out[prm.Name] = v
	}
	if out == nil {
		return values
	}
	return out
}

// value is the best value the model has for a parameter: the first user's
// own, then one it saw, then anyone's.
func (f *filler) value(op *rampart.Operation, param string) string {
	key := [2]string{op.Key(), param}
	size := f.model.Size()
	f.mu.Lock()
	a, done := f.seen[key]
	f.mu.Unlock()
	if done && (a.value != "" || a.size == size) {
		return a.value
	}
	queries := []apimodel.Query{{Owner: apimodel.Any, Limit: 1}}
	if f.as != nil {
		queries = []apimodel.Query{
			{As: f.as, Owner: apimodel.Mine, Limit: 1},
			{As: f.as, Owner: apimodel.Visible, Limit: 1},
			{Owner: apimodel.Any, Limit: 1},
		}
	}
	var v string
	for _, q := range queries {
		if cs := f.model.Values(op, param, q); len(cs) > 0 {
			v = cs[0].Value
			break
		}
	}
	f.mu.Lock()
	f.seen[key] = answer{value: v, size: size}
	f.mu.Unlock()
	return v
}

// specValue reports whether the spec itself gives the parameter a value.
func specValue(p rampart.Param) bool {
	if p.Example != nil {
		return true
	}
	s := p.Schema
	return s != nil && (s.Example != nil || s.Default != nil || len(s.Enum) > 0)
}
