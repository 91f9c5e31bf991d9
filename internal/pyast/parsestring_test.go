package pyast

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Parse reads the source in place (ts_parser_parse_string); the tree must be
// the one go-tree-sitter's Parse gives, node for node, on every shape of
// input: empty, syntax errors, non-UTF-8 bytes, CRLF, a BOM, real files.
func TestParseStringSameAsBindings(t *testing.T) {
	srcs := map[string][]byte{
		"empty":        {},
		"one line":     []byte("x = 1"),
		"syntax error": []byte("def f(:\n  return )\nclass\n"),
		"bad utf-8":    []byte("s = '\xff\xfe'\nprint(s)\n"),
		"crlf and bom": []byte("\xef\xbb\xbfimport os\r\nif x:\r\n    y = f'{x}'\r\n"),
		"nul":          []byte("a = 1\x00\nb = 2\n"),
	}
	files, _ := filepath.Glob("../../testbed/vulnerable/*.py")
	files2, _ := filepath.Glob("../codescan/testdata/*/*.py")
	for _, f := range append(files, files2...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = b
	}
	if len(srcs) < 10 {
		t.Fatalf("only %d sources found: the test's paths are wrong", len(srcs))
	}
	p := NewParser()
	defer p.Close()
	for name, src := range srcs {
		got, err := p.Parse(src)
		if err != nil {
			t.Fatalf("%s: Parse: %v", name, err)
		}
		bt := p.p.Parse(src, nil)
		want, err := flatten(bt, src)
		bt.Close()
		if err != nil {
			t.Fatalf("%s: flatten: %v", name, err)
		}
		if !slices.Equal(got.Nodes, want.Nodes) {
			t.Errorf("%s: %d nodes through parse_string, %d through the bindings, or different nodes", name, len(got.Nodes), len(want.Nodes))
		}
	}
}
