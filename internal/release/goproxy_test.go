package release

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// modulePath is Rampart's module path, as `go install` is told it.
const modulePath = "github.com/rampart-sec/rampart"

// repoRoot is the module's root: this package sits two levels below it.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at the module root %s: %v", root, err)
	}
	return root
}

// publishableFiles lists what a tag of the working tree would publish: the
// files git tracks plus the new ones it does not ignore, so build output,
// the testbed's state and other ignored files never reach the module zip.
func publishableFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v (the install test needs the git checkout of Rampart)", root, err)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" {
			continue
		}
		// A tracked file deleted in the working tree is not published.
		if fi, err := os.Lstat(filepath.Join(root, f)); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		files = append(files, f)
	}
	return files
}

// stageTree copies files from root into a new directory, keeping their paths.
func stageTree(t *testing.T, root string, files []string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "src")
	for _, f := range files {
		to := filepath.Join(dst, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := copyFile(filepath.Join(root, f), to); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeFileProxy lays out a GOPROXY directory serving the module in src at
// version, the way proxy.golang.org serves a tagged release:
// <proxy>/<escaped path>/@v/{list, V.info, V.mod, V.zip}. The zip is made by
// golang.org/x/mod/zip, which applies the go command's own rules (file names,
// sizes, nested modules), so a tree that could not be published fails here.
func writeFileProxy(t *testing.T, src, version string) string {
	t.Helper()
	proxy := t.TempDir()
	esc, err := module.EscapePath(modulePath)
	if err != nil {
		t.Fatal(err)
	}
	escVer, err := module.EscapeVersion(version)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(proxy, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	if err := zip.CreateFromDir(&z, module.Version{Path: modulePath, Version: version}, src); err != nil {
		t.Fatalf("the working tree cannot be published as a module: %v", err)
	}
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"list":           []byte(version + "\n"),
		escVer + ".info": info,
		escVer + ".mod":  gomod,
		escVer + ".zip":  z.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return proxy
}
