package fingerprint

import (
	"net/http"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

// FP-001 sends nothing: it judges what the scan saw, and says so even
// when the stack stays unknown.
func TestCoverage(t *testing.T) {
	for _, tt := range []struct {
		name   string
		server string
		want   rampart.CoverageState
	}{
		{"stack seen", "Werkzeug/3.0.1 Python/3.11.2", rampart.CoverageProved},
		{"nothing recognisable", "", rampart.CoverageTested},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := checktest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.server != "" {
					w.Header().Set("Server", tt.server)
				}
				w.Write([]byte(`{}`))
			}))
			env := checktest.New(t, srv, rampart.Safe, nil)
			resp, err := env.Pass.Get(t.Context(), nil, srv.URL+"/", nil)
			if err != nil {
				t.Fatal(err)
			}
			env.Pass.Stack.Observe(resp.Status, resp.Header, resp.Body)
			if got := env.Units(t, &Stack)[""]; got.State != tt.want {
				t.Errorf("FP-001: %s %s, want %s", got.State, got.Reason, tt.want)
			}
		})
	}
}
