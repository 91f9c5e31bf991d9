package sqli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
)

// probeDelay is the time-based oracle's unit D. A second is far above the
// jitter of a local or staging network and keeps a confirmed point under
// ten seconds; tests shrink it.
var probeDelay = time.Second

// runTime is SQLI-004.
func runTime(ctx context.Context, p *check.Pass) error {
	t, err := newTarget(ctx, p, p.Op)
	if errors.Is(err, errNoTarget) {
		return nil
	}
	if err != nil {
		return err
	}
	todo := unproven(p, t)
	if len(todo) == 0 {
		return nil
	}
	r := rulesFor(probeDelay.Seconds())
	var base []float64
	for i := 0; i < 2; i++ {
		resp, err := t.send(ctx, p, nil, "")
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		base = append(base, resp.Duration.Seconds())
	}
	if ok, _ := r.plausible(base, 1, nil); !ok || minOf(base) > 2*r.unit {
		return nil // too slow or too noisy to time a one-second delay
	}
	return probeEach(ctx, todo, func(pt *point) error { return timePoint(ctx, p, t, pt, base, r) })
}

func timeContexts(pt *point) []sqlContext {
	if pt.Numeric {
		return []sqlContext{ctxNumeric, ctxQuoted}
	}
	// The concatenation form is valid inside a quoted string and inside a
	// LIKE pattern alike.
	return []sqlContext{ctxQuoted}
}

func timePoint(ctx context.Context, p *check.Pass, t *target, pt *point, base []float64, r timeRules) error {
	for _, c := range timeContexts(pt) {
		first, resp, err := timed(ctx, p, t, pt, c, r.unit)
		if err != nil {
			// A probe that times out may be evaluated once per row: stop
			// here rather than load the database further.
			return err
		}
		k := r.multiplier(first, base)
		if k == 0 {
			continue
		}
		if k > r.maxK {
			return nil
		}
		ss := []sample{first}
		evidence := []*engine.Response{resp}
		ok := true
		for _, d := range r.schedule(k) {
			s, resp, err := timed(ctx, p, t, pt, c, d)
			if err != nil {
				return err
			}
			ss = append(ss, s)
			if d > 0 && len(evidence) < 2 || d == 0 && len(evidence) == 2 {
				evidence = append(evidence, resp)
			}
			if good, _ := r.plausible(base, k, ss); !good {
				ok = false
				break
			}
		}
		if !ok {
			return nil // the first delay was a coincidence: this point is not timed further
		}
		v := r.judge(base, k, ss)
		if !v.ok {
			return nil
		}
		reportTime(p, t, pt, c, v, ss, evidence)
		return nil
	}
	return nil
}

func timed(ctx context.Context, p *check.Pass, t *target, pt *point, c sqlContext, d float64) (sample, *engine.Response, error) {
	resp, err := t.send(ctx, p, pt, sleepProbe(c, pt.Base, d))
	if err != nil {
		return sample{}, nil, err
	}
	return sample{d: d, t: resp.Duration.Seconds()}, resp, nil
}

func reportTime(p *check.Pass, t *target, pt *point, c sqlContext, v verdict, ss []sample, ev []*engine.Response) {
	st := stackOf(p, nil)
	var series []string
	for _, s := range ss {
		series = append(series, fmt.Sprintf("%gs→%.2fs", s.d, s.t))
	}
	times := ""
	if v.k > 1 {
		times = fmt.Sprintf(" (the value is evaluated %d times per statement, so each delay counts %d times)", v.k, v.k)
	}
	msg := fmt.Sprintf("%s %s: %s is injectable (time-based, %s context, %s). pg_sleep in the value delays the answer by "+
		"exactly the requested time%s: %d samples alternating delays and none (%s) fit response = %.2fs + %.2f × delay "+
		"with R²=%.3f; zero-delay answers stayed within %.0fms of the baseline. A slow server or random latency "+
		"cannot produce that line.",
		t.op.Method, t.op.Path, pt.label(), c, st.pgName(), times, len(ss), strings.Join(series, ", "),
		v.intercept, v.slope, v.r2, v.zeroSpread*1000)
	f := p.Finding(msg)
	f.Location.URL = ev[0].RequestURL
	f.Location.Param = pt.Name
	f.Key = pt.In + ":" + pt.Name
	f.Confidence = rampart.Confirmed
	for i, r := range ev {
		note := "pg_sleep requested: the answer is delayed by the requested time"
		if i == len(ev)-1 && len(ev) > 2 {
			note = "the same probe with pg_sleep(0): answered at baseline speed"
		}
		f.Evidence = append(f.Evidence, p.Evidence(r, fmt.Sprintf("%s (took %s)", note, r.Duration.Round(time.Millisecond))))
	}
	f.Curl = p.Curl(ev[0])
	f.Remediation = valueFix(pt, false)
	p.Report(f)
	provenSet(p).add(pt.Key(t.op), p.Meta.ID)
}
