package leak

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

// LEAK-001 and LEAK-002 read the same probes, sent by whichever runs
// first: both say what the probes judged, or why there were none.
func TestCoverage(t *testing.T) {
	str := &rampart.Schema{Type: "string"}
	search := checktest.QuickOp("GET", "/search", true, rampart.Param{Name: "q", In: "query", Schema: str})
	note := &rampart.Operation{Method: "POST", Path: "/notes", Security: [][]string{{"bearer"}},
		Body: &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object",
			Properties: map[string]*rampart.Schema{"title": str}}}}
	counter := &rampart.Operation{Method: "POST", Path: "/counters", Security: [][]string{{"bearer"}},
		Body: &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object",
			Properties: map[string]*rampart.Schema{"step": {Type: "integer"}}}}}
	status := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(body))
		}
	}
	type want struct {
		state  rampart.CoverageState
		reason rampart.Reason
		detail string
	}
	var calls atomic.Int32
	for _, tt := range []struct {
		name    string
		mode    rampart.Mode
		op      *rampart.Operation
		handler http.HandlerFunc
		want    want
	}{
		{"read probed", rampart.Safe, search, status(200, `[]`), want{rampart.CoverageTested, "", ""}},
		{"read refused", rampart.Safe, search, status(401, `{"error":"token expired"}`),
			want{rampart.CoverageNotTested, rampart.ReasonRefused, "answered 401 to alice"}},
		{"write in a safe scan", rampart.Safe, note, status(201, `{}`),
			want{rampart.CoverageNotTested, rampart.ReasonNeedsActive, "performs it"}},
		{"write probed", rampart.Active, note, status(201, `{"id":1}`), want{rampart.CoverageTested, "", ""}},
		{"write rejected", rampart.Active, note, status(422, `{"detail":[{"loc":["body","items"],"msg":"field required","type":"value_error.missing"}]}`),
			want{rampart.CoverageNotTested, rampart.ReasonBodyRejected, "the API answered 422: items missing"}},
		// A number field is probed too (a word, null): no text needed.
		{"write with only a number field", rampart.Active, counter, status(201, `{"id":1}`),
			want{rampart.CoverageTested, "", ""}},
		{"write throttled", rampart.Active, note, func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				status(201, `{"id":1}`)(w, r) // the learned request
				return
			}
			w.Header().Set("Retry-After", "0") // the engine's retries need not wait
			status(429, `{"error":"slow down"}`)(w, r)
		}, want{rampart.CoverageNotTested, rampart.ReasonThrottled, "answered 429"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls.Store(0)
			srv := checktest.NewServer(t, tt.handler)
			env := checktest.New(t, srv, tt.mode, []*rampart.Operation{tt.op}, checktest.User("alice", "user", "a"))
			for _, c := range []*check.Check{&DBError, &Traceback} {
				got := env.Units(t, c)[tt.op.Key()]
				if got.State != tt.want.state || got.Reason != tt.want.reason || !strings.Contains(got.Detail, tt.want.detail) {
					t.Errorf("%s: %s %s %q, want %s %s with %q", c.ID, got.State, got.Reason, got.Detail, tt.want.state, tt.want.reason, tt.want.detail)
				}
			}
		})
	}
}
