package sqli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
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

// workPerUnit is how many rows SQLite's first time probe counts per second
// of probe delay: about a second on a 2020s server core (3 to 5 million
// rows a second), and at least a quarter of one on a machine several times
// faster, which the calibration then scales. Tests change it.
var workPerUnit = 3e6

// runTime is SQLI-004.
func runTime(ctx context.Context, p *check.Pass) error {
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
	r := rulesFor(probeDelay.Seconds())
	var base []float64
	var last *engine.Response
	for i := 0; i < 3; i++ {
		resp, err := t.send(ctx, p, nil, "")
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		last = resp
		base = append(base, resp.Duration.Seconds())
		if len(base) < 2 {
			continue
		}
		// The first answer of a connection is often the slowest: one
		// more sample replaces it before the endpoint counts as noisy.
		if ok, _ := r.plausible(base[len(base)-2:], 1, nil); ok {
			base = base[len(base)-2:]
			break
		}
	}
	if ok, _ := r.plausible(base, 1, nil); !ok || minOf(base) > 2*r.unit {
		// Too slow or too noisy to time a one-second delay.
		p.NotTested(rampart.ReasonError, fmt.Sprintf("answers too slow or too uneven to time a delay (fastest %.2fs)", minOf(base)))
		return nil
	}
	judged(p, t, last)
	ds := timeCandidates(p)
	return probeEach(ctx, todo, func(pt *point) error { return timePoint(ctx, p, t, pt, ds, base, r) })
}

func timeContexts(pt *point) []sqlContext {
	if pt.Numeric {
		return []sqlContext{ctxNumeric, ctxQuoted}
	}
	// The concatenation form is valid inside a quoted string and inside a
	// LIKE pattern alike.
	return []sqlContext{ctxQuoted}
}

// clock turns requested delays into a dialect's probe: seconds for
// pg_sleep and SLEEP, rows for SQLite at the rate the first probe measured.
type clock struct {
	d    *dialect
	rate float64 // rows per second; SQLite only
}

func (k clock) amount(secs float64) float64 {
	if !k.d.work {
		return secs
	}
	return math.Round(secs * k.rate)
}

func timePoint(ctx context.Context, p *check.Pass, t *target, pt *point, ds []*dialect, base []float64, r timeRules) error {
	for _, c := range timeContexts(pt) {
		for _, d := range ds {
			td, tp := t, pt
			if len(ds) > 1 {
				td, tp = t.forDialect(p, d, pt)
			}
			done, err := timeDialect(ctx, p, td, tp, c, d, base, r)
			if err != nil || done {
				// A probe that times out may be evaluated once per row:
				// stop here rather than load the database further.
				return err
			}
		}
	}
	return nil
}

// timeDialect times one point in one context and dialect. done means the
// point needs no other dialect or context: proved, or delayed in a way
// that does not fit and is better left alone.
func timeDialect(ctx context.Context, p *check.Pass, t *target, pt *point, c sqlContext, d *dialect, base []float64, r timeRules) (done bool, err error) {
	ck := clock{d: d}
	amount := r.unit
	if d.work {
		amount = math.Round(workPerUnit * r.unit)
		r = workRules(r.unit)
	}
	s, resp, err := timed(ctx, p, t, pt, c, d, amount, r.unit)
	if err != nil {
		return true, err
	}
	k := 1
	if d.work {
		// The first probe measures how fast this database counts: the
		// rest of the series asks for delays at that rate, so its slope
		// is one by construction and a wrong line is still refused.
		extra := s.t - minOf(base)
		if extra < r.tol/4 {
			return false, nil
		}
		if extra > float64(r.maxK)*r.unit {
			return true, nil // far slower than a probe should be: leave it alone
		}
		// A second measure, and the faster of the two: one slowed by a
		// passing load would make every later probe too short, which the
		// series refuses, while one too fast only lengthens them a little.
		again, _, err := timed(ctx, p, t, pt, c, d, amount, r.unit)
		if err != nil {
			return true, err
		}
		if e2 := again.t - minOf(base); e2 >= r.tol/4 && e2 < extra {
			extra = e2
		}
		ck.rate = amount / extra
	} else {
		k = r.multiplier(s, base)
		if k == 0 {
			return false, nil
		}
		if k > r.maxK {
			return true, nil
		}
	}
	var ss []sample
	if !d.work {
		ss = append(ss, s) // SQLite's first sample set the rate: it proves nothing
	}
	evidence := []*engine.Response{resp}
	for _, secs := range r.schedule(k) {
		s, resp, err := timed(ctx, p, t, pt, c, d, ck.amount(secs), secs)
		if err != nil {
			return true, err
		}
		ss = append(ss, s)
		if secs > 0 && len(evidence) < 2 || secs == 0 && len(evidence) == 2 {
			evidence = append(evidence, resp)
		}
		if good, _ := r.plausible(base, k, ss); !good {
			return true, nil // the first delay was a coincidence: this point is not timed further
		}
	}
	v := r.judge(base, k, ss)
	if !v.ok {
		return true, nil
	}
	reportTime(p, t, pt, c, ck, v, ss, evidence)
	return true, nil
}

// timed sends a delay probe asking the dialect for amount (seconds or
// rows) and records it as a request for secs seconds.
func timed(ctx context.Context, p *check.Pass, t *target, pt *point, c sqlContext, d *dialect, amount, secs float64) (sample, *engine.Response, error) {
	resp, err := t.send(ctx, p, pt, d.sleepProbe(c, pt.Base, amount))
	if err != nil {
		return sample{}, nil, err
	}
	return sample{d: secs, t: resp.Duration.Seconds()}, resp, nil
}

func reportTime(p *check.Pass, t *target, pt *point, c sqlContext, ck clock, v verdict, ss []sample, ev []*engine.Response) {
	st := stackOf(p, nil)
	if st.engine == "" || dialectOf(st.engine) != ck.d {
		st = stackInfo{engine: ck.d.name}
	}
	var series []string
	for _, s := range ss {
		series = append(series, fmt.Sprintf("%gs→%.2fs", s.d, s.t))
	}
	times := ""
	if v.k > 1 {
		times = fmt.Sprintf(" (the value is evaluated %d times per statement, so each delay counts %d times)", v.k, v.k)
	}
	how := ck.d.sleepName() + " in the value delays the answer by exactly the requested time"
	if ck.d.work {
		how = fmt.Sprintf("%s in the value delays the answer in proportion to the rows it counts (%.0f rows a second, "+
			"measured by a first probe)", ck.d.sleepName(), ck.rate)
	}
	msg := fmt.Sprintf("%s %s: %s is injectable (time-based, %s context, %s). %s%s: %d samples alternating delays and none (%s) "+
		"fit response = %.2fs + %.2f × delay with R²=%.3f; zero-delay answers stayed within %.0fms of the baseline. A slow "+
		"server or random latency cannot produce that line.",
		t.op.Method, t.op.Path, pt.label(), c, st.engineName(), how, times, len(ss), strings.Join(series, ", "),
		v.intercept, v.slope, v.r2, v.zeroSpread*1000)
	f := p.Finding(msg)
	f.Location.URL = ev[0].RequestURL
	f.Location.Param = pt.Name
	f.Key = pt.In + ":" + pt.Name
	f.Confidence = rampart.Confirmed
	for i, r := range ev {
		note := "a delay requested: the answer is delayed by the requested time"
		if i == len(ev)-1 && len(ev) > 2 {
			note = "the same probe without delay: answered at baseline speed"
		}
		f.Evidence = append(f.Evidence, p.Evidence(r, fmt.Sprintf("%s (took %s)", note, r.Duration.Round(time.Millisecond))))
	}
	f.Curl = p.Curl(ev[0])
	f.Remediation = valueFix(pt, false)
	p.Report(f)
	provenSet(p).add(pt.Key(t.op), p.Meta.ID)
}

// forDialect is the target a dialect's delay probes use. A login's probes
// carry a user name that does not exist (points.go); while the engine is
// unknown each dialect tries its own first probe, and on a login those
// would all count as failed attempts of one name, so each dialect gets a
// name of its own and none nears a lockout threshold of five.
func (t *target) forDialect(p *check.Pass, d *dialect, pt *point) (*target, *point) {
	if !authLike(t.op) || (t.bodyJSON == nil && t.bodyForm == nil) {
		return t, pt
	}
	tt, ptt := *t, *pt
	for _, email := range []bool{false, true} {
		old, repl := probeUser(t.op, p.Meta.ID, email), probeUser(t.op, p.Meta.ID+" "+d.name, email)
		ptt.Base = strings.ReplaceAll(ptt.Base, old, repl)
		if tt.bodyJSON != nil {
			tt.bodyJSON = []byte(strings.ReplaceAll(string(tt.bodyJSON), old, repl))
		}
		if tt.bodyForm != nil {
			form := url.Values{}
			for k, vs := range tt.bodyForm {
				for _, v := range vs {
					form.Add(k, strings.ReplaceAll(v, old, repl))
				}
			}
			tt.bodyForm = form
		}
	}
	return &tt, &ptt
}
