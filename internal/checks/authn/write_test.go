package authn

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
	"github.com/rampart-sec/rampart/internal/stack"
)

func TestMissingWrite(t *testing.T) {
	tests := []struct {
		name  string
		flaws authztest.Flaws
		want  []string
	}{
		{name: "every write needs credentials", want: nil},
		{name: "note writes open to anonymous callers", flaws: authztest.Flaws{AnonWrite: true}, want: []string{
			"AUTH-002 DELETE /notes/{note_id} confirmed",
			"AUTH-002 POST /notes confirmed",
			"AUTH-002 PUT /notes/{note_id} confirmed",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := authztest.New(tt.flaws)
			srv := httptest.NewServer(api)
			defer srv.Close()
			notes, users := api.Notes(), api.Users()
			res := authztest.Run(t, srv.URL, rampart.Active, authztest.All, &MissingWrite)
			res.Expect(t, tt.want)
			if !reflect.DeepEqual(api.Notes(), notes) || !reflect.DeepEqual(api.Users(), users) {
				t.Errorf("the scan left state behind: notes %v, users %v", api.Notes(), api.Users())
			}
			for _, f := range res.Findings {
				if !strings.Contains(f.Message, "Rampart created note") {
					t.Errorf("message does not say what was created: %s", f.Message)
				}
				if strings.Contains(f.Curl, "Authorization") {
					t.Errorf("the anonymous replay line sends credentials: %s", f.Curl)
				}
			}
			// Operations without a created object only get requests that
			// cannot do harm: ids that cannot exist.
			for _, r := range api.Requests() {
				if r.Auth == "" && r.Method != http.MethodGet && strings.HasPrefix(r.Path, "/admin/users/") && !strings.HasPrefix(r.Path, "/admin/users/5") {
					t.Errorf("anonymous %s %s targets an object the scan did not create", r.Method, r.Path)
				}
			}
		})
	}
}

// In safe mode the check does not run at all: the runner skips active
// checks, and the engine would refuse its writes anyway.
func TestMissingWriteNeedsActiveMode(t *testing.T) {
	api := authztest.New(authztest.Flaws{AnonWrite: true})
	srv := httptest.NewServer(api)
	defer srv.Close()
	res := authztest.Run(t, srv.URL, rampart.Safe, authztest.All, &MissingWrite)
	if len(res.Findings) != 0 || len(api.Requests()) != 0 {
		t.Errorf("findings %q, %d requests", authztest.Keys(res.Findings), len(api.Requests()))
	}
}

func TestAnonWriteAdvice(t *testing.T) {
	flask := stack.New()
	flask.Observe(404, http.Header{"Server": {"Werkzeug/3.0.1 Python/3.11.2"}}, []byte("<!doctype html><title>404 Not Found</title>"))
	if got := anonWriteAdvice(&check.Pass{Stack: flask}); !strings.Contains(got, "@login_required") || !strings.Contains(got, "before_request") {
		t.Errorf("Flask advice: %s", got)
	}
	if got := anonWriteAdvice(&check.Pass{Stack: stack.New()}); strings.Contains(got, "@login_required") || !strings.Contains(got, "deny-by-default") {
		t.Errorf("advice for an unknown stack: %s", got)
	}
}
