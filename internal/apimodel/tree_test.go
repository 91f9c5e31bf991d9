package apimodel

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// countNodes counts the values of a decoded tree.
func countNodes(v any, depth int) (nodes, deepest int) {
	deepest = depth
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			n, d := countNodes(c, depth+1)
			nodes += n + 1
			deepest = max(deepest, d)
		}
	case []any:
		for _, c := range x {
			n, d := countNodes(c, depth+1)
			nodes += n + 1
			deepest = max(deepest, d)
		}
	}
	return nodes, deepest
}

func TestDecodeBounds(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000)
	var many strings.Builder
	many.WriteString(`[`)
	for i := range 100000 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"id":%d}`, i)
	}
	many.WriteString(`]`)
	var keys strings.Builder
	keys.WriteString(`{`)
	for i := range 5000 {
		if i > 0 {
			keys.WriteString(",")
		}
		fmt.Fprintf(&keys, `"k%d":"v%d"`, i, i)
	}
	keys.WriteString(`}`)
	for _, tc := range []struct {
		name, body string
		ok         bool
		check      func(t *testing.T, doc any)
	}{
		{"deep nesting is cut at maxDepth", deep, true, func(t *testing.T, doc any) {
			if _, d := countNodes(doc, 0); d > maxDepth {
				t.Errorf("depth %d kept, bound %d", d, maxDepth)
			}
		}},
		{"a huge array keeps maxItems items", many.String(), true, func(t *testing.T, doc any) {
			if n := len(doc.([]any)); n != maxItems {
				t.Errorf("%d items kept, want %d", n, maxItems)
			}
		}},
		{"an object keeps maxKeys keys", keys.String(), true, func(t *testing.T, doc any) {
			if n := len(doc.(map[string]any)); n != maxKeys {
				t.Errorf("%d keys kept, want %d", n, maxKeys)
			}
		}},
		{"a cut body keeps what came before the cut", `{"items":[{"id":1},{"id":2},{"id":`, true, func(t *testing.T, doc any) {
			items := doc.(map[string]any)["items"].([]any)
			if len(items) < 2 {
				t.Errorf("items %v", items)
			}
		}},
		{"long strings are left out", `{"a":"` + strings.Repeat("x", maxString+1) + `","b":"short"}`, true, func(t *testing.T, doc any) {
			m := doc.(map[string]any)
			if _, ok := m["a"]; ok || m["b"] != "short" {
				t.Errorf("%v", m)
			}
		}},
		{"nulls are left out, numbers kept as written", `{"a":null,"b":2450.0}`, true, func(t *testing.T, doc any) {
			m := doc.(map[string]any)
			if _, ok := m["a"]; ok || m["b"].(json.Number).String() != "2450.0" {
				t.Errorf("%v", m)
			}
		}},
		{"not JSON", `<html>`, false, nil},
		{"a scalar is no document", `"text"`, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, ok := decode([]byte(tc.body))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if ok {
				if n, _ := countNodes(doc, 0); n > maxNodes {
					t.Errorf("%d nodes kept, bound %d", n, maxNodes)
				}
				tc.check(t, doc)
			}
		})
	}
}

// FuzzHarvest feeds hostile JSON to the walker: whatever the body, the
// tree and the values taken from it stay within their bounds.
func FuzzHarvest(f *testing.F) {
	for _, s := range []string{
		`{"status":"ok","data":{"accounts":[{"number":"NL91ZOOB0417164300","owner":"alice"}]}}`,
		`{"result":{"items":[{"id":"7c0e8f4e-1b2c-4d5e-8f90-123456789abc","email":"a@b.co"}],"next":2}}`,
		`[{"id":1,"owner":{"id":2,"username":"bob"},"tags":["a","b"]}]`,
		`{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":1}}}}}}}}}}}}}}`,
		`{"":"","\u0000":"\ud800","card_number":"4111 1111 1111 1111","token":"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."}`,
		`{"pages":[`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, ok := decode(body)
		if !ok {
			return
		}
		if n, d := countNodes(doc, 0); n > maxNodes || d > maxDepth+1 {
			t.Fatalf("%d nodes, depth %d", n, d)
		}
		env := Open(doc)
		fs := harvest(env.Payload, "thing", env.Path)
		if len(fs) > maxFound {
			t.Fatalf("%d values from one document", len(fs))
		}
		for _, f := range fs {
			if f.text == "" || len(f.text) > maxString || len(f.owners) > maxOwners {
				t.Fatalf("value %q owners %v", f.text, f.owners)
			}
		}
		m := New(Config{})
		m.merge("GET /x", "alice", HowListing, fs, false)
		if m.Size() > maxPerField*maxOpFields {
			t.Fatalf("%d values from one answer", m.Size())
		}
	})
}

// withoutNulls is what decode keeps of a document encoding/json decoded.
func withoutNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, c := range x {
			if c != nil {
				out[k] = withoutNulls(c)
			}
		}
		return out
	case []any:
		out := []any{}
		for _, c := range x {
			if c != nil {
				out = append(out, withoutNulls(c))
			}
		}
		return out
	}
	return v
}

// FuzzDecodeMatchesEncodingJSON: on a valid document within the bounds,
// the tree reader reads what encoding/json reads; on anything, it does not
// panic and stays within its bounds.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[true,false,null,"x\u00e9\ud83d\ude00\n"],"c":{"d":-1.5e3}}`,
		`[{"id":"7c0e8f4e"},{"id":2},"\\\"\/\b\f\r\t"]`, `{"a":"\ud800"}`, `{"a":"\x"}`, `{"a":1,"a":2}`,
		`[1,2,`, `{"a" 1}`, `{"\u0000":""}`, "[\"\xff\"]", `[1e999]`, `[01]`, `{}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, ok := decode(body)
		if ok {
			if n, d := countNodes(doc, 0); n > maxNodes || d > maxDepth+1 {
				t.Fatalf("%d nodes, depth %d", n, d)
			}
		}
		if len(body) > 4096 || !json.Valid(body) {
			return
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.UseNumber()
		var want any
		if dec.Decode(&want) != nil {
			return
		}
		if _, isObj := want.(map[string]any); !isObj {
			if _, isArr := want.([]any); !isArr {
				return
			}
		}
		if n, d := countNodes(want, 0); n > 64 || d >= maxDepth {
			return // beyond the bounds the trees differ on purpose
		}
		if got, want := fmt.Sprint(doc), fmt.Sprint(withoutNulls(want)); got != want {
			t.Fatalf("decode %s\n got %s\nwant %s", body, got, want)
		}
	})
}
