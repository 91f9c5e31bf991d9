package check

import (
	"context"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// Headers the API asks for (accept.Learner.Observe): every answer a check
// gets is read for a header it says is missing or wrong, every request
// carries the headers it confirmed (accept.Learner.Carry), and a request
// refused only for such a header is sent again with it, so that the check
// sees the API's real answer. Privileged headers (IsAdmin, X-Role) are
// learned but added only to an admin identity's requests: a user's
// request with one is BFLA-006's to send.

// maxHeaderRetries bounds the resends of one request: a yes/no header has
// three values to try (true, True, 1).
const maxHeaderRetries = 3

// Do sends r as id like Send, learned headers included, without counting
// it against the unit's budget: for reads whose summary every check
// shares (holdings.SharedGet), which no single unit pays for.
func (p *Pass) Do(ctx context.Context, id *identity.Identity, r *engine.Request) (*engine.Response, error) {
	if id == nil {
		id = p.Anonymous()
	}
	return p.sendLearning(ctx, id, r, false)
}

// sendLearning sends r as id, with the learned headers, learning from the
// answer; it is Send's body once the budget is taken. metered resends
// count against the unit's budget.
func (p *Pass) sendLearning(ctx context.Context, id *identity.Identity, r *engine.Request, metered bool) (*engine.Response, error) {
	if p.Accept == nil {
		return id.Do(ctx, p.Client, r)
	}
	var op *rampart.Operation
	if p.Accept.HasHeaders() {
		op = p.opOf(r)
	}
	own := r.Header // what the check itself set
	admin := id.Role == identity.RoleAdmin
	r = p.carry(op, r, admin)
	resp, err := id.Do(ctx, p.Client, r)
	if err != nil {
		return resp, err
	}
	if op == nil {
		if op = p.opOf(r); op == nil {
			return resp, err
		}
	}
	for try := 0; ; try++ {
		changed := p.Accept.Observe(op, r.Header, resp)
		if len(changed) == 0 || try == maxHeaderRetries || !retryable(changed, own, op, p, admin) {
			return resp, err
		}
		if metered && p.meter.take(1) != nil {
			return resp, err
		}
		q := *r
		q.Header = own.Clone()
		r = p.carry(op, &q, admin)
		if resp, err = id.Do(ctx, p.Client, r); err != nil {
			return resp, err
		}
	}
}

// carry returns r with the learned headers for op added (a copy when any
// is); privileged ones only for an admin identity, which holds the
// privilege anyway (it removes what the scan created).
func (p *Pass) carry(op *rampart.Operation, r *engine.Request, privileged bool) *engine.Request {
	if op == nil || !p.Accept.HasHeaders() {
		return r
	}
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if len(p.Accept.Carry(op, h, privileged)) == 0 {
		return r
	}
	q := *r
	q.Header = h
	return &q
}

// retryable says a resend would carry the changed headers: the check did
// not set them itself, and none is privileged unless the sender is an
// admin.
func retryable(changed []string, own http.Header, op *rampart.Operation, p *Pass, privileged bool) bool {
	for _, n := range changed {
		if len(own.Values(n)) > 0 {
			return false
		}
	}
	h := http.Header{}
	p.Accept.Carry(op, h, privileged)
	for _, n := range changed {
		if len(h.Values(n)) == 0 {
			return false
		}
	}
	return true
}

// opOf finds the operation a request is for: the pass's own when it
// matches, else the surface's with the most literal segments.
func (p *Pass) opOf(r *engine.Request) *rampart.Operation {
	method, path, ok := requestTarget(r)
	if !ok {
		return nil
	}
	if p.Op != nil && method == strings.ToUpper(p.Op.Method) && matchesTemplate(path, p.Op.Path) {
		return p.Op
	}
	return p.surfaceOp(method, path)
}
