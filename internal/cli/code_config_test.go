package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/rampart-sec/rampart"
)

func codeJSON(t *testing.T, stdout, stderr string) rampart.Report {
	t.Helper()
	var rep rampart.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v; stderr %s", err, stderr)
	}
	return rep
}

func checksOf(rep rampart.Report) map[string]bool {
	m := map[string]bool{}
	for _, f := range rep.Findings {
		m[f.Check] = true
	}
	return m
}

// `rampart code --config` reads the config's ignore list, its report
// settings and its code: section, and names the scan settings it leaves;
// a flag still wins over the file.
func TestCodeConfig(t *testing.T) {
	dir := appDir(t, vulnerableApp)
	if err := os.MkdirAll(filepath.Join(dir, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tests", "app.py"), []byte(vulnerableApp), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, `target: http://127.0.0.1:8000
mode: active
identities:
  - name: alice
    role: user
    headers: {Authorization: "Bearer x"}
format: json
fail-on: none
ignore:
  - check: PY-SECRET-001
    reason: the dev key is replaced in production
code:
  exclude: "tests/*"
  workers: 2
`)
	code, stdout, stderr := runCodeCmd(t, "code", dir, "--config", cfg)
	if code != ExitOK {
		t.Fatalf("exit %d, want 0 (fail-on: none); stderr %s", code, stderr)
	}
	rep := codeJSON(t, stdout, stderr)
	got := checksOf(rep)
	if got["PY-SECRET-001"] || !got["PY-SQLI-001"] {
		t.Errorf("checks %v: want PY-SQLI-001 and not the ignored PY-SECRET-001", got)
	}
	for _, f := range rep.Findings {
		if strings.Contains(f.Location.File, "/tests/") {
			t.Errorf("code.exclude tests/* did not keep %s out", f.Location.File)
		}
	}
	for _, want := range []string{
		"rampart: config " + cfg + ": rampart code leaves target, mode, identities to rampart scan\n",
		"rampart: 1 findings suppressed by the config's ignore list; the grade still counts them\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !slicesContainsSub(rep.Notes, "1 findings suppressed by the config's ignore list") {
		t.Errorf("the report does not say what the ignore list left out: %q", rep.Notes)
	}
	// Without the config, the secret is reported and fails the gate.
	code, stdout, stderr = runCodeCmd(t, "code", dir, "-f", "json", "--exclude", "tests/*")
	if code != ExitFindings || !checksOf(codeJSON(t, stdout, stderr))["PY-SECRET-001"] {
		t.Errorf("without the config: exit %d, checks %v", code, checksOf(codeJSON(t, stdout, stderr)))
	}
	// A flag wins over the file.
	if code, _, stderr := runCodeCmd(t, "code", dir, "--config", cfg, "--fail-on", "high"); code != ExitFindings {
		t.Errorf("--fail-on high over fail-on: none: exit %d %s", code, stderr)
	}
}

// Without DIR, the config's source is the tree to scan.
func TestCodeConfigSourceIsDir(t *testing.T) {
	dir := appDir(t, vulnerableApp)
	cfg := writeConfig(t, "source: "+dir+"\nformat: json\nfail-on: none\n")
	code, stdout, stderr := runCodeCmd(t, "code", "--config", cfg)
	if code != ExitOK || !checksOf(codeJSON(t, stdout, stderr))["PY-SQLI-001"] {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	if strings.Contains(stderr, "leaves") {
		t.Errorf("source is a code key, yet stderr says it is left: %s", stderr)
	}
}

// A bad config, or one that leaves code nothing to scan, is a one-line
// usage error that names the key and its line.
func TestCodeBadConfig(t *testing.T) {
	dir := appDir(t, vulnerableApp)
	tests := []struct {
		name, body string
		args       []string
		msg        string
	}{
		{"unknown key", "fial-on: high\n", []string{dir}, `line 1: unknown key "fial-on" (did you mean fail-on?)`},
		{"unknown code key", "code:\n  workerz: 2\n", []string{dir}, `line 2: unknown key "code.workerz" (did you mean workers?)`},
		{"workers out of range", "code:\n  workers: -3\n", []string{dir}, "line 2: code.workers: want 0 (one per CPU) to 256"},
		{"bad size", "code:\n  max-file-size: huge\n", []string{dir}, "line 2: code.max-file-size: want a size"},
		{"bad glob", "code:\n  exclude: ['[tests']\n", []string{dir}, "line 2: code.exclude: want file globs"},
		{"wrong type", "code:\n  follow-symlinks: sometimes\n", []string{dir}, "line 2: code.follow-symlinks: want true or false"},
		{"ignore without reason", "ignore:\n  - check: PY-SQLI-001\n", []string{dir}, "ignore[0]: needs a reason"},
		{"bad fail-on", "fail-on: severe\n", []string{dir}, "line 1: fail-on: want info, low, medium, high, critical or none"},
		{"not YAML", "format: [json\n", []string{dir}, "not valid YAML"},
		{"no directory", "format: json\n", nil, "code needs a directory: give one as an argument or as source: in the config"},
		{"source not a directory", "source: " + filepath.Join(dir, "app.py") + "\n", nil, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeConfig(t, tt.body)
			code, stdout, stderr := runCodeCmd(t, append(append([]string{"code"}, tt.args...), "--config", cfg)...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr %s", code, ExitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.msg) || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "rampart: ") {
				t.Errorf("stderr %q: want one rampart: line with %q", stderr, tt.msg)
			}
			if stdout != "" {
				t.Errorf("a report was written: %q", stdout)
			}
		})
	}
	if code, _, stderr := runCodeCmd(t, "code", dir, "--config", filepath.Join(dir, "none.yaml")); code != ExitUsage || !strings.Contains(stderr, "--config") {
		t.Errorf("missing config: exit %d %s", code, stderr)
	}
	if code, _, stderr := runCodeCmd(t, "code", dir, "--baseline", filepath.Join(dir, "app.py")); code != ExitUsage || !strings.Contains(stderr, "--baseline") {
		t.Errorf("a baseline that is not a report: exit %d %s", code, stderr)
	}
}

// codeBaselineV1 has an injection at /search and a literal session key;
// v2 binds the search value (fixed), keeps the key (unchanged) and adds
// an injection at /notes (new).
const codeBaselineV1 = `from flask import Flask, request, jsonify
import psycopg2

app = Flask(__name__)
app.secret_key = "dev"


@app.get("/search")
def search():
    q = request.args.get("q", "")
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute(f"SELECT id FROM notes WHERE title LIKE '%{q}%'")
        return jsonify(cur.fetchall())
`

var codeBaselineV2 = strings.Replace(codeBaselineV1,
	`cur.execute(f"SELECT id FROM notes WHERE title LIKE '%{q}%'")`,
	`cur.execute("SELECT id FROM notes WHERE title LIKE %s", ("%" + q + "%",))`, 1) + `

@app.get("/notes")
def notes():
    owner = request.args.get("owner", "")
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM notes WHERE owner = '" + owner + "'")
        return jsonify(cur.fetchall())
`

// `rampart code --baseline` reports only the new finding, says which was
// fixed and how many are unchanged, and gates on the new one alone, as
// scan's baseline does.
func TestCodeBaseline(t *testing.T) {
	root := t.TempDir()
	for tree, src := range map[string]string{"v1": codeBaselineV1, "v2": codeBaselineV2} {
		if err := os.MkdirAll(filepath.Join(root, tree, "app"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, tree, "app", "app.py"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := filepath.Join(root, "base.json")
	t.Chdir(filepath.Join(root, "v1"))
	if code, _, stderr := runCodeCmd(t, "code", "app", "-f", "json", "-o", base, "--fail-on", "none"); code != ExitOK {
		t.Fatalf("v1: exit %d %s", code, stderr)
	}
	t.Chdir(filepath.Join(root, "v2"))
	code, stdout, stderr := runCodeCmd(t, "code", "app", "-f", "json", "--baseline", base)
	if code != ExitFindings {
		t.Errorf("exit %d, want %d for the new high finding; stderr %s", code, ExitFindings, stderr)
	}
	rep := codeJSON(t, stdout, stderr)
	var b strings.Builder
	fmt.Fprintf(&b, "stderr:\n%s\nfindings:\n", stderr)
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "  %s %s %s:%d %s %s\n", f.Check, f.Severity, f.Location.File, f.Location.Line, f.Location.Method, f.Location.Path)
	}
	fmt.Fprintf(&b, "grade %s (%d)\n", rep.Grade, rep.Score)
	golden(t, "code-baseline.golden", b.String())

	// Against itself: nothing new, nothing fixed, exit 0.
	t.Chdir(filepath.Join(root, "v1"))
	code, stdout, stderr = runCodeCmd(t, "code", "app", "-f", "json", "--baseline", base)
	if rep := codeJSON(t, stdout, stderr); code != ExitOK || len(rep.Findings) != 0 || !strings.Contains(stderr, "Since it: 0 new, 0 fixed") {
		t.Errorf("v1 against itself: exit %d, %d findings, stderr %s", code, len(rep.Findings), stderr)
	}
}

// golden compares got with testdata/name; -update rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if *update {
		if err := os.MkdirAll(testdataDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cli -run %s -update)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs (go test ./internal/cli -run %s -update):\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

// Every code flag can be set in the config too, and every key code reads
// is one the config has.
func TestEveryCodeFlagHasAConfigKey(t *testing.T) {
	entries, err := configEntries(scanFlagSet())
	if err != nil {
		t.Fatal(err)
	}
	keyed := map[string]bool{"format": true, "output": true, "verbose": true, "baseline": true, "fail-on": true, "min-confidence": true}
	known := map[string]bool{}
	for _, e := range entries {
		known[e.Path] = true
		if name, ok := strings.CutPrefix(e.Flag, "code --"); ok {
			keyed[name] = true
		}
	}
	codeFlagSet().VisitAll(func(f *pflag.Flag) {
		if !keyed[f.Name] && f.Name != "config" {
			t.Errorf("code flag --%s has no config key: add it to codeConfig, configDocs and buildCodeOptions", f.Name)
		}
	})
	for _, k := range codeKeys {
		if !known[k] {
			t.Errorf("codeKeys names %q, which the config does not have", k)
		}
	}
}

// testdataDir is absolute: tests that change directory still find it.
var testdataDir, _ = filepath.Abs("testdata")
