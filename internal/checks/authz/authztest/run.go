package authztest

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Ident is an identity a test scans as. A victim is handed to the
// fixtures as a throwaway account (fixture.Victims) instead of joining the
// identities.
type Ident struct {
	Name, Role, Token string
	Victim            bool
}

// The seeded identities.
var (
	Alice = Ident{Name: "alice", Role: identity.RoleUser, Token: AliceToken}
	Bob   = Ident{Name: "bob", Role: identity.RoleUser, Token: BobToken}
	Carol = Ident{Name: "carol", Role: identity.RoleAdmin, Token: CarolToken}
	// All is alice and bob (users) and carol (admin).
	All = []Ident{Alice, Bob, Carol}
)

// Result is what a run produced.
type Result struct {
	Findings []rampart.Finding
	Errors   []error
	Stats    rampart.Stats
	// Coverage is what each unit ended as (check.Pass.Coverage), by
	// "CHECK METHOD /path" ("CHECK" alone for a target-level check).
	Coverage map[string]rampart.CheckCoverage
}

// Run runs checks against the API at base as the scanner does: every
// operation the check applies to, the parallel checks first (here one at a
// time, for determinism), then the exclusive ones. Checks that need a
// higher mode than mode are skipped.
func Run(t testing.TB, base string, mode rampart.Mode, ids []Ident, checks ...*check.Check) Result {
	t.Helper()
	return RunSpec(t, Spec, base, mode, ids, checks...)
}

// RunSpec is Run against another API described by spec.
func RunSpec(t testing.TB, spec []byte, base string, mode rampart.Mode, ids []Ident, checks ...*check.Check) Result {
	t.Helper()
	return runSpec(t, spec, base, mode, ids, false, false, checks...)
}

// RunSpecLearning is RunSpec with an API model that learns from every
// answer and knows the identities, as the scan's does after exploring.
func RunSpecLearning(t testing.TB, spec []byte, base string, mode rampart.Mode, ids []Ident, checks ...*check.Check) Result {
	t.Helper()
	return runSpec(t, spec, base, mode, ids, true, false, checks...)
}

// RunSpecExplored is RunSpecLearning after the model has explored the API
// as every identity (apimodel.Model.Explore), as a scan's has: what each
// identity's own listings show is its own.
func RunSpecExplored(t testing.TB, spec []byte, base string, mode rampart.Mode, ids []Ident, checks ...*check.Check) Result {
	t.Helper()
	return runSpec(t, spec, base, mode, ids, true, true, checks...)
}

func runSpec(t testing.TB, spec []byte, base string, mode rampart.Mode, ids []Ident, learn, explore bool, checks ...*check.Check) Result {
	t.Helper()
	ctx := context.Background()
	s, err := surface.Load(ctx, surface.Source{Data: spec})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	// With learn, the model learns from every answer, as the scan's does.
	model := apimodel.New(apimodel.Config{Surface: s.Operations, Base: s.BaseURL(u)})
	cfg := engine.Config{Base: u, Mode: mode, Concurrency: 4}
	if learn {
		cfg.Observe = model.Observe
	}
	client, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		res Result
	)
	var ids2, victims []*identity.Identity
	for _, id := range ids {
		i := identity.New(id.Name, id.Role, http.Header{"Authorization": {"Bearer " + id.Token}})
		if id.Victim {
			victims = append(victims, i)
			continue
		}
		ids2 = append(ids2, i)
	}
	pass := check.NewPassFor(check.Env{Client: client, Base: s.BaseURL(u), Surface: s.Operations, Identities: ids2, Model: model}, func(f rampart.Finding) {
		mu.Lock()
		defer mu.Unlock()
		res.Findings = append(res.Findings, f)
	})
	fixture.SetVictims(pass, victims)
	if learn {
		model.Register(pass.Identities...)
	}
	if explore {
		if _, err := model.Explore(ctx, client, pass.Identities); err != nil {
			t.Fatal(err)
		}
	}
	for _, exclusive := range []bool{false, true} {
		for _, c := range checks {
			if c.Exclusive != exclusive || c.Mode > mode {
				continue
			}
			var ops []*rampart.Operation
			if c.PerOperation() {
				for _, op := range s.Operations {
					if c.Applies(op) {
						ops = append(ops, op)
					}
				}
			} else {
				ops = []*rampart.Operation{nil}
			}
			for _, op := range ops {
				unit := pass.ForUnit(c, op)
				err := c.Run(ctx, unit)
				if err != nil {
					res.Errors = append(res.Errors, err)
				}
				key := c.ID
				if op != nil {
					key += " " + op.Key()
				}
				if res.Coverage == nil {
					res.Coverage = map[string]rampart.CheckCoverage{}
				}
				res.Coverage[key] = unit.Coverage(err)
			}
		}
	}
	res.Stats = client.Stats()
	sort.Slice(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Location.String() < b.Location.String()
	})
	return res
}

// Keys lists findings as "CHECK METHOD PATH confidence", for comparisons.
func Keys(fs []rampart.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check+" "+f.Location.Method+" "+f.Location.Path+" "+f.Confidence.String())
	}
	return out
}

// Expect fails t unless the findings are want (as Keys lists them) and no
// check returned an error; on a mismatch it logs each finding's message.
func (r Result) Expect(t testing.TB, want []string) {
	t.Helper()
	if got := Keys(r.Findings); !reflect.DeepEqual(got, want) {
		t.Errorf("findings = %q, want %q", got, want)
		for _, f := range r.Findings {
			t.Log(f.Message)
		}
	}
	if len(r.Errors) > 0 {
		t.Errorf("errors: %v", r.Errors)
	}
}
