package codescan

import (
	"context"
	"os"
	"testing"
)

func BenchmarkAnalyze(b *testing.B) {
	dir := "../../testbed/vulnerable"
	if _, err := os.Stat(dir); err != nil {
		b.Skip("testbed absent")
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Analyze(context.Background(), dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
