package surface

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader as a document fetched from a
// URL whose $refs cannot be fetched, then synthesises a request for every
// operation it yields: hostile schemas (patterns, bounds, recursion) reach
// the synthesiser too. Nothing may panic or hang; errors are fine.
func FuzzLoad(f *testing.F) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"openapi":"3.1.0","paths":{"/a/{id}":{"get":{"parameters":[{"name":"id","in":"path","schema":{"type":["integer","null"],"pattern":"^(a|b){3}[0-9]+$","minLength":99999999999}}],"requestBody":{"content":{"multipart/form-data":{"schema":{"properties":{"f":{"type":"string","format":"binary"}}}}}}}}}}`))
	f.Add([]byte("swagger: '2.0'\npaths:\n  /a: &a\n    get: {parameters: [{name: x, in: body, schema: {$ref: '#/definitions/A'}}]}\n  /b: *a\ndefinitions:\n  A: {properties: {a: {$ref: '#/definitions/A'}}, allOf: [{$ref: '#/definitions/A'}]}\n"))
	f.Add([]byte("openapi: 3.0\ninfo: {title: 1, version: 1.0}\npaths:\n  /a: &p {get: {summary: true, responses: {200: {description: 5}}}}\n  /b: *p\n"))
	fetch := func(context.Context, string) ([]byte, error) { return nil, errors.New("offline") }
	base, _ := url.Parse("http://127.0.0.1:1/api")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load(context.Background(), Source{URL: "http://127.0.0.1:1/api/openapi.json", Data: data, Fetch: fetch})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		u := s.BaseURL(base)
		for _, op := range s.Operations {
			_, _ = Body(op)
			_ = URL(u, op, nil)
		}
	})
}
