package scan

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks"
)

// Every check that ran is accounted for in the report: units, requests,
// its announced budget, and no unit over it.
func TestReportAccountsRequestsPerCheck(t *testing.T) {
	api, srv, _ := startFake(t, true)
	rep, err := Run(context.Background(), Options{
		Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{alice()},
		Exclude: []string{"/reset"}, Concurrency: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Checks) == 0 {
		t.Fatal("no per-check accounting in the report")
	}
	total := 0
	seen := map[string]bool{}
	for _, r := range rep.Checks {
		if r.Check == ModelCheck {
			// The API model's exploration: a unit is a read operation as
			// one identity, its budget apimodel.PerUnit.
			if r.Units == 0 || r.Requests == 0 || r.MaxUnitRequests > r.Budget || r.Budget != apimodel.PerUnit {
				t.Errorf("%s: %+v", r.Check, r)
			}
			total += r.Requests
			continue
		}
		c := checks.Lookup(r.Check)
		if c == nil {
			t.Errorf("accounting for unknown check %s", r.Check)
			continue
		}
		seen[r.Check] = true
		if r.Units == 0 || r.MaxUnitRequests > r.Requests {
			t.Errorf("%s: %+v", r.Check, r)
		}
		if r.Budget != c.Budget {
			t.Errorf("%s: budget %d, meta says %d", r.Check, r.Budget, c.Budget)
		}
		if c.Budget > 0 && (r.MaxUnitRequests > c.Budget || r.OverBudget != 0) {
			t.Errorf("%s: a unit sent %d requests, budget %d", r.Check, r.MaxUnitRequests, c.Budget)
		}
		total += r.Requests
	}
	for _, s := range rep.Skipped {
		if seen[s.Check] {
			t.Errorf("%s is both skipped and accounted for", s.Check)
		}
	}
	// The scan's own requests (reachability, spec) are not a check's.
	if total > len(api.seen()) || int64(total) > rep.Stats.Requests {
		t.Errorf("checks account for %d requests, the server saw %d", total, len(api.seen()))
	}
}

// A check's time is its units' times summed, and its slowest unit's.
func TestAccountSumsUnitTime(t *testing.T) {
	var mu sync.Mutex
	runs := map[string]*rampart.CheckRun{}
	c := &check.Check{Meta: rampart.Meta{ID: "X-001"}}
	for _, took := range []time.Duration{1500 * time.Millisecond, 250 * time.Millisecond, 40 * time.Millisecond} {
		account(&mu, runs, c, &check.Pass{}, took)
	}
	if r := runs["X-001"]; r == nil || r.Units != 3 || r.DurationMS != 1790 || r.MaxUnitMS != 1500 {
		t.Fatalf("accounting %+v, want 3 units, 1790ms in all, 1500ms at most", r)
	}
}

// A real scan reports each check's time, never more in one unit than in all.
func TestReportAccountsTimePerCheck(t *testing.T) {
	_, srv, _ := startFake(t, true)
	rep, err := Run(context.Background(), Options{
		Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{alice()},
		Exclude: []string{"/reset"}, Concurrency: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, r := range rep.Checks {
		if r.MaxUnitMS > r.DurationMS || r.DurationMS < 0 {
			t.Errorf("%s: %+v", r.Check, r)
		}
		total += r.DurationMS
	}
	t.Logf("checks took %dms in all", total)
	if total == 0 {
		t.Errorf("no check accounts for any time: %+v", rep.Checks)
	}
}
