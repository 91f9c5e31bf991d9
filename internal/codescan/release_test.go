package codescan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestTreesReleased checks which trees an analysis keeps whole. Files
// without routes or findings are released as soon as their analysis is
// over (the modules of an import cycle included), and those that files
// with routes import are parsed again for the routes' checks: in this
// project every file ends whole, and the route's finding points at the
// statement in the helper, at the right line and column. A tree that no
// route imports ends released (TestLibraryTreesReleased).
func TestTreesReleased(t *testing.T) {
	const dir = "testdata/projects/importcycle"
	released := map[string]bool{}
	inspectStates = func(states []*fileState) {
		for _, f := range states {
			if f == nil {
				continue
			}
			if f.t.Parked() {
				t.Errorf("%s: tree still parked", f.path)
			}
			rel, _ := filepath.Rel(dir, f.path)
			released[filepath.ToSlash(rel)] = f.t.Released()
		}
	}
	defer func() { inspectStates = nil }()
	for _, workers := range []int{1, 4} {
		res, err := Analyze(context.Background(), dir, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"app/__init__.py": false, "app/db.py": false, "app/store.py": false, "app/views.py": false}
		for file, w := range want {
			if got, ok := released[file]; !ok || got != w {
				t.Errorf("workers %d: %s released %v (listed %v), want %v", workers, file, got, ok, w)
			}
		}
		if len(res.Findings) != 1 {
			t.Fatalf("workers %d: %d findings, want 1", workers, len(res.Findings))
		}
		f := res.Findings[0]
		wantRel := rampart.Location{File: filepath.Join(dir, "app", "db.py"), Line: 5, Column: 12}
		if f.Check != "PY-SQLI-001" || len(f.Related) != 1 || f.Related[0].Location != wantRel {
			t.Errorf("workers %d: finding %s with related %+v, want PY-SQLI-001 pointing at %+v", workers, f.Check, f.Related, wantRel)
		}
	}
}

// TestLibraryTreesReleased: modules without routes or findings, one
// importing the other, end released; their keys and notes are still made.
func TestLibraryTreesReleased(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lib/__init__.py", "")
	write("lib/util.py", "def double(x):\n    return x * 2\n")
	write("lib/api.py", "from lib.util import double\n\n\ndef quadruple(x):\n    return double(double(x))\n")
	released := map[string]bool{}
	inspectStates = func(states []*fileState) {
		for _, f := range states {
			if f != nil {
				rel, _ := filepath.Rel(dir, f.path)
				released[filepath.ToSlash(rel)] = f.t.Released()
			}
		}
	}
	defer func() { inspectStates = nil }()
	if _, err := Analyze(context.Background(), dir, Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"lib/__init__.py", "lib/util.py", "lib/api.py"} {
		if !released[file] {
			t.Errorf("%s: not released (seen %v)", file, released)
		}
	}
}
