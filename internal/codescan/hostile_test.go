package codescan

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

const hostileHead = `from flask import Flask, request
import sqlite3
app = Flask(__name__)

@app.route("/q")
def q():
    x = request.args["x"]
    cur = sqlite3.connect("d").cursor()
`

// chain returns n terms joined by op, the first one first.
func chain(first, term, op string, n int) string {
	var b strings.Builder
	b.WriteString(first)
	for range n - 1 {
		b.WriteString(op)
		b.WriteString(term)
	}
	return b.String()
}

// TestLongExpression: a 100,000-term + chain is analysed in full (the
// request value is its first, most deeply nested term) in linear time and
// memory. The bound is generous for -race on two busy cores; without -race
// it takes well under a second.
func TestLongExpression(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 500 KB file")
	}
	const terms = 100_000
	dir := t.TempDir()
	src := hostileHead + "    cur.execute(" + chain(`"SELECT a FROM t WHERE b = " + x`, `" AND c = 1"`, " + ", terms) + ")\n"
	writeFile(t, filepath.Join(dir, "app.py"), src)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, took := analyzeWithin(t, dir, Options{MaxFileSize: 4 << 20})
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d terms: %v, %d MB allocated", terms, took, alloc>>20)
	if took > 10*time.Second {
		t.Errorf("took %v for %d terms", took, terms)
	}
	if alloc > 1<<30 {
		t.Errorf("allocated %d MB for a %d KB file", alloc>>20, len(src)>>10)
	}
	var checks []string
	for _, f := range res.Findings {
		checks = append(checks, f.Check)
	}
	if !slices.Contains(checks, SQLiValue.ID) {
		t.Errorf("findings %v, no %s: the chain was not read to its first term", checks, SQLiValue.ID)
	}
	if f := res.Files[0]; f.Status != FileParsed || f.Reason != "" {
		t.Errorf("app.py: %s %q, want parsed without a note", f.Status, f.Reason)
	}
}

// TestDeepNesting: deeply nested code of every shape neither crashes nor
// stalls the analysis; what is nested past pyast.MaxDepth is noted.
func TestDeepNesting(t *testing.T) {
	if testing.Short() {
		t.Skip("generates large files")
	}
	const n = 50_000
	rep := strings.Repeat
	tests := []struct {
		name, code string
		deep       bool
	}{
		{"parentheses", "y = " + rep("(", n) + "x" + rep(")", n), true},
		{"calls", "y = " + rep("f(", n) + "x" + rep(")", n), true},
		{"subscripts", "y = " + rep("a[", n) + "x" + rep("]", n), true},
		{"lambdas", "y = " + rep("lambda: ", n) + "x", true},
		{"lists", "y = " + rep("[", n) + "x" + rep("]", n), true},
		{"dicts", "y = " + rep("{1: ", n) + "x" + rep("}", n), true},
		{"attributes", "y = x" + rep(".b", n), true},
		{"method chain", "y = x" + rep(".f()", n), true},
		{"call chain", "y = f" + rep("()", n), true},
		{"right-nested +", "y = " + rep(`"a" + (`, n) + "x" + rep(")", n), true},
		{"or chain", "y = " + chain("x", "x", " or ", n), true},
		{"unary", "y = " + rep("-", n) + "x", true},
		{"not", "y = " + rep("not ", n) + "x", true},
		{"conditional", "y = " + rep("x if x else ", n) + "x", true},
		{"await", "y = " + rep("await ", n) + "x", true},
		{"- chain", "y = " + chain("x", "x", " - ", n), false},
		{"comparison", "y = " + chain("x", "x", " < ", n), false},
		{"string concatenation", "y = " + rep(`"a" `, n), false},
		{"% chain", "y = " + chain(`"%s"`, "x", " % ", n), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "app.py"), hostileHead+"    "+tt.code+"\n    cur.execute(y)\n")
			res, took := analyzeWithin(t, dir, Options{MaxFileSize: 4 << 20})
			if took > 10*time.Second {
				t.Errorf("took %v", took)
			}
			f := res.Files[0]
			if f.Status != FileParsed {
				t.Fatalf("%s %q, want parsed", f.Status, f.Reason)
			}
			if noted := strings.Contains(f.Reason, "nested more than"); noted != tt.deep {
				t.Errorf("note %q, want a note of deep nesting: %v", f.Reason, tt.deep)
			}
		})
	}
}

// TestManyFindingsInOneFunction: 20,000 flawed statements in one route
// (a 1 MB file) are 20,000 candidates of one rule and owner; removing the
// duplicates among them must not compare every pair.
func TestManyFindingsInOneFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 1 MB file")
	}
	const n = 20_000
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "app.py"), hostileHead+strings.Repeat(`    cur.execute("SELECT a FROM t WHERE b = " + x)`+"\n", n))
	res, took := analyzeWithin(t, dir, Options{MaxFileSize: 4 << 20})
	t.Logf("%d statements: %v", n, took)
	if took > 10*time.Second {
		t.Errorf("took %v for %d statements", took, n)
	}
	if got := len(res.Findings); got < n {
		t.Errorf("%d findings, want one per statement (%d)", got, n)
	}
}
