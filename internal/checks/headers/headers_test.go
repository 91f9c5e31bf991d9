package headers

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

func TestHeaders(t *testing.T) {
	hardened := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Server", "api")
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "x", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		w.Write([]byte(`{}`))
	}
	bare := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "Werkzeug/2.2.2 Python/3.11.2")
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "x"})
		w.Write([]byte(`{}`))
	}
	ops := []*rampart.Operation{checktest.QuickOp("GET", "/items", true)}
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		want    map[string]bool
	}{
		{"hardened", hardened, map[string]bool{}},
		{"bare", bare, map[string]bool{"HDR-001": true, "HDR-002": true, "HDR-003": true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			for _, c := range []*struct {
				id string
				f  func() ([]rampart.Finding, error)
			}{
				{"HDR-001", func() ([]rampart.Finding, error) {
					return checktest.Quick(t, &Missing, srv.URL, checktest.QuickOptions{Mode: rampart.Safe, Ops: ops, Users: map[string]string{"a": "Bearer t"}})
				}},
				{"HDR-002", func() ([]rampart.Finding, error) {
					return checktest.Quick(t, &Cookies, srv.URL, checktest.QuickOptions{Mode: rampart.Safe, Ops: ops})
				}},
				{"HDR-003", func() ([]rampart.Finding, error) {
					return checktest.Quick(t, &Banner, srv.URL, checktest.QuickOptions{Mode: rampart.Safe, Ops: ops})
				}},
			} {
				fs, err := c.f()
				if err != nil {
					t.Fatal(err)
				}
				if (len(fs) > 0) != tt.want[c.id] {
					t.Errorf("%s: findings %v, want %v", c.id, fs, tt.want[c.id])
				}
			}
		})
	}
}
