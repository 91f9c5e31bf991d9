package engine

import (
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Health counts how the target answered every exchange the client
// attempted. The engine only counts; the scan decides what the counts mean.
type Health struct {
	Success      int64 // 1xx and 2xx answers
	Redirects    int64 // 3xx
	ClientErrors int64 // 4xx
	ServerErrors int64 // 5xx
	Failed       int64 // no complete answer: refused, reset, cut short, timed out
	Timeouts     int64 // of Failed, the ones that ran out of time
	GaveUp       int64 // not sent: the route's circuit was open
	// RoutesGivenUp counts the routes whose circuit opened.
	RoutesGivenUp int64
	// Throttled counts requests not sent because their route was given up
	// after repeated 429s, and ThrottledRoutes those routes. They are not
	// in Total: the 429s that gave the routes up are.
	Throttled       int64
	ThrottledRoutes int64
	// ThrottleWait is the time during which at least one request waited
	// out a Retry-After (the other routes carried on meanwhile).
	ThrottleWait time.Duration
	// RedirectTo is where most redirects pointed (scheme, host and path:
	// the query may carry a token), and RedirectToN how many did.
	RedirectTo  string
	RedirectToN int64
}

// Total is every exchange attempted, whatever its outcome.
func (h Health) Total() int64 {
	return h.Success + h.Redirects + h.ClientErrors + h.ServerErrors + h.Failed + h.GaveUp
}

// maxRedirectTargets bounds the distinct redirect destinations remembered:
// a target redirecting each request somewhere new must not grow the map.
const maxRedirectTargets = 32

type health struct {
	byClass                  [6]atomic.Int64 // index: status / 100, clamped
	failed, timeouts, gaveUp atomic.Int64

	mu        sync.Mutex
	redirects map[string]int64
}

// answered counts one complete answer; from is the URL that answered, to
// resolve a relative Location.
func (h *health) answered(status int, header http.Header, from *url.URL) {
	class := min(max(status/100, 1), 5)
	h.byClass[class].Add(1)
	if class != 3 {
		return
	}
	loc := header.Get("Location")
	if loc == "" || from == nil {
		return
	}
	to, err := from.Parse(loc)
	if err != nil {
		return
	}
	dest := (&url.URL{Scheme: to.Scheme, Host: to.Host, Path: to.Path}).String()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.redirects == nil {
		h.redirects = map[string]int64{}
	}
	if _, ok := h.redirects[dest]; ok || len(h.redirects) < maxRedirectTargets {
		h.redirects[dest]++
	}
}

func (h *health) snapshot() Health {
	out := Health{
		Success:      h.byClass[1].Load() + h.byClass[2].Load(),
		Redirects:    h.byClass[3].Load(),
		ClientErrors: h.byClass[4].Load(),
		ServerErrors: h.byClass[5].Load(),
		Failed:       h.failed.Load(),
		Timeouts:     h.timeouts.Load(),
		GaveUp:       h.gaveUp.Load(),
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for dest, n := range h.redirects {
		if n > out.RedirectToN || (n == out.RedirectToN && dest < out.RedirectTo) {
			out.RedirectTo, out.RedirectToN = dest, n
		}
	}
	return out
}

// Health returns how the target has answered so far.
func (c *Client) Health() Health {
	h := c.health.snapshot()
	h.RoutesGivenUp = c.breaker.givenUp()
	h.Throttled = c.throttle.refused.Load()
	h.ThrottledRoutes = c.throttle.givenUp()
	h.ThrottleWait = c.throttle.waitedFor()
	return h
}
