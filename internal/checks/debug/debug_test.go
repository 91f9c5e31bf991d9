package debug

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

const consolePage = `<!doctype html><title>Console // Werkzeug Debugger</title>
<script>var CONSOLE_MODE = true, EVALEX = true, EVALEX_TRUSTED = %s, SECRET = "AbCdEfGhIjKlMnOpQrSt";</script>`

func TestDebugger(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    rampart.Severity
		found   bool
	}{
		{"console without PIN", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/console" {
				w.Write([]byte(sprintf(consolePage, "true")))
				return
			}
			http.NotFound(w, r)
		}, rampart.Critical, true},
		{"console with PIN", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/console" {
				w.Write([]byte(sprintf(consolePage, "false")))
				return
			}
			http.NotFound(w, r)
		}, rampart.High, true},
		{"host check hides it until Host: localhost", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/console" {
				if r.Host != "localhost" {
					w.WriteHeader(400)
					return
				}
				w.Write([]byte(sprintf(consolePage, "true")))
				return
			}
			http.NotFound(w, r)
		}, rampart.Critical, true},
		{"debugger resources only", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("__debugger__") == "yes" {
				w.Header().Set("Content-Type", "text/javascript")
				w.Write([]byte(`var x = "?__debugger__=yes&cmd=";`))
				return
			}
			http.NotFound(w, r)
		}, rampart.High, true},
		{"a SPA that answers 200 everywhere", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<html><title>Shop</title></html>`))
		}, 0, false},
		{"a page that merely mentions the debugger", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<p>Never enable the Werkzeug Debugger console in production.</p>`))
		}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			fs, err := checktest.Quick(t, &Debugger, srv.URL, checktest.QuickOptions{Mode: rampart.Safe})
			if err != nil {
				t.Fatal(err)
			}
			if (len(fs) > 0) != tt.found {
				t.Fatalf("findings %v, want found=%v", fs, tt.found)
			}
			if tt.found && (fs[0].Severity != tt.want || fs[0].Confidence != rampart.Confirmed) {
				t.Fatalf("severity %s confidence %s", fs[0].Severity, fs[0].Confidence)
			}
		})
	}
}
