package scan

import (
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

// Thresholds of target health, as shares of every exchange the scan
// attempted (docs/scoring.md, "Target health"). An exchange is unusable
// when it was a server error (5xx), a redirect (3xx), or got no complete
// answer (refused, reset, cut short, timed out, or not sent because its
// route kept timing out). Client errors (4xx) are answers: refusing an
// anonymous caller or an unknown id is what a healthy API does.
const (
	degradedShare = 0.50 // the grade is at best C
	unusableShare = 0.95 // the results are not meaningful; rampart scan exits 3
)

// assessHealth judges how the target answered and, when it mostly did not
// answer usefully, says so in one line with what to do. ops is how many
// operations the scan had: a scan that gave up on half of them is degraded
// however many answers the others gave (a few dead routes cost only a few
// requests each, so the share of exchanges alone would not show it).
func assessHealth(h engine.Health, ops int) *rampart.Health {
	out := &rampart.Health{
		Verdict: rampart.HealthOK,
		Success: h.Success, Redirects: h.Redirects, ClientErrors: h.ClientErrors, ServerErrors: h.ServerErrors,
		Failed: h.Failed, Timeouts: h.Timeouts, GaveUp: h.GaveUp, RoutesGivenUp: h.RoutesGivenUp,
		RedirectTo:      h.RedirectTo,
		ThrottledRoutes: h.ThrottledRoutes, Throttled: h.Throttled, ThrottleWaitMS: h.ThrottleWait.Milliseconds(),
	}
	total := h.Total()
	failed := h.Failed + h.GaveUp
	bad := h.ServerErrors + h.Redirects + failed
	if total == 0 || float64(bad) < degradedShare*float64(total) {
		if ops > 0 && float64(h.RoutesGivenUp) >= degradedShare*float64(ops) {
			out.Verdict = rampart.HealthDegraded
			out.Warning = fmt.Sprintf("%d of %d operations never answered (each given up after repeated timeouts): much of the API went untested, so the grade is at best C; check that the target is up and not overloaded, or raise --timeout",
				min(h.RoutesGivenUp, int64(ops)), ops)
		}
		return out
	}
	what, todo := describeHealth(h, total, failed, bad)
	if float64(bad) >= unusableShare*float64(total) {
		out.Verdict = rampart.HealthUnusable
		out.Warning = "the results are not meaningful: " + what + ": " + todo
		return out
	}
	out.Verdict = rampart.HealthDegraded
	out.Warning = what + ": much of the API went untested, so the grade is at best C; " + todo
	return out
}

// describeHealth names what went wrong, the kind that makes up most of the
// exchanges when there is one, and what the user can do about it.
func describeHealth(h engine.Health, total, failed, bad int64) (what, todo string) {
	half := float64(total) * degradedShare
	switch {
	case float64(h.Redirects) >= half:
		todo = "scan the URL they lead to, or give credentials (--identity, or a login flow in --config)"
		switch {
		case h.RedirectTo != "" && h.RedirectToN == total:
			return "every request was redirected to " + h.RedirectTo, "scan that URL, or give credentials (--identity, or a login flow in --config)"
		case h.RedirectTo != "" && h.RedirectToN == h.Redirects:
			return fmt.Sprintf("%d of %d answers were redirects to %s", h.Redirects, total, h.RedirectTo), todo
		case h.RedirectTo != "":
			return fmt.Sprintf("%d of %d answers were redirects, %d of them to %s", h.Redirects, total, h.RedirectToN, h.RedirectTo), todo
		}
		return fmt.Sprintf("%d of %d answers were redirects", h.Redirects, total), todo
	case float64(h.ServerErrors) >= half:
		return fmt.Sprintf("%d of %d answers were server errors (5xx)", h.ServerErrors, total),
			"check the target's logs, and scan again once it answers"
	case float64(failed) >= half:
		var why []string
		if h.Timeouts > 0 {
			why = append(why, fmt.Sprintf("%d timed out", h.Timeouts))
		}
		if n := h.Failed - h.Timeouts; n > 0 {
			why = append(why, fmt.Sprintf("%d refused, reset or cut short", n))
		}
		if h.GaveUp > 0 {
			why = append(why, fmt.Sprintf("%d not sent because their route kept timing out", h.GaveUp))
		}
		return fmt.Sprintf("%d of %d requests got no complete answer (%s)", failed, total, strings.Join(why, ", ")),
			"check that the target is up and not overloaded, or raise --timeout or lower --concurrency"
	}
	return fmt.Sprintf("%d of %d answers were server errors, redirects or failures (%d 5xx, %d 3xx, %d without a complete answer)",
			bad, total, h.ServerErrors, h.Redirects, failed),
		"check that the target is up and healthy, and scan again"
}
