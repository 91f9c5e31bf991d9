package scan

import (
	"net/http"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/engine"
)

func TestHeadersNote(t *testing.T) {
	l := accept.New(accept.Options{Tag: "t"})
	list := &rampart.Operation{Method: "GET", Path: "/articles"}
	del := &rampart.Operation{Method: "DELETE", Path: "/articles/{id}"}
	ops := []*rampart.Operation{list, del}
	if n := headersNote(l, ops); n != "" {
		t.Errorf("note without headers: %q", n)
	}
	l.Observe(list, http.Header{}, &engine.Response{Status: 400, Body: []byte(`{"error": "X-Api-Version header must be 2"}`)})
	l.Observe(list, http.Header{"X-Api-Version": {"2"}}, &engine.Response{Status: 200, Body: []byte(`[]`)})
	l.Observe(del, http.Header{"X-Api-Version": {"2"}}, &engine.Response{Status: 200, Body: []byte(`"\"IsAdmin header missing\""`)})
	want := "headers the API asked for in its answers: X-Api-Version: 2 on every request; Isadmin: true on DELETE /articles/{id} " +
		"(named like a privilege: sent only by admin identities and BFLA-006)"
	if n := headersNote(l, ops); n != want {
		t.Errorf("note = %q\nwant   %q", n, want)
	}
}
