package userenum

import (
	"math"
	"sort"
)

// A login that checks a password hash only for users that exist takes
// longer for them, by the hash's cost: tens to hundreds of milliseconds,
// far above the jitter of a local or staging network. The oracle wants
// every known-user answer slower than every made-up one by a clear
// margin, over alternating samples; a lone slow answer or load that comes
// and goes does not separate the two sets completely.
const (
	minTimingSamples = 3
	minGap           = 0.030 // seconds
	gapShare         = 0.25  // of the made-up answers' median
)

type timingVerdict struct {
	minKnown, maxUnknown, medKnown, medUnknown float64
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// separated says whether every known-user answer so far took longer than
// every made-up one: the oracle needs it, so a series that loses it is not
// worth continuing.
func separated(us, ks []sample) bool {
	minK, maxU := math.Inf(1), math.Inf(-1)
	for _, s := range ks {
		minK = math.Min(minK, s.secs)
	}
	for _, s := range us {
		maxU = math.Max(maxU, s.secs)
	}
	return minK > maxU
}

func judgeTiming(us, ks []sample) (timingVerdict, bool) {
	if len(us) < minTimingSamples || len(ks) < minTimingSamples {
		return timingVerdict{}, false
	}
	var u, k []float64
	for _, s := range us {
		u = append(u, s.secs)
	}
	for _, s := range ks {
		k = append(k, s.secs)
	}
	v := timingVerdict{minKnown: math.Inf(1), maxUnknown: math.Inf(-1), medKnown: median(k), medUnknown: median(u)}
	for _, x := range k {
		v.minKnown = math.Min(v.minKnown, x)
	}
	for _, x := range u {
		v.maxUnknown = math.Max(v.maxUnknown, x)
	}
	gap := v.minKnown - v.maxUnknown
	return v, gap >= math.Max(minGap, gapShare*v.medUnknown)
}
