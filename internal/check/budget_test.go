package check

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

func budgetPass(t *testing.T, budget int) (*Pass, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Active})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPass(func(rampart.Finding) {})
	p.Client = c
	p.Identities = []*identity.Identity{identity.Anonymous()}
	return p.WithOp(rampart.Meta{ID: "T-001", Budget: budget}, nil), &hits
}

func TestBudgetIsCountedAndEnforced(t *testing.T) {
	tests := []struct {
		name             string
		budget           int
		sends, burst     int
		wantSent         int
		wantOver         bool
		wantBurstRefused bool
	}{
		{"within budget", 10, 3, 4, 7, false, false},
		{"exactly the budget", 7, 3, 4, 7, false, false},
		{"a burst that would overspend is refused whole", 6, 3, 4, 3, true, true},
		{"sends beyond the budget are refused", 2, 3, 0, 2, true, false},
		{"no budget declared: counted, not limited", 0, 3, 4, 7, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, hits := budgetPass(t, tt.budget)
			ctx := context.Background()
			for i := 0; i < tt.sends; i++ {
				_, err := p.Get(ctx, nil, "/x", nil)
				if err != nil && !errors.Is(err, ErrBudget) {
					t.Fatal(err)
				}
			}
			if tt.burst > 0 {
				reqs := make([]*engine.Request, tt.burst)
				for i := range reqs {
					reqs[i] = &engine.Request{Method: "POST", URL: "/y"}
				}
				_, err := p.Burst(ctx, nil, reqs)
				if refused := errors.Is(err, ErrBudget); refused != tt.wantBurstRefused {
					t.Fatalf("burst err %v", err)
				}
			}
			if got := int(hits.Load()); got != tt.wantSent {
				t.Errorf("server received %d requests, want %d", got, tt.wantSent)
			}
			if p.Requests() != tt.wantSent {
				t.Errorf("pass counted %d, want %d", p.Requests(), tt.wantSent)
			}
			if p.OverBudget() != tt.wantOver {
				t.Errorf("over budget %v", p.OverBudget())
			}
		})
	}
}

func TestEachUnitHasItsOwnMeter(t *testing.T) {
	p, _ := budgetPass(t, 1)
	ctx := context.Background()
	if _, err := p.Get(ctx, nil, "/a", nil); err != nil {
		t.Fatal(err)
	}
	q := p.WithOp(p.Meta, &rampart.Operation{Method: "GET", Path: "/b"})
	if _, err := q.Get(ctx, nil, "/b", nil); err != nil {
		t.Fatalf("a new unit inherited the spent budget: %v", err)
	}
	if p.Requests() != 1 || q.Requests() != 1 {
		t.Errorf("counts %d %d", p.Requests(), q.Requests())
	}
}
