package surface

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Spec loading is fuzzed twice, on YAML and on JSON documents, each loaded
// both as a local file (whose $refs read files next to it) and as bytes
// fetched from a URL (whose $refs go through Fetch). Every operation that
// loads gets a request synthesised, so hostile schemas (patterns, bounds,
// recursion) reach the synthesiser too. Nothing may panic in Rampart's own
// code (the repairs of sloppy documents included), hang or exhaust memory;
// errors and warnings are fine, but they are one line.
//
//	go test ./internal/surface -run '^$' -fuzz '^FuzzLoadYAML$' -fuzztime 60s
//	go test ./internal/surface -run '^$' -fuzz '^FuzzLoadJSON$' -fuzztime 60s

// fuzzRefs are the documents a fuzzed spec's $refs may reach, next to it on
// disk and on its server.
var fuzzRefs = map[string]string{
	"common.yaml": "components: {schemas: {Error: {type: object, properties: {code: {type: integer}, next: {$ref: '#/components/schemas/Error'}}}}}\n",
	"list.json":   `[1, 2, {"$ref": "common.yaml"}]`,
	"secret":      "API_KEY=hunter2hunter2\n",
}

func seedFiles(f *testing.F, exts ...string) {
	for _, ext := range exts {
		files, err := filepath.Glob("testdata/*." + ext)
		if err != nil {
			f.Fatal(err)
		}
		// The sloppy documents start the fuzzer inside every repair.
		sloppy, err := filepath.Glob("testdata/sloppy/*." + ext)
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, sloppy...)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func FuzzLoadYAML(f *testing.F) {
	seedFiles(f, "yaml")
	for _, b := range bombs {
		f.Add([]byte(b))
	}
	f.Add([]byte(listBomb(3, 3)))
	f.Add([]byte(schemaBomb(3, 3)))
	f.Add([]byte("openapi: 3.0.3\npaths: {}\nx-deep: " + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + "\n"))
	f.Add([]byte("openapi: 3.0.3\npaths: {}\nx-a: &a [*a]\n"))
	f.Add([]byte(refDoc("nowhere.yaml#/components/schemas/Error")))
	f.Add([]byte(refDoc("common.yaml#/components/schemas/Error")))
	f.Add([]byte(refDoc("../../etc/passwd")))
	f.Add([]byte(refDoc("secret")))
	f.Add([]byte(refDoc("list.json#/2")))
	f.Add([]byte("swagger: '2.0'\npaths:\n  /a: &a\n    get: {parameters: [{name: x, in: body, schema: {$ref: '#/definitions/A'}}]}\n  /b: *a\ndefinitions:\n  A: {properties: {a: {$ref: '#/definitions/A'}}, allOf: [{$ref: '#/definitions/A'}]}\n"))
	f.Add([]byte("openapi: 3.0\ninfo: {title: 1, version: 1.0}\npaths:\n  /a: &p {get: {summary: true, responses: {200: {description: 5}}}}\n  /b: *p\n"))
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks: {}\ncomponents: {schemas: {A: {type: [string, 'null'], const: x, $defs: {B: {$ref: '#/components/schemas/A'}}}}}\n"))
	fuzzLoad(f, false)
}

func FuzzLoadJSON(f *testing.F) {
	seedFiles(f, "json")
	f.Add([]byte(`{"openapi":"3.1.0","paths":{"/a/{id}":{"get":{"parameters":[{"name":"id","in":"path","schema":{"type":["integer","null"],"pattern":"^(a|b){3}[0-9]+$","minLength":99999999999}}],"requestBody":{"content":{"multipart/form-data":{"schema":{"properties":{"f":{"type":"string","format":"binary"}}}}}}}}}}`))
	f.Add([]byte(`{"swagger":"2.0","basePath":"/v1","paths":{"/a":{"post":{"consumes":["application/x-www-form-urlencoded"],"parameters":[{"name":"x","in":"formData","type":"string"},{"name":"b","in":"body","schema":{"$ref":"#/definitions/A"}}]}}},"definitions":{"A":{"properties":{"a":{"$ref":"#/definitions/A"}}}}}`))
	f.Add([]byte(strings.Repeat("[", 100000)))
	f.Add([]byte(`{"openapi":"3.0.3","paths":{},"x":` + strings.Repeat(`{"a":`, 2000) + "1" + strings.Repeat("}", 2000) + "}"))
	f.Add([]byte(`{"openapi":"3.0.3","paths":{"/a":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"nowhere.json#/X"}}}}}}}}}`))
	f.Add([]byte(`{"openapi":"3.0.3","paths":{"/a":{"get":{"responses":{"200":{"$ref":"common.yaml#/components/schemas/Error"}}}}}}`))
	f.Add([]byte(`{"openapi":"3.0.3","openapi":"3.1.0","paths":{"/a":{}}}`))
	fuzzLoad(f, true)
}

func fuzzLoad(f *testing.F, jsonOnly bool) {
	dir := f.TempDir()
	for name, content := range fuzzRefs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	path := filepath.Join(dir, "spec")
	fetch := func(_ context.Context, u string) ([]byte, error) {
		for name, content := range fuzzRefs {
			if strings.HasSuffix(u, "/"+name) {
				return []byte(content), nil
			}
		}
		return nil, errors.New("offline")
	}
	base, _ := url.Parse("http://127.0.0.1:1/api")
	f.Fuzz(func(t *testing.T, data []byte) {
		if t := bytes.TrimSpace(data); jsonOnly && (len(t) == 0 || (t[0] != '{' && t[0] != '[')) {
			return // the YAML target covers the rest
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}

		for _, src := range []Source{
			{Path: path, Timeout: 10 * time.Second},
			{URL: "http://127.0.0.1:1/api/openapi.json", Data: data, Fetch: fetch, Timeout: 10 * time.Second},
		} {
			s, err := Load(context.Background(), src)
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("loading took more than 10s: %v", err)
			}
			if err != nil {
				msg := err.Error()
				if msg == "" || strings.Contains(msg, "\n") {
					t.Fatalf("error is not one line: %q", msg)
				}
				if strings.Contains(msg, "the loader failed on it") {
					t.Fatalf("the loader panicked: %s", msg)
				}
				if strings.Contains(msg, "hunter2") {
					t.Fatalf("error echoes a referenced file's content: %s", msg)
				}
				continue
			}
			for _, w := range s.Warnings {
				if msg := w.String(); strings.Contains(msg, "\n") || strings.Contains(msg, "hunter2") {
					t.Fatalf("warning is not one line or echoes a referenced file: %q", msg)
				}
			}
			// Strict refuses exactly the documents that needed repairs.
			src.Strict = true
			if _, err := Load(context.Background(), src); (err != nil) != (len(s.Warnings) > 0) {
				t.Fatalf("%d warnings, but under Strict: %v", len(s.Warnings), err)
			}
			u := s.BaseURL(base)
			for _, op := range s.Operations {
				_, _ = Body(op)
				_ = URL(u, op, nil)
			}
		}
	})
}
