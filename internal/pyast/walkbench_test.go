package pyast

import (
	"os"
	"testing"
)

func BenchmarkWalkOnly(b *testing.B) {
	src, err := os.ReadFile("../../testbed/vulnerable/app.py")
	if err != nil {
		b.Skip()
	}
	p := NewParser()
	defer p.Close()
	tree := p.p.Parse(src, nil)
	defer tree.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.flatten(tree, src); err != nil {
			b.Fatal(err)
		}
	}
}
