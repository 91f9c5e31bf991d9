package engine

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is a deterministic test target that records every request it
// receives, so limits are asserted from what was actually sent.
type recorder struct {
	mu       sync.Mutex
	reqs     []recorded
	inFlight atomic.Int64
	peak     atomic.Int64
	hold     time.Duration
	handler  http.HandlerFunc
}

type recorded struct {
	Method, Path string
	Header       http.Header
	At           time.Time
}

func newRecorder(t *testing.T, h http.HandlerFunc) (*recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{handler: h}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := rec.inFlight.Add(1)
		defer rec.inFlight.Add(-1)
		for {
			p := rec.peak.Load()
			if n <= p || rec.peak.CompareAndSwap(p, n) {
				break
			}
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, recorded{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), At: time.Now()})
		rec.mu.Unlock()
		if rec.hold > 0 {
			time.Sleep(rec.hold)
		}
		if rec.handler != nil {
			rec.handler(w, r)
			return
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return rec, srv
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}
