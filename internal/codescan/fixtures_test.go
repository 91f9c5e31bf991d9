package codescan

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Fixtures are small Python files under testdata/fixtures whose expected
// findings are written on the line they belong to:
//
//	cur.execute(f"SELECT … {q}")  # want: PY-SQLI-001
//
// A missing finding and an unexpected one both fail, as in
// golang.org/x/tools/go/analysis/analysistest. Safe variants carry no want
// comment. Each fixture is analysed alone, with NAME.sql as its schema when
// that file exists.

var wantRe = regexp.MustCompile(`#\s*want:\s*([A-Z0-9, -]+)`)

func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/fixtures/*.py")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".py"), func(t *testing.T) {
			checkFixture(t, file)
		})
	}
	// Directories are projects: their files are analysed together (imports
	// across modules, blueprints registered elsewhere).
	dirs, _ := filepath.Glob("testdata/projects/*")
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { checkProject(t, dir) })
	}
}

func checkProject(t *testing.T, dir string) {
	res, err := Analyze(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".py") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatalf("%s: no Python files", dir)
	}
	for _, file := range files {
		want := wants(t, file)
		got := map[int][]string{}
		msgs := map[string]string{}
		for _, f := range res.Findings {
			if filepath.Clean(f.Location.File) == filepath.Clean(file) {
				got[f.Location.Line] = append(got[f.Location.Line], f.Check)
				msgs[f.Check+"@"+itoa(f.Location.Line)] = f.Message
			}
		}
		compare(t, file, want, got, msgs)
	}
}

// wants reads the `# want:` comments of a fixture: line → rule IDs.
func wants(t *testing.T, file string) map[int][]string {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	out := map[int][]string{}
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		if m := wantRe.FindStringSubmatch(sc.Text()); m != nil {
			for _, id := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' }) {
				out[n] = append(out[n], id)
			}
		}
	}
	return out
}

func checkFixture(t *testing.T, file string) {
	dir := t.TempDir()
	copyFile(t, file, filepath.Join(dir, "app.py"))
	if sqlFile := strings.TrimSuffix(file, ".py") + ".sql"; fileExists(sqlFile) {
		copyFile(t, sqlFile, filepath.Join(dir, "schema.sql"))
	}
	res, err := Analyze(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := wants(t, file)
	got := map[int][]string{}
	msgs := map[string]string{}
	for _, f := range res.Findings {
		got[f.Location.Line] = append(got[f.Location.Line], f.Check)
		msgs[f.Check+"@"+itoa(f.Location.Line)] = f.Message
	}
	compare(t, file, want, got, msgs)
}

// compare fails on each missing and each unexpected finding.
func compare(t *testing.T, file string, want, got map[int][]string, msgs map[string]string) {
	t.Helper()
	lines := map[int]bool{}
	for l := range want {
		lines[l] = true
	}
	for l := range got {
		lines[l] = true
	}
	var sorted []int
	for l := range lines {
		sorted = append(sorted, l)
	}
	sort.Ints(sorted)
	for _, l := range sorted {
		w, g := set(want[l]), set(got[l])
		for id := range w {
			if !g[id] {
				t.Errorf("%s:%d: missing %s", filepath.Base(file), l, id)
			}
		}
		for id := range g {
			if !w[id] {
				t.Errorf("%s:%d: unexpected %s: %s", filepath.Base(file), l, id, msgs[id+"@"+itoa(l)])
			}
		}
	}
}

func set(ids []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
