package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// runCodeCmd runs the command line with `code` mounted on the root (it is,
// once root.go registers it; until then the test adds it).
func runCodeCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdout: &out, Stderr: &errb,
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
	}
	root := newRoot(env)
	if c, _, err := root.Find([]string{"code"}); err != nil || c == root {
		root.AddCommand(newCode(env))
	}
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	if err != nil && Code(err) != ExitFindings {
		errb.WriteString("rampart: " + err.Error() + "\n")
	}
	return Code(err), out.String(), errb.String()
}

const vulnerableApp = `import os
from flask import Flask, request, jsonify
import psycopg2

app = Flask(__name__)
app.secret_key = "dev"


def db():
    return psycopg2.connect(os.environ["DATABASE_URL"])


@app.get("/search")
def search():
    q = request.args.get("q", "")
    with db() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT id FROM notes WHERE title LIKE '%{q}%'")
        return jsonify(cur.fetchall())
`

const safeApp = `import os
from flask import Flask, request, jsonify
import psycopg2

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]


def db():
    return psycopg2.connect(os.environ["DATABASE_URL"])


@app.get("/search")
def search():
    q = request.args.get("q", "")
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM notes WHERE title LIKE %s", ("%" + q + "%",))
        return jsonify(cur.fetchall())
`

func appDir(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCodeExitCodes(t *testing.T) {
	vuln, safe := appDir(t, vulnerableApp), appDir(t, safeApp)
	file := filepath.Join(vuln, "app.py")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"findings", []string{"code", vuln}, ExitFindings, ""},
		{"clean", []string{"code", safe}, ExitOK, ""},
		{"fail-on none", []string{"code", vuln, "--fail-on", "none"}, ExitOK, ""},
		{"fail-on critical", []string{"code", vuln, "--fail-on", "critical"}, ExitFindings, ""},
		{"no dir", []string{"code"}, ExitUsage, "one directory"},
		{"two dirs", []string{"code", vuln, safe}, ExitUsage, "one directory"},
		{"missing dir", []string{"code", filepath.Join(vuln, "nope")}, ExitUsage, "nope"},
		{"file not dir", []string{"code", file}, ExitUsage, "not a directory"},
		{"bad fail-on", []string{"code", vuln, "--fail-on", "severe"}, ExitUsage, "--fail-on"},
		{"bad confidence", []string{"code", vuln, "--min-confidence", "sure"}, ExitUsage, "--min-confidence"},
		{"bad format", []string{"code", vuln, "-f", "pdf"}, ExitUsage, "--format"},
		{"bad size", []string{"code", vuln, "--max-file-size", "huge"}, ExitUsage, "--max-file-size"},
		{"bad workers", []string{"code", vuln, "--workers", "-1"}, ExitUsage, "--workers"},
		{"unknown flag", []string{"code", vuln, "--bogus"}, ExitUsage, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCodeCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if tt.msg != "" && !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.msg)
			}
		})
	}
}

func TestCodeJSONReport(t *testing.T) {
	vuln := appDir(t, vulnerableApp)
	out := filepath.Join(t.TempDir(), "code.json")
	code, stdout, stderr := runCodeCmd(t, "code", vuln, "-f", "text,json", "-o", "-,"+out)
	if code != ExitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	if !strings.Contains(stdout, "PY-SQLI-001") || !strings.Contains(stdout, "app.py:17") {
		t.Errorf("text report lacks the injection at app.py:17:\n%s", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep rampart.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Source != vuln || rep.Operations != 1 || rep.Grade == "" || rep.Fingerprint.Framework != "Flask" {
		t.Errorf("report header: source %q operations %d grade %q stack %+v", rep.Source, rep.Operations, rep.Grade, rep.Fingerprint)
	}
	byCheck := map[string]rampart.Finding{}
	for _, f := range rep.Findings {
		byCheck[f.Check] = f
	}
	sqli, ok := byCheck["PY-SQLI-001"]
	if !ok {
		t.Fatalf("no PY-SQLI-001 in %+v", rep.Findings)
	}
	want := rampart.Location{Method: "GET", Path: "/search", File: filepath.ToSlash(filepath.Join(vuln, "app.py")), Line: 17, Column: 9}
	if sqli.Location != want || sqli.Family != rampart.FamilySQLi || sqli.CWE != "CWE-89" || sqli.Remediation == "" || sqli.ID == "" {
		t.Errorf("finding = %+v", sqli)
	}
	if _, ok := byCheck["PY-SECRET-001"]; !ok {
		t.Errorf("no PY-SECRET-001 for app.secret_key = \"dev\"")
	}
}

func TestCodeRelativePaths(t *testing.T) {
	vuln := appDir(t, vulnerableApp)
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(filepath.Dir(vuln)); err != nil {
		t.Fatal(err)
	}
	_, stdout, _ := runCodeCmd(t, "code", filepath.Base(vuln), "-f", "json", "--fail-on", "none")
	var rep rampart.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Location.File != filepath.Base(vuln)+"/app.py" {
			t.Errorf("file %q, want DIR/app.py relative to the working directory", f.Location.File)
		}
	}
}

func TestCodeMinConfidence(t *testing.T) {
	dir := appDir(t, `from flask import Flask, request
import psycopg2
app = Flask(__name__)

@app.post("/payments")
def pay():
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO payments (payee, amount) VALUES (%s, %s)", (request.json["to"], request.json["amount"]))
    return "", 201
`)
	_, all, _ := runCodeCmd(t, "code", dir, "-f", "json", "--fail-on", "none")
	_, firm, _ := runCodeCmd(t, "code", dir, "-f", "json", "--fail-on", "none", "--min-confidence", "firm")
	if !strings.Contains(all, "PY-IDEM-001") || strings.Contains(firm, "PY-IDEM-001") {
		t.Errorf("--min-confidence firm should drop the tentative PY-IDEM-001:\nall: %s\nfirm: %s", all, firm)
	}
}

func TestCodeRules(t *testing.T) {
	code, out, _ := runCodeCmd(t, "code", "--rules")
	if code != ExitOK || !strings.Contains(out, "PY-SQLI-001") || !strings.Contains(out, "PY-BOLA-001") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestCodeFollowSymlinks: a link out of DIR is skipped with a note in the
// report, and followed with --follow-symlinks.
func TestCodeFollowSymlinks(t *testing.T) {
	outside := appDir(t, vulnerableApp)
	dir := appDir(t, safeApp)
	if err := os.Symlink(filepath.Join(outside, "app.py"), filepath.Join(dir, "vendored.py")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	report := func(args ...string) rampart.Report {
		t.Helper()
		_, stdout, stderr := runCodeCmd(t, append([]string{"code", dir, "-f", "json", "--fail-on", "none"}, args...)...)
		var rep rampart.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%v; stderr %s", err, stderr)
		}
		return rep
	}
	rep := report()
	if len(rep.Findings) != 0 {
		t.Errorf("the link out of DIR was followed: %d findings", len(rep.Findings))
	}
	if !slicesContainsSub(rep.Notes, "vendored.py: symbolic link to a path outside the scanned directory (--follow-symlinks follows it)") {
		t.Errorf("no note of the skipped link in %q", rep.Notes)
	}
	rep = report("--follow-symlinks")
	var sqli bool
	for _, f := range rep.Findings {
		sqli = sqli || f.Check == "PY-SQLI-001" && f.Location.File == filepath.ToSlash(filepath.Join(dir, "vendored.py"))
	}
	if !sqli {
		t.Errorf("--follow-symlinks: no PY-SQLI-001 in vendored.py: %+v", rep.Findings)
	}
}

func slicesContainsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
