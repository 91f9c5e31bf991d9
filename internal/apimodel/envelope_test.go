package apimodel

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestOpen(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		payload    string // the payload, as JSON
		path, coll string
		page       *Page
	}{
		{"status and data", `{"status":"ok","data":{"id":1,"name":"x"}}`, `{"id":1,"name":"x"}`, "data", "", nil},
		{"result", `{"result":{"api_key":"k"}}`, `{"api_key":"k"}`, "result", "", nil},
		{"items with next", `{"items":[{"id":1}],"next":"abc"}`, `[{"id":1}]`, "items", "", &Page{Next: "abc"}},
		{"results with count (DRF)", `{"count":2,"next":null,"previous":null,"results":[{"id":1},{"id":2}]}`, `[{"id":1},{"id":2}]`, "results", "", &Page{Total: 2}},
		{"nested envelopes", `{"result":{"items":[{"id":"u"}],"next":2}}`, `[{"id":"u"}]`, "result.items", "", &Page{Next: "2"}},
		{"payload", `{"success":true,"payload":{"user":"a"}}`, `{"user":"a"}`, "payload", "", nil},
		{"result with pages", `{"result":[{"id":1}],"page":1,"pages":3}`, `[{"id":1}]`, "result", "", &Page{Page: 1, Pages: 3}},
		{"a named collection", `{"pages":[{"title":"a"}]}`, `[{"title":"a"}]`, "pages", "pages", nil},
		{"a named collection with a total", `{"Books":[{"book_title":"a"}],"total":1}`, `[{"book_title":"a"}]`, "Books", "Books", &Page{Total: 1}},
		{"envelope with meta and links", `{"data":[{"id":1}],"meta":{"total":1},"links":{"next":"/x?page=2"}}`, `[{"id":1}]`, "data", "", nil},
		{"one object under one key", `{"user":{"id":3,"username":"carol"}}`, `{"id":3,"username":"carol"}`, "user", "user", nil},
		{"an object is its own payload", `{"id":1,"owner":"alice","items":[{"sku":"a"}]}`, `{"id":1,"owner":"alice","items":[{"sku":"a"}]}`, "", "", nil},
		{"a message is no envelope", `{"message":"created"}`, `{"message":"created"}`, "", "", nil},
		{"a login answer is no envelope", `{"access_token":"t","user":{"id":1}}`, `{"access_token":"t","user":{"id":1}}`, "", "", nil},
		{"two payload keys: no envelope", `{"data":{"a":1},"items":[1]}`, `{"data":{"a":1},"items":[1]}`, "", "", nil},
		{"a list", `[{"id":1}]`, `[{"id":1}]`, "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, ok := decode([]byte(tc.body))
			if !ok {
				t.Fatal("no document")
			}
			env := Open(doc)
			want, _ := decode([]byte(tc.payload))
			if !reflect.DeepEqual(env.Payload, want) {
				got, _ := json.Marshal(env.Payload)
				t.Errorf("payload %s, want %s", got, tc.payload)
			}
			if env.Path != tc.path || env.Collection != tc.coll {
				t.Errorf("path %q collection %q, want %q %q", env.Path, env.Collection, tc.path, tc.coll)
			}
			if !reflect.DeepEqual(env.Page, tc.page) {
				t.Errorf("page %+v, want %+v", env.Page, tc.page)
			}
			if !reflect.DeepEqual(Unwrap(doc), env.Payload) {
				t.Error("Unwrap and Open disagree")
			}
		})
	}
}

func TestUnwrapBody(t *testing.T) {
	v, ok := UnwrapBody([]byte(` {"status":"ok","data":[{"id":1}]}`))
	if !ok || len(v.([]any)) != 1 {
		t.Errorf("%v %v", v, ok)
	}
	if _, ok := UnwrapBody([]byte("<html></html>")); ok {
		t.Error("HTML unwrapped")
	}
}
