package scan

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// Routes that always answer 429 are given up: their operations' coverage
// says throttled (nothing unexplained), the health counts them, the errors
// do not list them, and a healthy route on the same server gets the same
// requests as without them.
func TestThrottledRoutesAreGivenUp(t *testing.T) {
	paths := []string{"/items/{id}", "/busy1/{id}", "/busy2/{id}"}
	handler := func(spec []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/openapi.json":
				w.Header().Set("Content-Type", "application/json")
				w.Write(spec)
			case strings.HasPrefix(r.URL.Path, "/busy"):
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
			default:
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"id": 1, "name": "lamp"}`))
			}
		}
	}
	// Active, for the probes of the injection and leak checks: the more
	// families test the healthy operation, the more the throttled ones
	// must account for.
	opt := Options{Mode: rampart.Active, Concurrency: 4}
	control := newCountingServer(t, handler(specWith(paths[0])))
	opt.Target = control.URL
	if _, err := Run(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	srv := newCountingServer(t, handler(specWith(paths...)))
	opt.Target = srv.URL
	rep, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := srv.count("/items/1"), control.count("/items/1"); got != want {
		t.Errorf("the healthy route received %d requests, %d without the throttled ones", got, want)
	}
	if h := rep.Health; h == nil || h.ThrottledRoutes != 2 || h.Throttled == 0 {
		t.Errorf("health %+v, want 2 routes throttled and the requests not sent", h)
	}
	for _, e := range rep.Errors {
		if strings.Contains(e.Error, "throttled") || strings.Contains(e.Error, "429") {
			t.Errorf("a throttled route is listed as an error: %+v", e)
		}
	}
	// Every family tested on the healthy operation is not tested on the
	// others, because of the throttling and never as an error. (A check
	// that judges an answer its group's sibling fetched may still say
	// nothing of itself: unexplained, which the coverage work tracks.)
	cells := func(op string) map[rampart.Family]rampart.CoverageCell {
		out := map[rampart.Family]rampart.CoverageCell{}
		for _, row := range rep.Coverage.Operations {
			if row.Operation == op {
				for _, c := range row.Cells {
					out[c.Family] = c
				}
			}
		}
		return out
	}
	healthy := cells("GET /items/{id}")
	tested := 0
	for _, c := range healthy {
		if c.State != rampart.CoverageTested && c.State != rampart.CoverageProved {
			continue
		}
		tested++
	}
	if tested < 3 {
		t.Fatalf("only %d families tested on the healthy operation: %+v", tested, healthy)
	}
	for i := 1; i <= 2; i++ {
		op := fmt.Sprintf("GET /busy%d/{id}", i)
		throttled := 0
		for f, c := range healthy {
			if c.State != rampart.CoverageTested && c.State != rampart.CoverageProved {
				continue
			}
			got := cells(op)[f]
			switch {
			case got.State == rampart.CoverageNotTested && got.Reason == rampart.ReasonThrottled:
				throttled++
			case got.State == rampart.CoverageNotTested && got.Reason == rampart.ReasonUnexplained:
			default:
				t.Errorf("%s %s: %s %s %q, want not tested: throttled", op, f, got.State, got.Reason, got.Detail)
			}
		}
		if throttled < tested-1 {
			t.Errorf("%s: %d of the %d families tested elsewhere say throttled", op, throttled, tested)
		}
	}
}

// A root that asks for a longer wait than the scan waits has answered: the
// scan goes on (the route is given up) instead of calling it unreachable.
func TestThrottledRootIsReachable(t *testing.T) {
	spec := specWith("/items/{id}")
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/openapi.json":
			w.Header().Set("Content-Type", "application/json")
			w.Write(spec)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id": 1, "name": "lamp"}`))
		}
	})
	rep, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Operations != 1 || rep.Health == nil || rep.Health.ThrottledRoutes != 1 {
		t.Errorf("operations %d, health %+v: want the scan to go on with the root given up", rep.Operations, rep.Health)
	}
}
