package check

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

// lost records the transport errors of one unit's requests (timeouts,
// resets, bodies cut short, routes given up on): most checks carry on past
// a request that got no answer, and the report must still say that part of
// the check did not happen. It keeps the first error and a count, so a unit
// that loses every answer costs no more memory than one that loses one.
type lost struct {
	mu    sync.Mutex
	first error
	n     int
}

func (l *lost) record(err error) {
	if l == nil || !isTransport(err) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first == nil {
		l.first = err
	}
	l.n++
}

// isTransport reports whether err is the target's failure to answer, as
// opposed to a request we refused to send (scope, mode, budget, a burst
// the configuration does not allow) or a scan being stopped. A route given
// up (engine.ErrCircuitOpen, engine.ErrThrottled) is the target's: it kept
// timing out or throttling, and the unit's coverage must say so.
func isTransport(err error) bool {
	for _, ours := range []error{
		ErrBudget, engine.ErrOutOfScope, engine.ErrExcluded, engine.ErrModeForbids,
		engine.ErrBurstTooLarge, engine.ErrBurstProxy, context.Canceled, context.DeadlineExceeded,
	} {
		if errors.Is(err, ours) {
			return false
		}
	}
	return err != nil
}

// Lost returns the first transport error of the pass's requests and how
// many there were (0 and nil when every request got its answer).
func (p *Pass) Lost() (first error, n int) {
	if p.lost == nil {
		return nil, 0
	}
	p.lost.mu.Lock()
	defer p.lost.mu.Unlock()
	return p.lost.first, p.lost.n
}

// route names a request for the engine's circuit breaker. A request to the
// operation under test gets the operation's key, so /items/1 and /items/2
// share one breaker. A target-level check (no operation) looks its request
// up in the surface, since it sends few requests; anything else keeps the
// engine's default (method and path).
func (p *Pass) route(r *engine.Request) string {
	if r.Route != "" {
		return r.Route
	}
	method, path, ok := requestTarget(r)
	if !ok {
		return ""
	}
	if p.Op != nil {
		if method == strings.ToUpper(p.Op.Method) && matchesTemplate(path, p.Op.Path) {
			return p.Op.Key()
		}
		return ""
	}
	if op := p.surfaceOp(method, path); op != nil {
		return op.Key()
	}
	return ""
}

// requestTarget is a request's method (GET when it has none) and escaped
// path.
func requestTarget(r *engine.Request) (method, path string, ok bool) {
	method = strings.ToUpper(r.Method)
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return "", "", false
	}
	return method, u.EscapedPath(), true
}

// surfaceOp is the surface's operation for a method and a concrete path:
// the template with the most literal segments wins (/items/new over
// /items/{id}).
func (p *Pass) surfaceOp(method, path string) *rampart.Operation {
	var best *rampart.Operation
	bestLiteral := -1
	for _, op := range p.Surface {
		if method != strings.ToUpper(op.Method) || !matchesTemplate(path, op.Path) {
			continue
		}
		if n := strings.Count(op.Path, "/") - strings.Count(op.Path, "{"); n > bestLiteral {
			best, bestLiteral = op, n
		}
	}
	return best
}

// matchesTemplate reports whether a concrete path ends with the segments of
// a path template, a {param} standing for any one segment (the spec's base
// path may come before them).
func matchesTemplate(path, template string) bool {
	ps := strings.Split(strings.Trim(path, "/"), "/")
	ts := strings.Split(strings.Trim(template, "/"), "/")
	if len(ps) < len(ts) {
		return false
	}
	ps = ps[len(ps)-len(ts):]
	for i, t := range ts {
		if strings.Contains(t, "{") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		seg, err := url.PathUnescape(ps[i])
		if err != nil || seg != t {
			return false
		}
	}
	return true
}
