package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrCircuitOpen is returned, without sending anything, for a request to a
// route that timed out Config.CircuitTimeouts times in a row: a route that
// never answers would otherwise cost every check's requests a full timeout
// each.
var ErrCircuitOpen = errors.New("circuit open")

// breaker is the per-route circuit breaker. It counts consecutive timeouts
// per route and refuses a route once they reach the limit; an answer on
// the route resets the count (errors other than timeouts are quick, and
// neither count nor reset).
//
// A route that has never answered, or whose last request timed out, takes
// one request at a time: otherwise every request in flight to a dead route
// when the first one times out would time out too, and the route would
// cost up to --concurrency timeouts more than the limit. A route that
// answers is not held back.
type breaker struct {
	limit   int // 0: no breaker
	timeout time.Duration

	mu     sync.Mutex
	routes map[string]*routeState
}

type routeState struct {
	answered bool          // has answered, and not timed out since
	streak   int           // consecutive timeouts
	busy     bool          // its lone request is in flight
	free     chan struct{} // closed when that request ends
}

// maxRoutes bounds the routes the breaker remembers. Past it, routes that
// answered are forgotten (they go one at a time again until they answer),
// and when only failing routes are left, a new route is not held back.
const maxRoutes = 10_000

// outcome is how a request ended, for the breaker.
type outcome int

const (
	notSent  outcome = iota // refused, interrupted, or failed before the target could time out
	answered                // a complete answer, whatever its status
	timedOut                // ran out of time
	failed                  // refused, reset or cut short: quick, so not counted
)

func (b *breaker) openErr(route string, n int) error {
	return fmt.Errorf("gave up on %s after %d timeouts of %s (%w)", route, n, b.timeout, ErrCircuitOpen)
}

// enter waits for the route's turn and reports whether the request goes
// alone (then leave must say so). It fails fast when the circuit is open.
func (b *breaker) enter(ctx context.Context, route string) (lone bool, err error) {
	if b.limit <= 0 {
		return false, nil
	}
	for {
		b.mu.Lock()
		st := b.state(route)
		switch {
		case st != nil && st.streak >= b.limit:
			b.mu.Unlock()
			return false, b.openErr(route, st.streak)
		case st == nil || st.answered:
			b.mu.Unlock()
			return false, nil
		case !st.busy:
			st.busy = true
			b.mu.Unlock()
			return true, nil
		}
		if st.free == nil {
			st.free = make(chan struct{})
		}
		free := st.free
		b.mu.Unlock()
		select {
		case <-free:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// allow fails fast when the route's circuit is open.
func (b *breaker) allow(route string) error {
	if b.limit <= 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if st := b.routes[route]; st != nil && st.streak >= b.limit {
		return b.openErr(route, st.streak)
	}
	return nil
}

// leave records how a request ended and, when it went alone, lets the
// next one in.
func (b *breaker) leave(route string, lone bool, how outcome) {
	if b.limit <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.routes[route]
	if st == nil {
		if how != timedOut && how != answered {
			return
		}
		if st = b.state(route); st == nil {
			return
		}
	}
	switch how {
	case answered:
		st.answered, st.streak = true, 0
	case timedOut:
		st.answered = false
		st.streak++
	}
	if lone {
		st.busy = false
		if st.free != nil {
			close(st.free)
			st.free = nil
		}
	}
}

// givenUp counts the routes whose circuit is open.
func (b *breaker) givenUp() int64 {
	if b.limit <= 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var n int64
	for _, st := range b.routes {
		if st.streak >= b.limit {
			n++
		}
	}
	return n
}

// state returns the route's state, created on first use; nil when the
// breaker is full of failing routes. Called with mu held.
func (b *breaker) state(route string) *routeState {
	if st, ok := b.routes[route]; ok {
		return st
	}
	if b.routes == nil {
		b.routes = map[string]*routeState{}
	}
	if len(b.routes) >= maxRoutes {
		for r, st := range b.routes {
			if st.answered && !st.busy {
				delete(b.routes, r)
			}
		}
		if len(b.routes) >= maxRoutes {
			return nil
		}
	}
	st := &routeState{}
	b.routes[route] = st
	return st
}
