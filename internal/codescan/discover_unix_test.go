//go:build unix

package codescan

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/inputfile"
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

// TestReadSourceRules: a file swapped for a FIFO after the walk, or grown
// past the cap, is refused by the read itself, without blocking.
func TestReadSourceRules(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.py")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := readSource(fifo, 10, 1<<20); !errors.Is(err, inputfile.ErrNotRegular) {
		t.Errorf("FIFO: %v, want ErrNotRegular", err)
	}
	big := filepath.Join(dir, "big.py")
	writeFile(t, big, strings.Repeat("x = 1\n", 100))
	if _, err := readSource(big, 10, 64); !errors.Is(err, inputfile.ErrTooLarge) {
		t.Errorf("grown file: %v, want ErrTooLarge", err)
	}
	if f := readFailure("big.py", fmt.Errorf("read: %w", inputfile.ErrTooLarge)); f.Status != FileSkipped {
		t.Errorf("too large: %+v, want skipped", f)
	}
	b, err := readSource(big, 600, 1<<20)
	if err != nil || len(b) != 600 {
		t.Errorf("regular file: %d bytes, %v", len(b), err)
	}
}
