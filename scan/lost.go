package scan

import (
	"errors"
	"fmt"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
)

// maxLostListed bounds the report's entries for units whose requests got no
// complete answer: a dead target with 20,000 operations must not turn the
// report into a list of timeouts. Past it, the rest are counted in a note.
const maxLostListed = 100

// lostList collects, per unit (check × operation), the first transport
// error of its requests and how many there were.
type lostList struct {
	mu       sync.Mutex
	listed   int
	unlisted int // units past the cap
}

// unitErrors is what one unit puts in the report's errors: the check's own
// error, as before, and its lost answers. When the check returned the first
// lost error itself, one entry says both.
func (l *lostList) unitErrors(u unit, p *check.Pass, runErr error) []rampart.CheckError {
	ce := func(msg string) rampart.CheckError {
		e := rampart.CheckError{Check: u.c.ID, Error: msg}
		if u.op != nil {
			e.Operation = u.op.Key()
		}
		return e
	}
	first, n := p.Lost()
	// A route given up after repeated 429s is not an error of the check:
	// the coverage says what went untested, the health how many routes.
	if first != nil && errors.Is(first, engine.ErrThrottled) {
		first = nil
	}
	if runErr != nil && errors.Is(runErr, engine.ErrThrottled) {
		runErr = nil
	}
	more := ""
	switch {
	case n == 2:
		more = " (1 more request got no complete answer)"
	case n > 2:
		more = fmt.Sprintf(" (%d more requests got no complete answer)", n-1)
	}
	var out []rampart.CheckError
	if runErr != nil {
		msg := unwrapNet(runErr).Error()
		if first != nil && errors.Is(runErr, first) {
			return append(out, ce(msg+more))
		}
		out = append(out, ce(msg))
	}
	if first == nil {
		return out
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.listed >= maxLostListed {
		l.unlisted++
		return out
	}
	l.listed++
	return append(out, ce(first.Error()+more))
}

// note says how many units' lost answers were left out of the errors.
func (l *lostList) note() string {
	if l.unlisted == 0 {
		return ""
	}
	return fmt.Sprintf("and %d more check runs lost answers to transport errors (the first %d are listed in the errors)", l.unlisted, maxLostListed)
}
