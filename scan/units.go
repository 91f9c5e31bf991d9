package scan

import (
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

// unit is one check on one operation (nil for a target-level check).
type unit struct {
	c       *check.Check
	op      *rampart.Operation
	counter int32 // its scope's counter in the phase (scopes)
}

func (u unit) scope() check.Scope { return check.Scope{Op: u.op, Group: u.c.StateGroup()} }

// plan orders a scan's units in its three phases: the parallel one (first),
// the exclusive one (alone, run one unit at a time) and the Last checks.
//
// Units keep the order of the checks, each check's units in the order of
// the operations: on a stateful target the order decides what a check sees
// (a malformed probe of one check can leave a shared database connection
// aborted for the next), so findings stay what they were. The exception is a
// group of checks that share what they learn about an operation
// (Check.Group): its checks run together, at the place of the group's first
// check, taking the operations in windows, the group's checks one after the
// other on each window. What the group keeps for an operation is released
// when its last unit there is done, so memory follows the operations in
// progress instead of the size of the API. In the parallel phase a window
// holds as many operations as there are workers, so that the units of one
// operation that share a probe rarely wait for each other; in the
// exclusive phase it is one operation.
func plan(selected []*check.Check, ops []*rampart.Operation, workers int) (first, alone, last []unit) {
	for _, c := range selected {
		if earlierInGroup(selected, c) {
			continue
		}
		members := []*check.Check{c}
		if c.Group != "" {
			members = members[:0]
			for _, g := range selected {
				if sameGroup(g, c) {
					members = append(members, g)
				}
			}
		}
		switch {
		case c.Last:
			last = append(last, unitsOf(members, ops, 1)...)
		case c.Exclusive:
			alone = append(alone, unitsOf(members, ops, 1)...)
		default:
			first = append(first, unitsOf(members, ops, max(workers, 1))...)
		}
	}
	return first, alone, last
}

// sameGroup reports whether two checks share per-operation state and run
// in the same phase.
func sameGroup(a, b *check.Check) bool {
	return a.Group != "" && a.Group == b.Group && a.Exclusive == b.Exclusive && a.Last == b.Last
}

// earlierInGroup reports whether a check of c's group comes before it, and
// so already placed the group's units.
func earlierInGroup(selected []*check.Check, c *check.Check) bool {
	for _, g := range selected {
		if g == c {
			return false
		}
		if sameGroup(g, c) {
			return true
		}
	}
	return false
}

// unitsOf lists the checks' units: a target-level check's one unit, or the
// operations in windows of size w, each window check by check.
func unitsOf(cs []*check.Check, ops []*rampart.Operation, w int) []unit {
	var out []unit
	for _, c := range cs {
		if !c.PerOperation() {
			out = append(out, unit{c: c})
		}
	}
	for start := 0; start < len(ops); start += w {
		win := ops[start:min(start+w, len(ops))]
		for _, c := range cs {
			if !c.PerOperation() {
				continue
			}
			for _, op := range win {
				if c.Applies(op) {
					out = append(out, unit{c: c, op: op})
				}
			}
		}
	}
	return out
}

// scopes counts a phase's units per operation and group, and releases what
// the group kept for the operation when its last unit there is done. Units
// carry the index of their scope's counter, so counting is a slice update.
type scopes struct {
	mu     sync.Mutex
	left   []int32
	shared *check.Shared
}

// newScopes numbers the phase's scopes into its units.
func newScopes(units []unit, shared *check.Shared) *scopes {
	s := &scopes{shared: shared}
	index := map[check.Scope]int32{}
	for i := range units {
		if units[i].op == nil {
			continue
		}
		sc := units[i].scope()
		n, ok := index[sc]
		if !ok {
			n = int32(len(s.left))
			index[sc] = n
			s.left = append(s.left, 0)
		}
		s.left[n]++
		units[i].counter = n
	}
	return s
}

func (s *scopes) done(u unit) {
	if u.op == nil {
		return
	}
	s.mu.Lock()
	s.left[u.counter]--
	last := s.left[u.counter] == 0
	s.mu.Unlock()
	if last {
		s.shared.Release(u.scope())
	}
}
