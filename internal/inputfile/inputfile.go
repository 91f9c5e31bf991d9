// Package inputfile reads the files a user hands Rampart (reports, baselines,
// configs, wordlists, specs, recordings) with the two rules every such read
// follows: only regular files, and never more than a stated number of bytes.
//
// A path may name a FIFO, a device or /dev/zero by mistake or by malice; an
// unbounded read of those hangs or exhausts memory. Errors name the file and
// the rule it broke and never quote its content.
package inputfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrTooLarge is wrapped by errors for a file over its cap.
var ErrTooLarge = errors.New("file too large")

// ErrNotRegular is wrapped by errors for a path that is not a regular file
// (a directory, a FIFO, a device, a socket).
var ErrNotRegular = errors.New("not a regular file")

// Caps for the kinds of input Rampart reads. They are far above any real
// file of the kind and far below what would hurt the machine.
const (
	MaxReport   = 256 << 20 // a JSON report of ~100k findings is ~200 MB
	MaxConfig   = 1 << 20
	MaxWordlist = 512 << 20 // rockyou.txt is 134 MB
	MaxSpec     = 32 << 20
	MaxRecord   = 256 << 20 // HAR files and Postman collections
)

// Stat checks that path is a regular file no larger than max, without
// reading it, so a command can refuse a bad input before doing any work.
func Stat(path string, max int64) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := admit(path, st, max); err != nil {
		return nil, err
	}
	return st, nil
}

func admit(path string, st fs.FileInfo, max int64) error {
	if st.IsDir() {
		return fmt.Errorf("%s: is a directory: %w", path, ErrNotRegular)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: %s: %w", path, kind(st.Mode()), ErrNotRegular)
	}
	if max > 0 && st.Size() > max {
		return fmt.Errorf("%s: %d bytes, more than the %d this input may have: %w", path, st.Size(), max, ErrTooLarge)
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "is a named pipe"
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		return "is a device"
	case m&fs.ModeSocket != 0:
		return "is a socket"
	case m&fs.ModeSymlink != 0:
		return "is a symbolic link"
	}
	return "is not a regular file"
}

// Open opens path for reading after checking it is a regular file no larger
// than max. The check is made on the opened file, so a path swapped between
// a Stat and the open cannot slip a FIFO in; O_NONBLOCK keeps the open
// itself from waiting on a FIFO with no writer. Reads from the returned
// file are capped at max bytes plus one (so a file that grows is noticed).
func Open(path string, max int64) (*File, error) {
	fh, err := os.OpenFile(path, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	if err := admit(path, st, max); err != nil {
		fh.Close()
		return nil, err
	}
	f := &File{f: fh, path: path, max: max, r: fh}
	if max > 0 {
		f.r = io.LimitReader(fh, max+1)
	}
	return f, nil
}

// File is an open input with its cap.
type File struct {
	f    *os.File
	r    io.Reader
	path string
	max  int64
	n    int64
}

// Read reads from the file and fails once more than the cap has been read.
func (f *File) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	f.n += int64(n)
	if f.max > 0 && f.n > f.max {
		return n, fmt.Errorf("%s: more than the %d bytes this input may have: %w", f.path, f.max, ErrTooLarge)
	}
	return n, err
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// Name is the path the file was opened with.
func (f *File) Name() string { return f.path }

// Read returns the content of a regular file of at most max bytes.
func Read(path string, max int64) ([]byte, error) {
	return ReadContext(context.Background(), path, max)
}

// ReadContext is Read that gives up when ctx ends, so Ctrl-C is never stuck
// behind a slow file system.
func ReadContext(ctx context.Context, path string, max int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := Open(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := f.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
