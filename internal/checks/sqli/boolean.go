package sqli

import (
	"context"
	"errors"
	"fmt"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
)

// runBoolean is SQLI-002: a true condition appended to the value must give
// the baseline's answer and a false one a different answer, twice, against
// a baseline that is itself stable.
func runBoolean(ctx context.Context, p *check.Pass) error {
	if authLike(p.Op) {
		// A login answers "invalid credentials" whether the condition is
		// true or false (the probe user does not exist, and a real one must
		// not be locked out): the error- and time-based checks cover it.
		p.NotApplicable("a login answers alike to a true and a false condition")
		return nil
	}
	t, err := newTarget(ctx, p, p.Op)
	if errors.Is(err, errNoTarget) {
		declareNoTarget(p, err)
		return nil
	}
	if err != nil {
		return err
	}
	todo := unproven(p, t)
	if len(todo) == 0 {
		p.NotApplicable(allProven)
		return nil
	}
	b1, err := t.send(ctx, p, nil, "")
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	if b1.Status >= 500 {
		p.NotTested(rampart.ReasonError, fmt.Sprintf("the valid request answers %d", b1.Status))
		return nil
	}
	b2, err := t.send(ctx, p, nil, "")
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	base := newView(b1.Status, b1.Body, "", "")
	nz, stable := learnNoise(base, newView(b2.Status, b2.Body, "", ""))
	if !stable {
		// The answer changes by itself: no differential can be trusted.
		p.NotTested(rampart.ReasonError, "the answer changes between two identical requests")
		return nil
	}
	judged(p, t, b1)
	return probeEach(ctx, todo, func(pt *point) error { return booleanPoint(ctx, p, t, pt, b1, base, nz) })
}

// rounds of true/false probes a finding needs. A page that flips between
// two states at random passes one round in four; three rounds and a
// stable baseline leave it one chance in 128.
const rounds = 3

func booleanContexts(pt *point) []sqlContext {
	if pt.Numeric {
		return []sqlContext{ctxNumeric, ctxQuoted}
	}
	return []sqlContext{ctxQuoted, ctxLike}
}

func booleanPoint(ctx context.Context, p *check.Pass, t *target, pt *point, b1 *engine.Response, base view, nz noise) error {
	for _, c := range booleanContexts(pt) {
		tv, fv := boolPair(c, pt.Base)
		var trueResp, falseResp *engine.Response
		ok := true
		for round := 0; round < rounds && ok; round++ {
			tr, err := t.send(ctx, p, pt, tv)
			if err != nil {
				return err
			}
			if !same(base, newView(tr.Status, tr.Body, tv, pt.Base), nz) {
				ok = false // the true condition changes the answer: wrong context
				break
			}
			fr, err := t.send(ctx, p, pt, fv)
			if err != nil {
				return err
			}
			if same(base, newView(fr.Status, fr.Body, fv, pt.Base), nz) {
				if round == 0 {
					// Neither condition changes anything: the value does not
					// filter what this answer shows, in any context.
					return nil
				}
				ok = false
				break
			}
			if round == 0 {
				trueResp, falseResp = tr, fr
			}
		}
		if !ok {
			continue
		}
		reportBoolean(p, t, pt, c, b1, trueResp, falseResp, tv, fv)
		return nil
	}
	return nil
}

func reportBoolean(p *check.Pass, t *target, pt *point, c sqlContext, b1, tr, fr *engine.Response, tv, fv string) {
	st := stackOf(p, nil)
	msg := fmt.Sprintf("%s %s: %s is injectable (boolean-based, %s context). With the condition `%s` the answer "+
		"is the same as for the original value; with `%s` it differs (%d, %d bytes instead of %d, %d bytes); both held "+
		"in three rounds against a stable baseline, so the value is evaluated as SQL by %s.",
		t.op.Method, t.op.Path, pt.label(), c, tv, fv, fr.Status, len(fr.Body), b1.Status, len(b1.Body), st.engineName())
	f := p.Finding(msg)
	f.Location.URL = fr.RequestURL
	f.Location.Param = pt.Name
	f.Key = pt.In + ":" + pt.Name
	f.Confidence = rampart.Confirmed
	f.Evidence = []rampart.Evidence{
		p.Evidence(b1, "baseline: the original value"),
		p.Evidence(tr, "a true condition appended: the same answer"),
		p.Evidence(fr, "a false condition appended: a different answer"),
	}
	f.Curl = p.Curl(fr)
	f.Remediation = valueFix(pt, c == ctxLike)
	p.Report(f)
	provenSet(p).add(pt.Key(t.op), p.Meta.ID)
}
