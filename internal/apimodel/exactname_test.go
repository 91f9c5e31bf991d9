package apimodel

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// A parameter whose name stands for itself ({username}) takes the field of
// that very name over a thing's generic field that qualifies to the same
// words (the user's "name"); a generic parameter ({name} of a device)
// still takes its thing's field.
func TestExactFieldNameBeatsAQualifiedThing(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	str := &rampart.Schema{Type: "string"}
	users := &rampart.Operation{Method: "GET", Path: "/users"}
	orders := &rampart.Operation{Method: "GET", Path: "/users/{username}/orders", Params: []rampart.Param{{Name: "username", In: "path", Required: true, Schema: str}}}
	user := &rampart.Operation{Method: "GET", Path: "/users/{name}", Params: []rampart.Param{{Name: "name", In: "path", Required: true, Schema: str}}}
	m := New(Config{Surface: []*rampart.Operation{users, orders, user}, Base: base})
	alice := identity.New("alice", identity.RoleUser, http.Header{"Authorization": {"Bearer a-0123456789"}})
	m.Register(alice)
	req := &engine.Request{Method: "GET", URL: "http://127.0.0.1:1/users", Route: users.Key()}
	alice.Apply(req)
	m.Observe(&engine.Response{Request: req, Method: "GET", RequestURL: req.URL, Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`[{"username":"alice","name":"Alice"}]`)})
	if cs := m.Values(orders, "username", Query{Limit: 1}); len(cs) == 0 || cs[0].Value != "alice" {
		t.Errorf("{username}: %+v, want the username field's alice first", cs)
	}
	if cs := m.Values(user, "name", Query{Limit: 1}); len(cs) == 0 || cs[0].Value != "Alice" {
		t.Errorf("{name} of a user: %+v, want the user's name Alice", cs)
	}
}
