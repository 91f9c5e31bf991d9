package codescan

import (
	"context"
	"os"
	"testing"
)

func TestDump(t *testing.T) {
	dir := os.Getenv("SCANDIR")
	if dir == "" {
		t.Skip()
	}
	res, err := Analyze(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		t.Logf("%-13s %-8s %-9s %s:%d %s %s — %s", f.Check, f.Severity, f.Confidence, f.Location.File, f.Location.Line, f.Location.Method, f.Location.Path, f.Message)
	}
	for _, f := range res.Files {
		t.Logf("file %+v", f)
	}
	t.Logf("%d routes, %v", len(res.Routes), res.Duration)
}
