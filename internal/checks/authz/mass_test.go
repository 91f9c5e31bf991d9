package authz

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
	"github.com/rampart-sec/rampart/internal/holdings"
)

func TestMassAssignment(t *testing.T) {
	tests := []struct {
		name  string
		flaws authztest.Flaws
		want  []string
	}{
		{name: "allowlist", want: nil},
		{name: "role and is_admin persisted", flaws: authztest.Flaws{Mass: true}, want: []string{"MASS-001 PUT /profile confirmed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, url := serve(t, tt.flaws)
			alice, _ := api.User(1)
			notes := api.Notes()
			res := authztest.Run(t, url, rampart.Active, authztest.All, &MassAssignment)
			res.Expect(t, tt.want)
			// Reverted: alice is a user again, and nothing else changed.
			if now, _ := api.User(1); !reflect.DeepEqual(now, alice) {
				t.Errorf("alice after the scan = %+v, before %+v", now, alice)
			}
			if !reflect.DeepEqual(api.Notes(), notes) {
				t.Errorf("notes changed")
			}
			for _, f := range res.Findings {
				for _, want := range []string{`role="admin" (was "user")`, `is_admin=true (was false)`, "written back by alice (verified)"} {
					if !strings.Contains(f.Message, want) {
						t.Errorf("message lacks %q: %s", want, f.Message)
					}
				}
			}
			// Credentials and login names are never sent.
			for _, r := range api.Requests() {
				if r.Method == http.MethodGet || r.Body == "" {
					continue
				}
				var body map[string]any
				_ = json.Unmarshal([]byte(r.Body), &body)
				for _, k := range []string{"password", "username", "email", "token", "id"} {
					if _, ok := body[k]; ok && r.Path == "/profile" {
						t.Errorf("%s %s sends %q: %s", r.Method, r.Path, k, r.Body)
					}
				}
			}
		})
	}
}

func TestPlanOnlyEscalates(t *testing.T) {
	op := &rampart.Operation{Method: "PUT", Path: "/profile", Body: &rampart.Body{ContentType: "application/json",
		Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"display_name": {Type: "string"}}}}}
	cur := map[string]any{
		"id": json.Number("1"), "username": "alice", "email": "a@example.com", "display_name": "Alice",
		"role": "user", "is_admin": false, "active": true, "verified": true, "balance": json.Number("10.5"),
		"password_hash": "pbkdf2:x", "created_at": "2024-01-01T00:00:00Z", "nickname": "Al", "status": "active",
		"locked": false, "mfa_enabled": false,
	}
	got := map[string]any{}
	for _, in := range plan(nil, &holdings.Inventory{}, nil, op, cur, nil, "") {
		got[in.field] = in.value
	}
	want := map[string]any{"role": "admin", "is_admin": true, "balance": 1010.5}
	for k, v := range want {
		if !same(got[k], v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["nickname"]; !ok {
		t.Errorf("a response-only free-text field is not probed: %v", got)
	}
	for _, k := range []string{"id", "username", "email", "display_name", "active", "verified", "password_hash", "created_at", "status", "locked", "mfa_enabled"} {
		if _, ok := got[k]; ok {
			t.Errorf("plan touches %s (= %v)", k, got[k])
		}
	}
}

// TestPlanTrustsOnlyAContract: a request schema inferred from recorded
// traffic lists only the fields that were sent, so a free-text field it
// lacks is not evidence of a field the caller must not set (a note's body
// the recording did not change); privileged fields are still tried.
func TestPlanTrustsOnlyAContract(t *testing.T) {
	cur := map[string]any{"title": "Groceries", "body": "milk", "is_admin": false}
	for _, tc := range []struct {
		source string
		body   bool
	}{
		{rampart.SourceSpec, true},
		{"", true},
		{rampart.SourceHAR, false},
		{rampart.SourcePostman, false},
		{rampart.SourceCrawl, false},
	} {
		op := &rampart.Operation{Method: "PUT", Path: "/notes/{id}", Source: tc.source, Body: &rampart.Body{ContentType: "application/json",
			Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"title": {Type: "string"}}}}}
		got := map[string]bool{}
		for _, in := range plan(nil, &holdings.Inventory{}, nil, op, cur, nil, "") {
			got[in.field] = true
		}
		if got["body"] != tc.body || !got["is_admin"] {
			t.Errorf("source %q: plan %v, want body %v and is_admin", tc.source, got, tc.body)
		}
	}
}
