package pyast

import (
	"os"
	"testing"
)

func benchSrc(b *testing.B) []byte {
	src, err := os.ReadFile("../../testbed/vulnerable/app.py")
	if err != nil {
		b.Skip("testbed absent")
	}
	return src
}

// BenchmarkParseOnly is tree-sitter alone: the floor.
func BenchmarkParseOnly(b *testing.B) {
	src := benchSrc(b)
	p := NewParser()
	defer p.Close()
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		if err := p.ParseOnly(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is a parse and the conversion to a Go tree.
func BenchmarkParse(b *testing.B) {
	src := benchSrc(b)
	p := NewParser()
	defer p.Close()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	n := 0
	for i := 0; i < b.N; i++ {
		t, err := p.Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		n = len(t.Nodes)
	}
	b.ReportMetric(float64(n), "nodes")
}

// BenchmarkWalk is the conversion alone, on a tree parsed once.
func BenchmarkWalk(b *testing.B) {
	src := benchSrc(b)
	p := NewParser()
	defer p.Close()
	tree := p.p.Parse(src, nil)
	defer tree.Close()
	for i := 0; i < b.N; i++ {
		if _, err := flatten(tree, src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlask builds the Flask model of a parsed file.
func BenchmarkFlask(b *testing.B) {
	src := benchSrc(b)
	tree, err := Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := Flask(tree)
		if len(m.Routes) == 0 {
			b.Fatal("no routes")
		}
	}
}

// BenchmarkPark packs a parsed tree and restores it: what a file that waits
// for its imports costs on top of its parse.
func BenchmarkPark(b *testing.B) {
	src := benchSrc(b)
	tree, err := Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tree.Park()
		tree.Unpark()
	}
	b.ReportMetric(float64(len(tree.Nodes)), "nodes")
}
