package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

const codeTestApp = `from flask import Flask, request, jsonify
import psycopg2

app = Flask(__name__)
app.secret_key = "dev"


@app.get("/search")
def search():
    q = request.args.get("q", "")
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute(f"SELECT id FROM notes WHERE title LIKE '%{q}%'")
        return jsonify(cur.fetchall())


@app.get("/notes")
def notes():
    owner = request.args.get("owner", "")
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM notes WHERE owner = '" + owner + "'")
        return jsonify(cur.fetchall())


@app.post("/payments")
def pay():
    with psycopg2.connect("") as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO payments (payee, amount) VALUES (%s, %s)", (request.json["to"], request.json["amount"]))
    return "", 201
`

func codeTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(codeTestApp), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Run with --source and Code end with the same step: the same ignore,
// confidence filter and baseline leave out the same code findings, say so
// in the same notes, and the findings kept get the same advice.
func TestRunAndCodeTriageAlike(t *testing.T) {
	dir := codeTree(t)
	plain, err := Code(context.Background(), CodeOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var base, runBase rampart.Report
	checks := map[string]bool{}
	for _, f := range plain.Findings {
		checks[f.Check] = true
		if f.Check == "PY-SQLI-001" && f.Location.Path == "/search" {
			base.Findings = append(base.Findings, f)
		}
	}
	if !checks["PY-SECRET-001"] || !checks["PY-IDEM-001"] || len(base.Findings) != 1 {
		t.Fatalf("the app's findings changed (checks %v): fix the test app", checks)
	}
	// Run's baseline also has the runtime's own findings, so that both
	// runs have the same new and fixed findings to count.
	_, srv, _ := startFake(t, false)
	opt := Options{Target: srv.URL, Source: dir, Mode: rampart.Safe, Checks: []string{"FP-001"}}
	first, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	runBase.Findings = slices.Clone(base.Findings)
	for _, f := range first.Findings {
		if f.Location.File == "" {
			runBase.Findings = append(runBase.Findings, f)
		}
	}
	ignore := []Ignore{{Check: "PY-SECRET-*", Reason: "a dev key"}}
	code, err := Code(context.Background(), CodeOptions{Dir: dir, MinConfidence: rampart.Firm, Ignore: ignore, Baseline: &base, BaselineName: "base.json"})
	if err != nil {
		t.Fatal(err)
	}
	opt.MinConfidence, opt.Ignore, opt.Baseline, opt.BaselineName = rampart.Firm, ignore, &runBase, "base.json"
	run, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	fromCode := func(rep *rampart.Report) map[string]rampart.Finding {
		m := map[string]rampart.Finding{}
		for _, f := range rep.Findings {
			if f.Location.File != "" {
				m[f.ID] = f
			}
		}
		return m
	}
	c, r := fromCode(code), fromCode(run)
	if len(c) == 0 || len(c) != len(r) {
		t.Fatalf("code kept %d source findings, run %d", len(c), len(r))
	}
	for id, f := range c {
		g, ok := r[id]
		switch {
		case !ok:
			t.Errorf("%s %s:%d kept by Code, not by Run", f.Check, f.Location.File, f.Location.Line)
		case f.Remediation != g.Remediation:
			t.Errorf("%s: Code and Run advise differently:\n%s\n---\n%s", f.Check, f.Remediation, g.Remediation)
		}
		if f.Check == "PY-SECRET-001" || f.Confidence < rampart.Firm || f.Location.Path == "/search" && f.Check == "PY-SQLI-001" {
			t.Errorf("%s %s kept: the ignore, the filter or the baseline did not apply", f.Check, f.Location.Path)
		}
		if f.Check == "PY-SQLI-001" && !strings.Contains(f.Remediation, "\n") { // the rule's fix, then the stack's
			t.Errorf("%s has no stack advice: %q", f.Check, f.Remediation)
		}
	}
	// The baseline note counts the runtime's findings too: compare what
	// it says of the code's.
	triaged := func(rep *rampart.Report) []string {
		var out []string
		for _, n := range rep.Notes {
			if strings.Contains(n, "suppressed by") {
				if _, since, ok := strings.Cut(n, "Since it: "); ok {
					n = since
				}
				out = append(out, n)
			}
		}
		return out
	}
	want := []string{"1 findings suppressed by the config's ignore list; the grade still counts them", "2 new, 0 fixed"}
	if tc, tr := triaged(code), triaged(run); !slices.Equal(tc, want) || !slices.Equal(tr, want) {
		t.Errorf("notes:\ncode %q\nrun  %q\nwant %q", tc, tr, want)
	}
}

// The library refuses what the CLI refuses, as ConfigErrors, before it
// reads the tree.
func TestCodeOptionsValidate(t *testing.T) {
	dir := codeTree(t)
	for _, tt := range []struct {
		name string
		opt  CodeOptions
		msg  string
	}{
		{"missing dir", CodeOptions{Dir: filepath.Join(dir, "nope")}, "no such file"},
		{"file", CodeOptions{Dir: filepath.Join(dir, "app.py")}, "is not a directory"},
		{"workers", CodeOptions{Dir: dir, Workers: 300}, "--workers 300"},
		{"glob", CodeOptions{Dir: dir, Exclude: []string{"[a"}}, "not a valid glob"},
		{"ignore", CodeOptions{Dir: dir, Ignore: []Ignore{{ID: "x"}}}, "ignore[0]: needs a reason"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Code(context.Background(), tt.opt)
			var ce *ConfigError
			if rep != nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("report %v, err %v: want a ConfigError with %q", rep != nil, err, tt.msg)
			}
		})
	}
	if _, err := Run(context.Background(), Options{Target: "http://127.0.0.1:1", Ignore: []Ignore{{Check: "X"}}}); err == nil || !strings.Contains(err.Error(), "ignore[0]") {
		t.Errorf("Run with an invalid ignore: %v", err)
	}
}

// A cancelled white-box scan returns what it has, marked incomplete.
func TestCodeInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Code(ctx, CodeOptions{Dir: codeTree(t)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if rep != nil && (!rep.Incomplete || rep.Grade == "") {
		t.Errorf("partial report: incomplete %v grade %q", rep.Incomplete, rep.Grade)
	}
}
