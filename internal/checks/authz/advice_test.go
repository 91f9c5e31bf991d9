package authz

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/stack"
)

// Remediation follows what the scan saw of the stack: SQL with the owner in
// the WHERE clause for psycopg2, the query filter for SQLAlchemy, and the
// UPSERT caveat for CockroachDB.
func TestAdviceFollowsStack(t *testing.T) {
	werkzeug := http.Header{"Server": {"Werkzeug/3.1.8 Python/3.11.2"}}
	tests := []struct {
		name    string
		seen    []string // bodies the observer saw
		kind    adviceKind
		want    []string
		notWant []string
	}{
		{name: "psycopg2 on PostgreSQL", seen: []string{`psycopg2.errors.UndefinedTable: relation "x" does not exist`}, kind: adviceRead,
			want: []string{"WHERE id = %s AND owner_id = %s", "abort(404)"}, notWant: []string{"filter_by"}},
		{name: "SQLAlchemy", seen: []string{`sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "items" does not exist
[SQL: SELECT 1] (Background on this error at: https://sqlalche.me/e/20/f405)`}, kind: adviceRead,
			want: []string{"filter_by(id=note_id, owner_id=current_user.id)"}},
		{name: "CockroachDB upsert", seen: []string{`ERROR: at or near "x": syntax error
DETAIL: source SQL:
SELECT x x
         ^
HINT: try \h SELECT`}, kind: adviceWrite, want: []string{"ON CONFLICT", "owner_id = excluded.owner_id", "CockroachDB"}},
		{name: "Flask role decorator", kind: adviceRole, want: []string{"abort(403)", "before_request"}},
		{name: "mass assignment", kind: adviceMass, want: []string{"dump_only", "allowlist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := stack.New()
			obs.Observe(404, werkzeug, []byte("<!doctype html><title>404 Not Found</title>"))
			for _, b := range tt.seen {
				obs.Observe(500, werkzeug, []byte(b))
			}
			got := advise(&check.Pass{Stack: obs}, tt.kind)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("advice lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("advice has %q:\n%s", w, got)
				}
			}
		})
	}
}
