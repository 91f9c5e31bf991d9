package inputfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("hello"), 0o600)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, []byte(strings.Repeat("secret-content ", 100)), 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	os.Symlink(small, link)

	for _, tc := range []struct {
		name, path string
		max        int64
		want       string
		err        error
	}{
		{"regular", small, 10, "hello", nil},
		{"exactly the cap", small, 5, "hello", nil},
		{"symlink to a regular file", link, 10, "hello", nil},
		{"over the cap", big, 100, "", ErrTooLarge},
		{"directory", dir, 100, "", ErrNotRegular},
		{"fifo", fifo, 100, "", ErrNotRegular},
		{"device", "/dev/zero", 100, "", ErrNotRegular},
		{"missing", filepath.Join(dir, "nope"), 100, "", os.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var got []byte
			var err error
			go func() { got, err = Read(tc.path, tc.max); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("read hangs")
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				if strings.Contains(err.Error(), "secret-content") {
					t.Fatalf("error quotes the file: %v", err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestReadCancelled(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("x"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadContext(ctx, p, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// A file that grows past the cap after it was opened is still refused.
func TestOpenCapsReads(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("12345"), 0o600)
	f, err := Open(p, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	os.WriteFile(p, []byte("1234567890"), 0o600)
	buf := make([]byte, 64)
	var total int
	for {
		n, err := f.Read(buf)
		total += n
		if err != nil {
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v after %d bytes, want ErrTooLarge", err, total)
			}
			return
		}
	}
}
