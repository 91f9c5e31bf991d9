package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
)

// holdServer is a raw HTTP/1.1 server that records, per connection, when
// the first bytes of a request arrive and when the request is complete. It
// lets a test see what last-byte synchronisation promises: every request is
// at the server before any of them is complete.
type holdServer struct {
	ln       net.Listener
	conns    atomic.Int64 // connections accepted
	seen     atomic.Int64 // connections whose first bytes arrived
	complete atomic.Int64 // requests read completely (headers and body)
	mu       sync.Mutex
	bodies   []string
	paths    []string
}

type seenReader struct {
	r    io.Reader
	once sync.Once
	seen *atomic.Int64
}

func (s *seenReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.once.Do(func() { s.seen.Add(1) })
	}
	return n, err
}

func newHoldServer(t *testing.T) *holdServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &holdServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *holdServer) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(&seenReader{r: c, seen: &s.seen})
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	n := s.complete.Add(1)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(body))
	s.paths = append(s.paths, req.URL.Path)
	s.mu.Unlock()
	msg := fmt.Sprintf("done %d", n)
	fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(msg), msg)
}

func (s *holdServer) URL() string { return "http://" + s.ln.Addr().String() }

// waitFor polls cond; the deadline only guards against a hung test and is
// never what the test asserts.
func waitFor(t *testing.T, cond func() bool) bool {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

func TestBurstHoldsTheLastByteUntilEveryRequestIsAtTheServer(t *testing.T) {
	for _, tt := range []struct {
		name   string
		method string
		body   []byte
	}{
		{"GET without body", "GET", nil},
		{"POST with body", "POST", []byte(`{"amount":1}`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newHoldServer(t)
			c, err := New(Config{Base: mustURL(t, srv.URL()), Mode: rampart.Active, Concurrency: 6})
			if err != nil {
				t.Fatal(err)
			}
			const n = 6
			var atRelease struct{ seen, complete, conns int64 }
			hookRan := false
			c.burstHook = func() {
				hookRan = true
				// Every request must be at the server (its first bytes read)
				// and none complete: the last bytes have not been written.
				if !waitFor(t, func() bool { return srv.seen.Load() == n }) {
					t.Errorf("only %d of %d requests reached the server before the release", srv.seen.Load(), n)
				}
				atRelease.seen, atRelease.complete, atRelease.conns = srv.seen.Load(), srv.complete.Load(), srv.conns.Load()
			}
			reqs := make([]*Request, n)
			for i := range reqs {
				reqs[i] = &Request{Method: tt.method, URL: fmt.Sprintf("/r/%d", i), Body: tt.body,
					Header: http.Header{"Content-Type": {"application/json"}}}
			}
			res, err := c.Burst(context.Background(), reqs)
			if err != nil {
				t.Fatal(err)
			}
			if !hookRan {
				t.Fatal("the release hook did not run")
			}
			if atRelease.complete != 0 {
				t.Errorf("%d requests were complete at the server before the release", atRelease.complete)
			}
			if atRelease.conns != n {
				t.Errorf("%d connections open before the release, want %d (one pre-opened connection per request)", atRelease.conns, n)
			}
			for i, r := range res {
				if r.Err != nil {
					t.Fatalf("request %d: %v", i, r.Err)
				}
				if r.Resp.Status != 200 || !strings.HasPrefix(string(r.Resp.Body), "done ") {
					t.Errorf("request %d: %d %q", i, r.Resp.Status, r.Resp.Body)
				}
				if r.Resp.Request != reqs[i] || r.Resp.Method != tt.method {
					t.Errorf("request %d: response not paired with its request", i)
				}
			}
			if got := srv.complete.Load(); got != n {
				t.Errorf("server completed %d requests, want %d", got, n)
			}
			for _, b := range srv.bodies {
				if b != string(tt.body) {
					t.Errorf("body %q arrived as %q", tt.body, b)
				}
			}
			if st := c.Stats(); st.Requests != n || st.BytesSent == 0 || st.BytesRecv == 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestBurstGuardsSendNothing(t *testing.T) {
	other, otherSrv := newRecorder(t, nil)
	target, targetSrv := newRecorder(t, nil)
	base := mustURL(t, targetSrv.URL)
	proxy := mustURL(t, otherSrv.URL)
	tests := []struct {
		name string
		cfg  Config
		reqs []*Request
		want error
	}{
		{"one request off scope", Config{Base: base, Mode: rampart.Active},
			[]*Request{{Method: "POST", URL: "/a"}, {Method: "POST", URL: otherSrv.URL + "/stolen"}}, ErrOutOfScope},
		{"not http", Config{Base: base, Mode: rampart.Active},
			[]*Request{{Method: "GET", URL: "file:///etc/passwd"}}, ErrOutOfScope},
		{"POST in a safe scan", Config{Base: base, Mode: rampart.Safe},
			[]*Request{{Method: "GET", URL: "/a"}, {Method: "POST", URL: "/a"}}, ErrModeForbids},
		{"login flag does not widen a burst", Config{Base: base, Mode: rampart.Safe},
			[]*Request{{Method: "POST", URL: "/login", Login: true}}, ErrModeForbids},
		{"excluded path", Config{Base: base, Mode: rampart.Active, Exclude: []string{"/reset*"}},
			[]*Request{{Method: "POST", URL: "/a"}, {Method: "POST", URL: "/reset/all"}}, ErrExcluded},
		{"larger than concurrency", Config{Base: base, Mode: rampart.Active, Concurrency: 2},
			[]*Request{{URL: "/a"}, {URL: "/a"}, {URL: "/a"}}, ErrBurstTooLarge},
		{"through a proxy", Config{Base: base, Mode: rampart.Active, Proxy: proxy},
			[]*Request{{URL: "/a"}, {URL: "/a"}}, ErrBurstProxy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Burst(context.Background(), tt.reqs)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if st := c.Stats(); st.Requests != 0 {
				t.Errorf("counted %d requests", st.Requests)
			}
		})
	}
	if n := len(other.all()); n != 0 {
		t.Errorf("the off-scope server received %d requests", n)
	}
	if n := len(target.all()); n != 0 {
		t.Errorf("the target received %d requests from refused bursts", n)
	}
}

func TestBurstCountsObservesAndDoesNotRetry429(t *testing.T) {
	var calls atomic.Int64
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1)%2 == 0 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	var observed atomic.Int64
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active, Observe: func(*Response) { observed.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	reqs := make([]*Request, 4)
	for i := range reqs {
		reqs[i] = &Request{Method: "POST", URL: "/redeem", Body: []byte(`{}`),
			Header: http.Header{"Authorization": {"Bearer s3cret-token"}}, Secrets: []string{"s3cret-token"}}
	}
	res, err := c.Burst(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[int]int{}
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		statuses[r.Resp.Status]++
		ev := c.Evidence(r.Resp, "")
		if strings.Contains(ev.Request, "s3cret-token") {
			t.Errorf("evidence leaks the token: %s", ev.Request)
		}
	}
	if statuses[200] != 2 || statuses[429] != 2 {
		t.Errorf("statuses %v: 429 must come back as it is", statuses)
	}
	if got := len(rec.all()); got != 4 {
		t.Errorf("server received %d requests, want 4", got)
	}
	for _, r := range rec.all() {
		if r.Header.Get("Authorization") != "Bearer s3cret-token" || r.Header.Get("User-Agent") != "rampart" {
			t.Errorf("headers not sent: %v", r.Header)
		}
	}
	if st := c.Stats(); st.Requests != 4 {
		t.Errorf("stats count %d requests", st.Requests)
	}
	if observed.Load() != 4 {
		t.Errorf("observer saw %d responses", observed.Load())
	}
}

func TestBurstReportsPerRequestFailures(t *testing.T) {
	// A server that closes every connection without answering: each request
	// fails on its own, and the burst says so instead of inventing responses.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				bufio.NewReader(c).ReadString('\n')
				c.Close()
			}()
		}
	}()
	c, err := New(Config{Base: mustURL(t, "http://"+ln.Addr().String()), Mode: rampart.Active})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Burst(context.Background(), []*Request{{URL: "/a"}, {URL: "/b"}})
	if err == nil {
		t.Fatal("want an error when every request fails")
	}
	for i, r := range res {
		if r.Err == nil || r.Resp != nil {
			t.Errorf("request %d: %+v", i, r)
		}
	}
}

func TestBurstsShareSlotsWithoutDeadlock(t *testing.T) {
	_, srv := newRecorder(t, nil)
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, err := c.Do(context.Background(), &Request{URL: "/x"})
				errs <- err
				return
			}
			_, err := c.Burst(context.Background(), []*Request{{URL: "/x"}, {URL: "/y"}, {URL: "/z"}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if st := c.Stats(); st.Requests != 4+4*3 {
		t.Errorf("sent %d requests", st.Requests)
	}
}

func TestBurstOverTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write([]byte("tls ok"))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		insecure bool
		wantErr  bool
	}{{true, false}, {false, true}} {
		c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active, Insecure: tt.insecure})
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Burst(context.Background(), []*Request{{Method: "POST", URL: "/a", Body: []byte("x")}, {URL: "/b"}})
		if tt.wantErr {
			// An unverified certificate fails every request, before any is sent.
			if err == nil || c.Stats().Requests != 0 {
				t.Errorf("insecure=false: err %v, sent %d", err, c.Stats().Requests)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil || r.Resp.Status != 200 || string(r.Resp.Body) != "tls ok" {
				t.Errorf("%+v", r)
			}
		}
	}
}

func TestBurstStopsWhenCancelled(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // never answers while the test runs
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for the handlers
	// A timeout far beyond the test's own: only cancellation can end it.
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active, Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	c.burstHook = func() { close(started) }
	done := make(chan []BurstResult)
	go func() {
		res, _ := c.Burst(ctx, []*Request{{URL: "/a"}, {URL: "/b"}})
		done <- res
	}()
	<-started
	cancel()
	for _, r := range <-done {
		if r.Err == nil {
			t.Errorf("a request of a cancelled burst succeeded: %+v", r.Resp)
		}
	}
}
