package markdown

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// rules is fixed metadata so that golden files do not follow every change
// of a check's wording; MASS-001 and others have none on purpose.
var rules = []rampart.Meta{
	{ID: "AUTHZ-001", Family: rampart.FamilyBOLA, Title: "Another identity can read an object", Doc: "docs/checks.md#authz-001"},
	{ID: "DEBUG-001", Family: rampart.FamilyDebugExposure, Title: "Werkzeug debugger exposed", Doc: "docs/checks.md#debug-001"},
	{ID: "SQLI-001", Family: rampart.FamilySQLi, Title: "SQL injection", Doc: "docs/checks.md#sqli-001"},
	{ID: "HDR-001", Family: rampart.FamilyHeaders, Title: "Security headers missing", Doc: "docs/checks.md#hdr-001"},
}

func render(t *testing.T, r *rampart.Report, opt Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, opt); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.String()
}

func TestGolden(t *testing.T) {
	for name, r := range map[string]*rampart.Report{
		"report":     sample.Report(),
		"empty":      sample.Empty(),
		"incomplete": sample.Incomplete(),
		"unhealthy":  sample.Unhealthy(),
		"uncovered":  sample.Uncovered(),
	} {
		t.Run(name, func(t *testing.T) {
			got := []byte(render(t, r, Options{Rules: rules}))
			path := filepath.Join("testdata", name+".golden.md")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./report/markdown -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./report/markdown -update\n--- got\n%s", path, got)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	out := render(t, sample.Report(), Options{})
	for _, want := range []string{
		"### 🛡️ Rampart · grade F · 0/100",
		"**8 findings:** 🔴 2 critical · 🟠 2 high · 🟡 2 medium · 🔵 1 low · ⚪ 1 info",
		"target `http://127.0.0.1:5000` · source `testbed/vulnerable` · safe mode · 1234 requests · 12.3 s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("header lacks %q:\n%s", want, out[:min(len(out), 600)])
		}
	}
	if out := render(t, sample.Empty(), Options{}); !strings.Contains(out, "**No findings.**") || strings.Contains(out, "| Severity |") {
		t.Errorf("empty report:\n%s", out)
	}
	if out := render(t, sample.Incomplete(), Options{}); !strings.Contains(out, "interrupted") {
		t.Errorf("incomplete report does not say so:\n%s", out)
	}
}

// unescapedPipes counts the | that split a table row.
func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == '|' {
			n++
		}
	}
	return n
}

// tableRows is the rows of the findings table (the coverage has tables
// of its own).
func tableRows(out string) []string {
	var rows []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "| Severity"):
			in = true
		case in && strings.HasPrefix(l, "| "):
			rows = append(rows, l)
		case in && !strings.HasPrefix(l, "|---"):
			in = false
		}
	}
	return rows
}

func TestTable(t *testing.T) {
	out := render(t, sample.Report(), Options{Rules: rules})
	rows := tableRows(out)
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8:\n%s", len(rows), out)
	}
	// Worst first.
	if !strings.HasPrefix(rows[0], "| 🔴 critical | [`AUTHZ-001`](https://github.com/rampart-sec/rampart/blob/main/docs/checks.md#authz-001) | `GET /notes/{note_id}` (`note_id`) · `app.py:42` |") {
		t.Errorf("first row %q", rows[0])
	}
	if !strings.HasPrefix(rows[7], "| ⚪ info | `FP-001` |") {
		t.Errorf("last row %q", rows[7])
	}
	if !strings.Contains(out, "Transaction without retry on serialization failure _(tentative)_") {
		t.Errorf("tentative findings are not marked")
	}
	for _, r := range rows {
		if n := unescapedPipes(r); n != 5 {
			t.Errorf("row has %d cell separators, want 5: %s", n, r)
		}
	}
}

func TestDetails(t *testing.T) {
	out := render(t, sample.Report(), Options{Rules: rules})
	// One block per finding, and one for the coverage matrix.
	if n := strings.Count(out, "<details>") - 1; n != 8 || strings.Count(out, "</details>") != 9 || !strings.Contains(out, "<summary>Coverage matrix") {
		t.Fatalf("%d details blocks, want 8", n)
	}
	for _, want := range []string{
		"<summary>🔴 <b>AUTHZ-001</b> Another identity can read an object (BOLA) — <code>GET /notes/{note_id}</code></summary>",
		"```sh\ncurl -s -H \"Authorization: $BOB_AUTHORIZATION\" http://127.0.0.1:5000/notes/7\n```",
		"**CWE** [CWE-639](https://cwe.mitre.org/data/definitions/639.html)",
		// Remediation code stays code.
		"```\ncur.execute(\"SELECT id, title FROM notes WHERE title LIKE %s\", (pattern,))\n```",
		"- `app.py:42`: SELECT ... WHERE id = %s has no owner condition",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("details lack %q", want)
		}
	}
}

func TestFooter(t *testing.T) {
	out := render(t, sample.Report(), Options{})
	for _, want := range []string{
		"⚠️ 1 check could not run or lost answers:\n- `SQLI-003` on `GET /search`: time-based probe: context deadline exceeded after 10s",
		"⏭️ 6 checks skipped: needs --mode active (`AUTHZ-002`, `IDEM-001`, `RACE-001`, `RACE-002`, `MASS-002`); no session cookie seen (`SESS-002`).",
		"ℹ️ 3 requests to http://cdn.example were refused: out of scope",
		"<sub>Rampart 0.1.0 · [how the grade is computed](https://github.com/rampart-sec/rampart/blob/main/docs/scoring.md)</sub>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("footer lacks %q:\n%s", want, out[strings.LastIndex(out, "</details>"):])
		}
	}
}

func many(n int) *rampart.Report {
	r := sample.Report()
	base := r.Findings[0]
	r.Findings = nil
	for i := range n {
		f := base
		f.Location.Path = fmt.Sprintf("/search/%04d", i)
		f.ID = fmt.Sprintf("F-%04d", i)
		r.Findings = append(r.Findings, f)
	}
	return r
}

func TestTruncation(t *testing.T) {
	tests := []struct {
		name     string
		n, max   int
		wantMore string
		rows     int // -1: fewer than n
	}{
		{"fits", 8, 0, "", 8},
		{"details cut", 100, 0, "_Details of ", 100},
		{"rows cut", 2000, 0, " more in the full report._", -1},
		{"small cap", 50, 3000, " more in the full report._", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, many(tt.n), Options{MaxLen: tt.max})
			limit := tt.max
			if limit == 0 {
				limit = DefaultMaxLen
			}
			if utf8.RuneCountInString(out) > limit {
				t.Errorf("%d characters, over the cap %d", utf8.RuneCountInString(out), limit)
			}
			rows := len(tableRows(out))
			if tt.rows >= 0 && rows != tt.rows {
				t.Errorf("%d rows, want %d", rows, tt.rows)
			}
			if tt.rows < 0 && rows >= tt.n {
				t.Errorf("all %d rows kept over the cap", rows)
			}
			if tt.wantMore == "" {
				if strings.Contains(out, "in the full report") {
					t.Errorf("says findings are missing when none are")
				}
			} else if !strings.Contains(out, tt.wantMore) {
				t.Errorf("does not say what was left out (%q)", tt.wantMore)
			}
			if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
				t.Errorf("unbalanced details blocks")
			}
			if !strings.Contains(out, "</sub>") {
				t.Errorf("footer lost")
			}
			// The count said is the count left out.
			if m := regexp.MustCompile(`_(\d+) findings? more in the full report\._`).FindStringSubmatch(out); m != nil {
				if want := fmt.Sprint(tt.n - rows); m[1] != want {
					t.Errorf("says %s more, %s were left out", m[1], want)
				}
			}
		})
	}
}

func hostile() *rampart.Report {
	r := sample.Empty()
	r.Target = "http://h`ost|x"
	r.Findings = []rampart.Finding{{
		ID: "X", Check: "LEAK-001|x", Family: rampart.FamilyErrorLeak, Severity: rampart.High, Confidence: rampart.Firm,
		Title:       "<img src=x onerror=alert(1)> [click](javascript:alert(1)) ![i](http://evil/p.png) @octocat | cell",
		Message:     "Body: <script>alert(1)</script> **bold** `x` ``` fence\n# heading\n1. list @admin team@example.com",
		Location:    rampart.Location{Method: "GET", Path: "/a|b/`c`", File: "x|y.py", Line: 1},
		Curl:        "curl 'http://h/```\n<b>'",
		Remediation: "Use `a|b` then\n\n    ```\n    not a fence\n\n- minus",
		Related:     []rampart.Related{{Location: rampart.Location{Path: "/r"}, Note: "[x](http://evil)"}},
	}}
	r.Errors = []rampart.CheckError{{Check: "E", Error: "<iframe src=http://evil>"}}
	r.Notes = []string{"@everyone look"}
	return r
}

func TestHostileInputIsInert(t *testing.T) {
	out := render(t, hostile(), Options{})
	for _, bad := range []string{
		"<img", "<script", "<iframe", "](javascript:", "![i](", "[click](", "[x](http://evil)",
		"@octocat", "@admin", "@everyone", "\n# heading",
	} {
		if unescaped(out, bad) {
			t.Errorf("hostile %q survived:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "team@example.com") {
		t.Errorf("an e-mail address was mangled")
	}
	for _, r := range tableRows(out) {
		if n := unescapedPipes(r); n != 5 {
			t.Errorf("row has %d cell separators, want 5: %s", n, r)
		}
	}
	// The curl line's ``` cannot close its fence: the fence is longer.
	if !strings.Contains(out, "````sh\ncurl 'http://h/```\n<b>'\n````") {
		t.Errorf("curl fence can be broken out of:\n%s", out)
	}
}

// unescaped reports whether s occurs in out without a backslash escaping
// its first character (an escaped "\\](" is inert text).
func unescaped(out, s string) bool {
	for i := 0; ; {
		j := strings.Index(out[i:], s)
		if j < 0 {
			return false
		}
		if k := i + j; k == 0 || out[k-1] != '\\' {
			return true
		}
		i += j + 1
	}
}

func TestRich(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Plain *text*.", "Plain \\*text\\*.\n\n"},
		{"Use `cur.execute(q, (x,))` here.", "Use `cur.execute(q, (x,))` here.\n\n"},
		{"One\nparagraph\n\nTwo", "One paragraph\n\nTwo\n\n"},
		{"Do this:\n\n    x = 1\n    y = 2\n\nDone.", "Do this:\n\n```\nx = 1\ny = 2\n```\n\nDone.\n\n"},
		{"```python\nprint(1)\n```", "```python\nprint(1)\n```\n\n"},
		{"a ` lone backtick", "a \\` lone backtick\n\n"},
		{"1. not a list", "1\\. not a list\n\n"},
		{"- not a list", "\\- not a list\n\n"},
		{"Code:\n\n    ```\n    x\n\nAfter", "Code:\n\n````\n```\nx\n````\n\nAfter\n\n"},
	}
	for _, tt := range tests {
		if got := rich(tt.in); got != tt.want {
			t.Errorf("rich(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCode(t *testing.T) {
	tests := []struct {
		in      string
		inTable bool
		want    string
	}{
		{"GET /x", false, "`GET /x`"},
		{"a`b", false, "``a`b``"},
		{"`a", false, "`` `a ``"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := code(tt.in, tt.inTable); got != tt.want {
			t.Errorf("code(%q, %v) = %q, want %q", tt.in, tt.inTable, got, tt.want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	if err := Write(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("nil report accepted")
	}
	if err := Write(failWriter{}, sample.Report(), Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("writer error = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// A fix the findings of one check share is printed once; what differs is
// printed for each.
func TestFixOncePerCheck(t *testing.T) {
	r := sample.Empty()
	const shared = "Give the application's role only the privileges it needs."
	for _, param := range []string{"q", "name", "sort"} {
		r.Findings = append(r.Findings, rampart.Finding{
			ID: "SQLI-001-" + param, Check: "SQLI-001", Family: rampart.FamilySQLi, Title: "SQL injection",
			Severity: rampart.Critical, Confidence: rampart.Confirmed, Message: param + " is injectable.",
			Location:    rampart.Location{Method: "GET", Path: "/search", Param: param},
			Remediation: "Send " + param + " as a bound parameter.\n" + shared,
		})
	}
	out := render(t, r, Options{})
	if n := strings.Count(out, shared); n != 1 {
		t.Errorf("shared paragraph printed %d times, want once:\n%s", n, out)
	}
	for _, want := range []string{"Send q as a bound parameter.", "Send name as a bound parameter.", "Send sort as a bound parameter."} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "And as for SQLI-001 above."); n != 2 {
		t.Errorf("%d references to the fix above, want 2:\n%s", n, out)
	}
}
