package check

import (
	"context"
	"net/http"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Request is the best request known for op (see accept.Learner.Request):
// path, query and header values and a decoded body. It sends nothing.
func (p *Pass) Request(op *rampart.Operation) *accept.Request {
	if p.Accept == nil {
		return specRequest(op)
	}
	return p.Accept.Request(op)
}

// specRequest is the spec's synthesised request, for passes without a
// learner.
func specRequest(op *rampart.Operation) *accept.Request {
	r := &accept.Request{Op: op, Path: map[string]string{}, Query: map[string]string{}, Header: http.Header{}}
	for i := range op.Params {
		prm := &op.Params[i]
		if prm.In == "path" {
			r.Path[prm.Name] = surface.PathValue(op, prm)
		}
	}
	if op.Body != nil {
		r.Body, r.ContentType = surface.BodyValue(op), op.Body.ContentType
		if r.ContentType == "" {
			r.ContentType = "application/json"
		}
	}
	return r
}

// Accepted returns a request for op that passes the API's validation, as
// id (anonymous when nil): learned on the first call of the scan by
// sending it and fixing what 400/422 answers name, at most
// accept.MaxRounds requests (counted in the unit's budget), remembered
// afterwards (later calls send nothing; resp is then nil). Writes are sent
// only in active mode: in a safe scan a write's request is returned as the
// spec and earlier answers make it, unsent. Status tells whether it was
// accepted.
func (p *Pass) Accepted(ctx context.Context, id *identity.Identity, op *rampart.Operation) (*accept.Request, *engine.Response, error) {
	if p.Accept == nil {
		return specRequest(op), nil, nil
	}
	if !readMethod(op.Method) && p.Mode < rampart.Active {
		return p.Accept.Request(op), nil, nil
	}
	return p.Accept.Accepted(ctx, op, func(ctx context.Context, r *accept.Request) (*engine.Response, error) {
		q := p.Build(r)
		// A throttled operation is not worth waiting for to learn a body:
		// the 429 comes back at once, and learning stops until a later call.
		q.Want429 = true
		return p.Send(ctx, id, q)
	})
}

// AcceptStatus is what the API made of op's requests so far (Untried
// without a learner).
func (p *Pass) AcceptStatus(op *rampart.Operation) accept.Status {
	if p.Accept == nil {
		return accept.Untried
	}
	return p.Accept.Status(op)
}

// Learn lets the learner read an answer a check got to a request built
// from p.Request or p.Accepted: a 400/422 naming fields teaches what the
// API wants. It reports whether a retry (with p.Request) would differ.
func (p *Pass) Learn(op *rampart.Operation, r *accept.Request, resp *engine.Response) bool {
	if p.Accept == nil {
		return false
	}
	return p.Accept.Learn(op, r, resp)
}

// Build turns a request into what the engine sends (credentials are added
// by the identity that sends it). Fields that must be new on every
// request (Idempotency-Key) get a new value here.
func (p *Pass) Build(r *accept.Request) *engine.Request {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if p.Accept != nil {
		p.Accept.Refresh(h)
	}
	body, ct := r.Encode()
	if body != nil {
		h.Set("Content-Type", ct)
	}
	return &engine.Request{Method: r.Op.Method, URL: p.URL(r.Op, r.Values()), Header: h, Body: body}
}

func readMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
