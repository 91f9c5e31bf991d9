package sqli

import (
	"net/http"

	"context"
	"errors"
	"fmt"
	"github.com/rampart-sec/rampart/internal/engine"
	"sync"

	"github.com/rampart-sec/rampart/internal/check"
)

// proven records the points a check of this package has already proved
// injectable in this scan. The checks run in a fixed order (error-based in
// the parallel phase, then boolean, identifier and time-based alone) and
// each spends its requests only on points the earlier ones could not
// prove: a false condition or a delay adds nothing to an injection an error
// message already showed, and one finding per point is what a reader wants.
// A check selected on its own (--checks SQLI-002) still tests every point.
type proven struct {
	mu sync.Mutex
	by map[string]string // point key → check ID
}

func provenSet(p *check.Pass) *proven {
	if p.Shared == nil {
		return &proven{by: map[string]string{}}
	}
	v, _ := p.Shared.Once("sqli: proven points", func() (any, error) {
		return &proven{by: map[string]string{}}, nil
	})
	return v.(*proven)
}

// unproven lists a target's points no check has proved yet.
// probeEach runs probe on every point. One point's failure does not stop
// the others; a cancelled context or a throttling target does. It returns
// the first failure, named by its point.
func probeEach(ctx context.Context, pts []*point, probe func(pt *point) error) error {
	var firstErr error
	for _, pt := range pts {
		err := probe(pt)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, errThrottled):
			return err
		case firstErr == nil:
			firstErr = fmt.Errorf("%s: %w", pt.Name, err)
		}
	}
	return firstErr
}

func unproven(p *check.Pass, t *target) []*point {
	done := provenSet(p)
	var out []*point
	for i := range t.points {
		if _, ok := done.get(t.points[i].Key(t.op)); !ok {
			out = append(out, &t.points[i])
		}
	}
	return out
}

func (s *proven) add(key, checkID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.by[key]; !ok {
		s.by[key] = checkID
	}
}

func (s *proven) get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.by[key]
	return id, ok
}

// allProven is the coverage detail of a unit whose points an earlier check
// of the package already proved: its family's cell is proved by that one.
const allProven = "every injection point already proved by another SQL injection check"

// judged declares the unit tested from its baseline answer, unless the
// answer is a refusal of the scan's identity: the probes then meet the
// same refusal and test the authentication, not the query. A login or a
// public write probed anonymously is expected to refuse and is tested.
func judged(p *check.Pass, t *target, base *engine.Response) {
	if base != nil && (base.Status == http.StatusUnauthorized || base.Status == http.StatusForbidden) &&
		!authLike(t.op) && (t.who != nil || t.op.Secured()) {
		p.NotTestedBy(t.op, t.who, base.Status, base.Body)
		return
	}
	p.Tested()
}
