package authz

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

// FuzzAnswer feeds hostile bodies to everything that reads an answer: the
// JSON walk, value and object extraction, "me" detection and the created
// id. Nothing may panic, and every result stays bounded.
func FuzzAnswer(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "/notes/1")
	}
	f.Add([]byte(`{"a":`+string(make([]byte, 10))+`}`), "")
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[{"id":1}]]]]]]]]]]]]]]]]]]]]]]]]]`), "/x/%zz")
	f.Add([]byte(`{"id":1e999,"owner":{"id":{"id":2}},"user":[1,2]}`), "http://[::1]:0/notes/9")
	res := &Resource{Coll: "/notes", Item: "/notes/{note_id}", Param: "note_id"}
	f.Fuzz(func(t *testing.T, body []byte, location string) {
		doc, ok := decodeJSON(body)
		if ok {
			if l := leaves(doc, func(m map[string]any) bool { _, ok := ownerOf(m); return ok }); len(l) > maxLeaves {
				t.Fatalf("%d leaves", len(l))
			}
			sameLeavesForEveryCaller(t, doc)
			if items := itemsIn(doc, "/notes"); len(items) > maxLeaves+1 {
				t.Fatalf("%d items", len(items))
			}
			objectIn(doc)
			isSpecDoc(doc)
		}
		r := &engine.Response{Status: 201, Body: body, Header: http.Header{"Location": {location}}}
		findSelf(map[string]*listed{"GET /me": digest(r, &rampart.Operation{Method: "GET", Path: "/me"})})
		createdID(r, res)
		if vals, ok := matchTemplate(location, res.Item); ok && vals[res.Param] == "" {
			t.Fatal("matched with an empty id")
		}
		for v := range leavesOf(r) {
			if m := mask(v); !utf8.ValidString(v) || utf8.RuneCountInString(m) > 7 {
				t.Fatalf("mask(%q) = %q", v, m)
			}
		}
	})
}

// FuzzTemplate matches hostile Location paths against hostile templates.
func FuzzTemplate(f *testing.F) {
	f.Add("/notes/42", "/notes/{note_id}")
	f.Add("/a/b/c", "/{x}/{y}/{z}")
	f.Add("", "")
	f.Add("////", "/{}")
	f.Fuzz(func(t *testing.T, path, tmpl string) {
		vals, ok := matchTemplate(path, tmpl)
		if ok {
			for k, v := range vals {
				if v == "" {
					t.Fatalf("parameter %q matched an empty segment", k)
				}
			}
		}
	})
}
