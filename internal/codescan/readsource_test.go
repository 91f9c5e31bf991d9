package codescan

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/inputfile"
)

// TestReadSourceSizes: the file is read whole whatever its size now, the
// buffer is exactly the file when the walk saw its size, and the cap holds
// for a file that grew.
func TestReadSourceSizes(t *testing.T) {
	src := strings.Repeat("x = 1\n", 100) // 600 bytes
	path := filepath.Join(t.TempDir(), "a.py")
	writeFile(t, path, src)
	for _, tc := range []struct {
		name      string
		size, max int64
		wantErr   error
	}{
		{"as walked", 600, 1 << 20, nil},
		{"shrank since", 900, 1 << 20, nil},
		{"grew since", 10, 1 << 20, nil},
		{"grew a byte", 599, 1 << 20, nil},
		{"empty when walked", 0, 1 << 20, nil},
		{"grew to the cap", 10, 600, nil},
		{"grew past the cap", 10, 599, inputfile.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := readSource(path, tc.size, tc.max)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(b, []byte(src)) {
				t.Fatalf("%d bytes, %v; want the file's 600", len(b), err)
			}
			if tc.size == 600 && cap(b) != 600 {
				t.Errorf("buffer of %d bytes for a file of 600", cap(b))
			}
		})
	}
}
