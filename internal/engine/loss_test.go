package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
)

// hostile answers some routes badly, the ways a broken or hostile target
// does: a body shorter than its Content-Length, a chunked body that breaks
// off, a reset after the first bytes, headers then silence.
func hostile(w http.ResponseWriter, r *http.Request) {
	raw := func(head, body string, reset bool) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		buf.WriteString(head + body)
		buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			tc.SetLinger(0) // close with a RST
		}
		conn.Close()
	}
	switch r.URL.Path {
	case "/short":
		raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n", "0123456789", false)
	case "/chunked":
		raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n", "a\r\n0123456789\r\n", false)
	case "/reset":
		raw("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n", "0123456789", true)
	case "/stall":
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("0123456789"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	case "/big":
		w.Write([]byte(strings.Repeat("a", 10_000)))
	default:
		w.Write([]byte("complete"))
	}
}

func TestIncompleteAnswersAreErrors(t *testing.T) {
	rec, srv := newRecorder(t, hostile)
	tests := []struct {
		path      string
		want      error // nil: a complete answer
		truncated bool
	}{
		{"/short", ErrCutShort, false},
		{"/chunked", ErrCutShort, false},
		{"/reset", nil, false}, // an error; which one depends on when the RST lands
		{"/stall", ErrTimeout, false},
		{"/big", nil, true},
		{"/fine", nil, false},
	}
	for _, via := range []string{"Do", "Burst"} {
		t.Run(via, func(t *testing.T) {
			c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active, MaxBody: 100, Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			send := func(path string) (*Response, error) {
				if via == "Do" {
					return c.Do(context.Background(), &Request{Method: "GET", URL: path})
				}
				res, err := c.Burst(context.Background(), []*Request{{Method: "GET", URL: path}, {Method: "GET", URL: "/fine"}})
				if err != nil {
					return nil, err
				}
				return res[0].Resp, res[0].Err
			}
			failed := 0
			for _, tt := range tests {
				resp, err := send(tt.path)
				answer := tt.path == "/big" || tt.path == "/fine"
				switch {
				case answer && err != nil:
					t.Errorf("%s: %v, want an answer", tt.path, err)
				case answer && resp.Truncated != tt.truncated:
					t.Errorf("%s: truncated %v, want %v", tt.path, resp.Truncated, tt.truncated)
				case !answer && (err == nil || resp != nil):
					t.Errorf("%s: answer %v, err %v: an incomplete answer must be an error", tt.path, resp, err)
				case !answer && tt.want != nil && !errors.Is(err, tt.want):
					t.Errorf("%s: err %v, want %v", tt.path, err, tt.want)
				}
				if !answer {
					failed++
					if err != nil && (!strings.HasPrefix(err.Error(), "GET "+tt.path+": ") || strings.Contains(err.Error(), srv.URL)) {
						t.Errorf("%s: message %q should name method and path, not the URL", tt.path, err)
					}
				}
			}
			h := c.Health()
			if h.Failed != int64(failed) || h.Timeouts != 1 {
				t.Errorf("health %+v: want %d failed, 1 timeout", h, failed)
			}
		})
	}
	if len(rec.all()) == 0 {
		t.Fatal("nothing reached the server")
	}
}

// A route that never answers costs CircuitTimeouts timeouts, not one per
// request; a healthy route on the same server is unaffected, and an answer
// between timeouts keeps the circuit closed.
func TestCircuitBreakerGivesUpOnARouteThatTimesOut(t *testing.T) {
	var mu sync.Mutex
	flaky := 0
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/slow/"):
			<-r.Context().Done()
		case r.URL.Path == "/flaky":
			mu.Lock()
			flaky++
			n := flaky
			mu.Unlock()
			if n%3 != 0 { // two timeouts, then an answer
				<-r.Context().Done()
				return
			}
			w.Write([]byte("late but here"))
		default:
			w.Write([]byte("ok"))
		}
	})
	const timeout = 100 * time.Millisecond
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	gaveUp := 0
	for i := range 10 {
		_, err := c.Do(ctx, &Request{Method: "GET", URL: fmt.Sprintf("/slow/%d", i), Route: "GET /slow/{id}"})
		if errors.Is(err, ErrCircuitOpen) {
			gaveUp++
			if want := "gave up on GET /slow/{id} after 3 timeouts of 100ms"; !strings.Contains(err.Error(), want) {
				t.Errorf("message %q, want %q", err, want)
			}
		} else if !errors.Is(err, ErrTimeout) {
			t.Errorf("slow %d: %v", i, err)
		}
		if _, err := c.Do(ctx, &Request{Method: "GET", URL: "/healthy"}); err != nil {
			t.Errorf("healthy route after slow %d: %v", i, err)
		}
	}
	for range 9 {
		c.Do(ctx, &Request{Method: "GET", URL: "/flaky"})
	}
	counts := map[string]int{}
	for _, r := range rec.all() {
		switch {
		case strings.HasPrefix(r.Path, "/slow/"):
			counts["slow"]++
		default:
			counts[r.Path]++
		}
	}
	if counts["slow"] != 3 || gaveUp != 7 {
		t.Errorf("the slow route was sent %d requests and refused %d, want 3 and 7", counts["slow"], gaveUp)
	}
	if counts["/healthy"] != 10 {
		t.Errorf("the healthy route got %d of 10 requests", counts["/healthy"])
	}
	if counts["/flaky"] != 9 {
		t.Errorf("a route answering every third request got %d of 9: an answer must close the circuit", counts["/flaky"])
	}
	if h := c.Health(); h.GaveUp != 7 || h.Timeouts != 3+6 || h.Success != 10+3 {
		t.Errorf("health %+v", h)
	}
}

// With Route unset, the key is the method and the URL's path.
func TestCircuitBreakerDefaultRouteIsThePath(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, Timeout: 50 * time.Millisecond, CircuitTimeouts: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/a", "/a?x=1", "/a", "/b", "/b", "/b"} {
		c.Do(context.Background(), &Request{Method: "GET", URL: p})
	}
	if n := len(rec.all()); n != 4 {
		t.Errorf("server saw %d requests, want 2 per path", n)
	}
}

// --rate is exact from the first request: in no window of one second does
// the server see more than rate+1 requests.
func TestRateExactFromTheFirstRequest(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	const rps = 20
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, Rate: rps, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c.Do(ctx, &Request{Method: "GET", URL: "/x"})
			}
		}()
	}
	wg.Wait()
	reqs := rec.all()
	if len(reqs) < rps {
		t.Fatalf("only %d requests in 1.5 s at %d/s", len(reqs), rps)
	}
	worst := 0
	for i := range reqs {
		n := 0
		for _, r := range reqs[i:] {
			if r.At.Sub(reqs[i].At) < time.Second {
				n++
			}
		}
		worst = max(worst, n)
	}
	if worst > rps+1 {
		t.Errorf("%d requests within one second at --rate %d (first: %d)", worst, rps, len(reqs))
	}
}

// A burst still goes out synchronised with a rate set: it waits for one
// token per request, then sends them together.
func TestBurstWithRate(t *testing.T) {
	srv := newHoldServer(t)
	c, err := New(Config{Base: mustURL(t, srv.URL()), Mode: rampart.Active, Concurrency: 4, Rate: 5})
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	var before int64 // requests of the earlier rounds
	c.burstHook = func() {
		if !waitFor(t, func() bool { return srv.seen.Load()-before == n }) || srv.complete.Load() != before {
			t.Errorf("at the release: %d of %d requests at the server, %d complete", srv.seen.Load()-before, n, srv.complete.Load()-before)
		}
	}
	reqs := make([]*Request, n)
	for i := range reqs {
		reqs[i] = &Request{Method: "POST", URL: fmt.Sprintf("/r/%d", i)}
	}
	for round := range 2 {
		before = int64(round * n)
		res, err := c.Burst(context.Background(), reqs)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Err != nil || r.Resp.Status != 200 {
				t.Errorf("round %d, request %d: %+v", round, i, r)
			}
		}
	}
}

// However many requests to a dead route are in flight at once, it costs
// exactly CircuitTimeouts timeouts; a route that answers is not held back.
func TestCircuitBreakerHoldsUnderConcurrency(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/dead" {
			<-r.Context().Done()
			return
		}
		time.Sleep(50 * time.Millisecond)
		w.Write([]byte("ok"))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, Timeout: 100 * time.Millisecond, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				c.Do(context.Background(), &Request{Method: "GET", URL: "/dead"})
			}
		}()
	}
	wg.Wait()
	if n := len(rec.all()); n != 3 {
		t.Errorf("the dead route received %d requests from 8 concurrent callers, want 3", n)
	}
	c.Do(context.Background(), &Request{Method: "GET", URL: "/alive"}) // first contact: alone
	rec.peak.Store(0)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Do(context.Background(), &Request{Method: "GET", URL: "/alive"})
		}()
	}
	wg.Wait()
	if p := rec.peak.Load(); p < 2 {
		t.Errorf("a route that answers was sent one request at a time (peak %d in flight)", p)
	}
}
