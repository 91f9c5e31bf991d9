package engine

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
)

// throttled answers 429 with the given Retry-After.
func throttled(w http.ResponseWriter, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.WriteHeader(http.StatusTooManyRequests)
}

// windowOpen reports whether route is waiting out a Retry-After.
func windowOpen(c *Client, route string) bool {
	c.throttle.mu.Lock()
	defer c.throttle.mu.Unlock()
	st := c.throttle.routes[route]
	return st != nil && time.Now().Before(st.until)
}

func countPath(rec *recorder, path string) int {
	n := 0
	for _, r := range rec.all() {
		if strings.HasPrefix(r.Path, path) {
			n++
		}
	}
	return n
}

func TestThrottleGivesUpAfterConsecutive429s(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		// statuses of the first two Do calls and the requests each sent
		first, second   string
		sent1, sent2    int
		wantRoutesGiven int64
	}{
		{"default: 3 in a row", 0, "throttled", "throttled", 3, 0, 1},
		{"1 in a row", 1, "throttled", "throttled", 1, 0, 1},
		// Retries429 (3) ends the first call with the 429 before the
		// limit; the second call's first 429 reaches it.
		{"5 in a row", 5, "429", "throttled", 4, 1, 1},
		{"never", -1, "429", "429", 4, 4, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { throttled(w, "0") })
			c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, Throttle429s: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			got := func(i int) string {
				resp, err := c.Do(context.Background(), &Request{Method: "GET", URL: "/items/" + strconv.Itoa(i), Route: "GET /items/{id}"})
				switch {
				case errors.Is(err, ErrThrottled):
					return "throttled"
				case err != nil:
					t.Fatal(err)
				}
				return strconv.Itoa(resp.Status)
			}
			if s := got(0); s != tc.first {
				t.Fatalf("first call: %s, want %s", s, tc.first)
			}
			if n := len(rec.all()); n != tc.sent1 {
				t.Fatalf("first call sent %d requests, want %d", n, tc.sent1)
			}
			if s := got(1); s != tc.second {
				t.Fatalf("second call: %s, want %s", s, tc.second)
			}
			if n := len(rec.all()) - tc.sent1; n != tc.sent2 {
				t.Fatalf("second call sent %d requests, want %d", n, tc.sent2)
			}
			if h := c.Health(); h.ThrottledRoutes != tc.wantRoutesGiven {
				t.Fatalf("health: %d routes throttled, want %d", h.ThrottledRoutes, tc.wantRoutesGiven)
			}
		})
	}
}

func TestThrottleRefusesGivenUpRouteWithoutSending(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/busy") {
			throttled(w, "0")
			return
		}
		w.Write([]byte("ok"))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = c.Do(ctx, &Request{Method: "GET", URL: "/busy"})
	if !errors.Is(err, ErrThrottled) || !strings.Contains(err.Error(), "GET /busy answered 429 3 times in a row") {
		t.Fatalf("err %v, want ErrThrottled naming the route", err)
	}
	before := countPath(rec, "/busy")
	for range 5 {
		if _, err := c.Do(ctx, &Request{Method: "GET", URL: "/busy"}); !errors.Is(err, ErrThrottled) {
			t.Fatalf("err %v, want ErrThrottled", err)
		}
	}
	if _, err := c.Burst(ctx, []*Request{{Method: "GET", URL: "/busy"}, {Method: "GET", URL: "/busy"}}); !errors.Is(err, ErrThrottled) {
		t.Fatalf("burst: err %v, want ErrThrottled", err)
	}
	if n := countPath(rec, "/busy") - before; n != 0 {
		t.Fatalf("%d requests reached a route given up", n)
	}
	// Another route is not affected.
	if resp, err := c.Do(ctx, &Request{Method: "GET", URL: "/ok"}); err != nil || resp.Status != 200 {
		t.Fatalf("other route: %v %v", resp, err)
	}
	h := c.Health()
	// The burst is refused at its first request.
	if h.ThrottledRoutes != 1 || h.Throttled != 5+1 {
		t.Fatalf("health: %d routes, %d requests throttled; want 1 and 6", h.ThrottledRoutes, h.Throttled)
	}
}

func TestThrottleResetByAnAnswer(t *testing.T) {
	// Two 429s, then an answer, over and over: never three in a row.
	var calls atomic.Int64
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1)%3 != 0 {
			throttled(w, "0")
			return
		}
		w.Write([]byte("ok"))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		resp, err := c.Do(context.Background(), &Request{Method: "GET", URL: "/x"})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if resp.Status != 200 {
			t.Fatalf("call %d: status %d", i, resp.Status)
		}
	}
	if n := len(rec.all()); n != 12 {
		t.Fatalf("%d requests, want 12", n)
	}
	if h := c.Health(); h.ThrottledRoutes != 0 || h.Throttled != 0 {
		t.Fatalf("health: %+v", h)
	}
}

func TestThrottleLongRetryAfterNotWaited(t *testing.T) {
	for _, tc := range []struct{ name, retryAfter string }{
		{"seconds", "3600"},
		{"date", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)},
		{"just over the cap", "31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { throttled(w, tc.retryAfter) })
			c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err = c.Do(ctx, &Request{Method: "GET", URL: "/x"})
			if !errors.Is(err, ErrThrottled) || !strings.Contains(err.Error(), "more than the 30s the scan waits") {
				t.Fatalf("err %v, want ErrThrottled at once", err)
			}
			if n := len(rec.all()); n != 1 {
				t.Fatalf("%d requests, want 1", n)
			}
			if w := c.Health().ThrottleWait; w != 0 {
				t.Fatalf("waited %v", w)
			}
		})
	}
}

// A route waiting out a Retry-After holds neither a concurrency slot nor
// the rate limiter: the other routes carry on.
func TestThrottleDoesNotStallOtherRoutes(t *testing.T) {
	firstAnswer := make(chan struct{})
	var once sync.Once
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			once.Do(func() { close(firstAnswer) })
			throttled(w, "30")
			return
		}
		w.Write([]byte("ok"))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, Concurrency: 1, Rate: 100})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow := make(chan error, 2)
	go func() {
		_, err := c.Do(ctx, &Request{Method: "GET", URL: "/slow"})
		slow <- err
	}()
	<-firstAnswer
	// The first 429 opens the window; a request sent meanwhile waits.
	for !windowOpen(c, "GET /slow") {
		time.Sleep(time.Millisecond)
	}
	go func() {
		_, err := c.Do(ctx, &Request{Method: "GET", URL: "/slow"})
		slow <- err
	}()
	// Far less than the 30 s Retry-After: a fast request held behind the
	// throttled ones fails here instead of hanging the test.
	fastCtx, fastCancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer fastCancel()
	for i := range 5 {
		resp, err := c.Do(fastCtx, &Request{Method: "GET", URL: "/fast"})
		if err != nil || resp.Status != 200 {
			t.Fatalf("fast %d: %v %v", i, resp, err)
		}
	}
	select {
	case err := <-slow:
		t.Fatalf("a throttled request returned before its Retry-After: %v", err)
	default:
	}
	cancel()
	for range 2 {
		if err := <-slow; !errors.Is(err, context.Canceled) {
			t.Fatalf("slow: %v, want context.Canceled", err)
		}
	}
	// The second /slow request waited on the first one's window instead of
	// being sent into it.
	if n := countPath(rec, "/slow"); n != 1 {
		t.Fatalf("%d requests to /slow, want 1", n)
	}
	if w := c.Health().ThrottleWait; w <= 0 {
		t.Fatalf("ThrottleWait %v after a wait", w)
	}
}

// Requests in flight when a route opens its window still count: when they
// give the route up, a request waiting on the window is released at once.
func TestThrottleReleasesWaitersWhenGivenUp(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	held := make(chan struct{}, 2)
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Warm") != "" {
			return
		}
		if r.Header.Get("X-Hold") != "" {
			held <- struct{}{}
			<-release
			throttled(w, "0")
			return
		}
		calls.Add(1)
		throttled(w, "30")
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A route that never answered takes one request at a time (the
	// circuit breaker); this one has.
	if _, err := c.Do(ctx, &Request{Method: "GET", URL: "/x", Header: http.Header{"X-Warm": {"1"}}}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 3)
	for range 2 {
		go func() {
			_, err := c.Do(ctx, &Request{Method: "GET", URL: "/x", Header: http.Header{"X-Hold": {"1"}}})
			errs <- err
		}()
	}
	<-held
	<-held
	waiter := make(chan error, 1)
	go func() {
		_, err := c.Do(ctx, &Request{Method: "GET", URL: "/x"})
		waiter <- err
	}()
	// Wait until the waiter's 429 has opened the window.
	for deadline := time.Now().Add(10 * time.Second); calls.Load() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the waiter's request never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	close(release)
	select {
	case err := <-waiter:
		if !errors.Is(err, ErrThrottled) {
			t.Fatalf("waiter: %v, want ErrThrottled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting request was not released when its route was given up")
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("released after %v", d)
	}
	for range 2 {
		if err := <-errs; !errors.Is(err, ErrThrottled) {
			t.Fatalf("held request: %v, want ErrThrottled", err)
		}
	}
}

// Checks that measure throttling see the 429 itself: their 429s do not
// give the route up, and a route given up still lets them through.
func TestThrottleWant429(t *testing.T) {
	var limited atomic.Bool
	limited.Store(true)
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if limited.Load() {
			throttled(w, "0")
			return
		}
		w.Write([]byte("ok"))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 10 {
		resp, err := c.Do(ctx, &Request{Method: "POST", URL: "/login", Want429: true})
		if err != nil || resp.Status != 429 {
			t.Fatalf("Want429 %d: %v %v", i, resp, err)
		}
	}
	res, err := c.Burst(ctx, []*Request{{Method: "POST", URL: "/login"}, {Method: "POST", URL: "/login"}, {Method: "POST", URL: "/login"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil || r.Resp.Status != 429 {
			t.Fatalf("burst: %+v", r)
		}
	}
	limited.Store(false)
	if resp, err := c.Do(ctx, &Request{Method: "POST", URL: "/login"}); err != nil || resp.Status != 200 {
		t.Fatalf("after 13 wanted 429s the route was given up: %v %v", resp, err)
	}
	// Give the route up, then a rate-limit check's request still goes out.
	limited.Store(true)
	if _, err := c.Do(ctx, &Request{Method: "POST", URL: "/login"}); !errors.Is(err, ErrThrottled) {
		t.Fatalf("err %v, want ErrThrottled", err)
	}
	before := len(rec.all())
	resp, err := c.Do(ctx, &Request{Method: "POST", URL: "/login", Want429: true})
	if err != nil || resp.Status != 429 {
		t.Fatalf("Want429 on a route given up: %v %v", resp, err)
	}
	// So does a configured login: the identities must still log in.
	limited.Store(false)
	resp, err = c.Do(ctx, &Request{Method: "POST", URL: "/login", Login: true})
	if err != nil || resp.Status != 200 {
		t.Fatalf("login on a route given up: %v %v", resp, err)
	}
	if n := len(rec.all()) - before; n != 2 {
		t.Fatalf("%d requests sent, want 2", n)
	}
}

// A request without a route to a path earlier requests named (a check
// reading another operation's object) shares that route's back-off.
func TestThrottleRouteOfAPathSentBefore(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { throttled(w, "0") })
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Do(ctx, &Request{Method: "GET", URL: "/items/1", Route: "GET /items/{id}"}); !errors.Is(err, ErrThrottled) {
		t.Fatalf("err %v, want ErrThrottled", err)
	}
	sent := len(rec.all())
	_, err = c.Do(ctx, &Request{Method: "GET", URL: "/items/1"})
	if !errors.Is(err, ErrThrottled) || !strings.Contains(err.Error(), "GET /items/{id} answered 429") {
		t.Fatalf("err %v, want the route GET /items/{id} given up", err)
	}
	if n := len(rec.all()) - sent; n != 0 {
		t.Fatalf("%d requests sent to a path of a route given up", n)
	}
	// A path never sent with a route is a route of its own.
	if resp, err := c.Do(ctx, &Request{Method: "GET", URL: "/items/2", Want429: true}); err != nil || resp.Status != 429 {
		t.Fatalf("another path: %v %v", resp, err)
	}
	if _, err := c.Do(ctx, &Request{Method: "GET", URL: "/items/2"}); !errors.Is(err, ErrThrottled) || !strings.Contains(err.Error(), "GET /items/2 answered") {
		t.Fatalf("err %v, want GET /items/2 given up on its own", err)
	}
}

// A route whose first answers throttle while most of the API answers has
// a limit of its own: its first 429 is taken as it is and the second gives
// it up, with no Retry-After waited. An API that throttles most routes (the
// client's own budget) is waited for as before. An exploration request
// (NoWait429) never waits, and its 429 counts.
func TestThrottleRouteOfItsOwnIsGivenUpWithoutWaiting(t *testing.T) {
	for _, tc := range []struct {
		name      string
		throttled func(path string) bool
		wantWait  bool
	}{
		{"one route of eight", func(p string) bool { return strings.HasPrefix(p, "/busy") }, false},
		{"every route but one", func(p string) bool { return !strings.HasPrefix(p, "/ok0") }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.HasPrefix(r.URL.Path, "/busy"):
					throttled(w, "1")
					return
				case tc.throttled(r.URL.Path):
					throttled(w, "0") // the setup need not wait
					return
				}
				w.Write([]byte("{}"))
			})
			c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i := range 7 {
				for range 2 {
					c.Do(ctx, &Request{Method: "GET", URL: "/ok" + strconv.Itoa(i)})
				}
			}
			start := time.Now()
			resp, err := c.Do(ctx, &Request{Method: "GET", URL: "/busy/1", Route: "GET /busy/{id}", NoWait429: true})
			if err != nil || resp.Status != http.StatusTooManyRequests || time.Since(start) > 500*time.Millisecond {
				t.Fatalf("exploration: %v %v after %s, want its 429 at once", resp, err, time.Since(start))
			}
			for i := range 3 {
				c.Do(ctx, &Request{Method: "GET", URL: "/ok" + strconv.Itoa(i)})
			}
			start = time.Now()
			_, err = c.Do(ctx, &Request{Method: "GET", URL: "/busy/2", Route: "GET /busy/{id}"})
			waited := time.Since(start) >= 900*time.Millisecond
			if waited != tc.wantWait {
				t.Errorf("waited %s, want a wait: %v", time.Since(start), tc.wantWait)
			}
			if !tc.wantWait && !errors.Is(err, ErrThrottled) {
				t.Errorf("second 429 of a route of its own: %v, want it given up", err)
			}
		})
	}
}
