package checks

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/rampart-sec/rampart/"

// importViolation says why a file may not import a package, or "". dir is
// the importing file's folder relative to the module root; what they share
// belongs in a package outside internal/checks (internal/fixture for what the
// scan creates, internal/whoami for who an identity is, internal/flaskkey
// for the session key), never in another check.
func importViolation(dir, file, imp string) string {
	const checks = "internal/checks/"
	rel, ok := strings.CutPrefix(imp, module+checks)
	if !ok {
		return ""
	}
	target := strings.Split(rel, "/")[0]
	helper := strings.HasSuffix(path.Base(imp), "test") // checktest, authztest
	importer, inChecks := strings.CutPrefix(dir+"/", checks)
	switch {
	case dir == "internal/checks":
		return "" // the registry lists every check
	case !inChecks:
		if strings.HasSuffix(file, "_test.go") && helper {
			return ""
		}
		return "a package outside internal/checks imports the check package " + rel + ": only the registry (internal/checks) may be imported"
	}
	own := strings.Split(importer, "/")[0]
	switch {
	case target == own:
		return "" // its own sub-packages
	case helper && (strings.HasSuffix(file, "_test.go") || strings.HasSuffix(path.Base(dir), "test")):
		return "" // test-only helpers, in tests and in other test helpers
	}
	return "check package " + own + " imports check package " + rel
}

// No check package imports another: what two checks share lives in a package
// of its own, so a check can be changed, skipped or removed without the
// others, and the shared knowledge has one owner.
func TestNoCheckImportsAnother(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		rel, _ := filepath.Rel(root, p)
		dir := filepath.ToSlash(filepath.Dir(rel))
		for _, spec := range f.Imports {
			imp, _ := strconv.Unquote(spec.Path.Value)
			if why := importViolation(dir, d.Name(), imp); why != "" {
				t.Errorf("%s: %s", filepath.ToSlash(rel), why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("walked only %d Go files under internal/: the test is not looking where the checks are", files)
	}
}

func TestImportViolation(t *testing.T) {
	tests := []struct {
		dir, file, imp string
		bad            bool
	}{
		{"internal/checks/authn", "write.go", module + "internal/checks/authz", true},
		{"internal/checks/jwt", "attack.go", module + "internal/checks/session", true},
		{"internal/checks/authz", "bola.go", module + "internal/checks/authz/authztest", false},
		{"internal/checks/authn", "write_test.go", module + "internal/checks/authz/authztest", false},
		{"internal/checks/authn", "write.go", module + "internal/checks/authz/authztest", true},
		{"internal/checks/sqli", "x_test.go", module + "internal/checks/checktest", false},
		{"internal/checks/authz/authztest", "api.go", module + "internal/checks/checktest", false},
		{"internal/checks", "registry.go", module + "internal/checks/txn", false},
		{"internal/fixture", "fixture.go", module + "internal/checks/authz", true},
		{"internal/fixture", "fixture_test.go", module + "internal/checks/checktest", false},
		{"internal/checks/txn", "ops.go", module + "internal/fixture", false},
		{"internal/checks/txn", "ops.go", module + "internal/check", false},
	}
	for _, tt := range tests {
		if got := importViolation(tt.dir, tt.file, tt.imp) != ""; got != tt.bad {
			t.Errorf("%s/%s importing %s: violation %v, want %v", tt.dir, tt.file, tt.imp, got, tt.bad)
		}
	}
}
