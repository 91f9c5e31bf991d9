package holdings

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
	f.Fuzz(func(t *testing.T, body []byte, location string) {
		doc, ok := DecodeJSON(body)
		if ok {
			if l := Leaves(doc, func(m map[string]any) bool { _, ok := OwnerOf(m); return ok }); len(l) > MaxLeaves {
				t.Fatalf("%d leaves", len(l))
			}
			sameLeavesForEveryCaller(t, doc)
			if items := ItemsIn(doc, "/notes"); len(items) > MaxLeaves+1 {
				t.Fatalf("%d items", len(items))
			}
			ObjectIn(doc)
			isSpecDoc(doc)
		}
		r := &engine.Response{Status: 201, Body: body, Header: http.Header{"Location": {location}}}
		findSelf(map[string]*listed{"GET /me": digest(r, &rampart.Operation{Method: "GET", Path: "/me"})})
		var l map[string]string
		if doc, ok := DecodeJSON(r.Body); ok {
			l = Leaves(doc, nil)
		}
		for v := range l {
			if m := Mask(v); !utf8.ValidString(v) || utf8.RuneCountInString(m) > 7 {
				t.Fatalf("mask(%q) = %q", v, m)
			}
		}
	})
}
