package codescan

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateRoutes = flag.Bool("update", false, "rewrite the routes.golden files of testdata/projects")

// TestProjectRoutes compares the routes of each fixture project that has a
// routes.golden file (one route a line: method, path, handler, what its
// authentication demands, file:line) with that file: the prefixes every
// routing model puts in front of a rule are checked there, the findings
// by the # want comments.
func TestProjectRoutes(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/projects/*")
	n := 0
	for _, dir := range dirs {
		golden := filepath.Join(dir, "routes.golden")
		if !fileExists(golden) && !*updateRoutes {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, err := Analyze(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, r := range res.Routes {
				rel, _ := filepath.Rel(dir, r.File)
				fmt.Fprintf(&b, "%s %s %s auth=%s %s:%d\n", r.Method, r.Path, r.Func, r.Auth, filepath.ToSlash(rel), r.Line)
			}
			got := b.String()
			if *updateRoutes {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("routes differ from %s (go test -run TestProjectRoutes -update rewrites it):\n got:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
	if n == 0 {
		t.Fatal("no project has a routes.golden")
	}
}
