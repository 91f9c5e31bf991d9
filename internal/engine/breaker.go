package engine

import (
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

// breaker counts consecutive timeouts per route. A complete answer on the
// route (from a request already in flight when it opened) closes it again;
// errors other than timeouts neither count nor reset, since they are quick.
type breaker struct {
	limit   int // 0: never opens
	timeout time.Duration

	mu     sync.Mutex
	routes map[string]int // consecutive timeouts
}

func (b *breaker) allow(route string) error {
	if b.limit <= 0 {
		return nil
	}
	b.mu.Lock()
	n := b.routes[route]
	b.mu.Unlock()
	if n < b.limit {
		return nil
	}
	return fmt.Errorf("gave up on %s after %d timeouts of %s (%w)", route, n, b.timeout, ErrCircuitOpen)
}

func (b *breaker) timedOut(route string) {
	if b.limit <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.routes == nil {
		b.routes = map[string]int{}
	}
	b.routes[route]++
}

func (b *breaker) answered(route string) {
	if b.limit <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.routes, route)
}
