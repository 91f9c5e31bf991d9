package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/score"
)

// countingServer serves h and counts the requests of each path (with the
// last segment of /slowN/x paths folded, so a route counts as one).
type countingServer struct {
	mu     sync.Mutex
	counts map[string]int
	*httptest.Server
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{counts: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if strings.HasPrefix(key, "/slow") {
			key, _, _ = strings.Cut(key[1:], "/")
		}
		s.mu.Lock()
		s.counts[key]++
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[key]
}

// specWith is an OpenAPI document with one GET operation per path.
func specWith(paths ...string) []byte {
	ps := map[string]any{}
	for _, p := range paths {
		op := map[string]any{"responses": map[string]any{"200": map[string]any{"description": "ok",
			"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}}}
		if strings.Contains(p, "{id}") {
			op["parameters"] = []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "integer", "example": 1}}}
		}
		ps[p] = map[string]any{"get": op}
	}
	data, _ := json.Marshal(map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "t", "version": "1"}, "paths": ps})
	return data
}

func stall(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func TestUnhealthyTargetsAreSaidAndCapped(t *testing.T) {
	spec := specWith("/items/{id}", "/orders", "/users/{id}", "/stats")
	serveSpecElse := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/openapi.json":
				w.Header().Set("Content-Type", "application/json")
				w.Write(spec)
			case "/":
				w.Write([]byte("home"))
			default:
				h(w, r)
			}
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		verdict rampart.HealthVerdict
		warning string // "" means none; {URL} is the server's URL
	}{
		// The spec is the one answer: with no spec either, nothing can be
		// learned and Run fails with ErrNoSurface (TestScanSpecOutcomes).
		{"every answer but the spec a 500", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/openapi.json" {
				w.Header().Set("Content-Type", "application/json")
				w.Write(spec)
				return
			}
			http.Error(w, "boom", 500)
		}, rampart.HealthUnusable, "the results are not meaningful: "},
		{"every answer a redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusFound)
		}, rampart.HealthUnusable, "every request was redirected to {URL}/login: scan that URL, or give credentials"},
		{"mostly timeouts", serveSpecElse(stall), rampart.HealthDegraded, "requests got no complete answer ("},
		{"half server errors", serveSpecElse(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/items") || strings.HasPrefix(r.URL.Path, "/users") || strings.HasPrefix(r.URL.Path, "/orders") {
				http.Error(w, "boom", 500)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id": 1}`))
		}), rampart.HealthDegraded, "answers were server errors (5xx): much of the API went untested, so the grade is at best C"},
		{"healthy", serveSpecElse(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id": 1}`))
		}), rampart.HealthOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, tt.handler)
			rep, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Active, Timeout: 200 * time.Millisecond, Concurrency: 4})
			if err != nil {
				t.Fatal(err)
			}
			h := rep.Health
			if h == nil {
				t.Fatal("no health in the report")
			}
			warning := strings.ReplaceAll(tt.warning, "{URL}", srv.URL)
			if h.Verdict != tt.verdict || !strings.Contains(h.Warning, warning) || (warning == "") != (h.Warning == "") {
				t.Errorf("health %+v, want %s saying %q", h, tt.verdict, warning)
			}
			full := score.Score(rep.Findings)
			if tt.verdict == rampart.HealthOK {
				if rep.Score != full.Score || rep.Grade != full.Grade {
					t.Errorf("a healthy target graded %s %d, its findings give %s %d", rep.Grade, rep.Score, full.Grade, full.Score)
				}
				if rep.Grade != "A" {
					t.Errorf("the healthy control grades %s: %v", rep.Grade, rep.Findings)
				}
				return
			}
			if rep.Score > score.CeilingUnhealthy || rep.Grade == "A" || rep.Grade == "B" {
				t.Errorf("graded %s %d, want at most C", rep.Grade, rep.Score)
			}
			if len(rep.Notes) == 0 || rep.Notes[0] != h.Warning {
				t.Errorf("the warning is not the first note: %q", rep.Notes)
			}
		})
	}
}

// Five routes that never answer cost CircuitTimeouts timeouts each, not one
// per request of every check; a healthy route on the same server is
// unaffected.
func TestSlowRoutesAreGivenUp(t *testing.T) {
	paths := []string{"/items/{id}"}
	for i := 1; i <= 5; i++ {
		paths = append(paths, fmt.Sprintf("/slow%d/{id}", i))
	}
	handler := func(spec []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/openapi.json":
				w.Header().Set("Content-Type", "application/json")
				w.Write(spec)
			case strings.HasPrefix(r.URL.Path, "/slow"):
				stall(w, r)
			default:
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"id": 1, "name": "lamp"}`))
			}
		}
	}
	opt := Options{Mode: rampart.Active, Timeout: 200 * time.Millisecond, Concurrency: 4}
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
	for i := 1; i <= 5; i++ {
		if n := srv.count(fmt.Sprintf("slow%d", i)); n > 3 {
			t.Errorf("/slow%d/{id} received %d requests; its circuit should open after 3 timeouts", i, n)
		}
	}
	if got, want := srv.count("/items/1"), control.count("/items/1"); got != want {
		t.Errorf("the healthy route received %d requests, %d without the slow ones", got, want)
	}
	gaveUp := map[string]bool{}
	for _, e := range rep.Errors {
		if strings.Contains(e.Error, "gave up on "+e.Operation+" after 3 timeouts of 200ms") {
			gaveUp[e.Operation] = true
		}
		if e.Operation == "GET /items/{id}" {
			t.Errorf("the healthy route has an error: %+v", e)
		}
	}
	if len(gaveUp) != 5 {
		t.Errorf("the errors say the scan gave up on %d routes, want 5: %+v", len(gaveUp), rep.Errors)
	}
	// Five of six operations never answered: few exchanges were lost, but
	// most of the API went untested.
	if rep.Health == nil || rep.Health.Verdict != rampart.HealthDegraded || rep.Health.RoutesGivenUp != 5 ||
		!strings.Contains(rep.Health.Warning, "5 of 6 operations never answered") {
		t.Errorf("health = %+v, want degraded: 5 of 6 operations never answered", rep.Health)
	}
	if rep.Grade == "A" || rep.Grade == "B" {
		t.Errorf("grade %s for a scan that gave up on most operations", rep.Grade)
	}
}
