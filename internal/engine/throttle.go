package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrThrottled is returned, without sending anything, for a request to a
// route the target kept answering with 429 Too Many Requests: after a few
// in a row the scan stops testing that route rather than spend the scan
// waiting on its Retry-After, and the report's coverage says so.
var ErrThrottled = errors.New("route throttled")

// throttle is the per-route back-off. A throttling answer (429, or 503
// with Retry-After) opens a window on its route until the Retry-After has
// passed: requests to the route wait for it there, without a concurrency
// slot, so one throttled route never holds up the others. Consecutive
// throttling answers on a route are counted, and at the limit, or at once
// when the target asks for a longer wait than maxWait, the route is given
// up: its waiting requests are released with ErrThrottled and later ones
// get it without being sent. Any other answer resets the count and ends
// the window.
//
// Requests that want the 429 (Request.Want429: checks that measure
// throttling, the request learner) neither wait nor count: a check that
// provokes the limiter on purpose must not give the route up for the rest
// of the scan. They are still sent to a route given up, so a rate-limit
// check sees the 429 that proves the limit rather than an error. The
// requests of a configured login (Request.Login) are outside it too: a
// login route may throttle per username, after checks' failed attempts,
// and the identities must still log in; each such request waits out its
// own Retry-After, at most maxWait, as many times as Config.Retries429.
type throttle struct {
	limit   int // 0: never give up (waits stay per route)
	maxWait time.Duration

	mu     sync.Mutex
	routes map[string]*throttleState
	// waiting counts the requests waiting out a Retry-After, since when
	// one has been, and waited the time before that with at least one
	// waiting: the scan's time spent on Retry-After, whatever the routes.
	waiting int
	since   time.Time
	waited  time.Duration
	// refused counts requests not sent because their route was given up.
	refused atomic.Int64
	// answers and throttling count the scan's answers and, of them, the
	// throttling ones: they tell a route's own limit from the client's.
	answers, throttling int
	// served holds the routes that have answered without throttling
	// (bounded like routes: past it, a route counts as served, which
	// only makes the back-off wait more).
	served map[string]bool
}

// Early give-up: a route that answers throttling twice in a row while other
// routes answer in between, once the API has answered routeSpecificOK
// times and while at most a third of the routes seen throttle, has a limit
// of its own (a route that always answers 429), not the client's budget
// across the API (where waiting is what helps): it is given up without a
// wait.
const routeSpecificOK = 5

type throttleState struct {
	streak int
	// answersAt is the scan's answer count when the streak began.
	answersAt int
	until     time.Time     // no request to the route before this
	gaveUp    error         // set once the route is given up
	wake      chan struct{} // closed when the window ends early or the route is given up
}

// wait holds a request until its route's window has passed. It returns the
// route's error once the route is given up, at once or while waiting.
func (t *throttle) wait(ctx context.Context, route string) error {
	for {
		t.mu.Lock()
		st := t.routes[route]
		if st == nil {
			t.mu.Unlock()
			return nil
		}
		if st.gaveUp != nil {
			t.mu.Unlock()
			t.refused.Add(1)
			return st.gaveUp
		}
		now := time.Now()
		if !now.Before(st.until) {
			t.mu.Unlock()
			return nil
		}
		if st.wake == nil {
			st.wake = make(chan struct{})
		}
		wake, d := st.wake, st.until.Sub(now)
		if t.waiting == 0 {
			t.since = now
		}
		t.waiting++
		t.mu.Unlock()
		timer := time.NewTimer(d)
		var err error
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
		t.mu.Lock()
		if t.waiting--; t.waiting == 0 {
			t.waited += time.Since(t.since)
		}
		t.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// waitedFor is the time so far with at least one request waiting out a
// Retry-After.
func (t *throttle) waitedFor() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.waiting > 0 {
		return t.waited + time.Since(t.since)
	}
	return t.waited
}

// allow refuses a request to a route given up since it began waiting for
// its turn.
func (t *throttle) allow(route string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st := t.routes[route]; st != nil && st.gaveUp != nil {
		t.refused.Add(1)
		return st.gaveUp
	}
	return nil
}

// answered records an answer on route. For a throttling answer to a request
// that does not want it, it returns whether to retry (after waiting on the
// route, or alone for the given time when the route could not be
// remembered), or the route's error when this answer gave the route up.
// attempt numbers the request's tries, for the wait when the answer names
// none.
//
// noWait (Request.NoWait429) counts the answer but never retries, and
// sets no window: the route's next request is the one to wait.
func (t *throttle) answered(route string, resp *Response, attempt int, want429, noWait bool) (retry bool, alone time.Duration, err error) {
	wait, throttling := retryWait(resp, attempt)
	if !throttling {
		t.reset(route)
		return false, 0, nil
	}
	if want429 {
		return false, 0, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.answers++
	t.throttling++
	st := t.state(route)
	if st == nil {
		// Too many routes throttled at once to remember another: this
		// request still waits, alone.
		return wait <= t.maxWait, min(wait, t.maxWait), nil
	}
	if st.gaveUp != nil {
		return false, 0, st.gaveUp
	}
	st.streak++
	if st.streak == 1 {
		st.answersAt = t.answers
	}
	others := t.answers - st.answersAt - (st.streak - 1)
	switch {
	case wait > t.maxWait:
		st.gaveUp = fmt.Errorf("%s answered %d and asked to wait %s, more than the %s the scan waits: %w",
			route, resp.Status, wait.Round(time.Second), t.maxWait, ErrThrottled)
	case t.limit > 0 && st.streak >= t.limit:
		st.gaveUp = fmt.Errorf("%s answered %d %d times in a row: %w", route, resp.Status, st.streak, ErrThrottled)
	case t.limit > 0 && st.streak >= 2 && others > 0 && t.answers-t.throttling >= routeSpecificOK && t.fewThrottled():
		st.gaveUp = fmt.Errorf("%s answered %d %d times in a row while the rest of the API answered: %w", route, resp.Status, st.streak, ErrThrottled)
	case noWait:
		return false, 0, nil
	case t.limit > 0 && st.streak == 1 && !t.isServed(route) && t.answers-t.throttling >= routeSpecificOK && t.fewThrottled():
		// A route whose first answers throttle while the rest of the API
		// answers: its answer is taken as it is, no wait, and a second
		// one gives it up. A route that once answered, or an API that
		// throttles everywhere, is waited for.
		return false, 0, nil
	default:
		if until := time.Now().Add(wait); until.After(st.until) {
			st.until = until
		}
		return true, 0, nil
	}
	if st.wake != nil {
		close(st.wake)
		st.wake = nil
	}
	return false, 0, st.gaveUp
}

// reset forgets a route's throttling once it answers, and releases the
// requests waiting on it.
func (t *throttle) reset(route string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.answers++
	if t.served == nil {
		t.served = map[string]bool{}
	}
	if len(t.served) < maxRoutes {
		t.served[route] = true
	}
	st := t.routes[route]
	if st == nil || st.gaveUp != nil {
		return
	}
	if st.wake != nil {
		close(st.wake)
	}
	delete(t.routes, route)
}

// state returns the route's state, created on first use; nil when too
// many routes are throttled at once. Called with mu held.
func (t *throttle) state(route string) *throttleState {
	if st, ok := t.routes[route]; ok {
		return st
	}
	if t.routes == nil {
		t.routes = map[string]*throttleState{}
	}
	if len(t.routes) >= maxRoutes {
		return nil
	}
	st := &throttleState{}
	t.routes[route] = st
	return st
}

// fewThrottled reports whether at most a third of the routes seen are
// throttling: a limit of a few routes, not the client's across the API.
// Called with mu held.
func (t *throttle) fewThrottled() bool {
	return len(t.routes)*3 <= len(t.routes)+len(t.served)
}

// isServed reports whether a route has answered without throttling (or
// the set is full, when nothing can be told). Called with mu held.
func (t *throttle) isServed(route string) bool {
	return t.served[route] || len(t.served) >= maxRoutes
}

// givenUp counts the routes given up.
func (t *throttle) givenUp() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var n int64
	for _, st := range t.routes {
		if st.gaveUp != nil {
			n++
		}
	}
	return n
}

// retryWait reports whether an answer is a throttling one (429, or 503
// with Retry-After) and how long it asks to wait: its Retry-After (seconds
// or a date), or 1, 2, 4… seconds by attempt when it names none.
func retryWait(resp *Response, attempt int) (time.Duration, bool) {
	ra := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if resp.Status != http.StatusTooManyRequests && (resp.Status != http.StatusServiceUnavailable || ra == "") {
		return 0, false
	}
	wait := time.Duration(1<<min(attempt, 10)) * time.Second
	if ra != "" {
		if s, err := strconv.Atoi(ra); err == nil && s >= 0 {
			wait = time.Duration(min(s, 1<<30)) * time.Second
		} else if at, err := http.ParseTime(ra); err == nil {
			wait = time.Until(at)
		}
	}
	return max(wait, 0), true
}
