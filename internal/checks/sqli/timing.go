package sqli

import (
	"fmt"
	"math"
)

// The statistics of the time-based oracle, apart from the network so they
// can be tested on synthetic samples.
//
// A slow answer proves nothing: servers stall, databases queue, networks
// jitter. The oracle asks the database for different delays, alternating
// long and none, and believes the injection only when every answer took
// what was asked for (times the number of places the value appears in the
// statement, learnt from the first probe) and the response time is a line
// of the requested delay with the right slope. A server that adds random
// latency, even of twice the probe delay, fails one of these almost surely.

// sample is one timed probe: the delay requested (seconds) and the time
// the answer took (seconds).
type sample struct {
	d, t float64
}

// timeRules are the oracle's thresholds, in seconds or ratios.
type timeRules struct {
	unit float64 // the probe delay D
	tol  float64 // noise budget: zero-delay answers stay within it
	// maxK is the most copies of the delay accepted in one answer: a value
	// used in more places (or evaluated per row) is not probed further.
	maxK int
	// rel widens the window of a delayed answer to this share of the delay
	// asked, and the slope's tolerance to it: a delay that is CPU work
	// (SQLite's counted rows) stretches with the machine's load, a sleep
	// does not. Zero-delay answers keep the absolute budget.
	rel float64
	// minR2 is the least R² a series must reach.
	minR2 float64
}

func rulesFor(unit float64) timeRules {
	return timeRules{unit: unit, tol: unit / 2, maxK: 4, minR2: 0.95}
}

// workRules are the rules for a delay that is work rather than sleep.
func workRules(unit float64) timeRules {
	r := rulesFor(unit)
	r.rel, r.minR2 = 0.4, 0.9
	return r
}

// schedule is the sequence of delays after the first probe (which asks
// for one unit and tells k), divided by k so an answer never takes more
// than about two units. The wider rules of a work-based delay get two more
// samples, which keep their false-positive rate at the sleep's
// (TestWorkRulesRandomLatencyRate).
func (r timeRules) schedule(k int) []float64 {
	u := r.unit / float64(k)
	if r.rel > 0 {
		return []float64{0, 2 * u, 0, u, 0, 2 * u, 0, u, 0}
	}
	return []float64{0, 2 * u, 0, u, 0, 2 * u, 0}
}

// multiplier reads k from the first probe: how many units its answer took
// beyond the fastest baseline. 0 means no delay at all; more than maxK is
// refused by the caller.
func (r timeRules) multiplier(first sample, base []float64) int {
	b := minOf(base)
	extra := first.t - b
	if extra < first.d-r.tol/2 {
		return 0
	}
	return max(1, int(math.Round(extra/first.d)))
}

// verdict is the oracle's decision on a series of samples.
type verdict struct {
	ok         bool
	k          int
	slope, r2  float64
	intercept  float64
	reason     string
	zero, high int
	zeroSpread float64
}

// plausible checks the samples so far (for early exit: one failed
// condition ends the series, so a fast endpoint costs one request).
func (r timeRules) plausible(base []float64, k int, ss []sample) (bool, string) {
	b := minOf(base)
	for _, s := range ss {
		if s.d == 0 {
			b = math.Min(b, s.t)
		}
	}
	for _, t := range base {
		if t-b > r.tol {
			return false, fmt.Sprintf("baseline answers vary by %.0fms", (t-b)*1000)
		}
	}
	for _, s := range ss {
		if s.d == 0 {
			if s.t-b > r.tol {
				return false, fmt.Sprintf("a zero-delay probe took %.0fms more than the fastest answer", (s.t-b)*1000)
			}
			continue
		}
		want := float64(k) * s.d
		got := s.t - b
		if got < want-max(r.tol/2, r.rel*want) || got > want+max(1.5*r.tol, r.rel*want) {
			return false, fmt.Sprintf("a %.2fs probe took %.2fs beyond the baseline (expected %.2fs)", s.d, got, want)
		}
	}
	return true, ""
}

// judge decides on a complete series.
func (r timeRules) judge(base []float64, k int, ss []sample) verdict {
	v := verdict{k: k}
	if k < 1 || k > r.maxK {
		v.reason = fmt.Sprintf("delay multiplier %d out of range", k)
		return v
	}
	if ok, why := r.plausible(base, k, ss); !ok {
		v.reason = why
		return v
	}
	var zmin, zmax = math.Inf(1), math.Inf(-1)
	levels := map[float64]bool{}
	for _, s := range ss {
		levels[s.d] = true
		if s.d == 0 {
			v.zero++
			zmin, zmax = math.Min(zmin, s.t), math.Max(zmax, s.t)
		} else {
			v.high++
		}
	}
	v.zeroSpread = zmax - zmin
	if v.zero < 3 || v.high < 3 || len(levels) < 3 {
		v.reason = "too few samples or delay levels"
		return v
	}
	v.slope, v.intercept, v.r2 = regress(ss)
	kf := float64(k)
	if math.Abs(v.slope-kf) > max(0.25, r.rel)*kf {
		v.reason = fmt.Sprintf("response time grows %.2f× the requested delay, expected %d×", v.slope, k)
		return v
	}
	if v.r2 < r.minR2 {
		v.reason = fmt.Sprintf("response time is not a line of the requested delay (R²=%.2f)", v.r2)
		return v
	}
	v.ok = true
	return v
}

// regress fits t = a + b·d by least squares and returns b, a and R².
func regress(ss []sample) (slope, intercept, r2 float64) {
	n := float64(len(ss))
	var sd, st float64
	for _, s := range ss {
		sd += s.d
		st += s.t
	}
	md, mt := sd/n, st/n
	var sdd, sdt, stt float64
	for _, s := range ss {
		sdd += (s.d - md) * (s.d - md)
		sdt += (s.d - md) * (s.t - mt)
		stt += (s.t - mt) * (s.t - mt)
	}
	if sdd == 0 {
		return 0, mt, 0
	}
	slope = sdt / sdd
	intercept = mt - slope*md
	if stt == 0 {
		return slope, intercept, 1
	}
	r2 = sdt * sdt / (sdd * stt)
	return slope, intercept, r2
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, x)
	}
	if math.IsInf(m, 1) {
		return 0
	}
	return m
}
