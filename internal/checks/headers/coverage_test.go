package headers

import (
	"net/http"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

// The three checks share one sample of answers, fetched by whichever runs
// first: the others send nothing and must still say what they judged.
func TestCoverage(t *testing.T) {
	withCookie := func(w http.ResponseWriter, r *http.Request) {
		harden(w)
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "x", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		w.Write([]byte(`{}`))
	}
	noCookie := func(w http.ResponseWriter, r *http.Request) { harden(w); w.Write([]byte(`{}`)) }
	type want struct {
		state  rampart.CoverageState
		reason rampart.Reason
	}
	tested := want{state: rampart.CoverageTested}
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		down    bool
		want    map[string]want
	}{
		{"cookie set", withCookie, false, map[string]want{"HDR-001": tested, "HDR-002": tested, "HDR-003": tested}},
		{"no cookie", noCookie, false, map[string]want{"HDR-001": tested, "HDR-002": {state: rampart.CoverageNotApplicable}, "HDR-003": tested}},
		{"no answer", noCookie, true, map[string]want{
			"HDR-001": {rampart.CoverageNotTested, rampart.ReasonError},
			"HDR-002": {rampart.CoverageNotTested, rampart.ReasonError},
			"HDR-003": {rampart.CoverageNotTested, rampart.ReasonError},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := checktest.NewServer(t, tt.handler)
			env := checktest.New(t, srv, rampart.Safe, []*rampart.Operation{checktest.QuickOp("GET", "/items", true)},
				checktest.User("alice", "user", "a"))
			if tt.down {
				srv.Close()
			}
			for _, c := range []*check.Check{&Missing, &Cookies, &Banner} {
				got := env.Units(t, c)[""]
				w := tt.want[c.ID]
				if got.State != w.state || got.Reason != w.reason {
					t.Errorf("%s: %s %s (%s), want %s %s", c.ID, got.State, got.Reason, got.Detail, w.state, w.reason)
				}
				if (got.State == rampart.CoverageNotTested || got.State == rampart.CoverageNotApplicable) && got.Detail == "" {
					t.Errorf("%s: %s without a detail", c.ID, got.State)
				}
			}
		})
	}
}

func harden(w http.ResponseWriter) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
}
