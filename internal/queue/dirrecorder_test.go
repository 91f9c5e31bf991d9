package queue

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func report(ids ...string) *rampart.Report {
	rep := &rampart.Report{SchemaVersion: rampart.SchemaVersion, Grade: "B", Score: 80}
	for _, id := range ids {
		rep.Findings = append(rep.Findings, rampart.Finding{ID: id, Check: "HDR-001", Title: id})
	}
	return rep
}

// TestDirRecorder: each report is kept, and compared with the target's
// previous one; a job run again replaces its own file.
func TestDirRecorder(t *testing.T) {
	dir := t.TempDir()
	d := DirRecorder{Dir: dir}
	ctx := context.Background()
	steps := []struct {
		job                   int64
		target                string
		findings              []string
		new, fixed, unchanged int
	}{
		{1, "api", []string{"a", "b"}, 2, 0, 0},
		{2, "other", []string{"a"}, 1, 0, 0},
		{3, "api", []string{"b", "c"}, 1, 1, 1},
		{3, "api", []string{"b", "c"}, 1, 1, 1}, // job 3 again: still against job 1
		{4, "api", []string{"c"}, 0, 1, 1},
		// Job 3 retried after job 4 was recorded: still against job 1,
		// the report before it, not the newest.
		{3, "api", []string{"b", "c"}, 1, 1, 1},
	}
	for _, s := range steps {
		res, err := d.Record(ctx, Run{JobID: s.job, Target: s.target}, report(s.findings...))
		if err != nil {
			t.Fatal(err)
		}
		if res.ScanID != s.job || res.New != s.new || res.Fixed != s.fixed || res.Unchanged != s.unchanged {
			t.Errorf("job %d of %s: %+v, want new %d fixed %d unchanged %d", s.job, s.target, res, s.new, s.fixed, s.unchanged)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "api-*", "*.json"))
	if len(files) != 3 {
		t.Errorf("api's reports %v: want jobs 1, 3 and 4", files)
	}
}

func TestFolderName(t *testing.T) {
	seen := map[string]string{}
	for _, name := range []string{"api", "a/b", "a_b", "../../etc", ".", "", strings.Repeat("x", 300), "ünï"} {
		f := folderName(name)
		if f == "" || strings.ContainsAny(f, `/\.`) || len(f) > 80 {
			t.Errorf("folderName(%q) = %q", name, f)
		}
		if other, dup := seen[f]; dup {
			t.Errorf("%q and %q share the folder %q", name, other, f)
		}
		seen[f] = name
	}
	dir := t.TempDir()
	if _, err := (DirRecorder{Dir: dir}).Record(context.Background(), Run{JobID: 1, Target: "../../escape"}, report()); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("reports folder holds %d entries, want the target's folder alone", len(entries))
	}
}
