package sqli

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

// Each unit ends tested or says what stopped it: an injection check that
// has nothing to inject into, a write it may not send, a request the API
// refuses or rejects, a baseline it cannot compare against.
func TestCoverage(t *testing.T) {
	strSchema := &rampart.Schema{Type: "string"}
	search := checktest.QuickOp("GET", "/items", true, rampart.Param{Name: "q", In: "query", Schema: strSchema})
	note := &rampart.Operation{Method: "POST", Path: "/notes", Security: [][]string{{"bearer"}},
		Body: &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object",
			Properties: map[string]*rampart.Schema{"title": strSchema}}}}
	upload := &rampart.Operation{Method: "POST", Path: "/uploads", Security: [][]string{{"bearer"}},
		Body: &rampart.Body{ContentType: "application/octet-stream", Schema: &rampart.Schema{Type: "string", Format: "binary"}}}
	idParam := rampart.Param{Name: "id", In: "path", Required: true, Schema: &rampart.Schema{Type: "integer"}}
	update := &rampart.Operation{Method: "PUT", Path: "/notes/{id}", Security: [][]string{{"bearer"}}, Params: []rampart.Param{idParam},
		Body: note.Body}
	readNote := checktest.QuickOp("GET", "/notes/{id}", true, idParam)
	sorted := checktest.QuickOp("GET", "/items", true, rampart.Param{Name: "sort", In: "query", Schema: strSchema, Example: "name"})

	ok := func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"items":[]}`)) }
	status := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(body))
		}
	}
	n := 0
	unstable := func(w http.ResponseWriter, r *http.Request) {
		n++
		w.Write([]byte(`{"items":[],"served":` + strings.Repeat("1", n) + `}`))
	}
	type want struct {
		state  rampart.CoverageState
		reason rampart.Reason
		detail string // a part of it
	}
	for _, tt := range []struct {
		name    string
		c       *check.Check
		mode    rampart.Mode
		ops     []*rampart.Operation
		op      *rampart.Operation
		handler http.HandlerFunc
		proven  bool // an earlier check proved every point
		want    want
	}{
		{"clean read", &ErrorBased, rampart.Safe, nil, search, ok, false, want{rampart.CoverageTested, "", ""}},
		{"read refused", &ErrorBased, rampart.Safe, nil, search, status(403, `{"error":"forbidden"}`), false,
			want{rampart.CoverageNotTested, rampart.ReasonRefused, "answered 403 to alice"}},
		{"baseline already fails in the database", &ErrorBased, rampart.Safe, nil, search,
			status(500, `{"error":"psycopg2.errors.SyntaxError: syntax error at or near \"x\""}`), false,
			want{rampart.CoverageNotTested, rampart.ReasonError, "already answers a database error"}},
		{"write in a safe scan", &ErrorBased, rampart.Safe, nil, note, ok, false,
			want{rampart.CoverageNotTested, rampart.ReasonNeedsActive, "performs it"}},
		{"write whose body is rejected", &ErrorBased, rampart.Active, nil, note,
			status(422, `{"detail":[{"loc":["body","items"],"msg":"field required","type":"value_error.missing"}]}`), false,
			want{rampart.CoverageNotTested, rampart.ReasonBodyRejected, "the API answered 422: items missing"}},
		{"nothing to inject into", &ErrorBased, rampart.Active, nil, upload, status(201, `{}`), false,
			want{rampart.CoverageNotApplicable, "", "no parameter or body field"}},
		{"update without a read", &ErrorBased, rampart.Active, nil, update, ok, false,
			want{rampart.CoverageNotApplicable, "", "without a read at its path"}},
		{"update of an object the scan has no value for", &ErrorBased, rampart.Active, []*rampart.Operation{readNote}, update,
			status(404, `{"error":"not found"}`), false, want{rampart.CoverageNotTested, rampart.ReasonNoValues, "no values for {id}"}},
		{"boolean: baseline fails", &Boolean, rampart.Safe, nil, search, status(500, `{"error":"oops"}`), false,
			want{rampart.CoverageNotTested, rampart.ReasonError, "answers 500"}},
		{"boolean: unstable answer", &Boolean, rampart.Safe, nil, search, unstable, false,
			want{rampart.CoverageNotTested, rampart.ReasonError, "changes between two identical requests"}},
		{"boolean: clean", &Boolean, rampart.Safe, nil, search, ok, false, want{rampart.CoverageTested, "", ""}},
		{"boolean: every point proved", &Boolean, rampart.Safe, nil, search, ok, true,
			want{rampart.CoverageNotApplicable, "", "already proved"}},
		{"identifier: clean", &Identifier, rampart.Safe, nil, sorted, ok, false, want{rampart.CoverageTested, "", ""}},
		{"identifier: every point proved", &Identifier, rampart.Safe, nil, sorted, ok, true,
			want{rampart.CoverageNotApplicable, "", "already proved"}},
		{"time: every point proved", &TimeBased, rampart.Safe, nil, search, ok, true,
			want{rampart.CoverageNotApplicable, "", "already proved"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n = 0
			srv := checktest.NewServer(t, tt.handler)
			ops := append([]*rampart.Operation{tt.op}, tt.ops...)
			env := checktest.New(t, srv, tt.mode, ops, checktest.User("alice", "user", "a"))
			if tt.proven {
				for _, prm := range tt.op.Params {
					provenSet(env.Pass).add(tt.op.Key()+" "+prm.In+":"+prm.Name, ErrorBased.ID)
				}
			}
			got, applies := env.Units(t, tt.c)[tt.op.Key()]
			if !applies {
				t.Fatalf("%s does not apply to %s", tt.c.ID, tt.op.Key())
			}
			if got.State != tt.want.state || got.Reason != tt.want.reason || !strings.Contains(got.Detail, tt.want.detail) {
				t.Errorf("%s: %s %s %q, want %s %s with %q", tt.c.ID, got.State, got.Reason, got.Detail, tt.want.state, tt.want.reason, tt.want.detail)
			}
		})
	}
}
