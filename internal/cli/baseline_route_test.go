package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A baseline of the vulnerable twin's code hides everything on a second
// run; changing one route (its path, with lines shifted above it) makes
// exactly that route's finding new.
func TestBaselineShowsOnlyTheChangedRoute(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "testbed", "vulnerable", "app.py"))
	if err != nil {
		t.Skip("testbed source not present")
	}
	if !strings.Contains(string(src), `@app.get("/search")`) {
		t.Fatal(`testbed/vulnerable/app.py has no @app.get("/search") route to change`)
	}
	root := t.TempDir()
	write := func(tree, body string) {
		dir := filepath.Join(root, tree, "app")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("before", string(src))
	changed := "# a comment that moves every line down\n" + strings.Replace(string(src), `@app.get("/search")`, `@app.get("/search/notes")`, 1)
	write("after", changed)

	scanIn := func(tree, out string) {
		t.Chdir(filepath.Join(root, tree))
		if code, _, stderr := run(t, nil, "code", "app", "-f", "json", "-o", out, "--fail-on", "none"); code != ExitOK {
			t.Fatalf("code %s: exit %d %s", tree, code, stderr)
		}
	}
	first, second := filepath.Join(root, "first.json"), filepath.Join(root, "second.json")
	scanIn("before", first)
	scanIn("after", second)

	findings := func(args ...string) []map[string]any {
		out := filepath.Join(root, "out.json")
		if code, _, stderr := run(t, nil, append([]string{"report"}, append(args, "-f", "json", "-o", out)...)...); code != ExitOK {
			t.Fatalf("report: exit %d %s", code, stderr)
		}
		var rep struct {
			Findings []map[string]any `json:"findings"`
		}
		data, _ := os.ReadFile(out)
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		return rep.Findings
	}
	if fs := findings(first, "--baseline", first); len(fs) != 0 {
		t.Fatalf("the same report against itself leaves %d findings", len(fs))
	}
	fs := findings(second, "--baseline", first)
	if len(fs) != 1 {
		t.Fatalf("%d new findings after changing one route, want 1: %v", len(fs), fs)
	}
	loc, _ := fs[0]["location"].(map[string]any)
	if loc["path"] != "/search/notes" || fs[0]["family"] != "sqli" {
		t.Fatalf("the new finding is %v at %v", fs[0]["check"], loc)
	}
}
