package checktest

import (
	"context"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

// Units runs a check the way the scanner does and returns what each unit
// says of its coverage, by operation key ("" for a check that runs once).
// Unlike Run, a unit's error is not fatal: it is part of its coverage.
func (e *Env) Units(t testing.TB, c *check.Check) map[string]rampart.CheckCoverage {
	t.Helper()
	ctx := context.Background()
	out := map[string]rampart.CheckCoverage{}
	if !c.PerOperation() {
		u := e.Pass.ForUnit(c, nil)
		out[""] = u.Coverage(c.Run(ctx, u))
		return out
	}
	for _, op := range e.Pass.Surface {
		if c.Applies(op) {
			u := e.Pass.ForUnit(c, op)
			out[op.Key()] = u.Coverage(c.Run(ctx, u))
		}
	}
	return out
}
