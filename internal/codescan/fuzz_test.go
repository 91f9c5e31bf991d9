package codescan

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// FuzzAnalyze runs the whole white-box analysis (Flask model, data flow,
// every rule) on arbitrary bytes: it must never crash, and every finding
// must point inside the file.
func FuzzAnalyze(f *testing.F) {
	for _, glob := range []string{"../../testbed/*/app.py", "testdata/fixtures/*.py"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("for k, v in request.json.items():\n  setattr(o, k, v)\n"))
	f.Add([]byte("@app.get('/<int:i>')\ndef v(i):\n  if i != current_user.id: abort(403)\n  cur.execute(f'SELECT {i}', (i,))\n"))
	f.Add([]byte("x = (\n"))
	for _, seed := range pyast.HostileSeeds() {
		f.Add(seed)
	}
	p := pyast.NewParser()
	defer p.Close()
	// As in Analyze: a parse that crawls (tree-sitter's error recovery) is
	// abandoned.
	p.SetTimeout(5 * time.Second)
	f.Fuzz(func(t *testing.T, src []byte) {
		findings, _, err := analyzeSource(p, "app.py", src)
		if errors.Is(err, pyast.ErrNoTree) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		lines := 1
		for _, c := range src {
			if c == '\n' {
				lines++
			}
		}
		for _, fd := range findings {
			if fd.Location.Line < 1 || fd.Location.Line > lines {
				t.Fatalf("%s at line %d of a %d-line file", fd.Check, fd.Location.Line, lines)
			}
		}
	})
}
