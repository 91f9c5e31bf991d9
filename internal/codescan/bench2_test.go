package codescan

import (
	"context"
	"os"
	"testing"
)

func BenchmarkAnalyzeTree(b *testing.B) {
	dir := os.Getenv("BENCHTREE")
	if dir == "" {
		b.Skip()
	}
	for i := 0; i < b.N; i++ {
		Analyze(context.Background(), dir, Options{Workers: 1})
	}
}
