package checktest

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/stack"
)

// QuickOptions describe the scan a check runs in, for Quick.
type QuickOptions struct {
	Mode rampart.Mode
	Ops  []*rampart.Operation
	// Users are identities by name → Authorization header value; roles
	// come from Admins.
	Users  map[string]string
	Admins map[string]bool
}

// Quick runs c against target the way the scanner would — on every
// operation it applies to, or once — and returns its findings and the first
// error: for checks whose tests need no recording server.
func Quick(t testing.TB, c *check.Check, target string, opt QuickOptions) ([]rampart.Finding, error) {
	t.Helper()
	base, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Mode == rampart.Passive && c.Mode > rampart.Passive {
		opt.Mode = c.Mode
	}
	obs := stack.New()
	client, err := engine.New(engine.Config{Base: base, Mode: opt.Mode,
		Observe: func(r *engine.Response) { obs.Observe(r.Status, r.Header, r.Body) }})
	if err != nil {
		t.Fatal(err)
	}
	ids := []*identity.Identity{identity.Anonymous()}
	for _, name := range slices.Sorted(maps.Keys(opt.Users)) {
		role := identity.RoleUser
		if opt.Admins[name] {
			role = identity.RoleAdmin
		}
		ids = append(ids, identity.New(name, role, http.Header{"Authorization": {opt.Users[name]}}))
	}
	var mu sync.Mutex
	var out []rampart.Finding
	p := check.NewPassFor(check.Env{Client: client, Base: base, Surface: opt.Ops, Identities: ids, Stack: obs}, func(f rampart.Finding) {
		mu.Lock()
		out = append(out, f)
		mu.Unlock()
	})
	ctx := context.Background()
	if !c.PerOperation() {
		return out, c.Run(ctx, p.ForUnit(c, nil))
	}
	var first error
	for _, op := range opt.Ops {
		if c.Applies(op) {
			if err := c.Run(ctx, p.ForUnit(c, op)); err != nil && first == nil {
				first = err
			}
		}
	}
	return out, first
}

// QuickOp is a shorthand for an operation, secured by a bearer scheme or not.
func QuickOp(method, path string, secured bool, params ...rampart.Param) *rampart.Operation {
	op := &rampart.Operation{Method: method, Path: path, Params: params, Source: "spec"}
	if secured {
		op.Security = [][]string{{"bearer"}}
	}
	return op
}
