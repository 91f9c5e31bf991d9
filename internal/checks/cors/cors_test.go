package cors

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

func TestCORS(t *testing.T) {
	tests := []struct {
		name  string
		set   func(h http.Header, origin string)
		sev   rampart.Severity
		found bool
	}{
		{"reflects with credentials", func(h http.Header, o string) {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
		}, rampart.High, true},
		{"null origin with credentials", func(h http.Header, o string) {
			if o == "null" {
				h.Set("Access-Control-Allow-Origin", "null")
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}, rampart.High, true},
		{"reflects without credentials", func(h http.Header, o string) { h.Set("Access-Control-Allow-Origin", o) }, rampart.Low, true},
		{"allowlist", func(h http.Header, o string) {
			h.Set("Access-Control-Allow-Origin", "https://app.example.com")
			h.Set("Access-Control-Allow-Credentials", "true")
		}, 0, false},
		{"wildcard without credentials", func(h http.Header, o string) { h.Set("Access-Control-Allow-Origin", "*") }, 0, false},
		{"no CORS at all", func(h http.Header, o string) {}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if o := r.Header.Get("Origin"); o != "" {
					tt.set(w.Header(), o)
				}
				w.Write([]byte(`{"ok":true}`))
			}))
			defer srv.Close()
			fs, err := checktest.Quick(t, &Reflect, srv.URL, checktest.QuickOptions{Mode: rampart.Safe,
				Ops: []*rampart.Operation{checktest.QuickOp("GET", "/items", true)}})
			if err != nil {
				t.Fatal(err)
			}
			if (len(fs) > 0) != tt.found {
				t.Fatalf("findings %v, want found=%v", fs, tt.found)
			}
			if tt.found && fs[0].Severity != tt.sev {
				t.Fatalf("severity %s, want %s", fs[0].Severity, tt.sev)
			}
		})
	}
}
