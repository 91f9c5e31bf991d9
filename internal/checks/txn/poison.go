package txn

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/surface"
)

// The poisoned connection. A Flask app that keeps one module-level
// psycopg2 connection (or a session it never rolls back) runs every request
// in the same transaction. When one statement fails, PostgreSQL and
// CockroachDB abort that transaction and refuse everything after it with
// 25P02 "current transaction is aborted, commands ignored until end of
// transaction block" — for every later request, every user, until the
// process restarts. The oracle: a read that worked before an
// error-inducing input fails with 25P02 after it. Both requests are reads,
// but the proof is the damage: the app stays broken until it restarts, so
// the check needs active mode, like every check that sends values meant to
// make the server fail (docs/safety.md, "What safe mode sends").

const (
	maxSiblings = 4
	maxInputs   = 3
)

func poisonApplies(op *rampart.Operation) bool { return op.Method == http.MethodGet }

// aborted reports whether an answer is a 25P02 refusal.
func aborted(r *engine.Response) (dberr.Hit, bool) {
	if r == nil {
		return dberr.Hit{}, false
	}
	for _, h := range dberr.Match(r.Body) {
		if h.Kind == dberr.AbortedTxn {
			return h, true
		}
	}
	return dberr.Hit{}, false
}

// siblings are the reads that may share the operation's connection: those
// under the same first path segment (one blueprint, one module), without
// path parameters other than ones we can fill.
func siblings(p *check.Pass, op *rampart.Operation) []*rampart.Operation {
	var out []*rampart.Operation
	for _, s := range indexOf(p).reads[firstSegment(op.Path)] {
		if s == op {
			continue
		}
		out = append(out, s)
		if len(out) == maxSiblings {
			break
		}
	}
	return out
}

// inputs are the operation's path and query parameters.
func inputs(op *rampart.Operation) []rampart.Param {
	var out []rampart.Param
	for _, prm := range op.Params {
		if prm.In == "path" || prm.In == "query" {
			out = append(out, prm)
			if len(out) == maxInputs {
				break
			}
		}
	}
	return out
}

// breakers turn a valid value into one that makes a SQL statement fail if
// the value reaches the SQL text (a quote) or an identifier position.
var breakers = []string{"'", `"`}

func runPoison(ctx context.Context, p *check.Pass) error {
	who := p.FirstUser()
	get := func(op *rampart.Operation, values map[string]string) (*engine.Response, error) {
		return p.Send(ctx, who, &engine.Request{Method: http.MethodGet, URL: p.URL(op, values),
			Header: http.Header{"Accept": {"application/json"}}})
	}
	base, err := get(p.Op, nil)
	if err != nil {
		return err
	}
	if h, ok := aborted(base); ok {
		// Already poisoned, by an earlier request of this scan or of
		// anyone: a valid read refused with 25P02 is the proof itself.
		reportPoison(p, p.Op, nil, base, h, nil)
		return nil
	}
	ins := inputs(p.Op)
	if len(ins) == 0 {
		p.NotApplicable("no query or path parameter to break a statement with")
		return nil
	}
	p.Tested()
	sibs := siblings(p, p.Op)
	before := map[*rampart.Operation]*engine.Response{}
	for _, s := range sibs {
		r, err := get(s, nil)
		if err != nil {
			return err
		}
		if h, ok := aborted(r); ok {
			reportPoison(p, s, nil, r, h, nil)
			continue
		}
		before[s] = r
	}

	var induced *engine.Response
	for _, prm := range ins {
		valid := surface.PathValue(p.Op, &prm)
		for _, b := range breakers {
			r, err := get(p.Op, map[string]string{prm.Name: valid + b})
			if err != nil {
				return err
			}
			if r.Status >= 500 || dberr.IsSQLError(r.Body) {
				induced = r
				break
			}
		}
		if induced != nil {
			break
		}
	}
	if induced == nil {
		return nil
	}
	after, err := get(p.Op, nil)
	if err != nil {
		return err
	}
	if h, ok := aborted(after); ok {
		reportPoison(p, p.Op, base, after, h, induced)
	}
	for _, s := range sibs {
		b, ok := before[s]
		if !ok {
			continue
		}
		r, err := get(s, nil)
		if err != nil {
			return err
		}
		if h, ok := aborted(r); ok {
			reportPoison(p, s, b, r, h, induced)
		}
	}
	return nil
}

// reportPoison reports at victim, the read that now fails. before is its
// earlier answer (nil when it was already failing), induced the request
// that caused it (nil when unknown).
func reportPoison(p *check.Pass, victim *rampart.Operation, before, after *engine.Response, h dberr.Hit, induced *engine.Response) {
	f := p.Meta.NewFinding(rampart.Location{Method: victim.Method, Path: victim.Path, URL: after.RequestURL}, "")
	f.Confidence = rampart.Confirmed
	var b strings.Builder
	switch {
	case induced != nil:
		fmt.Fprintf(&b, "%s answered %d before and %d after one malformed request to %s (%d): %q.",
			victim.Key(), before.Status, after.Status, p.Op.Key(), induced.Status, snippet(h.Snippet))
		b.WriteString(" The failed statement left the database transaction aborted on a connection that later requests share (SQLSTATE 25P02): every read on it now fails, for every user, until the application restarts or rolls back.")
	default:
		fmt.Fprintf(&b, "A valid request to %s is refused with %d and %q: an earlier failed statement left the transaction aborted on a connection shared between requests (SQLSTATE 25P02), and nothing rolled it back.",
			victim.Key(), after.Status, snippet(h.Snippet))
		b.WriteString(" Every later request on that connection fails the same way until the application restarts.")
	}
	f.Message = b.String()
	if before != nil {
		f.Evidence = append(f.Evidence, p.Evidence(before, "the read before"))
	}
	if induced != nil {
		f.Evidence = append(f.Evidence, p.Evidence(induced, "the error-inducing read"))
		f.Related = []rampart.Related{{Location: rampart.Location{Method: p.Op.Method, Path: p.Op.Path, URL: induced.RequestURL},
			Note: "the malformed read that aborted the shared transaction", Curl: p.Curl(induced)}}
	}
	f.Evidence = append(f.Evidence, p.Evidence(after, "the same valid read, now refused with 25P02"))
	f.Curl = p.Curl(after)
	p.Report(f)
}
