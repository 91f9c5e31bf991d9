package codescan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// The `# want` fixtures (fixtures/sinks.py, projects/sinksrouted) say where
// sinks without routes are reported; this test pins how: a tentative
// finding one step below the rule's severity that says no request path was
// found, while route taint keeps the rule's own confidence and severity.
func TestSinksWithoutRoutes(t *testing.T) {
	dir := "testdata/projects/sinksrouted"
	res, err := Analyze(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		file       string
		code       string // the code on the finding's line
		check      string
		confidence rampart.Confidence
		severity   rampart.Severity
		message    string // a part of it
		related    string // file of a related location, "" for none
	}{
		{"unreached helper", "shop/models.py", "category = '{category}'", "PY-SQLI-001", rampart.Tentative, rampart.High,
			"`product_report` formats its parameter `category` into the SQL", ""},
		{"unreached helper says why", "shop/models.py", "category = '{category}'", "PY-SQLI-001", rampart.Tentative, rampart.High,
			"no request path found to it", ""},
		{"route taint raises it", "shop/app.py", "find_products(request", "PY-SQLI-001", rampart.Firm, rampart.Critical,
			"passed to a helper that formats it into SQL", "shop/models.py"},
		{"unreached text() clause", "shop/models.py", "content LIKE", "PY-SQLI-001", rampart.Tentative, rampart.High,
			"`notes_by` formats its parameter `term` into the SQL clause", ""},
		{"route taint into a helper's text() clause", "shop/app.py", "title_clause(request", "PY-SQLI-001", rampart.Firm, rampart.Critical,
			"passed to a helper that formats it into SQL", "shop/models.py"},
		{"request data in a route's text() clause", "shop/app.py", "title LIKE", "PY-SQLI-001", rampart.Firm, rampart.Critical,
			"request data is formatted into the SQL clause", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line := lineOf(t, filepath.Join(dir, tc.file), tc.code)
			var got []rampart.Finding
			for _, f := range res.Findings {
				if strings.HasSuffix(filepath.ToSlash(f.Location.File), tc.file) && f.Location.Line == line && f.Check == tc.check {
					got = append(got, f)
				}
			}
			if len(got) != 1 {
				t.Fatalf("%d %s findings at %s:%d, want 1: %v", len(got), tc.check, tc.file, line, got)
			}
			f := got[0]
			if f.Confidence != tc.confidence || f.Severity != tc.severity {
				t.Errorf("confidence %v severity %v, want %v %v", f.Confidence, f.Severity, tc.confidence, tc.severity)
			}
			if !strings.Contains(f.Message, tc.message) {
				t.Errorf("message %q lacks %q", f.Message, tc.message)
			}
			if tc.related != "" {
				ok := false
				for _, r := range f.Related {
					ok = ok || strings.HasSuffix(filepath.ToSlash(r.Location.File), tc.related)
				}
				if !ok {
					t.Errorf("no related location in %s: %v", tc.related, f.Related)
				}
			}
		})
	}
	// The statements the route's values reach are reported once, by the
	// route's findings: never again as sinks without routes.
	for _, code := range []string{"name LIKE", "title = '{term}'"} {
		line := lineOf(t, filepath.Join(dir, "shop/models.py"), code)
		for _, f := range res.Findings {
			if strings.HasSuffix(filepath.ToSlash(f.Location.File), "shop/models.py") && f.Location.Line == line {
				t.Errorf("the routed helper's statement is reported again: %s %v %s", f.Check, f.Confidence, f.Message)
			}
		}
	}
}

// lineOf is the line of a file's first line holding code.
func lineOf(t *testing.T, file, code string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, code) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", file, code)
	return 0
}

func TestParamWords(t *testing.T) {
	a := &analysis{paramNames: []string{"self", "name", "sort"}}
	tests := []struct {
		set  uint64
		want string
	}{
		{0b010, "its parameter `name`"},
		{0b110, "its parameters `name` and `sort`"},
		{0b111, "its parameters `self`, `name` and `sort`"},
		{0b1000, "a parameter"},
	}
	for _, tc := range tests {
		if got := paramWords(a, tc.set); got != tc.want {
			t.Errorf("paramWords(%b) = %q, want %q", tc.set, got, tc.want)
		}
	}
}
