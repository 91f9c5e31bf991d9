package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

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
