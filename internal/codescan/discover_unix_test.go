//go:build unix

package codescan

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFONamedPy: a FIFO named x.py (and a link to it) is skipped with a
// note, without waiting for a writer.
func TestFIFONamedPy(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "app.py"), outsideApp)
	if err := syscall.Mkfifo(filepath.Join(dir, "x.py"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	symlink(t, "x.py", filepath.Join(dir, "y.py"))
	done := make(chan *Result, 1)
	go func() {
		res, _ := analyzeWithin(t, dir, Options{})
		done <- res
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the scan is blocked on the FIFO")
	}
	files := filesByRel(t, dir, res)
	for _, name := range []string{"x.py", "y.py"} {
		if f := files[name]; f.Status != FileSkipped || !strings.Contains(f.Reason, "named pipe") {
			t.Errorf("%s: %s %q, want skipped as a named pipe", name, f.Status, f.Reason)
		}
	}
	if n, _, _, _ := res.Counts(); n != 1 {
		t.Errorf("%d files parsed, want app.py", n)
	}
}
