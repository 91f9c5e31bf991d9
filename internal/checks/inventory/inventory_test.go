package inventory

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

func TestExposed(t *testing.T) {
	tests := []struct {
		name  string
		pages map[string]string
		catch string // body for every other path, with 200
		want  map[string]rampart.Severity
	}{
		{"CockroachDB insecure console and status vars", map[string]string{
			"/":             `<html><head><title>Cockroach Console</title><script>window.dataFromServer = {"Insecure":true,"Tag":"v23.1.0"}</script>`,
			"/_status/vars": "# HELP sql_conns Number of open SQL connections\nsql_conns 3\nbuild_timestamp{tag=\"v23.1.0\",go_version=\"go1.19\"} 1.6e+09\n",
		}, "", map[string]rampart.Severity{"/": rampart.Critical, "/_status/vars": rampart.Medium, "/metrics": -1}},
		{"dotenv with credentials", map[string]string{"/.env": "DEBUG=0\nDATABASE_URL=postgresql://app:pw@db/app\nSECRET_KEY=abc\n"}, "",
			map[string]rampart.Severity{"/.env": rampart.High}},
		{"a SPA that answers 200 everywhere", nil, "<html><body>app</body></html>", map[string]rampart.Severity{}},
		{"a dotenv without secrets is not reported", map[string]string{"/.env": "NODE_ENV=production\nPORT=8080\n"}, "", map[string]rampart.Severity{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if b, ok := tt.pages[r.URL.Path]; ok {
					w.Write([]byte(b))
					return
				}
				if tt.catch != "" {
					w.Write([]byte(tt.catch))
					return
				}
				http.NotFound(w, r)
			}))
			defer srv.Close()
			fs, err := checktest.Quick(t, &Exposed, srv.URL, checktest.QuickOptions{Mode: rampart.Safe})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]rampart.Severity{}
			for _, f := range fs {
				got[f.Location.Path] = f.Severity
			}
			for path, sev := range tt.want {
				if sev < 0 {
					continue
				}
				if g, ok := got[path]; !ok || g != sev {
					t.Errorf("%s: got %v (found %v), want %s", path, g, ok, sev)
				}
			}
			n := 0
			for _, s := range tt.want {
				if s >= 0 {
					n++
				}
			}
			if len(fs) != n {
				t.Errorf("%d findings, want %d: %v", len(fs), n, fs)
			}
		})
	}
}
