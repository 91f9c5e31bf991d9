package pyast

import (
	"os"
	"testing"

	ts "github.com/tree-sitter/go-tree-sitter"
)

// TestPositionsMatchTreeSitter checks the lines and columns a Tree finds
// from its table of line starts against the points tree-sitter computes
// while parsing, for every node.
func TestPositionsMatchTreeSitter(t *testing.T) {
	srcs := map[string][]byte{
		"crlf":      []byte("x = 1\r\ny = 2\r\n\r\ndef f(a,\r\n      b):\r\n    return a\r\n"),
		"unicode":   []byte("s = 'é€😀'; t = f\"{s}\"\nμ = 1\n\tz = μ + 2\n"),
		"strings":   []byte("q = '''a\nb\nc''' + \"\"\"\n\"\"\"\nx = (1,\n 2,\n\n 3)\n"),
		"errors":    []byte("def f(:\n  x = \n\n)) if\nclass C\n  pass\n"),
		"no eol":    []byte("a = 1\nb = 2"),
		"empty":     {},
		"cont":      []byte("a = 1 + \\\n    2\n# comment\n\n\n@d\ndef g(): pass\n"),
		"form feed": []byte("a = 1\n\f\nb = 2\n"),
	}
	if b, err := os.ReadFile("../../testbed/vulnerable/app.py"); err == nil {
		srcs["vulnerable"] = b
	}
	p := NewParser()
	defer p.Close()
	for name, src := range srcs {
		t.Run(name, func(t *testing.T) {
			raw := p.p.Parse(src, nil)
			defer raw.Close()
			points := map[uint]ts.Point{}
			c := raw.Walk()
			defer c.Close()
			for {
				n := c.Node()
				points[n.StartByte()] = n.StartPosition()
				if c.GotoFirstChild() {
					continue
				}
				for !c.GotoNextSibling() {
					if !c.GotoParent() {
						goto done
					}
				}
			}
		done:
			tree, err := p.flatten(raw, src)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tree.Nodes {
				id := ID(i)
				want, ok := points[uint(tree.Nodes[i].Start)]
				if !ok {
					t.Fatalf("node %d starts at byte %d, where no tree-sitter node starts", i, tree.Nodes[i].Start)
				}
				if got := tree.Line(id); got != int(want.Row)+1 {
					t.Errorf("node %d (%s): line %d, tree-sitter says %d", i, tree.Type(id), got, want.Row+1)
				}
				if got := tree.byteColumn(id); got != int(want.Column)+1 {
					t.Errorf("node %d (%s): byte column %d, tree-sitter says %d", i, tree.Type(id), got, want.Column+1)
				}
				n := tree.Nodes[i]
				end := n.End
				if end > n.Start {
					end--
				}
				wantEnd := 1
				for _, b := range src[:end] {
					if b == '\n' {
						wantEnd++
					}
				}
				if got := tree.EndLine(id); got != wantEnd {
					t.Errorf("node %d (%s): end line %d, want %d", i, tree.Type(id), got, wantEnd)
				}
				first := None
				for j := i + 1; j < len(tree.Nodes); j++ {
					if tree.Nodes[j].Parent == id {
						first = ID(j)
						break
					}
				}
				if got := tree.First(id); got != first {
					t.Errorf("node %d (%s): first child %d, want %d", i, tree.Type(id), got, first)
				}
			}
		})
	}
}
