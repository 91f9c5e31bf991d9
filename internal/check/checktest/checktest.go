// Package checktest runs one check against a test server, the way the
// scanner would, and returns what it reported. Check tests use it with
// deterministic httptest servers.
package checktest

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/stack"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Options describe the scan a check runs in.
type Options struct {
	Mode rampart.Mode
	Ops  []*rampart.Operation
	// Users are identities by name → Authorization header value; roles
	// come from Admins.
	Users  map[string]string
	Admins map[string]bool
}

// Run runs c on every operation it applies to (or once) and returns its
// findings and the first error.
func Run(t testing.TB, c *check.Check, target string, opt Options) ([]rampart.Finding, error) {
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
	for _, name := range sortedKeys(opt.Users) {
		role := identity.RoleUser
		if opt.Admins[name] {
			role = identity.RoleAdmin
		}
		ids = append(ids, identity.New(name, role, http.Header{"Authorization": {opt.Users[name]}}))
	}
	var mu sync.Mutex
	var out []rampart.Finding
	p := check.NewPass(func(f rampart.Finding) {
		mu.Lock()
		out = append(out, f)
		mu.Unlock()
	})
	p.Surface, p.Client, p.Identities, p.Stack, p.Mode = opt.Ops, client, ids, obs, opt.Mode
	p.Shared = &check.Shared{}
	p.URL = func(op *rampart.Operation, v map[string]string) string { return surface.URL(base, op, v) }
	p.Body = surface.Body
	ctx := context.Background()
	if !c.PerOperation() {
		return out, c.Run(ctx, p.WithOp(c.Meta, nil))
	}
	var first error
	for _, op := range opt.Ops {
		if c.Applies(op) {
			if err := c.Run(ctx, p.WithOp(c.Meta, op)); err != nil && first == nil {
				first = err
			}
		}
	}
	return out, first
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Op is a shorthand for an operation in tests.
func Op(method, path string, secured bool, params ...rampart.Param) *rampart.Operation {
	op := &rampart.Operation{Method: method, Path: path, Params: params, Source: "spec"}
	if secured {
		op.Security = [][]string{{"bearer"}}
	}
	return op
}
