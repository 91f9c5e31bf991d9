package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// The difference oracle proves a forged credential without a "who am I"
// endpoint. A gated read answers an identity's genuine credential with
// data, the same data twice, and answers neither no credential nor a
// garbage one with it. A forgery is then accepted exactly when it gets the
// genuine credential's answer.

const (
	maxGatedCandidates = 8
	// answerKeep bounds what an Answer keeps: enough for the records real
	// APIs answer, bounded whatever the target sends.
	answerKeep = 64 << 10
)

// Answer is what the difference oracle keeps of a response.
type Answer struct {
	Status int
	Body   []byte
}

// AnswerOf copies what comparisons need of a response.
func AnswerOf(r *engine.Response) Answer {
	if r == nil {
		return Answer{}
	}
	b := r.Body
	if len(b) > answerKeep {
		b = b[:answerKeep]
	}
	return Answer{Status: r.Status, Body: bytes.Clone(b)}
}

// SameAnswer reports whether two answers are the same success: the same
// 2xx status and the same content, allowing for values that change from
// one answer to the next (timestamps, request ids).
func SameAnswer(x, y Answer) bool {
	if x.Status != y.Status || x.Status < 200 || x.Status > 299 {
		return false
	}
	if bytes.Equal(x.Body, y.Body) {
		return len(bytes.TrimSpace(x.Body)) > 0
	}
	lx, ly := leaves(x.Body), leaves(y.Body)
	if len(lx) == 0 || len(ly) == 0 {
		return false
	}
	common := 0
	for k := range lx {
		if ly[k] {
			common++
		}
	}
	return common*10 >= max(len(lx), len(ly))*8
}

// leaves are a JSON body's scalar values with their paths (array indexes
// dropped), at most a few hundred.
func leaves(body []byte) map[string]bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil
	}
	out := map[string]bool{}
	var walk func(string, any, int)
	walk = func(path string, v any, depth int) {
		if depth > 12 || len(out) >= 400 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(path+"."+k, c, depth+1)
			}
		case []any:
			for i, c := range x {
				if i >= 50 {
					break
				}
				walk(path+"[]", c, depth+1)
			}
		default:
			out[path+"="+fmt.Sprint(x)] = true
		}
	}
	walk("", doc, 0)
	return out
}

// Gated is a read where forgeries are told apart by their answer.
type Gated struct {
	Op       *rampart.Operation
	URL      string
	Identity *identity.Identity // whose genuine credential it answers
	Genuine  Answer
	Shown    *engine.Response // an excerpt of the genuine answer, for evidence
	// Base is the evidence of the genuine answer and of the two refusals;
	// Refused says how they were answered.
	Base    []rampart.Evidence
	Refused string
}

// GatedCandidates are the GETs worth probing, best first: no path
// parameter to guess, secured by the spec; only plain reads
// (surface.PlainRead).
func GatedCandidates(ops []*rampart.Operation) []*rampart.Operation { return rankGated(ops, nil) }

// gatedCandidates is GatedCandidates that also asks the API model how each
// read answered while exploring: a read known to refuse anonymous callers
// and answer an identity comes first, one known to give anonymous callers
// data comes last. Without that, a surface that declares no security (a
// crawled one) fills the eight probes with public pages.
func (p *Pass) gatedCandidates() []*rampart.Operation { return rankGated(p.Surface, p.Model) }

func rankGated(ops []*rampart.Operation, m *apimodel.Model) []*rampart.Operation {
	var out []*rampart.Operation
	for _, op := range ops {
		if !surface.PlainRead(op) {
			continue
		}
		out = append(out, op)
	}
	score := func(op *rampart.Operation) int {
		s := 0
		if !hasPathParam(op) {
			s += 100
		}
		if len(op.Security) > 0 {
			s += 20
		}
		if g, ok := m.Gate(op); ok {
			if g.NeedsCredentials {
				s += 200
			} else if anon, ok := g.Answer(nil); ok && anon.Data && anon.Status >= 200 && anon.Status <= 299 {
				s -= 200
			}
		}
		return s
	}
	sort.SliceStable(out, func(i, j int) bool { return score(out[i]) > score(out[j]) })
	if len(out) > maxGatedCandidates {
		out = out[:maxGatedCandidates]
	}
	return out
}

// answeredFirst orders the identities for one read: those the API model
// saw get data there first, the rest in the order given.
func (p *Pass) answeredFirst(op *rampart.Operation, ids []*identity.Identity) []*identity.Identity {
	g, ok := p.Model.Gate(op)
	if !ok {
		return ids
	}
	got := func(id *identity.Identity) bool {
		a, ok := g.Answer(id)
		return ok && a.Data && a.Status >= 200 && a.Status <= 299
	}
	out := slices.Clone(ids)
	sort.SliceStable(out, func(i, j int) bool { return got(out[i]) && !got(out[j]) })
	return out
}

func hasPathParam(op *rampart.Operation) bool {
	for _, prm := range op.Params {
		if prm.In == "path" {
			return true
		}
	}
	return false
}

// GarbageFunc sends a GET of url with a credential that is the right
// kind but not a real one, in the place the identity's own goes.
type GarbageFunc func(ctx context.Context, id *identity.Identity, url string) (*engine.Response, error)

// FindGated probes up to eight candidate reads, each with the first
// identities in order (at most two: a read may be reserved to a role or a
// group), and returns up to max gated reads. Each probe is four GETs: the
// genuine credential twice, none, and garbage's.
func (p *Pass) FindGated(ctx context.Context, ids []*identity.Identity, garbage GarbageFunc, max int) []*Gated {
	var out []*Gated
	for _, op := range p.gatedCandidates() {
		if len(out) >= max || ctx.Err() != nil {
			break
		}
		for i, id := range p.answeredFirst(op, ids) {
			if i >= 2 {
				break
			}
			if g := p.probeGated(ctx, op, id, garbage); g != nil {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

func (p *Pass) probeGated(ctx context.Context, op *rampart.Operation, id *identity.Identity, garbage GarbageFunc) *Gated {
	u := p.URL(op, nil)
	first, err := p.Get(ctx, id, u, nil)
	if err != nil || first.Status < 200 || first.Status > 299 || !HasData(first.Body) {
		return nil // refused (another identity may be let in) or nothing to compare
	}
	gen := AnswerOf(first)
	again, err := p.Get(ctx, id, u, nil)
	if err != nil || !SameAnswer(AnswerOf(again), gen) {
		return nil // an answer that changes by itself proves nothing
	}
	anon, err := p.Get(ctx, nil, u, nil)
	if err != nil || SameAnswer(AnswerOf(anon), gen) {
		return nil
	}
	gr, err := garbage(ctx, id, u)
	if err != nil || SameAnswer(AnswerOf(gr), gen) {
		return nil
	}
	return &Gated{
		Op: op, URL: u, Identity: id, Genuine: gen, Shown: p.Excerpt(first),
		Base: []rampart.Evidence{
			p.Evidence(first, id.Name+"'s genuine credential"),
			p.Evidence(anon, "baseline: no credential"),
			p.Evidence(gr, "baseline: a credential that is not a real one"),
		},
		Refused: fmt.Sprintf("%d without a credential, %d with a made-up one", anon.Status, gr.Status),
	}
}

// RoleGated is a read that an admin identity gets data from and a
// user-role identity does not: after a privilege escalation attempt, the
// user getting the admin's kind of answer there is the proof.
type RoleGated struct {
	Op      *rampart.Operation
	URL     string
	Admin   Answer
	Refused int // the user's status there
	// Base is the evidence of the admin's answer and of the user's refusal.
	Base []rampart.Evidence
}

// FindRoleGated probes up to eight reads (those that name admin things
// first) as admin and as user, two GETs each, and returns up to max reads
// where only the admin gets data.
func (p *Pass) FindRoleGated(ctx context.Context, admin, user *identity.Identity, max int) []*RoleGated {
	if admin == nil || user == nil {
		return nil
	}
	cands := p.gatedCandidates()
	sort.SliceStable(cands, func(i, j int) bool {
		return strings.Contains(strings.ToLower(cands[i].Path), "admin") && !strings.Contains(strings.ToLower(cands[j].Path), "admin")
	})
	var out []*RoleGated
	for _, op := range cands {
		if len(out) >= max || ctx.Err() != nil {
			break
		}
		u := p.URL(op, nil)
		a, err := p.Get(ctx, admin, u, nil)
		if err != nil || a.Status < 200 || a.Status > 299 || !HasData(a.Body) {
			continue
		}
		r, err := p.Get(ctx, user, u, nil)
		if err != nil || (r.Status >= 200 && r.Status <= 299 && HasData(r.Body)) {
			continue // the user reads it too: not reserved
		}
		out = append(out, &RoleGated{Op: op, URL: u, Admin: AnswerOf(a), Refused: r.Status,
			Base: []rampart.Evidence{p.Evidence(a, admin.Name+" (admin) reads it"), p.Evidence(r, user.Name+" (user) is refused")}})
	}
	return out
}

// Privileged reports whether who now gets the admin's kind of answer at a
// role-gated read, with the response for evidence.
func (p *Pass) Privileged(ctx context.Context, who *identity.Identity, g *RoleGated) (bool, *engine.Response, error) {
	r, err := p.Get(ctx, who, g.URL, nil)
	if err != nil {
		return false, nil, err
	}
	ok := r.Status >= 200 && r.Status <= 299 && HasData(r.Body) && (SameAnswer(AnswerOf(r), g.Admin) || SameShape(r.Body, g.Admin.Body))
	return ok, r, nil
}
