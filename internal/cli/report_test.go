package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/score"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// runCLI runs the command line with the report command present, whether or
// not the root command registers it yet, and reports errors as Execute does.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdout: &out, Stderr: &errb,
		Getenv:     func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
	}
	root := newRoot(env)
	if c, _, err := root.Find([]string{"report"}); err != nil || c == root {
		root.AddCommand(newReport(env))
	}
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(context.Background())
	if err != nil && Code(err) != ExitFindings && Code(err) != ExitInterrupted {
		msg := oneLine(err.Error())
		if !strings.HasPrefix(msg, "rampart:") {
			msg = "rampart: " + msg
		}
		fmt.Fprintln(env.Stderr, msg)
	}
	return Code(err), out.String(), errb.String()
}

// savedReport is a small black-box report with a critical, a medium and a
// tentative finding, as `scan -f json` would save it.
func savedReport(t *testing.T, dir string) (string, *rampart.Report) {
	t.Helper()
	mk := func(check string, fam rampart.Family, sev rampart.Severity, conf rampart.Confidence, loc rampart.Location, title string) rampart.Finding {
		f := rampart.Finding{Check: check, Family: fam, Title: title, Message: title + " on " + loc.String(),
			Severity: sev, Confidence: conf, CWE: "CWE-489", Location: loc, Curl: "curl -s " + loc.URL,
			Remediation: "Do not run `app.run(debug=True)`."}
		f.ID = f.Fingerprint()
		return f
	}
	rep := &rampart.Report{
		SchemaVersion: rampart.SchemaVersion,
		Tool:          rampart.Tool{Name: "rampart", Version: "test"},
		Target:        "http://127.0.0.1:5000",
		Mode:          rampart.Safe,
		Started:       time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC),
		DurationMS:    1500,
		Stats:         rampart.Stats{Requests: 42},
		Operations:    3,
		Findings: []rampart.Finding{
			mk("DEBUG-001", rampart.FamilyDebugExposure, rampart.Critical, rampart.Confirmed,
				rampart.Location{Method: "GET", Path: "/console", URL: "http://127.0.0.1:5000/console"}, "Werkzeug debugger exposed"),
			mk("CORS-001", rampart.FamilyCORS, rampart.Medium, rampart.Firm,
				rampart.Location{Method: "GET", Path: "/notes", URL: "http://127.0.0.1:5000/notes"}, "Any origin may read responses"),
			mk("HDR-001", rampart.FamilyHeaders, rampart.Low, rampart.Tentative,
				rampart.Location{Method: "GET", Path: "/", URL: "http://127.0.0.1:5000/"}, "Security headers missing"),
		},
		Skipped: []rampart.Skipped{{Check: "INV-002", Reason: "needs --mode active"}},
	}
	sc := score.Score(rep.Findings)
	rep.Score, rep.Grade, rep.Categories = sc.Score, sc.Grade, sc.Categories
	return writeJSON(t, filepath.Join(dir, "scan.json"), rep), rep
}

func writeJSON(t *testing.T, path string, rep *rampart.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := jsonreport.Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportConvertsToEveryFormat(t *testing.T) {
	dir := t.TempDir()
	in, _ := savedReport(t, dir)
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"text", func(t *testing.T, out string) {
			if !strings.Contains(out, "DEBUG-001") || !strings.Contains(out, "Werkzeug debugger exposed") {
				t.Errorf("text:\n%s", out)
			}
		}},
		{"json", func(t *testing.T, out string) {
			rep, err := jsonreport.Read(strings.NewReader(out))
			if err != nil || len(rep.Findings) != 3 {
				t.Errorf("json round trip: %v %v", err, rep)
			}
		}},
		{"sarif", func(t *testing.T, out string) {
			var l struct {
				Version string `json:"version"`
				Runs    []struct {
					Tool struct {
						Driver struct {
							Rules []struct {
								ID      string `json:"id"`
								HelpURI string `json:"helpUri"`
							} `json:"rules"`
						} `json:"driver"`
					} `json:"tool"`
					Results []json.RawMessage `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &l); err != nil || l.Version != "2.1.0" || len(l.Runs[0].Results) != 3 {
				t.Fatalf("sarif: %v\n%s", err, out)
			}
			// The real check metadata is used: DEBUG-001 links to its doc.
			for _, r := range l.Runs[0].Tool.Driver.Rules {
				if r.ID == "DEBUG-001" && !strings.HasSuffix(r.HelpURI, "docs/checks.md#debug-001") {
					t.Errorf("DEBUG-001 helpUri %q", r.HelpURI)
				}
			}
		}},
		{"html", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "<!doctype html>") || !strings.Contains(out, "Werkzeug debugger exposed") {
				t.Errorf("html:\n%.300s", out)
			}
		}},
		{"markdown", func(t *testing.T, out string) {
			if !strings.Contains(out, "### 🛡️ Rampart") || !strings.Contains(out, "| 🔴 critical |") {
				t.Errorf("markdown:\n%s", out)
			}
		}},
		{"md", func(t *testing.T, out string) {
			if !strings.Contains(out, "### 🛡️ Rampart") {
				t.Errorf("md alias:\n%s", out)
			}
		}},
		{"junit", func(t *testing.T, out string) {
			var doc struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
			}
			if err := xml.Unmarshal([]byte(out), &doc); err != nil || doc.Failures != 1 || doc.Tests < 4 {
				t.Errorf("junit: %v %+v\n%s", err, doc, out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			code, out, stderr := runCLI(t, "report", in, "-f", tt.format)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tt.check(t, out)
		})
	}
}

func TestReportOutputs(t *testing.T) {
	dir := t.TempDir()
	in, _ := savedReport(t, dir)

	// One -o per format, stdout for one of them.
	sarif := filepath.Join(dir, "out.sarif")
	code, out, stderr := runCLI(t, "report", in, "-f", "markdown,sarif", "-o", "-,"+sarif)
	if code != ExitOK || !strings.Contains(out, "Rampart") || !strings.Contains(stderr, "wrote sarif report to "+sarif) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if data, err := os.ReadFile(sarif); err != nil || !bytes.Contains(data, []byte(`"version": "2.1.0"`)) {
		t.Errorf("sarif file: %v", err)
	}

	// One directory for all formats, created when it ends with a slash.
	outDir := filepath.Join(dir, "reports") + "/"
	code, out, stderr = runCLI(t, "report", in, "-f", "text,json,sarif,html,markdown,junit", "-o", outDir)
	if code != ExitOK || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	for _, name := range []string{"rampart.txt", "rampart.json", "rampart.sarif", "rampart.html", "rampart.md", "rampart.junit.xml"} {
		if st, err := os.Stat(filepath.Join(outDir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	// An existing directory works without the slash.
	if code, _, stderr := runCLI(t, "report", in, "-f", "junit", "-o", strings.TrimSuffix(outDir, "/")); code != ExitOK {
		t.Errorf("existing directory: exit %d %s", code, stderr)
	}
}

func TestReportFailOn(t *testing.T) {
	dir := t.TempDir()
	in, _ := savedReport(t, dir)
	tests := []struct {
		args []string
		code int
	}{
		{nil, ExitOK}, // converting is not gating
		{[]string{"--fail-on", "critical"}, ExitFindings},
		{[]string{"--fail-on", "high"}, ExitFindings},
		{[]string{"--fail-on", "low"}, ExitFindings},
		{[]string{"--fail-on", "none"}, ExitOK},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"report", in, "-f", "json", "-o", filepath.Join(dir, "x.json")}, tt.args...)
			if code, _, stderr := runCLI(t, args...); code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, stderr)
			}
		})
	}
	// The only finding at or above low with a firm confidence... the
	// tentative HDR-001 never gates: with it alone, nothing fails.
	only := filepath.Join(dir, "tentative.json")
	_, rep := savedReport(t, t.TempDir())
	rep.Findings = rep.Findings[2:]
	writeJSON(t, only, rep)
	if code, _, _ := runCLI(t, "report", only, "-f", "json", "-o", filepath.Join(dir, "y.json"), "--fail-on", "info"); code != ExitOK {
		t.Errorf("a tentative finding gated: exit %d", code)
	}
	// --fail-on decides which JUnit test cases fail.
	for sev, want := range map[string]string{"critical": `failures="1"`, "medium": `failures="2"`, "none": `failures="0"`} {
		_, out, _ := runCLI(t, "report", in, "-f", "junit", "--fail-on", sev)
		if !strings.Contains(out, "<testsuites name=\"rampart\" tests=") || !strings.Contains(strings.SplitN(out, "\n", 3)[1], want) {
			t.Errorf("--fail-on %s: junit lacks %s:\n%.300s", sev, want, out)
		}
	}
}

// --min-coverage gates a saved report on its coverage, whatever --fail-on
// says, and says on stderr which percentage missed which threshold.
func TestReportMinCoverage(t *testing.T) {
	dir := t.TempDir()
	_, rep := savedReport(t, dir)
	rep.Coverage = &rampart.Coverage{Percent: 40, Tested: 4, Applicable: 10, Incomplete: true,
		Families: []rampart.FamilyCoverage{{Family: rampart.FamilyBOLA, Tested: 4, NotTested: 6}}}
	covered := writeJSON(t, filepath.Join(dir, "covered.json"), rep)
	_, old := savedReport(t, dir)
	uncovered := writeJSON(t, filepath.Join(dir, "uncovered.json"), old) // no coverage section
	tests := []struct {
		name string
		in   string
		args []string
		code int
		msg  string
	}{
		{"no gate", covered, nil, ExitOK, ""},
		{"zero is no gate", covered, []string{"--min-coverage", "0"}, ExitOK, ""},
		{"below", covered, []string{"--min-coverage", "41"}, ExitFindings, "coverage 40% (4 of 10 applicable operation × family cells tested) is below --min-coverage 41%"},
		{"below, findings not gated", covered, []string{"--min-coverage", "50", "--fail-on", "none"}, ExitFindings, "is below --min-coverage 50%"},
		{"at the threshold", covered, []string{"--min-coverage", "40"}, ExitOK, ""},
		{"above, findings gate still applies", covered, []string{"--min-coverage", "40", "--fail-on", "critical"}, ExitFindings, ""},
		{"report without coverage", uncovered, []string{"--min-coverage", "1"}, ExitFindings, "has no coverage"},
		{"report without coverage, no gate", uncovered, nil, ExitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"report", tt.in, "-f", "json", "-o", filepath.Join(dir, "x.json")}, tt.args...)
			code, _, stderr := runCLI(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			// The last line, after "wrote json report to …".
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1]
			if tt.msg != "" && (!strings.Contains(last, tt.msg) || !strings.HasPrefix(last, "rampart: ")) {
				t.Errorf("stderr should end with one 'rampart: ' line with %q, got:\n%s", tt.msg, stderr)
			}
			if tt.msg == "" && strings.Contains(stderr, "min-coverage") {
				t.Errorf("coverage gate spoke without failing: %s", stderr)
			}
		})
	}
}

func TestReportBaseline(t *testing.T) {
	dir := t.TempDir()
	in, rep := savedReport(t, dir)
	// The baseline knew the CORS finding, and one that has since been fixed.
	base := *rep
	base.Findings = []rampart.Finding{rep.Findings[1], {ID: "fixed-long-ago", Check: "X-001"}}
	basePath := writeJSON(t, filepath.Join(dir, "base.json"), &base)
	code, out, stderr := runCLI(t, "report", in, "-f", "json", "--baseline", basePath)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "rampart: 1 findings suppressed by the baseline "+basePath) {
		t.Errorf("stderr does not say what was suppressed: %q", stderr)
	}
	got, err := jsonreport.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 2 || got.Findings[0].Check != "DEBUG-001" || got.Findings[1].Check != "HDR-001" {
		t.Errorf("findings after the baseline: %+v", got.Findings)
	}
	if len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "1 findings that the baseline base.json already had") {
		t.Errorf("notes %q", got.Notes)
	}
	// A baseline that is the same report leaves nothing, and gates nothing.
	if code, out, _ := runCLI(t, "report", in, "-f", "markdown", "--baseline", in, "--fail-on", "info"); code != ExitOK || !strings.Contains(out, "No findings") {
		t.Errorf("same baseline: exit %d\n%s", code, out)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	in, _ := savedReport(t, dir)
	notJSON := filepath.Join(dir, "page.html")
	os.WriteFile(notJSON, []byte("<html>not a report</html>"), 0o644)
	future := filepath.Join(dir, "future.json")
	os.WriteFile(future, []byte(`{"schemaVersion": "9.0", "findings": []}`), 0o644)
	readOnly := filepath.Join(dir, "ro")
	os.Mkdir(readOnly, 0o555)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing file", []string{"report", filepath.Join(dir, "nope.json")}, ExitUsage, "no such file"},
		{"not JSON", []string{"report", notJSON}, ExitUsage, "not a Rampart JSON report"},
		{"future version", []string{"report", future}, ExitUsage, "unsupported report schemaVersion"},
		{"a directory", []string{"report", dir}, ExitUsage, "is a directory"},
		{"unknown format", []string{"report", in, "-f", "pdf"}, ExitUsage, `--format "pdf": want one of text, json, sarif, html, markdown, junit`},
		{"no file", []string{"report"}, ExitUsage, "report takes one JSON report file, got 0"},
		{"two files", []string{"report", in, in}, ExitUsage, "got 2"},
		{"two formats to stdout", []string{"report", in, "-f", "text,html"}, ExitUsage, "more than one format would go to stdout"},
		{"outputs mismatch", []string{"report", in, "-f", "text,html,json", "-o", "a,b"}, ExitUsage, "3 formats but 2 outputs"},
		{"bad fail-on", []string{"report", in, "--fail-on", "severe"}, ExitUsage, "--fail-on"},
		{"min-coverage over 100", []string{"report", in, "--min-coverage", "101"}, ExitUsage, "--min-coverage 101: want a percentage from 0 to 100"},
		{"min-coverage negative", []string{"report", in, "--min-coverage", "-1"}, ExitUsage, "--min-coverage -1: want a percentage from 0 to 100"},
		{"min-coverage not a number", []string{"report", in, "--min-coverage", "50%"}, ExitUsage, "--min-coverage"},
		{"missing baseline", []string{"report", in, "--baseline", filepath.Join(dir, "nope.json")}, ExitUsage, "--baseline"},
		{"bad baseline", []string{"report", in, "--baseline", notJSON}, ExitUsage, "--baseline"},
		{"unknown flag", []string{"report", in, "--bogus"}, ExitUsage, "unknown flag: --bogus"},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		tests = append(tests, struct {
			name string
			args []string
			code int
			msg  string
		}{"unwritable output", []string{"report", in, "-f", "json", "-o", filepath.Join(readOnly, "x.json")}, ExitUsage, "output"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(stderr, tt.msg) || !strings.HasPrefix(stderr, "rampart: ") {
				t.Errorf("stderr should be one 'rampart: ' line with %q, got:\n%s", tt.msg, stderr)
			}
			if stdout != "" {
				t.Errorf("wrote to stdout on a usage error: %q", stdout)
			}
		})
	}
}

// The report command reads what scan writes.
func TestScanThenReport(t *testing.T) {
	srv := target(t)
	dir := t.TempDir()
	saved := filepath.Join(dir, "scan.json")
	if code, _, stderr := run(t, nil, "scan", srv.URL, "-f", "json", "-o", saved, "--fail-on", "none"); code != ExitOK {
		t.Fatalf("scan: exit %d %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "report", saved, "-f", "sarif")
	if code != ExitOK || !strings.Contains(out, `"ruleId": "DEBUG-001"`) {
		t.Errorf("exit %d %s\n%s", code, stderr, out)
	}
}

func TestWriteFormat(t *testing.T) {
	_, rep := savedReport(t, t.TempDir())
	for _, f := range reportFormats {
		var buf bytes.Buffer
		if err := writeFormat(&buf, f, rep, writeOptions{FailOn: rampart.High}); err != nil || buf.Len() == 0 {
			t.Errorf("%s: %v (%d bytes)", f, err, buf.Len())
		}
	}
	if err := writeFormat(io.Discard, "pdf", rep, writeOptions{}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestPairFormatOutputs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		formats, outputs []string
		want             string // format=path,...
		err              string
	}{
		{nil, nil, "text=", ""},
		{[]string{"TEXT", "Json"}, []string{"-", "r.json"}, "text=-,json=r.json", ""},
		{[]string{"text,json"}, []string{"-,r.json"}, "text=-,json=r.json", ""},
		{[]string{"md", "xml"}, []string{dir}, "markdown=" + filepath.Join(dir, "rampart.md") + ",junit=" + filepath.Join(dir, "rampart.junit.xml"), ""},
		{[]string{"sarif"}, []string{"out/"}, "sarif=out/rampart.sarif", ""},
		{[]string{"json", "json"}, []string{dir}, "", "given twice"},
		{[]string{"pdf"}, nil, "", "want one of"},
		{[]string{"text", "json"}, nil, "", "more than one format"},
		{[]string{"text", "json"}, []string{"a.txt"}, "", "2 formats but 1 outputs"},
		{[]string{"json", "sarif"}, []string{"r.out", "r.out"}, "", "-o r.out is given for both json and sarif"},
		{[]string{"json", "sarif"}, []string{"r.out", "./r.out"}, "", "given for both"},
		{[]string{"json", "sarif"}, []string{filepath.Join(dir, "r.out"), filepath.Join(dir, "..", filepath.Base(dir), "r.out")}, "", "given for both"},
		{[]string{"json", "json"}, []string{"a.json", "b.json"}, "json=a.json,json=b.json", ""},
		{[]string{"text", "json"}, []string{"-", "-"}, "", "more than one format"},
	}
	for _, tt := range tests {
		outs, err := pairFormatOutputs(tt.formats, tt.outputs)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v %v: error %v, want %q", tt.formats, tt.outputs, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v %v: %v", tt.formats, tt.outputs, err)
			continue
		}
		var got []string
		for _, o := range outs {
			got = append(got, o.format+"="+o.path)
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("%v %v: %s, want %s", tt.formats, tt.outputs, strings.Join(got, ","), tt.want)
		}
	}
}
