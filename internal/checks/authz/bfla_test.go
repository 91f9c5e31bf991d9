package authz

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
)

func TestAdminReason(t *testing.T) {
	tests := []struct {
		op   rampart.Operation
		want bool
	}{
		{op: rampart.Operation{Method: "GET", Path: "/admin/users"}, want: true},
		{op: rampart.Operation{Method: "GET", Path: "/api/v1/internal/metrics"}, want: true},
		{op: rampart.Operation{Method: "GET", Path: "/exports", Tags: []string{"Admin tools"}}, want: true},
		{op: rampart.Operation{Method: "GET", Path: "/exports", Security: [][]string{{"oauth_admin"}}}, want: true},
		{op: rampart.Operation{Method: "GET", Path: "/accounts/export", Description: "Administrators only."}, want: true},
		{op: rampart.Operation{Method: "GET", Path: "/reports", Summary: "Requires the admin role"}, want: true},
		{op: rampart.Operation{Method: "GET", Path: "/notes/{admin}"}, want: false},
		{op: rampart.Operation{Method: "GET", Path: "/administrative-areas"}, want: false},
		{op: rampart.Operation{Method: "GET", Path: "/notes", Description: "The admin of a team can pin notes."}, want: false},
	}
	for _, tt := range tests {
		if got := AdminReason(&tt.op) != ""; got != tt.want {
			t.Errorf("AdminReason(%s %v %q) = %v, want %v", tt.op.Path, tt.op.Tags, tt.op.Description, got, tt.want)
		}
	}
}

func TestAdminRead(t *testing.T) {
	tests := []struct {
		name  string
		flaws authztest.Flaws
		ids   []authztest.Ident
		want  []string
	}{
		{name: "role checked", ids: authztest.All},
		{name: "users reach the admin list", flaws: authztest.Flaws{AdminRead: true}, ids: authztest.All,
			want: []string{"BFLA-001 GET /admin/users confirmed"}},
		{name: "no admin identity: compared with the documented answer", flaws: authztest.Flaws{AdminRead: true},
			ids: []authztest.Ident{authztest.Alice}, want: []string{"BFLA-001 GET /admin/users firm"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, url := serve(t, tt.flaws)
			res := authztest.Run(t, url, rampart.Safe, tt.ids, &AdminRead)
			if got := authztest.Keys(res.Findings); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
			}
			noMutations(t, api)
			for _, f := range res.Findings {
				if len(f.Evidence) == 0 || !strings.Contains(f.Evidence[0].Note, "alice") {
					t.Errorf("evidence = %+v", f.Evidence)
				}
			}
		})
	}
}

func TestAdminWrite(t *testing.T) {
	tests := []struct {
		name  string
		flaws authztest.Flaws
		ids   []authztest.Ident
		want  []string
	}{
		{name: "role checked", ids: authztest.All},
		{name: "users delete users", flaws: authztest.Flaws{AdminDelete: true}, ids: authztest.All,
			want: []string{"BFLA-002 DELETE /admin/users/{user_id} confirmed"}},
		{name: "users create users", flaws: authztest.Flaws{AdminCreate: true}, ids: authztest.All,
			want: []string{"BFLA-002 POST /admin/users confirmed"}},
		{name: "no admin: lookup before the role check", flaws: authztest.Flaws{AdminLookup: true},
			ids: []authztest.Ident{authztest.Alice}, want: []string{"BFLA-002 DELETE /admin/users/{user_id} tentative"}},
		{name: "no admin, role checked", ids: []authztest.Ident{authztest.Alice}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, url := serve(t, tt.flaws)
			before := api.Users()
			res := authztest.Run(t, url, rampart.Active, tt.ids, &AdminWrite)
			res.Expect(t, tt.want)
			if after := api.Users(); !reflect.DeepEqual(after, before) {
				t.Errorf("users before %v, after %v: the scan left or removed accounts", before, after)
			}
			// The scan's own identities are never the target of a delete.
			for _, r := range api.Requests() {
				if r.Method == http.MethodDelete && (strings.HasSuffix(r.Path, "/1") || strings.HasSuffix(r.Path, "/2") || strings.HasSuffix(r.Path, "/3")) {
					t.Errorf("%s %s targets a scan identity", r.Method, r.Path)
				}
			}
		})
	}
}

func TestMethodSwap(t *testing.T) {
	tests := []struct {
		name  string
		flaws authztest.Flaws
		want  []string
	}{
		{name: "undeclared methods refused", want: nil},
		{name: "undeclared DELETE on a public view", flaws: authztest.Flaws{MethodSwap: true},
			want: []string{"BFLA-003 DELETE /users/{user_id} confirmed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, url := serve(t, tt.flaws)
			before, notes := api.Users(), api.Notes()
			res := authztest.Run(t, url, rampart.Active, authztest.All, &MethodSwap)
			if got := authztest.Keys(res.Findings); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
				for _, f := range res.Findings {
					t.Log(f.Message)
				}
			}
			if !reflect.DeepEqual(api.Users(), before) || !reflect.DeepEqual(api.Notes(), notes) {
				t.Errorf("state changed: users %v → %v", before, api.Users())
			}
			for _, f := range res.Findings {
				if !strings.Contains(f.Message, "Rampart created user") {
					t.Errorf("message does not say what was created: %s", f.Message)
				}
			}
		})
	}
}
