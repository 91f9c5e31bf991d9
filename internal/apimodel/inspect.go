package apimodel

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Object is one object an identity owns and the read that fetches it.
type Object struct {
	Op *rampart.Operation `json:"-"`
	// Operation is Op's key, for the dump.
	Operation string `json:"operation"`
	// Param is the parameter that picks the object, Key its value there.
	Param string `json:"param"`
	Key   string `json:"key"`
	Kind  Kind   `json:"kind"`
	// Values fill every parameter of the read (Key included).
	Values map[string]string `json:"values"`
	URL    string            `json:"url"`
	// Evidence is why the key is the identity's.
	Evidence How `json:"evidence"`
	// Status is what the owner got for URL while exploring, 0 when it was
	// not read.
	Status int `json:"status,omitempty"`
}

// maxObjects bounds Objects' answer per operation.
const maxObjectsPerOp = 4

// Objects answers "what does this identity own, and how do I read each?":
// for every safe read operation whose parameters its own values fill, the
// objects they pick (the last parameter is the object; the others are
// filled with its best own values), at most four per operation.
func (m *Model) Objects(id *identity.Identity) []Object {
	if m == nil || id == nil || id.IsAnonymous() {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	people := m.knownPeopleLocked()
	var out []Object
	for _, op := range m.ops() {
		if !explorable(op) {
			continue
		}
		req, _ := needs(op)
		if len(req) == 0 {
			continue
		}
		vals := map[string]string{}
		ok := true
		for _, p := range req[:len(req)-1] {
			cs := m.valuesLocked(op, p.Name, Query{As: id, Owner: Mine, Limit: 1}, people)
			if len(cs) == 0 {
				ok = false
				break
			}
			vals[p.Name] = cs[0].Value
		}
		if !ok {
			continue
		}
		last := req[len(req)-1]
		for _, c := range m.valuesLocked(op, last.Name, Query{As: id, Owner: Mine, Limit: maxObjectsPerOp}, people) {
			v := make(map[string]string, len(vals)+1)
			for k, x := range vals {
				v[k] = x
			}
			v[last.Name] = c.Value
			u := surface.URL(m.base, op, v)
			o := Object{Op: op, Operation: op.Key(), Param: last.Name, Key: c.Value, Kind: c.Kind, Values: v, URL: u, Evidence: c.Evidence}
			for _, r := range m.reads[readKey{op.Key(), id.Name}] {
				if r.URL == u {
					o.Status = r.Status
				}
			}
			out = append(out, o)
		}
	}
	return out
}

// ownedLocked are the values who owns, best evidence first.
func (m *Model) ownedLocked(who string, people map[string]Person) []Candidate {
	var out []Candidate
	for _, e := range m.values {
		own := m.ownerLocked(e, people, "")
		if own.owner != who || len(e.origins) == 0 {
			continue
		}
		o := e.origins[0]
		isKey := false
		for _, x := range e.origins {
			isKey = isKey || x.isKey
		}
		out = append(out, Candidate{Value: e.text, Kind: e.kind, Owner: who, Evidence: own.evidence, Public: own.public,
			From: o.op, Field: o.path, Score: strength(own.evidence), isKey: isKey})
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}

// Answer is how one identity was answered by a read while exploring.
type Answer struct {
	Identity string `json:"identity"`
	URL      string `json:"url"`
	Status   int    `json:"status"`
	// Shape sums the answer up: "object{balance,id,owner}",
	// "list{id,title}", "text text/html". Two answers of one shape are the
	// same kind of answer.
	Shape string `json:"shape"`
	// Data says the answer carries data rather than an error.
	Data bool `json:"data"`
}

// Gate is how a read operation answered each identity while exploring.
type Gate struct {
	Op        *rampart.Operation `json:"-"`
	Operation string             `json:"operation"`
	// Answers holds each identity's first answer, anonymous first.
	Answers []Answer `json:"answers"`
	// NeedsCredentials says the anonymous caller was refused (401, 403,
	// or an answer without data) where an identity got data: a gated
	// read, on which a forged credential is proved by difference.
	NeedsCredentials bool `json:"needsCredentials"`
}

// Answer returns the identity's answer, false when it did not read it.
func (g Gate) Answer(id *identity.Identity) (Answer, bool) {
	for _, a := range g.Answers {
		if a.Identity == asName(id) {
			return a, true
		}
	}
	return Answer{}, false
}

// Gate answers "does this operation need credentials, and how did each
// identity fare there?"; false when exploring did not read it.
func (m *Model) Gate(op *rampart.Operation) (Gate, bool) {
	if m == nil || op == nil {
		return Gate{}, false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.gateLocked(op)
}

func (m *Model) gateLocked(op *rampart.Operation) (Gate, bool) {
	g := Gate{Op: op, Operation: op.Key()}
	for _, who := range m.order {
		rs := m.reads[readKey{op.Key(), who}]
		if len(rs) == 0 {
			continue
		}
		r := rs[0]
		for _, x := range rs {
			if x.Data && x.Status >= 200 && x.Status <= 299 {
				r = x // the answer that worked tells more than the misses
				break
			}
		}
		a := Answer{Identity: who, URL: r.URL, Status: r.Status, Shape: r.Shape, Data: r.Data}
		if who == identity.AnonymousName {
			g.Answers = append([]Answer{a}, g.Answers...)
		} else {
			g.Answers = append(g.Answers, a)
		}
	}
	if len(g.Answers) == 0 {
		return g, false
	}
	anon, hasAnon := g.Answer(nil)
	refused := hasAnon && (anon.Status == http.StatusUnauthorized || anon.Status == http.StatusForbidden || !anon.Data || anon.Status >= 300)
	for _, a := range g.Answers {
		if a.Identity != identity.AnonymousName && a.Data && a.Status >= 200 && a.Status <= 299 && refused &&
			(anon.Status != a.Status || anon.Shape != a.Shape) {
			g.NeedsCredentials = true
		}
	}
	return g, true
}

// Gated returns the reads that need credentials (Gate.NeedsCredentials),
// by operation key.
func (m *Model) Gated() []Gate {
	if m == nil {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Gate
	for _, op := range m.ops() {
		if g, ok := m.gateLocked(op); ok && g.NeedsCredentials {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b Gate) int { return strings.Compare(a.Operation, b.Operation) })
	return out
}

// Link is one producer of a parameter: a field of an answer (or of a
// request the client sent) whose values feed it.
type Link struct {
	// From is the producing operation's key, or FromLogin, FromToken.
	From string `json:"from"`
	// Field is the field's path there; "request." paths are values the
	// client chose and sent (a title in a create).
	Field string `json:"field"`
	// By says how it was linked: "thing" (an object's id or name for
	// {thing_id}), "name", "kind", "spec" (declared, not yet seen).
	By     string `json:"by"`
	Score  int    `json:"score"`
	Values int    `json:"values"`
}

// Producers answers "which operations produce this parameter?": the
// fields whose values were linked to it (the operation's own answer, which
// only echoes the key, aside), best first, then fields the spec declares
// under a matching name that no answer has shown yet.
func (m *Model) Producers(op *rampart.Operation, param string) []Link {
	if m == nil || op == nil {
		return nil
	}
	in, schema := "body", (*rampart.Schema)(nil)
	for i := range op.Params {
		if op.Params[i].Name == param {
			in, schema = op.Params[i].In, op.Params[i].Schema
		}
	}
	m.mu.RLock()
	cands := m.linked(op.Path, in, param, schema)
	m.mu.RUnlock()
	type lk struct{ from, field string }
	agg := map[lk]*Link{}
	vals := map[lk]map[string]bool{}
	for _, c := range cands {
		if !fits(c.Value, schema) || c.From == op.Key() {
			continue // a read echoing its own key produces nothing
		}
		k := lk{c.From, c.Field}
		l := agg[k]
		if l == nil {
			l = &Link{From: c.From, Field: c.Field}
			agg[k], vals[k] = l, map[string]bool{}
		}
		if c.Score > l.Score {
			l.Score, l.By = c.Score, c.By
		}
		vals[k][c.Value] = true
		l.Values = len(vals[k])
	}
	var out []Link
	for _, l := range agg {
		out = append(out, *l)
	}
	for _, l := range m.specLinks(op, in, param) {
		if agg[lk{l.From, l.Field}] == nil {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b Link) int {
		return cmp.Or(b.Score-a.Score, b.Values-a.Values, strings.Compare(a.From, b.From), strings.Compare(a.Field, b.Field))
	})
	return out
}
