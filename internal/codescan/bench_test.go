package codescan

import (
	"context"
	"os"
	"testing"
)

// BenchmarkAnalyze runs the whole analysis on the vulnerable testbed.
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

// BenchmarkAnalyzeTree runs it on a larger tree: BENCHTREE=dir (for
// example one made by bench/whitebox/gen.py), one worker.
func BenchmarkAnalyzeTree(b *testing.B) {
	dir := os.Getenv("BENCHTREE")
	if dir == "" {
		b.Skip("set BENCHTREE to a directory")
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Analyze(context.Background(), dir, Options{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
