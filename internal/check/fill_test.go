package check

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// A URL a check builds without a value for a path parameter gets one the
// API showed, where the spec has none; the check's own values and the
// spec's examples win.
func TestURLsCarryValuesTheAPIShowed(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	c, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	str := &rampart.Schema{Type: "string"}
	users := &rampart.Operation{Method: "GET", Path: "/users"}
	orders := &rampart.Operation{Method: "GET", Path: "/users/{username}/orders", Params: []rampart.Param{{Name: "username", In: "path", Required: true, Schema: str}}}
	shops := &rampart.Operation{Method: "GET", Path: "/shops/{shop}/users/{username}", Params: []rampart.Param{
		{Name: "shop", In: "path", Required: true, Schema: str, Example: "main"},
		{Name: "username", In: "path", Required: true, Schema: str},
	}}
	ops := []*rampart.Operation{users, orders, shops}
	m := apimodel.New(apimodel.Config{Surface: ops, Base: base})
	alice := identity.New("alice", identity.RoleUser, http.Header{"Authorization": {"Bearer a-0123456789"}})
	m.Register(alice)
	p := NewPassFor(Env{Client: c, Surface: ops, Model: m, Identities: []*identity.Identity{alice}}, func(rampart.Finding) {})
	before := p.URL(orders, nil)
	req := &engine.Request{Method: "GET", URL: "http://127.0.0.1:1/users", Route: users.Key()}
	alice.Apply(req)
	m.Observe(&engine.Response{Request: req, Method: "GET", RequestURL: req.URL, Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`[{"username":"alice","name":"Alice"},{"username":"bob","name":"Bob"}]`)})
	for _, tc := range []struct {
		op     *rampart.Operation
		values map[string]string
		want   string
	}{
		{orders, nil, "/users/alice/orders"},
		{orders, map[string]string{"username": "carol"}, "/users/carol/orders"},
		{shops, nil, "/shops/main/users/alice"},
	} {
		if got := p.URL(tc.op, tc.values); !strings.HasSuffix(got, tc.want) {
			t.Errorf("URL(%s, %v) = %s, want …%s", tc.op.Key(), tc.values, got, tc.want)
		}
	}
	if strings.HasSuffix(before, "/users/alice/orders") {
		t.Errorf("before the model knew a username the URL was %s: the test proves nothing", before)
	}
}
