package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
)

// output is one report to write: a format and where it goes.
type output struct {
	format string
	path   string // "" or "-" is stdout
}

func (o output) stdout() bool { return o.path == "" || o.path == "-" }

// pairFormatOutputs pairs formats with outputs: one -o per format, in
// order, or a single -o naming a directory (an existing one, or any path
// ending in /) that receives one file per format. At most one format may go
// to stdout, and no two to the same file: one would silently overwrite the
// other.
func pairFormatOutputs(formats, outputs []string) ([]output, error) {
	formats, outputs = splitList(formats), splitList(outputs)
	if len(formats) == 0 {
		formats = []string{"text"}
	}
	var names []string
	seen := map[string]bool{}
	for _, f := range formats {
		name, ok := normalizeFormat(f)
		if !ok {
			return nil, usageErr("--format %q: want one of %s", f, strings.Join(reportFormats, ", "))
		}
		if seen[name] && len(outputs) == 1 && isDir(outputs[0]) {
			return nil, usageErr("--format %s given twice for one output directory", name)
		}
		seen[name] = true
		names = append(names, name)
	}
	var outs []output
	switch {
	case len(outputs) == 1 && isDir(outputs[0]):
		for _, f := range names {
			outs = append(outs, output{format: f, path: filepath.Join(outputs[0], formatFiles[f])})
		}
	case len(outputs) != 0 && len(outputs) != len(names):
		return nil, usageErr("%d formats but %d outputs: give one -o per format, in order ('-' for stdout), or one directory", len(names), len(outputs))
	default:
		stdout := 0
		for i, f := range names {
			o := output{format: f}
			if len(outputs) > 0 {
				o.path = outputs[i]
			}
			if o.stdout() {
				stdout++
			}
			outs = append(outs, o)
		}
		if stdout > 1 {
			return nil, usageErr("more than one format would go to stdout: give -o per format, or an output directory")
		}
	}
	if err := distinctOutputs(outs); err != nil {
		return nil, err
	}
	return outs, nil
}

// distinctOutputs refuses two formats written to one file, however the
// path is spelled (./r.out and r.out, a symbolic link to it).
func distinctOutputs(outs []output) error {
	type file struct {
		abs, format string
		st          fs.FileInfo
	}
	var files []file
	for _, o := range outs {
		if o.stdout() {
			continue
		}
		abs, err := filepath.Abs(o.path)
		if err != nil {
			abs = filepath.Clean(o.path)
		}
		st, _ := os.Stat(abs)
		for _, f := range files {
			if f.abs == abs || (st != nil && f.st != nil && os.SameFile(st, f.st)) {
				return usageErr("-o %s is given for both %s and %s: one report would overwrite the other; give each format its own file", o.path, f.format, o.format)
			}
		}
		files = append(files, file{abs: abs, format: o.format, st: st})
	}
	return nil
}

// isDir reports whether an -o value names a directory: one that exists, or
// a path written with a trailing slash (created when written).
func isDir(p string) bool {
	if p == "" || p == "-" {
		return false
	}
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		return true
	}
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// checkOutputs fails early, as a usage error, on outputs that cannot be
// written, before any work is done. It leaves nothing behind: no empty
// report, no directory (missing ones are created when the report is
// written), so a run that then fails (exit 2 or 3) changes no file.
func checkOutputs(outs []output) error {
	for _, o := range outs {
		if o.stdout() {
			continue
		}
		if err := checkOutput(o.path); err != nil {
			return usageErr("output %s: %v", o.path, err)
		}
	}
	return nil
}

func checkOutput(path string) error {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return errors.New("is a directory")
	case err == nil && st.Mode()&fs.ModeNamedPipe != 0:
		// Opening a FIFO waits for a reader, and closing it would end that
		// reader's stream before the report is written: try nothing.
		return nil
	case err == nil:
		// Opened without truncating: nothing changes, and a file the user
		// made read-only stays refused although a rename could replace it.
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return unwrapPath(err)
		}
		// Writable: if its directory is not, the report is written in place.
		return fh.Close()
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		for {
			st, err := os.Stat(dir)
			if err == nil {
				if !st.IsDir() {
					return fmt.Errorf("%s is not a directory", dir)
				}
				return probeDir(dir)
			}
			if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
				return unwrapPath(err)
			}
			dir = filepath.Dir(dir)
		}
	default:
		return unwrapPath(err)
	}
}

// probeDir checks that a file can be created in dir, and removes it.
func probeDir(dir string) error {
	fh, name, err := createTemp(dir, "write-check", 0o600)
	if err != nil {
		return fmt.Errorf("cannot create a file in %s: %v", dir, unwrapPath(err))
	}
	fh.Close()
	return os.Remove(name)
}

// unwrapPath drops the operation and path of an *fs.PathError, which the
// caller's message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// reportTarget is the file a report for path replaces, and whether it may
// be replaced atomically: a new path or a regular file (through symbolic
// links) may; a device, a FIFO (users pipe reports), /dev/stdout and
// the like are written in place.
func reportTarget(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path, false
	}
	if strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/") {
		return path, false
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		if _, lerr := os.Lstat(abs); lerr == nil {
			return path, false // a dangling link: create its target through it, as before
		}
		return abs, true
	}
	if err != nil {
		return path, false
	}
	st, err := os.Stat(real)
	if err != nil || !st.Mode().IsRegular() {
		return path, false
	}
	return real, true
}

// writeOutputs writes every requested format. Colour is only for text on
// stdout. Each file written is said on stderr.
func writeOutputs(rep *rampart.Report, outs []output, env Env, opt writeOptions) error {
	if opt.Rules == nil {
		opt.Rules = allRuleMetas()
	}
	// Findings left out (--min-confidence, a baseline, ignores) take their
	// curl lines along: the legend keeps only the variables left in use.
	rep.Replay = rampart.UsedReplay(rep.Replay, rep.Findings)
	for _, o := range outs {
		oo := opt
		oo.Color = opt.Color && o.stdout()
		write := func(w io.Writer) error { return writeFormat(w, o.format, rep, oo) }
		var err error
		if o.stdout() {
			err = write(env.Stdout)
		} else {
			err = writeReportFile(o.path, write)
		}
		if err != nil {
			return fmt.Errorf("write %s report: %w", o.format, err)
		}
		if !o.stdout() {
			fmt.Fprintf(env.Stderr, "rampart: wrote %s report to %s\n", o.format, o.path)
		}
	}
	return nil
}

// writeReportFile writes a report to path. A regular file is written to a
// temporary file beside it and renamed over it, so a failed or interrupted
// write never leaves a truncated report, and the report that was there
// survives until the new one is complete.
func writeReportFile(path string, write func(io.Writer) error) (err error) {
	target, atomic := reportTarget(path)
	if !atomic {
		return writeInPlace(path, write)
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	perm, keep := fs.FileMode(0o666), false
	if st, err := os.Stat(target); err == nil {
		perm, keep = st.Mode().Perm(), true
	}
	fh, tmp, err := createTemp(dir, filepath.Base(target), perm)
	if keep && errors.Is(err, fs.ErrPermission) {
		// A writable file in a directory we may not write to: only in
		// place, as it always was.
		return writeInPlace(target, write)
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			fh.Close()
			os.Remove(tmp)
		}
	}()
	if err := write(fh); err != nil {
		return err
	}
	if keep {
		// The umask applied to the temporary file; the report keeps the
		// mode of the one it replaces.
		if err := fh.Chmod(perm); err != nil {
			return err
		}
	}
	if err := fh.Sync(); err != nil {
		return err
	}
	if err := fh.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, target)
}

func writeInPlace(path string, write func(io.Writer) error) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return err
	}
	err = write(fh)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

// createTemp creates a new file in dir with a name no other run picks. Not
// os.CreateTemp: its mode is always 0600, and a new report should get the
// usual mode (0666 less the umask), as os.Create gives.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, string, error) {
	for range 100 {
		name := filepath.Join(dir, "."+base+".rampart-"+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		fh, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return fh, name, err
	}
	return nil, "", fmt.Errorf("cannot create a temporary file in %s", dir)
}
