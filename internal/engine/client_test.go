package engine

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestScopeRefusesOtherOriginsAndRedirects(t *testing.T) {
	other, otherSrv := newRecorder(t, nil)
	_, target := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, otherSrv.URL+"/stolen", http.StatusFound)
		case "/local":
			http.Redirect(w, r, "/final", http.StatusFound)
		default:
			w.Write([]byte("here"))
		}
	})
	c, err := New(Config{Base: mustURL(t, target.URL), Mode: rampart.Active})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name    string
		req     Request
		wantErr error
		status  int
	}{
		{"other port", Request{Method: "GET", URL: otherSrv.URL + "/x"}, ErrOutOfScope, 0},
		{"other scheme", Request{Method: "GET", URL: strings.Replace(target.URL, "http://", "https://", 1) + "/x"}, ErrOutOfScope, 0},
		{"not http", Request{Method: "GET", URL: "file:///etc/passwd"}, ErrOutOfScope, 0},
		{"redirect off scope, following", Request{Method: "GET", URL: "/redirect", FollowRedirects: true}, ErrOutOfScope, 0},
		{"redirect off scope, not following", Request{Method: "GET", URL: "/redirect"}, nil, 302},
		{"redirect in scope", Request{Method: "GET", URL: "/local", FollowRedirects: true}, nil, 200},
		{"redirect in scope, not following", Request{Method: "GET", URL: "/local"}, nil, 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Do(ctx, &tt.req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status {
				t.Fatalf("status %d, want %d", resp.Status, tt.status)
			}
		})
	}
	if n := len(other.all()); n != 0 {
		t.Fatalf("the off-scope server received %d requests", n)
	}
}

func TestExtraScopeHosts(t *testing.T) {
	s, err := newScope(mustURL(t, "http://127.0.0.1:8801/api"), []string{"localhost", "[::1]:9000", "api.test"})
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]bool{
		"http://127.0.0.1:8801/x":  true,
		"http://127.0.0.1:8802/x":  false,
		"http://localhost:1234/":   true,
		"http://[::1]:9000/":       true,
		"http://[::1]:9001/":       false,
		"https://api.test/v1":      true,
		"https://127.0.0.1:8801/":  false,
		"http://127.0.0.1.evil/x":  false,
		"gopher://127.0.0.1:8801/": false,
	} {
		if got := s.allows(mustURL(t, raw)); got != want {
			t.Errorf("allows(%s) = %v, want %v", raw, got, want)
		}
	}
}

func TestModeGuard(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	for _, mode := range []rampart.Mode{rampart.Passive, rampart.Safe} {
		c, err := New(Config{Base: mustURL(t, srv.URL), Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "post"} {
			if _, err := c.Do(context.Background(), &Request{Method: m, URL: "/x"}); !errors.Is(err, ErrModeForbids) {
				t.Errorf("%s in %s: err = %v", m, mode, err)
			}
		}
		for _, m := range []string{"GET", "HEAD", "OPTIONS"} {
			if _, err := c.Do(context.Background(), &Request{Method: m, URL: "/x"}); err != nil {
				t.Errorf("%s in %s: %v", m, mode, err)
			}
		}
		if got := c.Stats().Refused; got != 5 {
			t.Errorf("refused = %d, want 5", got)
		}
	}
	for _, r := range rec.all() {
		if !rampart.Safe.AllowsMethod(r.Method) {
			t.Errorf("server received %s %s", r.Method, r.Path)
		}
	}
}

func TestConcurrencyLimitHolds(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	rec.hold = 20 * time.Millisecond
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Do(context.Background(), &Request{Method: "GET", URL: "/x"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p := rec.peak.Load(); p > 3 {
		t.Fatalf("server saw %d requests in flight, limit 3", p)
	}
	if n := len(rec.all()); n != 30 {
		t.Fatalf("server saw %d requests, want 30", n)
	}
	if got := c.Stats().Requests; got != 30 {
		t.Fatalf("stats say %d requests", got)
	}
}

func TestRateLimitHolds(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	const rps = 50.0
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, Rate: rps, Concurrency: 10})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Do(context.Background(), &Request{Method: "GET", URL: "/x"})
		}()
	}
	wg.Wait()
	reqs := rec.all()
	// In any window of one second the server may see at most rate + burst
	// requests; over the whole run, the span must be at least what the
	// token bucket allows after its initial burst.
	first, last := reqs[0].At, reqs[0].At
	for _, r := range reqs {
		if r.At.Before(first) {
			first = r.At
		}
		if r.At.After(last) {
			last = r.At
		}
	}
	minSpan := time.Duration(float64(len(reqs)-int(rps)) / rps * float64(time.Second))
	if span := last.Sub(first); span < minSpan-10*time.Millisecond {
		t.Fatalf("40 requests at %v/s arrived within %v; the limiter allows no less than %v", rps, span, minSpan)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n <= 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("fine"))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), &Request{Method: "GET", URL: "/x"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 {
		t.Fatalf("status %d", resp.Status)
	}
	reqs := rec.all()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < 900*time.Millisecond {
			t.Fatalf("retry %d came %v after a Retry-After: 1", i, gap)
		}
	}
	// A check that measures throttling sees the 429 itself.
	calls = 0
	resp, err = c.Do(context.Background(), &Request{Method: "GET", URL: "/x", Want429: true})
	if err != nil || resp.Status != 429 {
		t.Fatalf("Want429: status %v err %v", resp, err)
	}
}

func TestBodyCapAndTimeout(t *testing.T) {
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(300 * time.Millisecond)
		}
		w.Write([]byte(strings.Repeat("a", 10000)))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe, MaxBody: 100, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), &Request{Method: "GET", URL: "/big"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != 100 || !resp.Truncated {
		t.Fatalf("body %d bytes, truncated %v", len(resp.Body), resp.Truncated)
	}
	if _, err := c.Do(context.Background(), &Request{Method: "GET", URL: "/slow"}); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("slow request: err = %v", err)
	}
}

func TestEvidenceNeverContainsCredentials(t *testing.T) {
	const token = "s3cr3t-token-value"
	const cookie = "eyJ1c2VyX2lkIjoxfQ.ZXYz.abcdefghijklmnopqrstuvwxyz0"
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: cookie, HttpOnly: true})
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Write([]byte(`{"you_sent":"` + r.Header.Get("Authorization") + `","pw":"hunter2-password"}`))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active, Redact: []string{"X-Echo"}})
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{
		Method:   "POST",
		URL:      "/login?token=" + token,
		Identity: "alice",
		Header: http.Header{
			"Authorization": {"Bearer " + token},
			"Cookie":        {"session=" + cookie + "; theme=dark"},
			"Content-Type":  {"application/json"},
		},
		Body:    []byte(`{"username":"alice","password":"hunter2-password"}`),
		Secrets: []string{token, cookie, "hunter2-password"},
	}
	resp, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ev := c.Evidence(resp, "note")
	curl := c.Curl(resp)
	for _, s := range []string{ev.Request, ev.Response, curl} {
		for _, secret := range []string{token, cookie, "hunter2-password"} {
			if strings.Contains(s, secret) {
				t.Errorf("credential %q leaked into:\n%s", secret, s)
			}
		}
	}
	for _, want := range []string{"Authorization: Bearer [REDACTED]", "Cookie: session=[REDACTED]; theme=[REDACTED]", "Set-Cookie: session=[REDACTED]; HttpOnly"} {
		if !strings.Contains(ev.Request+ev.Response, want) {
			t.Errorf("evidence lacks %q:\n%s\n%s", want, ev.Request, ev.Response)
		}
	}
	if !strings.Contains(curl, `-H "Authorization: $ALICE_AUTHORIZATION"`) || !strings.Contains(curl, "-X POST") {
		t.Errorf("curl line: %s", curl)
	}
}

func TestExcludedPathsAreNeverSent(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active, Exclude: []string{"/admin/reset*", "/notes/{note_id}/purge"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/admin/reset", "/admin/reset/all", "/notes/12/purge", "/notes/12/purge/"} {
		if _, err := c.Do(context.Background(), &Request{Method: "POST", URL: p}); !errors.Is(err, ErrExcluded) {
			t.Errorf("%s: err = %v", p, err)
		}
	}
	for _, p := range []string{"/admin/users", "/notes/12", "/notes/12/purged/x"} {
		if _, err := c.Do(context.Background(), &Request{Method: "GET", URL: p}); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, r := range rec.all() {
		if strings.Contains(r.Path, "reset") || strings.HasSuffix(strings.TrimSuffix(r.Path, "/"), "/purge") {
			t.Errorf("server received excluded %s", r.Path)
		}
	}
	if _, err := newExcluder([]string{"/a/{x"}); err == nil {
		t.Error("unclosed { accepted")
	}
}
