package apimodel

import (
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestAdd: operations added after the model was built (discovery signed in)
// are known to it from then on, and their answers are learned from.
func TestAdd(t *testing.T) {
	m, _ := feed(t, []string{"GET /devices"}, map[string]string{"alice": "user"})
	item := &rampart.Operation{Method: "GET", Path: "/devices/{name}", Params: []rampart.Param{{Name: "name", In: "path", Required: true}}}
	read := ex{path: "/devices/lamp", who: "alice", status: 200, body: `{"name":"lamp","serial":"SN-4411"}`}
	m.Observe(read.response())
	if m.Operation("GET /devices/{name}") != nil || len(m.Values(item, "serial", Query{})) != 0 {
		t.Fatal("the model knew an operation it was not given")
	}
	m.Add(item, &rampart.Operation{Method: "GET", Path: "/devices"})
	if m.Operation("GET /devices/{name}") == nil {
		t.Fatal("Add: the model does not know the added operation")
	}
	if n := len(m.ops()); n != 2 {
		t.Errorf("the model has %d operations after adding one new and one it had, want 2", n)
	}
	m.Observe(read.response())
	if len(m.Values(item, "name", Query{})) == 0 {
		t.Error("Add: answers to the added operation are not learned from")
	}
}
