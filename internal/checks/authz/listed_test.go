package authz

import (
	"testing"

	"github.com/rampart-sec/rampart/internal/engine"
)

func TestNextPage(t *testing.T) {
	const u = "http://127.0.0.1:9/threads?sort=id"
	for _, tc := range []struct {
		name, body, want string
	}{
		{"counted pages: the last", `{"result":[{"id":1}],"page":1,"pages":4}`, "http://127.0.0.1:9/threads?page=4&sort=id"},
		{"on the last page already", `{"result":[{"id":1}],"page":4,"pages":4}`, ""},
		{"a next link on the same origin", `{"items":[{"id":1}],"next":"/threads?cursor=abc"}`, "http://127.0.0.1:9/threads?cursor=abc"},
		{"a next page number", `{"data":[{"id":1}],"next_page":2}`, "http://127.0.0.1:9/threads?page=2&sort=id"},
		{"a next link elsewhere is not followed", `{"items":[],"next":"http://127.0.0.2/threads?page=2"}`, ""},
		{"an opaque cursor alone is not a URL", `{"items":[],"next":"eyJpZCI6MX0"}`, ""},
		{"no pagination", `[{"id":1},{"id":2}]`, ""},
		{"not JSON", `<html></html>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextPage(&engine.Response{Body: []byte(tc.body)}, u); got != tc.want {
				t.Errorf("nextPage = %q, want %q", got, tc.want)
			}
		})
	}
}
