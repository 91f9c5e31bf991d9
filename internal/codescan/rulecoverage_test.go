package codescan

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestEveryRuleHasFixture: every rule of the family table is expected by
// some fixture (a `# want: ID` line under testdata/fixtures or
// testdata/projects), so a rule whose detection stops firing, or a new rule
// added without a fixture, fails TestFixtures or this test.
func TestEveryRuleHasFixture(t *testing.T) {
	wanted := map[string]bool{}
	for _, root := range []string{"testdata/fixtures", "testdata/projects"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".py") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range wantRe.FindAllStringSubmatch(string(src), -1) {
				for _, id := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' }) {
					wanted[id] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, fam := range families {
		for _, r := range fam.rules {
			if r.Kind != rampart.KindCode {
				continue
			}
			n++
			if !wanted[r.ID] {
				t.Errorf("rule %s (family %s) has no fixture: add a `# want: %s` line under testdata/fixtures or testdata/projects", r.ID, fam.name, r.ID)
			}
		}
	}
	if n == 0 {
		t.Fatal("the family table has no white-box rules")
	}
}
