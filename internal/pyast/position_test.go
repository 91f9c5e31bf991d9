package pyast

import (
	"encoding/binary"
	"os"
	"slices"
	"strings"
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
			tree, err := flatten(raw, src)
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

// TestReleaseKeepsPositions checks that a released tree still places and
// quotes every node as before, and has no structure left to read.
func TestReleaseKeepsPositions(t *testing.T) {
	src, err := os.ReadFile("../../testbed/vulnerable/app.py")
	if err != nil {
		src = []byte("import os\n\ndef f(a):\n    return 'é' + a  # x\n\nclass C:\n    pass\n")
	}
	tree, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	type pos struct {
		line, end, col int
		text           string
		span           Span
	}
	want := make([]pos, len(tree.Nodes))
	for i := range tree.Nodes {
		id := ID(i)
		sp, _ := tree.Span(id)
		want[i] = pos{tree.Line(id), tree.EndLine(id), tree.Column(id), tree.Text(id), sp}
	}
	n := len(tree.Nodes)
	if tree.Released() {
		t.Fatal("released before Release")
	}
	tree.Release()
	tree.Release() // a second call changes nothing
	if !tree.Released() || tree.Nodes != nil {
		t.Fatal("nodes kept after Release")
	}
	for i := 0; i < n; i++ {
		id := ID(i)
		sp, ok := tree.Span(id)
		got := pos{tree.Line(id), tree.EndLine(id), tree.Column(id), tree.Text(id), sp}
		if !ok || !tree.Valid(id) || got != want[i] || !tree.Is(id, want[i].text) {
			t.Fatalf("node %d after Release: %+v (valid %v), want %+v", i, got, ok, want[i])
		}
	}
	if tree.Valid(ID(n)) || tree.Valid(None) || tree.Line(ID(n)) != 0 {
		t.Fatal("IDs past the end are valid after Release")
	}
	if tree.Kind(0) != KindOther || tree.First(0) != None || tree.Parent(1) != None || tree.Type(0) != "" {
		t.Fatal("a released tree still answers for its structure")
	}
}

// TestParkRestoresNodes checks that Unpark gives back exactly the nodes
// Park packed, and that a parked tree has no nodes to read.
func TestParkRestoresNodes(t *testing.T) {
	srcs := [][]byte{
		{},
		[]byte("x = 1\n"),
		[]byte("def f(:\n  x = \n\n)) if\nclass C\n  pass\n"),
		[]byte(strings.Repeat("(", 700) + "1" + strings.Repeat(")", 700) + "\n"),
		[]byte("s = 'é€😀'\n" + strings.Repeat("a = b + c * d\n", 2000)),
	}
	if b, err := os.ReadFile("../../testbed/vulnerable/app.py"); err == nil {
		srcs = append(srcs, b)
	}
	for _, src := range srcs {
		tree, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(tree.Nodes)
		last := ID(len(want) - 1)
		lastLine, lastText := tree.Line(last), tree.Text(last)
		tree.Park()
		tree.Park()
		if !tree.Parked() || tree.Nodes != nil || tree.Kind(0) != KindOther || tree.Parent(last) != None {
			t.Fatal("nodes readable while parked")
		}
		if tree.Line(last) != lastLine || tree.Text(last) != lastText || !tree.Valid(last) || tree.Valid(last+1) {
			t.Fatalf("parked: line %d %q, want %d %q", tree.Line(last), tree.Text(last), lastLine, lastText)
		}
		tree.Unpark()
		tree.Unpark()
		if tree.Parked() || !slices.Equal(tree.Nodes, want) {
			t.Fatalf("%d nodes after Unpark differ from the %d parked", len(tree.Nodes), len(want))
		}
		tree.Park()
		tree.Release() // a parked tree can be released
		if !tree.Released() || tree.Parked() || tree.Line(last) != lastLine || tree.Text(last) != lastText {
			t.Fatalf("released from parked: line %d %q, want %d %q", tree.Line(last), tree.Text(last), lastLine, lastText)
		}
	}
}

// TestPositionDuringPark reads positions from one goroutine while another
// parks, unparks and releases the tree (run with -race): another file's
// finding may point into a file whose analysis is under way.
func TestPositionDuringPark(t *testing.T) {
	src := []byte(strings.Repeat("def f(a):\n    return g(a) + 'é'\n", 200))
	tree, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	id := ID(len(tree.Nodes) - 1)
	wantLine, wantCol := tree.Line(id), tree.Column(id)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			tree.Park()
			tree.Unpark()
		}
		tree.Release()
	}()
	for i := 0; ; i++ {
		line, col, ok := tree.Position(id)
		if !ok || line != wantLine || col != wantCol {
			t.Fatalf("read %d: position %d:%d (%v), want %d:%d", i, line, col, ok, wantLine, wantCol)
		}
		select {
		case <-done:
			return
		default:
		}
	}
}

// TestUnparkKeep checks that a tree unparked with UnparkKeep reads as
// after Unpark, that the next Park takes back the packed nodes it kept
// rather than packing again, and that they still unpack to the nodes.
func TestUnparkKeep(t *testing.T) {
	srcs := [][]byte{
		[]byte("x = 1\n"),
		[]byte("def f(:\n  x = \n\n)) if\nclass C\n  pass\n"),
		[]byte("s = 'é€😀'\n" + strings.Repeat("a = b + c * d\n", 2000)),
	}
	for _, src := range srcs {
		tree, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(tree.Nodes)
		tree.Park()
		packed := tree.packed
		tree.UnparkKeep()
		if tree.Parked() || !slices.Equal(tree.Nodes, want) {
			t.Fatalf("%d nodes after UnparkKeep differ from the %d parked", len(tree.Nodes), len(want))
		}
		tree.Park()
		if !tree.Parked() || tree.Nodes != nil || &tree.packed[0] != &packed[0] {
			t.Fatal("Park after UnparkKeep packed the nodes again")
		}
		tree.Unpark()
		if !slices.Equal(tree.Nodes, want) || tree.spare != nil {
			t.Fatalf("%d nodes after the second Unpark differ from the %d parked", len(tree.Nodes), len(want))
		}
		tree.UnparkKeep() // not parked: nothing to keep
		if tree.spare != nil {
			t.Fatal("UnparkKeep of an unparked tree kept something")
		}
		tree.Park()
		tree.UnparkKeep()
		tree.Release() // drops what UnparkKeep kept
		if tree.spare != nil || !tree.Released() {
			t.Fatal("Release kept the spare packing")
		}
	}
}

// TestVarintsRoundTrip checks the hand-written varint reader against
// encoding/binary's writer, at every length a varint can have.
func TestVarintsRoundTrip(t *testing.T) {
	vals := []uint64{0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 1<<21 - 1, 1 << 21, 1<<32 - 1, 1 << 32, 1<<63 - 1, 1 << 63, ^uint64(0)}
	var buf []byte
	for _, v := range vals {
		buf = binary.AppendUvarint(buf, v)
	}
	r := varints{buf: buf}
	for _, want := range vals {
		if got := r.next(); got != want {
			t.Errorf("next() = %d, want %d", got, want)
		}
	}
	if r.off != len(buf) {
		t.Errorf("read %d of %d bytes", r.off, len(buf))
	}
}
