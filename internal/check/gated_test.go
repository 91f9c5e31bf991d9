package check

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

func TestSameAnswer(t *testing.T) {
	tests := []struct {
		name string
		x, y Answer
		want bool
	}{
		{"identical", Answer{200, []byte(`{"a":1,"b":[1,2]}`)}, Answer{200, []byte(`{"a":1,"b":[1,2]}`)}, true},
		{"a timestamp differs", Answer{200, []byte(`{"a":1,"b":2,"c":3,"d":4,"e":5,"t":"10:01"}`)}, Answer{200, []byte(`{"a":1,"b":2,"c":3,"d":4,"e":5,"t":"10:02"}`)}, true},
		{"another user's record", Answer{200, []byte(`{"user":"alice","id":1}`)}, Answer{200, []byte(`{"user":"bob","id":2}`)}, false},
		{"another status", Answer{200, []byte(`{"a":1}`)}, Answer{201, []byte(`{"a":1}`)}, false},
		{"refusals are never the same answer", Answer{401, []byte(`{"error":"x"}`)}, Answer{401, []byte(`{"error":"x"}`)}, false},
		{"empty bodies", Answer{200, nil}, Answer{200, nil}, false},
	}
	for _, tt := range tests {
		if got := SameAnswer(tt.x, tt.y); got != tt.want {
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}

// roleAPI reserves /admin/users to admins; promoted users become admins.
func roleAPI(t *testing.T, promoted *atomic.Bool) *Pass {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		admin := who == "root" || (who == "ann" && promoted.Load())
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/health":
			fmt.Fprint(w, `{"status":"ok"}`)
		case r.URL.Path == "/admin/users" && admin:
			fmt.Fprint(w, `{"users":[{"id":1,"name":"ann"},{"id":7,"name":"root"}]}`)
		case r.URL.Path == "/admin/users":
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":"admins only"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPass(func(rampart.Finding) {})
	p.Client = c
	p.Surface = []*rampart.Operation{{Method: "GET", Path: "/health"}, {Method: "GET", Path: "/admin/users"}}
	p.URL = func(op *rampart.Operation, _ map[string]string) string { return srv.URL + op.Path }
	return p.WithOp(rampart.Meta{ID: "T-001", Budget: 50}, nil)
}

func TestRoleGatedAndPrivileged(t *testing.T) {
	var promoted atomic.Bool
	p := roleAPI(t, &promoted)
	ctx := context.Background()
	root := identity.New("root", identity.RoleAdmin, http.Header{"Authorization": {"Bearer root"}})
	ann := identity.New("ann", identity.RoleUser, http.Header{"Authorization": {"Bearer ann"}})
	gs := p.FindRoleGated(ctx, root, ann, 2)
	if len(gs) != 1 || gs[0].Op.Path != "/admin/users" || gs[0].Refused != 403 {
		t.Fatalf("role-gated reads: %+v", gs)
	}
	if ok, _, err := p.Privileged(ctx, ann, gs[0]); ok || err != nil {
		t.Fatalf("ann privileged before any escalation (%v)", err)
	}
	promoted.Store(true)
	if ok, _, _ := p.Privileged(ctx, ann, gs[0]); !ok {
		t.Fatal("a promoted ann is not seen as privileged")
	}
	if gs := p.FindRoleGated(ctx, root, root, 2); len(gs) != 0 {
		t.Errorf("an admin is refused nothing an admin reads: %+v", gs)
	}
}
