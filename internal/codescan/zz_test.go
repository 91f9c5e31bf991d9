package codescan

import (
	"context"
	"fmt"
	"os"
	"testing"
)

func TestZZOne(t *testing.T) {
	dir := os.Getenv("ZZDIR")
	if dir == "" {
		t.Skip()
	}
	res, err := Analyze(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Routes {
		fmt.Printf("   route %s %s %s auth=%s decs=%v params=%v\n", r.Method, r.Path, r.Func, r.Auth, r.AuthDecorators, r.Params)
	}
	for _, f := range res.Findings {
		fmt.Printf("   %s %s %s:%d %s %s %s\n", f.Check, f.Family, f.Location.File, f.Location.Line, f.Location.Method, f.Location.Path, f.Message)
	}
}
