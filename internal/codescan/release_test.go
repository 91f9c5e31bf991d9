package codescan

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestTreesReleased checks which trees an analysis keeps whole: the files
// with routes or findings; the others, the modules of an import cycle
// included, end released. The route's finding still points at the
// statement in a released file, at the right line and column.
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
		want := map[string]bool{"app/__init__.py": true, "app/db.py": true, "app/store.py": true, "app/views.py": false}
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
