package codescan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// linkTree is a scanned directory with app.py and symbolic links to outside
// places, and one outside directory holding a Flask file with a finding.
type linkTree struct {
	dir, outside string
}

const outsideApp = "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'outside-secret'\n"

func newLinkTree(t *testing.T) linkTree {
	t.Helper()
	lt := linkTree{dir: t.TempDir(), outside: t.TempDir()}
	writeFile(t, filepath.Join(lt.dir, "app.py"), "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'inside-secret'\n")
	writeFile(t, filepath.Join(lt.outside, "evil.py"), outsideApp)
	writeFile(t, filepath.Join(lt.outside, "pkg", "mod.py"), outsideApp)
	// The outside tree links back into the scanned one: following both
	// ways must still end.
	symlink(t, lt.dir, filepath.Join(lt.outside, "pkg", "back"))
	symlink(t, filepath.Join(lt.outside, "evil.py"), filepath.Join(lt.dir, "evil.py"))
	symlink(t, filepath.Join(lt.outside, "pkg"), filepath.Join(lt.dir, "vendor"))
	symlink(t, "..", filepath.Join(lt.dir, "sub", "loop"))
	return lt
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// analyzeWithin runs Analyze with a deadline, so that a walk of the whole
// file system fails the test instead of stalling it.
func analyzeWithin(t *testing.T, dir string, opt Options) (*Result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	res, err := Analyze(ctx, dir, opt)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return res, time.Since(start)
}

func filesByRel(t *testing.T, dir string, res *Result) map[string]File {
	t.Helper()
	out := map[string]File{}
	for _, f := range res.Files {
		rel, err := filepath.Rel(dir, filepath.FromSlash(f.Path))
		if err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s is reported outside %s", f.Path, dir)
		}
		out[filepath.ToSlash(rel)] = f
	}
	return out
}

func secretsIn(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		if f.Check == SecretLiteral.ID {
			out = append(out, f.Location.File)
		}
	}
	return out
}

// TestSymlinkToRootNotFollowed: a link to / (and links to a file and a
// directory outside DIR) are skipped with a note; nothing outside DIR is
// read, and the scan is as quick as the directory is small.
func TestSymlinkToRootNotFollowed(t *testing.T) {
	lt := newLinkTree(t)
	symlink(t, "/", filepath.Join(lt.dir, "root"))
	symlink(t, "/proc/self", filepath.Join(lt.dir, "self"))
	res, took := analyzeWithin(t, lt.dir, Options{})
	if took > 10*time.Second {
		t.Errorf("took %v: the link to / was walked", took)
	}
	files := filesByRel(t, lt.dir, res)
	if parsed, _, _, _ := res.Counts(); parsed != 1 || files["app.py"].Status != FileParsed {
		t.Errorf("%d files parsed, want only app.py: %v", parsed, res.Files)
	}
	for _, link := range []string{"root", "evil.py", "vendor"} {
		if f := files[link]; f.Status != FileSkipped || !strings.Contains(f.Reason, "outside the scanned directory") {
			t.Errorf("%s: %s %q, want skipped as a link outside", link, f.Status, f.Reason)
		}
	}
	if f := files["self"]; f.Status != FileSkipped || !strings.Contains(f.Reason, "into /proc: never followed") {
		t.Errorf("self: %s %q, want never followed", f.Status, f.Reason)
	}
	if f := files["sub/loop"]; f.Status != FileSkipped || !strings.Contains(f.Reason, "loop") {
		t.Errorf("sub/loop: %s %q, want skipped as a loop", f.Status, f.Reason)
	}
	if got := secretsIn(res); len(got) != 1 || !strings.HasSuffix(got[0], "/app.py") {
		t.Errorf("secret findings in %v, want app.py only", got)
	}
}

// TestFollowSymlinks: with FollowSymlinks, the outside file and directory
// are read, each file once, the loop through the outside tree ends, and
// /proc, /sys and /dev stay closed.
func TestFollowSymlinks(t *testing.T) {
	lt := newLinkTree(t)
	symlink(t, "/proc/self", filepath.Join(lt.dir, "self"))
	symlink(t, "/proc", filepath.Join(lt.dir, "proc"))
	symlink(t, "/proc/self/environ", filepath.Join(lt.dir, "environ.py"))
	symlink(t, "/sys", filepath.Join(lt.dir, "sys"))
	symlink(t, "/dev/zero", filepath.Join(lt.dir, "zero.py"))
	res, _ := analyzeWithin(t, lt.dir, Options{FollowSymlinks: true})
	files := filesByRel(t, lt.dir, res)
	for _, parsed := range []string{"app.py", "evil.py", "vendor/mod.py"} {
		if f := files[parsed]; f.Status != FileParsed {
			t.Errorf("%s: %s %q, want parsed", parsed, f.Status, f.Reason)
		}
	}
	if n, _, _, _ := res.Counts(); n != 3 {
		t.Errorf("%d files parsed, want 3 (each once): %v", n, res.Files)
	}
	for link, dir := range map[string]string{"self": "/proc", "proc": "/proc", "environ.py": "/proc", "sys": "/sys", "zero.py": "/dev"} {
		if f := files[link]; f.Status != FileSkipped || !strings.Contains(f.Reason, "into "+dir+": never followed") {
			t.Errorf("%s: %s %q, want never followed", link, f.Status, f.Reason)
		}
	}
	if f := files["vendor/back"]; f.Status != FileSkipped || !strings.Contains(f.Reason, "loop") {
		t.Errorf("vendor/back: %s %q, want skipped as a loop", f.Status, f.Reason)
	}
	if got := secretsIn(res); len(got) != 3 {
		t.Errorf("secret findings in %v, want app.py, evil.py and vendor/mod.py", got)
	}
}

// TestSymlinkNotesBounded: one note per skipped link up to maxLinkNotes,
// then a count.
func TestSymlinkNotesBounded(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(outside, "x.py"), "x = 1\n")
	for i := range maxLinkNotes + 15 {
		symlink(t, filepath.Join(outside, "x.py"), filepath.Join(dir, fmt.Sprintf("l%02d.py", i)))
	}
	res, _ := analyzeWithin(t, dir, Options{})
	if len(res.Files) != maxLinkNotes {
		t.Errorf("%d files listed, want %d", len(res.Files), maxLinkNotes)
	}
	if len(res.Notes) != 1 || !strings.HasPrefix(res.Notes[0], "15 more symbolic links skipped") {
		t.Errorf("notes %q, want 15 more links", res.Notes)
	}
}

// TestDirIsALink: DIR itself may be a link (the user named it); what is
// inside its target is inside.
func TestDirIsALink(t *testing.T) {
	real := t.TempDir()
	writeFile(t, filepath.Join(real, "app.py"), outsideApp)
	writeFile(t, filepath.Join(real, "lib", "db.py"), "x = 1\n")
	symlink(t, "lib", filepath.Join(real, "alias"))
	link := filepath.Join(t.TempDir(), "src")
	symlink(t, real, link)
	res, _ := analyzeWithin(t, link, Options{})
	if n, _, _, _ := res.Counts(); n != 2 {
		t.Errorf("%d files parsed, want app.py and lib/db.py once: %v", n, res.Files)
	}
}
