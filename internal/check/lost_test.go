package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// lossyPass is a pass on one operation of a server that stalls under
// /slow/ and cuts the body of /short.
func lossyPass(t *testing.T, op *rampart.Operation, budget int) (*Pass, *atomic.Int64) {
	t.Helper()
	var slow atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/slow/"):
			slow.Add(1)
			<-r.Context().Done()
		case r.URL.Path == "/short":
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("0123456789"))
		default:
			w.Write([]byte("ok"))
		}
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Active, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPass(func(rampart.Finding) {})
	p.Client = c
	p.Identities = []*identity.Identity{identity.Anonymous()}
	return p.WithOp(rampart.Meta{ID: "T-001", Budget: budget}, op), &slow
}

// The pass keeps the first transport error of its requests and counts
// them all; refusals of ours (budget, scope) are not the target's failures.
func TestPassRecordsTransportErrors(t *testing.T) {
	p, _ := lossyPass(t, nil, 6)
	ctx := context.Background()
	if first, n := p.Lost(); first != nil || n != 0 {
		t.Fatalf("a fresh pass has lost %d: %v", n, first)
	}
	p.Get(ctx, nil, "/fine", nil)
	p.Get(ctx, nil, "/short", nil)
	p.Get(ctx, nil, "http://127.0.0.1:1/elsewhere", nil) // out of scope
	p.Get(ctx, nil, "/slow/1", nil)
	p.Burst(ctx, nil, []*engine.Request{{Method: "GET", URL: "/short"}}) // a burst's own failures count too
	p.Get(ctx, nil, "/fine", nil)
	p.Get(ctx, nil, "/short", nil) // over the budget of 6: refused, not lost
	first, n := p.Lost()
	if n != 3 {
		t.Errorf("%d transport errors recorded, want 3 (cut, timeout, cut in a burst)", n)
	}
	if !errors.Is(first, engine.ErrCutShort) || !strings.HasPrefix(first.Error(), "GET /short: ") {
		t.Errorf("first error %v, want the cut body of GET /short", first)
	}
	if !p.OverBudget() {
		t.Error("the last request should have been refused by the budget")
	}
}

// Requests to the operation under test share one circuit breaker whatever
// the concrete values in the path; the breaker's error is recorded.
func TestPassRoutesRequestsToItsOperation(t *testing.T) {
	op := &rampart.Operation{Method: "GET", Path: "/slow/{id}"}
	p, slow := lossyPass(t, op, 0)
	ctx := context.Background()
	var last error
	for i := range 6 {
		_, last = p.Get(ctx, nil, fmt.Sprintf("/api/slow/%d", i), nil)
	}
	if got := slow.Load(); got != 3 {
		t.Errorf("the slow operation received %d requests, want 3 before the breaker opens", got)
	}
	if !errors.Is(last, engine.ErrCircuitOpen) || !strings.Contains(last.Error(), "gave up on GET /slow/{id} after 3 timeouts") {
		t.Errorf("last error %v", last)
	}
	if _, n := p.Lost(); n != 6 {
		t.Errorf("%d transport errors recorded, want 6", n)
	}
	if _, err := p.Get(ctx, nil, "/fine", nil); err != nil {
		t.Errorf("another route: %v", err)
	}
}

func TestMatchesTemplate(t *testing.T) {
	tests := []struct {
		path, template string
		want           bool
	}{
		{"/items/1", "/items/{id}", true},
		{"/api/v1/items/1", "/items/{id}", true},
		{"/items/1%27%20OR%201=1", "/items/{id}", true},
		{"/items/a%2Fb", "/items/{id}", true},
		{"/items/", "/items/{id}", false},
		{"/items", "/items/{id}", false},
		{"/items/1/parts", "/items/{id}", false},
		{"/users/1", "/items/{id}", false},
		{"/files/report.json", "/files/{name}.json", true},
		{"/items", "/items", true},
		{"/items/", "/items", true},
	}
	for _, tt := range tests {
		if got := matchesTemplate(tt.path, tt.template); got != tt.want {
			t.Errorf("matchesTemplate(%q, %q) = %v, want %v", tt.path, tt.template, got, tt.want)
		}
	}
}

// A target-level check's requests find their operation in the surface.
func TestTargetLevelPassRoutesThroughTheSurface(t *testing.T) {
	p, _ := lossyPass(t, nil, 0)
	p.Surface = []*rampart.Operation{
		{Method: "GET", Path: "/items/{id}"},
		{Method: "GET", Path: "/items/new"},
		{Method: "POST", Path: "/items/{id}"},
	}
	tests := []struct{ method, url, want string }{
		{"GET", "/items/7", "GET /items/{id}"},
		{"", "http://127.0.0.1:5000/api/items/7?x=1", "GET /items/{id}"},
		{"GET", "/items/new", "GET /items/new"},
		{"POST", "/items/7", "POST /items/{id}"},
		{"DELETE", "/items/7", ""},
		{"GET", "/other", ""},
		{"GET", "/items/7", "GET /items/{id}"},
	}
	for _, tt := range tests {
		if got := p.route(&engine.Request{Method: tt.method, URL: tt.url}); got != tt.want {
			t.Errorf("route(%s %s) = %q, want %q", tt.method, tt.url, got, tt.want)
		}
	}
	if got := p.route(&engine.Request{Method: "GET", URL: "/items/7", Route: "mine"}); got != "mine" {
		t.Errorf("a route the check set was replaced by %q", got)
	}
}

// A route the target keeps throttling is given up, whatever the concrete
// path values, and the unit's coverage says so with the route's own words;
// a request that wants the 429 sees it and counts as tested.
func TestPassCoverageThrottled(t *testing.T) {
	var busy atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/busy/") {
			busy.Add(1)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	op := &rampart.Operation{Method: "GET", Path: "/busy/{id}"}
	newPass := func() *Pass {
		p := NewPass(func(rampart.Finding) {})
		p.Client = c
		p.Identities = []*identity.Identity{identity.Anonymous()}
		return p.WithOp(rampart.Meta{ID: "T-001"}, op)
	}
	ctx := context.Background()

	// A rate-limit check's request gets the 429 it looks for.
	rate := newPass()
	resp, err := rate.Send(ctx, nil, &engine.Request{Method: "GET", URL: "/busy/0", Want429: true})
	if err != nil || resp.Status != http.StatusTooManyRequests {
		t.Fatalf("Want429: %v %v", resp, err)
	}
	if cc := rate.Coverage(nil); cc.State != rampart.CoverageTested {
		t.Errorf("Want429 unit: %+v, want tested", cc)
	}

	p := newPass()
	for i := range 4 {
		p.Get(ctx, nil, fmt.Sprintf("/busy/%d", i+1), nil)
	}
	if got := busy.Load(); got != 1+3 {
		t.Errorf("the throttled operation received %d requests, want 1 wanted and 3 before it is given up", got)
	}
	if _, n := p.Lost(); n != 4 {
		t.Errorf("%d lost answers recorded, want 4", n)
	}
	cc := p.Coverage(nil)
	if cc.State != rampart.CoverageNotTested || cc.Reason != rampart.ReasonThrottled ||
		!strings.Contains(cc.Detail, "GET /busy/{id} answered 429 3 times in a row") {
		t.Errorf("coverage %+v, want not tested: throttled, naming the route", cc)
	}
	// A later unit on the operation sends nothing.
	q := newPass()
	if _, err := q.Get(ctx, nil, "/busy/9", nil); !errors.Is(err, engine.ErrThrottled) {
		t.Errorf("later unit: %v, want ErrThrottled", err)
	}
	if got := busy.Load(); got != 4 {
		t.Errorf("a route given up received %d more requests", got-4)
	}
	if cc := q.Coverage(nil); cc.Reason != rampart.ReasonThrottled {
		t.Errorf("later unit: %+v", cc)
	}
}
