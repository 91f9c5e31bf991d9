package apimodel

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
)

// The spec declares producers before any answer shows them: the fields of
// an operation's documented answers, and the fields of a create's request
// body (an identifier the client chooses itself). They are indexed once,
// on first use, within bounds.
const (
	maxSpecFields = 100000
	maxSpecDepth  = 6
	maxSpecProps  = 64
)

type specField struct {
	op, path, bare, qual string
}

type specIndex struct {
	byName map[string][]specField
	n      int
}

func (m *Model) specIdx() *specIndex {
	m.specOnce.Do(func() {
		x := &specIndex{byName: map[string][]specField{}}
		for _, op := range m.ops() {
			thing := thingOfPath(op.Path)
			for _, r := range op.Responses {
				if strings.HasPrefix(r.Status, "2") && r.Schema != nil {
					x.walk(op.Key(), r.Schema, thing, "", 0)
				}
			}
			if op.Method == http.MethodPost && op.Body != nil && op.Body.Schema != nil {
				x.walk(op.Key(), op.Body.Schema, thing, "request", 0)
			}
		}
		m.spec = x
	})
	return m.spec
}

func (x *specIndex) walk(op string, s *rampart.Schema, thing, path string, depth int) {
	if s == nil || depth > maxSpecDepth || x.n >= maxSpecFields {
		return
	}
	if s.Items != nil {
		x.walk(op, s.Items, thing, path+"[]", depth+1)
		return
	}
	keys := slices.Sorted(maps.Keys(s.Properties))
	if len(keys) > maxSpecProps {
		keys = keys[:maxSpecProps]
	}
	// An envelope's payload key says nothing of the thing inside.
	for _, k := range keys {
		p := s.Properties[k]
		if p == nil {
			continue
		}
		kp := join(path, k)
		if len(p.Properties) > 0 || p.Items != nil {
			x.walk(op, p, childThing(k, thing), kp, depth+1)
			continue
		}
		f := specField{op: op, path: kp, bare: norm(k), qual: qualify(thing, k)}
		x.byName[f.bare] = append(x.byName[f.bare], f)
		if f.qual != f.bare {
			x.byName[f.qual] = append(x.byName[f.qual], f)
		}
		x.n++
	}
}

// specLinks are the spec's producers of a parameter.
func (m *Model) specLinks(op *rampart.Operation, in, param string) []Link {
	x := m.specIdx()
	q, b := paramName(op.Path, in, param), norm(param)
	seen := map[string]bool{}
	var out []Link
	add := func(f specField, score int) {
		if f.op == op.Key() || seen[f.op+"\x00"+f.path] {
			return
		}
		seen[f.op+"\x00"+f.path] = true
		out = append(out, Link{From: f.op, Field: f.path, By: "spec", Score: score})
	}
	for _, f := range x.byName[q] {
		if f.qual == q || f.bare == q {
			add(f, 60)
		}
	}
	if b != q && !generic(param) {
		for _, f := range x.byName[b] {
			if f.bare == b {
				add(f, 50)
			}
		}
	}
	return out
}
