package cli

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/inputfile"
)

// planted is written into every hostile input: no error may quote it.
const planted = "planted-content-never-echoed"

// hostileFiles makes, for an input with the given cap, a FIFO with no
// writer, a directory and a sparse file one byte over the cap (no disk
// used); /dev/zero is the device. Each maps to the rule its error names.
func hostileFiles(t *testing.T, max int64) map[string]struct{ path, rule string } {
	t.Helper()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a-directory")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, []byte(planted+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, max+1); err != nil {
		t.Fatal(err)
	}
	return map[string]struct{ path, rule string }{
		"fifo":         {fifo, "is a named pipe"},
		"device":       {"/dev/zero", "is a device"},
		"directory":    {sub, "is a directory"},
		"over the cap": {huge, "more than the"},
	}
}

// runWithin runs the command line and fails the test if it does not end
// within a generous bound: a hostile input must be refused, never waited on.
func runWithin(t *testing.T, d time.Duration, args ...string) (int, string, string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errs := runCLI(t, args...)
		done <- result{code, out, errs}
	}()
	select {
	case r := <-done:
		return r.code, r.stdout, r.stderr
	case <-time.After(d):
		t.Fatalf("rampart %s still running after %v", strings.Join(args, " "), d)
		return 0, "", ""
	}
}

// Every file a user names is read only if it is a regular file under its
// cap: a FIFO, a device, a directory or an oversized file is a usage error
// (exit 2) at once, in one line naming the file and the rule, without its
// content and before a request is sent.
func TestHostileInputFilesAreRefused(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	good, _ := savedReport(t, t.TempDir())

	inputs := []struct {
		name string
		max  int64
		args func(path string) []string
	}{
		{"report FILE", inputfile.MaxReport, func(p string) []string { return []string{"report", p} }},
		{"report --baseline", inputfile.MaxReport, func(p string) []string { return []string{"report", good, "--baseline", p} }},
		{"scan --baseline", inputfile.MaxReport, func(p string) []string { return []string{"scan", srv.URL, "--baseline", p} }},
		{"scan --config", inputfile.MaxConfig, func(p string) []string { return []string{"scan", "--config", p} }},
		{"scan --wordlist", inputfile.MaxWordlist, func(p string) []string { return []string{"scan", srv.URL, "--wordlist", p} }},
	}
	for _, in := range inputs {
		for kind, f := range hostileFiles(t, in.max) {
			t.Run(in.name+"/"+kind, func(t *testing.T) {
				before := requests.Load()
				code, stdout, stderr := runWithin(t, 10*time.Second, in.args(f.path)...)
				if code != ExitUsage {
					t.Errorf("exit %d, want %d; stderr: %s", code, ExitUsage, stderr)
				}
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				if len(lines) != 1 || !strings.HasPrefix(stderr, "rampart: ") || !strings.Contains(stderr, f.path) || !strings.Contains(stderr, f.rule) {
					t.Errorf("stderr should be one 'rampart: ' line naming %s and %q, got:\n%s", f.path, f.rule, stderr)
				}
				if strings.Contains(stderr+stdout, planted) {
					t.Errorf("the file's content is echoed:\n%s", stderr)
				}
				if n := requests.Load() - before; n != 0 {
					t.Errorf("%d requests sent before refusing the input", n)
				}
			})
		}
	}
}

// Outputs are not inputs: a FIFO (a pipe to another program) and a device
// are still written to, in place.
func TestReportToFIFOAndDevice(t *testing.T) {
	dir := t.TempDir()
	in, _ := savedReport(t, dir)
	fifo := filepath.Join(dir, "out.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		fh, err := os.Open(fifo) // waits for the writer
		if err != nil {
			got <- nil
			return
		}
		defer fh.Close()
		data, _ := io.ReadAll(fh)
		got <- data
	}()
	code, _, stderr := runWithin(t, 10*time.Second, "report", in, "-f", "json", "-o", fifo)
	if code != ExitOK {
		t.Fatalf("-o FIFO: exit %d %s", code, stderr)
	}
	select {
	case data := <-got:
		if !bytes.Contains(data, []byte(`"schemaVersion"`)) || !bytes.HasSuffix(data, []byte("}\n")) {
			t.Errorf("the reader got %d bytes, not the whole report", len(data))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the FIFO's reader got nothing")
	}
	if st, err := os.Stat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", st.Mode(), err)
	}

	code, _, stderr = runWithin(t, 10*time.Second, "report", in, "-f", "json", "-o", "/dev/null")
	if code != ExitOK {
		t.Fatalf("-o /dev/null: exit %d %s", code, stderr)
	}
	if st, err := os.Stat("/dev/null"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v %v", st.Mode(), err)
	}
}

// A run that fails (exit 2 or 3) leaves no report, no directory, and an
// existing report at that path untouched.
func TestFailedRunLeavesNoFile(t *testing.T) {
	srv := target(t)
	dir := t.TempDir()
	badSpec := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badSpec, []byte("openapi: 3.0.3\npaths: [\n"), 0o644)
	existing := filepath.Join(dir, "existing.json")
	const old = `{"the report of an earlier run": true}`
	os.WriteFile(existing, []byte(old), 0o644)
	outBase := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"unreachable, new file", []string{"scan", "http://127.0.0.1:1", "-f", "json", "-o", "{out}/r.json"}, ExitCannotRun},
		{"unreachable, new directory", []string{"scan", "http://127.0.0.1:1", "-f", "json,sarif", "-o", "{out}/new/sub/"}, ExitCannotRun},
		{"malformed spec, two files", []string{"scan", srv.URL, "--spec", badSpec, "-f", "json,sarif", "-o", "{out}/a.json,{out}/a.sarif"}, ExitUsage},
		{"unreachable, existing report", []string{"scan", "http://127.0.0.1:1", "-f", "json", "-o", existing}, ExitCannotRun},
		{"malformed spec, existing report", []string{"scan", srv.URL, "--spec", badSpec, "-f", "json", "-o", existing}, ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(outBase, strings.NewReplacer(" ", "-", ",", "").Replace(tc.name))
			os.Mkdir(out, 0o755)
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "{out}", out)
			}
			code, _, stderr := run(t, nil, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("left behind in the output directory: %v", entries)
			}
			if data, err := os.ReadFile(existing); err != nil || string(data) != old {
				t.Errorf("the existing report changed: %q %v", data, err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 {
				t.Errorf("files beside the existing report: %v", entries)
			}
		})
	}
}

// A report replaces the file at its path only once it is complete: a write
// that fails leaves the earlier report and no temporary file; a successful
// one keeps the earlier file's mode, and a new one gets the mode os.Create
// would give it.
func TestWriteReportFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	os.WriteFile(path, []byte("earlier report"), 0o600)
	err := writeReportFile(path, func(w io.Writer) error {
		w.Write([]byte("half a rep"))
		return io.ErrShortWrite
	})
	if err == nil {
		t.Fatal("a failed write reported success")
	}
	if data, _ := os.ReadFile(path); string(data) != "earlier report" {
		t.Errorf("after a failed write the file holds %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a failed write left %v", entries)
	}
	if err := writeReportFile(path, func(w io.Writer) error { _, err := w.Write([]byte("new report")); return err }); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "new report" {
		t.Errorf("the file holds %q", data)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the earlier file's 0600", st.Mode().Perm())
	}

	// Through a symbolic link, the file it points to is replaced.
	link := filepath.Join(dir, "link.json")
	os.Symlink(path, link)
	if err := writeReportFile(link, func(w io.Writer) error { _, err := w.Write([]byte("via the link")); return err }); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file")
	}
	if data, _ := os.ReadFile(path); string(data) != "via the link" {
		t.Errorf("the link's target holds %q", data)
	}

	ref := filepath.Join(dir, "ref")
	fh, _ := os.Create(ref)
	fh.Close()
	refSt, _ := os.Stat(ref)
	fresh := filepath.Join(dir, "new", "r.json")
	if err := writeReportFile(fresh, func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(fresh); err != nil || st.Mode().Perm() != refSt.Mode().Perm() {
		t.Errorf("new report: %v %v, want the mode os.Create gives (%v)", st.Mode().Perm(), err, refSt.Mode().Perm())
	}
}

// Two formats to one file is a usage error naming the path, however the
// path is spelled.
func TestSameOutputForTwoFormats(t *testing.T) {
	dir := t.TempDir()
	in, _ := savedReport(t, dir)
	out := filepath.Join(dir, "r.out")
	os.WriteFile(out, []byte("x"), 0o644)
	link := filepath.Join(dir, "link.out")
	os.Symlink(out, link)
	t.Chdir(dir)
	for _, o := range []string{"r.out,r.out", "./r.out,r.out", out + ",r.out", "r.out," + link, "sub/../r.out,r.out"} {
		t.Run(o, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "report", in, "-f", "json,sarif", "-o", o)
			if code != ExitUsage || !strings.Contains(stderr, "is given for both json and sarif") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q", code, stderr)
			}
			if data, _ := os.ReadFile(out); string(data) != "x" || stdout != "" {
				t.Errorf("written: %d bytes to %s, %d to stdout", len(data), out, len(stdout))
			}
		})
	}
}

// A writable report in a directory we may not write to is still replaced,
// in place, as before reports were written atomically.
func TestReportIntoReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := t.TempDir()
	in, _ := savedReport(t, dir)
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o755)
	out := filepath.Join(ro, "r.json")
	os.WriteFile(out, []byte("old"), 0o644)
	os.Chmod(ro, 0o555)
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	if code, _, stderr := runCLI(t, "report", in, "-f", "json", "-o", out); code != ExitOK {
		t.Fatalf("exit %d %s", code, stderr)
	}
	if data, _ := os.ReadFile(out); !bytes.Contains(data, []byte(`"schemaVersion"`)) {
		t.Errorf("the report was not written: %q", data)
	}
}
