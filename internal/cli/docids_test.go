package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
)

// checkIDLike is what a check or rule ID looks like: HDR-001, PY-SQLI-001.
var checkIDLike = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:-[A-Z][A-Z0-9]*)*-[0-9]{3}\b`)

// Every check-ID-looking token in the README and docs/ is a real runtime
// check or white-box rule, so examples never point at an ID that does not
// exist. CWE numbers look alike and are left out.
func TestDocsUseRealCheckIDs(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	files = append(files, filepath.Join("..", "..", "README.md"), filepath.Join("..", "..", "CONTRIBUTING.md"))
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) && strings.HasSuffix(f, "CONTRIBUTING.md") {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, id := range checkIDLike.FindAllString(line, -1) {
				n++
				if strings.HasPrefix(id, "CWE-") {
					continue
				}
				if checks.Lookup(id) == nil && codescan.LookupRule(id) == nil {
					t.Errorf("%s:%d: %s is not a check or rule ID", filepath.Base(f), i+1, id)
				}
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d IDs found: the scan of the docs is broken", n)
	}
}

// docs/architecture.md lists every family, the vocabulary ground truth and
// the testbed READMEs point to.
func TestArchitectureListsFamilies(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rampart.Families {
		if !strings.Contains(string(data), "`"+string(f)+"`") {
			t.Errorf("docs/architecture.md does not list family %s", f)
		}
	}
}

// Nothing in the repository points at a design document outside it.
func TestNoLinksOutsideRepository(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == ".state") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".json")) {
			return nil
		}
		if strings.HasSuffix(path, "docids_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, bad := range []string{"DESIGN.md", "../shared", "shared/DESIGN"} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s points at %s, outside the repository", path, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
