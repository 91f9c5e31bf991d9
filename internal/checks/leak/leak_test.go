package leak

import (
	"encoding/json"
	"fmt"
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
		// A conflict with concurrent transactions is not the value's doing:
		// the request alone would not replay it.
		{"serialization failure on a quote", func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Query().Get("q"), "'") {
				w.WriteHeader(500)
				w.Write([]byte(`{"error": "database_error", "message": "could not serialize access due to read/write dependencies among transactions\nHINT:  The transaction might succeed if retried.\n"}`))
				return
			}
			w.Write([]byte(`[]`))
		}, false, false, ""},
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

// tickets stores tickets; its update formats the subject into SQL and
// answers SQLite's error text (unless secure).
type tickets struct {
	secure  bool
	subject string
}

func (tk *tickets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == "GET" && r.URL.Path == "/tickets/7":
		fmt.Fprintf(w, `{"id": 7, "subject": %q}`, tk.subject)
	case r.Method == "PUT" && r.URL.Path == "/tickets/7":
		var b map[string]any
		json.NewDecoder(r.Body).Decode(&b)
		s, _ := b["subject"].(string)
		if strings.Contains(s, "'") && !tk.secure {
			w.WriteHeader(500)
			fmt.Fprintf(w, `{"error": "sqlite3.OperationalError: near \"%s\": syntax error"}`, s)
			return
		}
		tk.subject = s
		fmt.Fprintf(w, `{"id": 7, "subject": %q}`, s)
	default:
		http.NotFound(w, r)
	}
}

func TestLeakInWriteBodies(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mode   rampart.Mode
		secure bool
		want   bool
	}{
		{"active, vulnerable", rampart.Active, false, true},
		{"active, secure", rampart.Active, true, false},
		{"safe mode sends no write", rampart.Safe, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tk := &tickets{secure: tt.secure, subject: "printer jam"}
			srv := checktest.NewServer(t, tk)
			get := checktest.Op("GET", "/tickets/{id}", "bearer")
			put := checktest.Op("PUT", "/tickets/{id}", "bearer")
			id := rampart.Param{Name: "id", In: "path", Required: true, Schema: &rampart.Schema{Type: "integer", Example: 7}}
			get.Params, put.Params = []rampart.Param{id}, []rampart.Param{id}
			put.Body = &rampart.Body{ContentType: "application/json", Required: true, Schema: &rampart.Schema{Type: "object",
				Properties: map[string]*rampart.Schema{"subject": {Type: "string"}}, Required: []string{"subject"}}}
			env := checktest.New(t, srv, tt.mode, []*rampart.Operation{get, put}, checktest.User("ann", "user", "tok-ann"))
			env.Run(t, &DBError)
			var got bool
			for _, f := range env.Of("LEAK-001") {
				got = got || f.Location.Path == "/tickets/{id}" && f.Location.Method == "PUT"
			}
			if got != tt.want {
				t.Errorf("LEAK-001 on PUT: %v, want %v (%v)", got, tt.want, env.Findings())
			}
			if tk.subject != "printer jam" {
				t.Errorf("the ticket was left changed: %q", tk.subject)
			}
			for _, r := range srv.Requests() {
				if tt.mode == rampart.Safe && r.Method != "GET" {
					t.Errorf("safe mode sent %s %s", r.Method, r.Path)
				}
			}
		})
	}
}
