package surface

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// jsonCases are documents whose tree jsonTree must build exactly as the
// YAML parser does.
var jsonCases = []string{
	`{}`,
	`[]`,
	`{"a": 1, "b": -0, "c": 1.5, "d": 1e5, "e": -2E-3, "f": 123456789012345678901234567890, "g": 18446744073709551615, "h": -9223372036854775809, "i": 1e999, "j": -0.0, "k": 0}`,
	`{"t": true, "f": false, "n": null, "s": "", "l": [], "m": {}}`,
	`{"looks": ["1", "1.0", "true", "null", "~", "yes", "- x", "# no", "a: b", "&x", "*y", "!t", "%", "@", "` + "`" + `"]}`,
	`{"esc": "q\" b\\ s\/ n\n t\t r\r b\b f\f u\u0001 nel\u0085 ls\u2028 bom\ufeff nul\u0000 del\u007f"}`,
	`{"unicode": "été 日本 🐍", "après": {"clé": ["ü", "😀"]}}`,
	// Line endings of every kind: a lone CR is a line break to the YAML parser.
	"{\r  \"a\": 1,\r\n  \"b\": [2,\r 3],\n  \"c\": 4\r}\r",
	"{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/a/{id}\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\"}}}}\n  },\n  \"é\": [1,\n 2 , {\"x\" :\t3}]\n}\n",
	`[[[[]]], [{}], [1, [2, [3]]], {"a": [{"b": [{}]}]}]`,
	`{"` + strings.Repeat("k", 1500) + `": "long key", "v": "` + strings.Repeat("v", 5000) + `"}`,
}

func TestJSONTreeIsTheYAMLParsersTree(t *testing.T) {
	docs := append([]string(nil), jsonCases...)
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	for i, doc := range docs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var want yaml.Node
			if err := yaml.Unmarshal([]byte(doc), &want); err != nil {
				t.Skipf("the YAML parser refuses it: %v", err)
			}
			got, err := jsonTree([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if d := sameTree(got, want.Content[0], true, ""); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestBlockYAMLReadsBackAsTheSameTree(t *testing.T) {
	for i, doc := range jsonCases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			tree, err := jsonTree([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			out, ok := blockYAML(tree)
			if !ok {
				t.Fatal("blockYAML refused a tree jsonTree built")
			}
			if bytes.ContainsAny(out, "{[") && !bytes.Contains(out, []byte("{}")) && !bytes.Contains(out, []byte("[]")) && !strings.ContainsAny(doc, "{[\"") {
				t.Errorf("flow style in the output:\n%s", out)
			}
			var back yaml.Node
			if err := yaml.Unmarshal(out, &back); err != nil {
				t.Fatalf("the YAML parser refuses the output: %v\n%s", err, out)
			}
			if d := sameTree(back.Content[0], tree, false, ""); d != "" {
				t.Errorf("%s\n%s", d, out)
			}
		})
	}
}

func TestJSONTreeRepeatedKeyKeepsTheLastValue(t *testing.T) {
	tree, err := jsonTree([]byte(`{"a": 1, "b": 2, "a": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Content) != 4 || tree.Content[0].Value != "a" || tree.Content[1].Value != "3" {
		t.Errorf("got %d nodes, a=%q", len(tree.Content), tree.Content[1].Value)
	}
}

func TestJSONTreeRefusesWhatJSONRefuses(t *testing.T) {
	for _, doc := range []string{`{"a": }`, `{"a": 1} x`, `{"a" 1}`, `[1, 2`, `{1: 2}`, `{"a": 1,}`} {
		if _, err := jsonTree([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", doc)
		}
	}
}

// TestMinifiedJSONSpecLoadsInLinearMemory loads a minified JSON document of
// 2,000 operations (590 KB). Parsed as YAML, twice (our tree, then
// kin-openapi's), it allocated 730 times its size, 420 MB: a YAML flow
// collection keeps all its tokens queued until it closes. Now it is about
// 150 times (node trees are large); the bound sits between the two.
func TestMinifiedJSONSpecLoadsInLinearMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{`)
	for i := 0; i < 2000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"/r%d/items/{id}":{"get":{"operationId":"get%d","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}}}}}}}}`, i, i)
	}
	b.WriteString(`}}`)
	data := []byte(b.String())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := Load(t.Context(), Source{Data: data})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Operations) != 2000 {
		t.Fatalf("%d operations", len(s.Operations))
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	if limit := uint64(300 * len(data)); alloc > limit {
		t.Errorf("loading a %d KB document allocated %d MB (over %d MB)", len(data)>>10, alloc>>20, limit>>20)
	}
}

// sameTree compares two node trees: kinds, tags, values and, when asked,
// positions.
func sameTree(got, want *yaml.Node, pos bool, at string) string {
	if got.Kind != want.Kind {
		return fmt.Sprintf("%s: kind %v, want %v", at, got.Kind, want.Kind)
	}
	if got.ShortTag() != want.ShortTag() {
		return fmt.Sprintf("%s: tag %s, want %s (value %q)", at, got.ShortTag(), want.ShortTag(), want.Value)
	}
	if got.Kind == yaml.ScalarNode && got.Value != want.Value {
		return fmt.Sprintf("%s: value %q, want %q", at, got.Value, want.Value)
	}
	if pos && (got.Line != want.Line || got.Column != want.Column) {
		return fmt.Sprintf("%s: at %d:%d, want %d:%d", at, got.Line, got.Column, want.Line, want.Column)
	}
	if len(got.Content) != len(want.Content) {
		return fmt.Sprintf("%s: %d children, want %d", at, len(got.Content), len(want.Content))
	}
	for i := range got.Content {
		if d := sameTree(got.Content[i], want.Content[i], pos, fmt.Sprintf("%s/%d", at, i)); d != "" {
			return d
		}
	}
	return ""
}

// FuzzJSONTree checks, for any document both parsers accept, that jsonTree
// builds the YAML parser's tree and that blockYAML writes it back intact.
func FuzzJSONTree(f *testing.F) {
	for _, doc := range jsonCases {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := jsonTree(data)
		if err != nil {
			return
		}
		var want yaml.Node
		if yaml.Unmarshal(data, &want) == nil && len(want.Content) == 1 && !repeatsKey(&want) {
			if d := sameTree(got, want.Content[0], true, ""); d != "" {
				t.Fatal(d)
			}
		}
		out, ok := blockYAML(got)
		if !ok {
			if got.Kind == yaml.ScalarNode {
				return // not a document kin-openapi is given
			}
			t.Fatal("blockYAML refused a tree jsonTree built")
		}
		var back yaml.Node
		if err := yaml.Unmarshal(out, &back); err != nil {
			if strings.Contains(err.Error(), "1024") || bytes.Contains(out, []byte("? ")) {
				return // a key too long for the YAML parser, in either form
			}
			t.Fatalf("the YAML parser refuses the output: %v\n%s", err, out)
		}
		if d := sameTree(back.Content[0], got, false, ""); d != "" {
			t.Fatalf("%s\n%s", d, out)
		}
	})
}

// repeatsKey reports whether a mapping of the tree repeats a key (jsonTree
// keeps the last value, the YAML parser's tree keeps both).
func repeatsKey(n *yaml.Node) bool {
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if seen[n.Content[i].Value] {
				return true
			}
			seen[n.Content[i].Value] = true
		}
	}
	for _, c := range n.Content {
		if repeatsKey(c) {
			return true
		}
	}
	return false
}
