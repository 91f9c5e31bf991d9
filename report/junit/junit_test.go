package junit

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// rules stands for the checks a scan selected: some found something in the
// sample, HDR-002 and CORS-002 did not, SESS-002 was skipped, SQLI-003
// errored, PY-SQLI-001 is a code rule.
var rules = []rampart.Meta{
	{ID: "AUTHZ-001", Family: rampart.FamilyBOLA, Kind: rampart.KindRuntime, Doc: "docs/checks.md#authz-001"},
	{ID: "DEBUG-001", Family: rampart.FamilyDebugExposure, Kind: rampart.KindRuntime},
	{ID: "SQLI-001", Family: rampart.FamilySQLi, Kind: rampart.KindRuntime},
	{ID: "SQLI-003", Family: rampart.FamilySQLi, Kind: rampart.KindRuntime},
	{ID: "HDR-001", Family: rampart.FamilyHeaders, Kind: rampart.KindRuntime},
	{ID: "HDR-002", Family: rampart.FamilyHeaders, Kind: rampart.KindRuntime},
	{ID: "CORS-002", Family: rampart.FamilyCORS, Kind: rampart.KindRuntime},
	{ID: "SESS-002", Family: rampart.FamilySessionExposure, Kind: rampart.KindRuntime},
	{ID: "PY-SQLI-001", Family: rampart.FamilySQLi, Kind: rampart.KindCode},
}

func render(t *testing.T, r *rampart.Report, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, opt); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func parse(t *testing.T, data []byte) testsuites {
	t.Helper()
	var doc testsuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, data)
	}
	return doc
}

func TestGolden(t *testing.T) {
	for name, tc := range map[string]struct {
		r   *rampart.Report
		opt Options
	}{
		"report":              {sample.Report(), Options{FailOn: rampart.High, Rules: rules}},
		"report-fail-on-none": {sample.Report(), Options{Never: true, Rules: rules}},
		"empty":               {sample.Empty(), Options{FailOn: rampart.High, Rules: rules}},
		"incomplete":          {sample.Incomplete(), Options{FailOn: rampart.Medium}},
		"uncovered":           {sample.Uncovered(), Options{FailOn: rampart.High, Rules: rules}},
	} {
		t.Run(name, func(t *testing.T) {
			got := render(t, tc.r, tc.opt)
			path := filepath.Join("testdata", name+".golden.xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./report/junit -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./report/junit -update\n--- got\n%s", path, got)
			}
		})
	}
}

type outcome struct {
	classname, name, result string // result: pass, fail, error, skip
}

func outcomes(doc testsuites) map[string][]outcome {
	m := map[string][]outcome{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			res := "pass"
			switch {
			case c.Failure != nil:
				res = "fail"
			case c.Error != nil:
				res = "error"
			case c.Skipped != nil:
				res = "skip"
			}
			m[s.Name] = append(m[s.Name], outcome{c.Classname, c.Name, res})
		}
	}
	return m
}

func TestStructure(t *testing.T) {
	doc := parse(t, render(t, sample.Report(), Options{FailOn: rampart.High, Rules: rules}))
	got := outcomes(doc)
	// Each family of the coverage has a case: it passes when the family
	// tested every operation it applies to, and is skipped otherwise.
	want := map[string][]outcome{
		"rampart":          {{"rampart", "scan", "pass"}, {"rampart", "input", "pass"}},
		"bola":             {{"AUTHZ-001", "GET /notes/{note_id} [note_id]", "fail"}, {"coverage", "bola", "skip"}},
		"missing-auth":     {{"coverage", "missing-auth", "pass"}},
		"mass-assignment":  {{"MASS-001", "PATCH /users/{user_id} [role]", "fail"}, {"coverage", "mass-assignment", "skip"}},
		"sqli":             {{"SQLI-001", "GET /search [q]", "fail"}, {"PY-SQLI-001", "all files", "pass"}, {"SQLI-003", "GET /search", "error"}, {"coverage", "sqli", "skip"}},
		"txn-boundary":     {{"TXN-101", "app.py:133", "pass"}}, // medium and tentative
		"debug-exposure":   {{"DEBUG-001", "GET /console", "fail"}},
		"error-leak":       {{"coverage", "error-leak", "pass"}},
		"session-exposure": {{"SESS-002", "all operations", "skip"}},
		// The sample lists LEAK-001 and TXN-002 as the checks that ran
		// (Report.Checks): CORS-002 and HDR-002 did not, so they are absent.
		"cors":        {{"CORS-001", "GET /notes", "pass"}},
		"headers":     {{"HDR-001", "GET /", "pass"}, {"coverage", "headers", "pass"}},
		"rate-limit":  {{"coverage", "rate-limit", "skip"}},
		"fingerprint": {{"FP-001", "GET /", "pass"}},
		// Skipped checks without metadata have no known family.
		"other": {{"LEAK-001", "all operations", "pass"}, {"TXN-002", "all operations", "pass"},
			{"AUTHZ-002", "all operations", "skip"}, {"IDEM-001", "all operations", "skip"},
			{"MASS-002", "all operations", "skip"}, {"RACE-001", "all operations", "skip"}, {"RACE-002", "all operations", "skip"}},
	}
	for suite, cases := range want {
		if g := got[suite]; !equal(g, cases) {
			t.Errorf("suite %s:\n got %v\nwant %v", suite, g, cases)
		}
	}
	for suite := range got {
		if _, ok := want[suite]; !ok {
			t.Errorf("unexpected suite %s: %v", suite, got[suite])
		}
	}
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "rampart,bola,missing-auth,mass-assignment,sqli,txn-boundary,debug-exposure,error-leak,session-exposure,cors,headers,rate-limit,fingerprint,other" {
		t.Errorf("suite order %v", names)
	}
	if doc.Tests != 27 || doc.Failures != 4 || doc.Errors != 1 || doc.Skipped != 10 {
		t.Errorf("totals tests=%d failures=%d errors=%d skipped=%d", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
}

func equal(a, b []outcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func failures(t *testing.T, r *rampart.Report, opt Options) []string {
	var out []string
	for _, s := range parse(t, render(t, r, opt)).Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				out = append(out, c.Classname)
			}
		}
	}
	return out
}

func TestFailOn(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"critical", Options{FailOn: rampart.Critical}, "AUTHZ-001,DEBUG-001"},
		{"high", Options{FailOn: rampart.High}, "SQLI-001,AUTHZ-001,DEBUG-001,MASS-001"},
		{"medium ignores tentative", Options{FailOn: rampart.Medium}, "SQLI-001,AUTHZ-001,DEBUG-001,MASS-001,CORS-001"},
		{"medium with tentative", Options{FailOn: rampart.Medium, IncludeTentative: true}, "SQLI-001,AUTHZ-001,DEBUG-001,MASS-001,TXN-101,CORS-001"},
		{"info", Options{FailOn: rampart.Info}, "SQLI-001,AUTHZ-001,DEBUG-001,MASS-001,HDR-001,CORS-001,FP-001"},
		{"confirmed only", Options{FailOn: rampart.Info, MinConfidence: rampart.Confirmed}, "SQLI-001,AUTHZ-001,DEBUG-001,HDR-001,FP-001"},
		{"none", Options{FailOn: rampart.Info, Never: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := failures(t, sample.Report(), tt.opt)
			// Compare as sets: suites order them by family.
			if !sameSet(got, strings.Split(tt.want, ",")) {
				t.Errorf("failing %v, want %s", got, tt.want)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		if s != "" {
			m[s]--
		}
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestFailureContent(t *testing.T) {
	doc := parse(t, render(t, sample.Report(), Options{FailOn: rampart.High, Rules: rules}))
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Classname != "AUTHZ-001" {
				continue
			}
			f := c.Failure
			if f == nil || f.Type != "critical" || f.Message != "critical: Another identity can read an object (BOLA)" {
				t.Fatalf("failure %+v", f)
			}
			for _, want := range []string{
				"bob read note 7", "Confidence:  confirmed", "CWE:         CWE-639",
				"Docs:        https://github.com/rampart-sec/rampart/blob/main/docs/checks.md#authz-001",
				"Reproduce:\n  curl -s -H \"Authorization: $BOB_AUTHORIZATION\" http://127.0.0.1:5000/notes/7",
				"Fix:\n  Filter by the caller", "Related:     app.py:42: SELECT ... WHERE id = %s has no owner condition",
			} {
				if !strings.Contains(f.Body, want) {
					t.Errorf("failure body lacks %q:\n%s", want, f.Body)
				}
			}
			if c.File != "app.py" || c.Line != 42 {
				t.Errorf("file/line %q %d", c.File, c.Line)
			}
			return
		}
	}
	t.Fatal("no AUTHZ-001 test case")
}

// Passing test cases stand for checks that ran: runtime checks when there
// is a target, code rules when there is a source.
func TestWhatRan(t *testing.T) {
	passing := func(r *rampart.Report) []string {
		var out []string
		for _, s := range parse(t, render(t, r, Options{FailOn: rampart.High, Rules: rules})).Suites {
			for _, c := range s.Cases {
				if c.Name == AllOperations || c.Name == AllFiles {
					if c.Failure == nil && c.Error == nil && c.Skipped == nil {
						out = append(out, c.Classname+" "+c.Name)
					}
				}
			}
		}
		return out
	}
	blackbox := sample.Empty()
	code := sample.Empty()
	code.Target, code.Source = "", "app/"
	both := sample.Empty()
	both.Source = "app/"
	listed := sample.Empty()
	listed.Source = "app/"
	listed.Checks = []rampart.CheckRun{{Check: "HDR-002", Units: 3, Requests: 3, MaxUnitRequests: 1}, {Check: "NEW-001", Units: 1}}
	for name, tt := range map[string]struct {
		r    *rampart.Report
		want []string
	}{
		"black-box": {blackbox, []string{"AUTHZ-001 all operations", "DEBUG-001 all operations", "SQLI-001 all operations",
			"SQLI-003 all operations", "HDR-001 all operations", "HDR-002 all operations", "CORS-002 all operations", "SESS-002 all operations"}},
		"white-box": {code, []string{"PY-SQLI-001 all files"}},
		"both": {both, []string{"AUTHZ-001 all operations", "DEBUG-001 all operations", "SQLI-001 all operations",
			"SQLI-003 all operations", "PY-SQLI-001 all files", "HDR-001 all operations", "HDR-002 all operations",
			"CORS-002 all operations", "SESS-002 all operations"}},
		// A report that lists the checks it ran is believed.
		"listed": {listed, []string{"HDR-002 all operations", "NEW-001 all operations", "PY-SQLI-001 all files"}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := passing(tt.r); !sameSet(got, tt.want) {
				t.Errorf("passing %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckRunSummary(t *testing.T) {
	r := sample.Empty()
	r.Checks = []rampart.CheckRun{{Check: "TXN-002", Units: 14, Requests: 38, MaxUnitRequests: 24, Budget: 24, OverBudget: 2,
		DurationMS: 2315, MaxUnitMS: 600}}
	out := string(render(t, r, Options{}))
	if !strings.Contains(out, "<testcase classname=\"TXN-002\" name=\"all operations\" time=\"2.315\"") ||
		!strings.Contains(out, "Ran on 14 operations and sent 38 requests (at most 24 for one operation; budget 24), in 2.315s (0.600s for the slowest operation). 2 operations reached the budget") {
		t.Errorf("check run not shown:\n%s", out)
	}
}

func TestScanCase(t *testing.T) {
	doc := parse(t, render(t, sample.Incomplete(), Options{FailOn: rampart.High}))
	scan := doc.Suites[0].Cases[0]
	if doc.Suites[0].Name != "rampart" || scan.Name != "scan" || scan.Error == nil || scan.Error.Type != "interrupted" {
		t.Errorf("an interrupted scan must error: %+v", scan)
	}
	if doc.Suites[0].Properties == nil || len(doc.Suites[0].Properties.Props) == 0 {
		t.Errorf("no properties")
	}
	doc = parse(t, render(t, sample.Empty(), Options{FailOn: rampart.High}))
	if doc.Tests != 1 || doc.Suites[0].Cases[0].Error != nil {
		t.Errorf("an empty report is one passing test: %+v", doc)
	}
}

func TestDuplicateNamesAreNumbered(t *testing.T) {
	r := sample.Empty()
	f := rampart.Finding{ID: "a", Check: "LEAK-002", Family: rampart.FamilyDataExposure, Severity: rampart.High, Confidence: rampart.Firm,
		Location: rampart.Location{Method: "GET", Path: "/users"}}
	g := f
	g.ID, g.Key = "b", "second secret"
	r.Findings = []rampart.Finding{f, g}
	var names []string
	for _, s := range parse(t, render(t, r, Options{})).Suites {
		for _, c := range s.Cases {
			if c.Classname == "LEAK-002" {
				names = append(names, c.Name)
			}
		}
	}
	if strings.Join(names, "|") != "GET /users|GET /users #2" {
		t.Errorf("names %v", names)
	}
}

func TestHostileInput(t *testing.T) {
	r := sample.Empty()
	r.Findings = []rampart.Finding{{
		ID: "x", Check: `X"<&>`, Title: "]]><script>\x00\x1b[31m", Message: "a\x07b </failure><injected/> \uFFFE",
		Severity: rampart.Critical, Confidence: rampart.Confirmed, Location: rampart.Location{Method: "GET", Path: `/"a'<b>`},
		Remediation: "\x0c",
	}}
	out := render(t, r, Options{})
	doc := parse(t, out)
	if bytes.Contains(out, []byte("<injected/>")) || bytes.Contains(out, []byte("<script>")) || bytes.Contains(out, []byte("]]>")) {
		t.Errorf("markup from the target was not escaped:\n%s", out)
	}
	if bytes.ContainsAny(out, "\x00\x07\x1b\x0c") {
		t.Errorf("control characters in XML:\n%q", out)
	}
	if doc.Failures != 1 {
		t.Errorf("failures %d", doc.Failures)
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
