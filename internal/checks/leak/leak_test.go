package leak

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

func TestLeak(t *testing.T) {
	q := rampart.Param{Name: "q", In: "query", Schema: &rampart.Schema{Type: "string", Example: "lamp"}}
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		db, trace bool
		engine    string
	}{
		{"CockroachDB syntax error on a quote", func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Query().Get("q"), "'") {
				w.WriteHeader(500)
				w.Write([]byte(`{"error": "at or near \"lamp\": syntax error: unterminated string\nDETAIL: source SQL:\nSELECT * FROM items WHERE name = 'lamp''\n                                  ^\nHINT: try \\h SELECT"}`))
				return
			}
			w.Write([]byte(`[]`))
		}, true, false, "CockroachDB"},
		{"traceback", func(w http.ResponseWriter, r *http.Request) {
			if strings.ContainsAny(r.URL.Query().Get("q"), `'"\`) {
				w.WriteHeader(500)
				w.Write([]byte("Traceback (most recent call last):\n  File \"/srv/app.py\", line 12, in search\n    rows = db.run(q)\nValueError: bad"))
				return
			}
			w.Write([]byte(`[]`))
		}, false, true, ""},
		{"generic error body", func(w http.ResponseWriter, r *http.Request) {
			if strings.ContainsAny(r.URL.Query().Get("q"), `'"\`) {
				w.WriteHeader(400)
				w.Write([]byte(`{"error": "invalid search syntax"}`))
				return
			}
			w.Write([]byte(`[]`))
		}, false, false, ""},
	}
	ops := []*rampart.Operation{checktest.QuickOp("GET", "/search", true, q)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			fs, err := checktest.Quick(t, &DBError, srv.URL, checktest.QuickOptions{Mode: rampart.Safe, Ops: ops})
			if err != nil {
				t.Fatal(err)
			}
			if (len(fs) > 0) != tt.db {
				t.Fatalf("LEAK-001 findings %v, want %v", fs, tt.db)
			}
			if tt.db && (fs[0].Location.Param != "q" || !strings.Contains(fs[0].Message, tt.engine)) {
				t.Errorf("finding %+v", fs[0])
			}
			ts, err := checktest.Quick(t, &Traceback, srv.URL, checktest.QuickOptions{Mode: rampart.Safe, Ops: ops})
			if err != nil {
				t.Fatal(err)
			}
			if (len(ts) > 0) != tt.trace {
				t.Fatalf("LEAK-002 findings %v, want %v", ts, tt.trace)
			}
		})
	}
}
