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
