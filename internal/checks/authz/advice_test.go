package authz

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/stack"
)

// Remediation follows the kind of finding and what the scan saw of the
// stack; the database-specific code for bola and mass-assignment comes
// from the advice knowledge base, so it is not repeated here.
func TestAdviceFollowsStack(t *testing.T) {
	werkzeug := http.Header{"Server": {"Werkzeug/3.1.8 Python/3.11.2"}}
	sqlalchemy := `sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "items" does not exist
[SQL: SELECT 1] (Background on this error at: https://sqlalche.me/e/20/f405)`
	tests := []struct {
		name    string
		server  http.Header
		seen    []string // error bodies the observer saw
		kind    adviceKind
		want    []string
		notWant []string
	}{
		{name: "Flask role decorator", server: werkzeug, kind: adviceRole, want: []string{"abort(403)", "before_request"}, notWant: []string{"Flask-Login"}},
		{name: "Flask-Login with SQLAlchemy", server: werkzeug, seen: []string{sqlalchemy}, kind: adviceRole, want: []string{"current_user.role"}},
		{name: "not Flask", kind: adviceRole, want: []string{"Deny by default"}, notWant: []string{"@wraps", "before_request"}},
		{name: "upsert", server: werkzeug, kind: adviceUpsert, want: []string{"ON CONFLICT", "owner_id = excluded.owner_id", "abort(403)"}},
		{name: "read leaves the query code to the knowledge base", server: werkzeug, seen: []string{sqlalchemy}, kind: adviceRead,
			want: []string{"404"}, notWant: []string{"filter_by", "cur.execute"}},
		{name: "mass assignment", kind: adviceMass, want: []string{"allowlist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := stack.New()
			obs.Observe(404, tt.server, []byte("<!doctype html><title>404 Not Found</title>"))
			for _, b := range tt.seen {
				obs.Observe(500, tt.server, []byte(b))
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

// The upsert example names the finding's own table and id.
func TestUpsertAdviceNamesTheOperation(t *testing.T) {
	for path, want := range map[string][]string{
		"/account/{user_id}":      {"if user_id != g.user", "WHERE account.owner_id"},
		"/api/v1/orgs/{org_id}":   {"if org_id != g.user", "WHERE orgs.owner_id"},
		"/carts/{cart_id}/items/": {"if cart_id != g.user", "WHERE carts.owner_id"},
	} {
		got := advise(&check.Pass{Op: &rampart.Operation{Method: "PUT", Path: path}}, adviceUpsert)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: advice lacks %q:\n%s", path, w, got)
			}
		}
		if strings.Contains(got, "accounts") {
			t.Errorf("%s: advice names another API's table:\n%s", path, got)
		}
	}
}
