package text

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func render(t *testing.T, r *rampart.Report, opt Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, opt); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.String()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		r    *rampart.Report
		opt  Options
	}{
		{"report", sample.Report(), Options{}},
		{"report-color", sample.Report(), Options{Color: true}},
		{"report-verbose", sample.Report(), Options{Verbose: true}},
		{"empty", sample.Empty(), Options{}},
		{"empty-color", sample.Empty(), Options{Color: true}},
		{"incomplete", sample.Incomplete(), Options{}},
		{"incomplete-color", sample.Incomplete(), Options{Color: true}},
		{"unhealthy", sample.Unhealthy(), Options{}},
		{"unhealthy-color", sample.Unhealthy(), Options{Color: true}},
		{"code-only", codeOnly(), Options{}},
		{"uncovered", sample.Uncovered(), Options{}},
		{"uncovered-color", sample.Uncovered(), Options{Color: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, tt.r, tt.opt)
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./report/text -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./report/text -update\n--- got\n%s", path, got)
			}
		})
	}
}

// codeOnly is a white-box run: no target, no requests, source locations.
func codeOnly() *rampart.Report {
	r := sample.Report()
	r.Target = ""
	r.Stats = rampart.Stats{}
	r.Operations = 0
	r.Identities = nil
	r.Fingerprint = rampart.Fingerprint{Framework: "Flask", Driver: "psycopg2"}
	r.Findings = []rampart.Finding{r.Findings[4]} // TXN-101, a source line only
	r.Errors, r.Skipped, r.Notes = nil, nil, nil
	r.Coverage = nil      // white-box runs have none
	r.InputWarnings = nil // nor documents to repair
	r.Score, r.Grade, r.Categories = 98, "A", nil
	return r
}

func TestEmptyReportSaysNoFindings(t *testing.T) {
	for _, findings := range [][]rampart.Finding{nil, {}} {
		r := sample.Empty()
		r.Findings = findings
		out := render(t, r, Options{})
		if !strings.Contains(out, "\nNo findings.\n") {
			t.Errorf("empty report does not say No findings:\n%s", out)
		}
	}
}

func TestIncompleteClosingLine(t *testing.T) {
	out := render(t, sample.Incomplete(), Options{})
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "Incomplete: interrupted") {
		t.Errorf("last line = %q, want it to start with Incomplete: interrupted", last)
	}
	if out := render(t, sample.Report(), Options{}); strings.Contains(out, "Incomplete") {
		t.Errorf("a complete report says Incomplete")
	}
}

func TestColorOnlyWhenAsked(t *testing.T) {
	r := sample.Report()
	if out := render(t, r, Options{Verbose: true}); strings.Contains(out, "\x1b") {
		t.Errorf("escape codes without Color")
	}
	if out := render(t, r, Options{Color: true}); !strings.Contains(out, "\x1b[1;31m[CRITICAL]\x1b[0m") {
		t.Errorf("no colour with Color")
	}
}

func TestVerboseAddsEvidence(t *testing.T) {
	r := sample.Report()
	quiet := render(t, r, Options{})
	loud := render(t, r, Options{Verbose: true})
	for _, s := range []string{"< HTTP/1.1 200 OK", "> GET /notes/7 HTTP/1.1", "more bytes", "AUTHZ-002, IDEM-001"} {
		if strings.Contains(quiet, s) {
			t.Errorf("non-verbose output contains %q", s)
		}
		if !strings.Contains(loud, s) {
			t.Errorf("verbose output lacks %q", s)
		}
	}
}

// The order of findings in the report must not change the text: checks run
// concurrently and report in any order.
func TestOrderIndependent(t *testing.T) {
	r := sample.Report()
	want := render(t, r, Options{Verbose: true})
	slices.Reverse(r.Findings)
	if got := render(t, r, Options{Verbose: true}); got != want {
		t.Errorf("output depends on the order of findings")
	}
}

func TestGroupedBySeverityThenConfidence(t *testing.T) {
	r := sample.Empty()
	mk := func(check string, s rampart.Severity, c rampart.Confidence) rampart.Finding {
		return rampart.Finding{Check: check, Family: rampart.FamilyBOLA, Title: check, Severity: s, Confidence: c}
	}
	r.Findings = []rampart.Finding{
		mk("L-TENT", rampart.Low, rampart.Tentative),
		mk("H-FIRM", rampart.High, rampart.Firm),
		mk("C-TENT", rampart.Critical, rampart.Tentative),
		mk("H-CONF", rampart.High, rampart.Confirmed),
		mk("C-CONF", rampart.Critical, rampart.Confirmed),
		mk("H-TENT", rampart.High, rampart.Tentative),
	}
	out := render(t, r, Options{})
	order := []string{"── Critical · 2", "C-CONF", "C-TENT", "── High · 3", "H-CONF", "H-FIRM", "H-TENT", "── Low · 1", "L-TENT"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, "] "+s)
		if strings.HasPrefix(s, "──") {
			i = strings.Index(out, s)
		}
		if i < 0 || i < last {
			t.Fatalf("%q missing or out of order in:\n%s", s, out)
		}
		last = i
	}
}

func TestSkippedGroupedByReason(t *testing.T) {
	r := sample.Empty()
	r.Skipped = []rampart.Skipped{
		{Check: "B", Reason: "no second identity"},
		{Check: "C", Reason: "needs --mode active"},
		{Check: "A", Reason: "needs --mode active"},
		{Check: "D", Reason: ""},
	}
	out := render(t, r, Options{Verbose: true})
	want := "Skipped\n" +
		"  2 checks skipped: needs --mode active\n" +
		"    A, C\n" +
		"  1 check skipped: no reason given\n" +
		"    D\n" +
		"  1 check skipped: no second identity\n" +
		"    B\n"
	if !strings.Contains(out, want) {
		t.Errorf("skipped section:\n%s\nwant:\n%s", out, want)
	}
}

// A hostile target controls messages and evidence; none of it may reach
// the terminal as a control sequence or forge a line of the report.
func TestHostileTextIsEscaped(t *testing.T) {
	r := sample.Empty()
	r.Target = "http://127.0.0.1:5000/\x1b]0;pwned\x07"
	r.Identities = []string{"eve\x1b[2J"}
	r.Findings = []rampart.Finding{{
		Check: "ERR-001", Family: rampart.FamilyErrorLeak, Severity: rampart.Medium, Confidence: rampart.Confirmed,
		Title:       "Leak\n[CRITICAL] Forged finding",
		Message:     "body said \x1b[2J\x1b[Hgone and \u202eevil\u202c and \u009b31m and \x9b",
		Location:    rampart.Location{Method: "GET", Path: "/x\r\ny"},
		Curl:        "curl http://127.0.0.1:5000/\x1b[1A",
		Remediation: "fix\x00it",
		Evidence:    []rampart.Evidence{{Response: "HTTP/1.1 200 OK\r\n\r\n\x1b[31mred\xff\xfe"}},
	}}
	for _, opt := range []Options{{}, {Color: true, Verbose: true}} {
		out := render(t, r, opt)
		plain := strings.ReplaceAll(out, "\x1b[0m", "")
		for _, code := range []string{sgrBold, sgrDim, sgrRed, sgrGreen, sgrYellow, sgrCyan, sgrBoldRed, sgrBoldYel} {
			plain = strings.ReplaceAll(plain, "\x1b["+code+"m", "")
		}
		for _, bad := range []string{"\x1b", "\x07", "\x00", "\r", "\u202e", "\u009b", "\xff"} {
			if strings.Contains(plain, bad) {
				t.Errorf("output (%+v) contains raw %q:\n%s", opt, bad, out)
			}
		}
		for _, l := range strings.Split(plain, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "[CRITICAL]") {
				t.Errorf("a newline in a title forged a line:\n%s", out)
			}
		}
		for _, want := range []string{`\x1b[2J`, `\u202e`, `\u009b31m and \x9b`, `fix\x00it`, `\xff\xfe`} {
			if strings.Contains(want, `\xff`) && !opt.Verbose {
				continue // evidence only in verbose
			}
			if !strings.Contains(out, want) {
				t.Errorf("output (%+v) lacks the escaped form %s:\n%s", opt, want, out)
			}
		}
	}
}

func TestStackLine(t *testing.T) {
	f := rampart.Fingerprint{Framework: "Flask", FrameworkVersion: "2.2.2", Server: "Werkzeug/2.2.2 Python/3.11.2", Database: "PostgreSQL"}
	if out := render(t, &rampart.Report{Mode: rampart.Safe, Fingerprint: f}, Options{}); !strings.Contains(out, "Flask 2.2.2 on Werkzeug 2.2.2 · PostgreSQL") {
		t.Errorf("no stack line:\n%s", out)
	}
	if out := render(t, sample.Empty(), Options{}); strings.Contains(out, "Stack") {
		t.Errorf("an unknown stack printed a Stack line")
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want []string
	}{
		{"", 10, []string{""}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"exactly ten", 11, []string{"exactly ten"}},
		{"a https://very-long.example/path/that/does/not/fit b", 10, []string{"a", "https://very-long.example/path/that/does/not/fit", "b"}},
		{"  spaced   out  ", 20, []string{"spaced out"}},
		{"héllo wörld ünïcode", 11, []string{"héllo wörld", "ünïcode"}},
	}
	for _, tt := range tests {
		if got := wrap(tt.in, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestWrappedKeepsCodeAndFitsWidth(t *testing.T) {
	var p printer
	p.wrapped("    ", "Fix: ", strings.Repeat("word ", 40)+"\n\n    code(stays, exactly,   as, it, is)\nmore")
	out := p.b.String()
	if !strings.Contains(out, "\n             code(stays, exactly,   as, it, is)\n") {
		t.Errorf("code line re-flowed:\n%s", out)
	}
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if len([]rune(l)) > width && !strings.Contains(l, "code(") {
			t.Errorf("line over %d columns: %q", width, l)
		}
	}
	if !strings.HasPrefix(out, "    Fix: word word") || !strings.Contains(out, "\n         word") {
		t.Errorf("label or hanging indent wrong:\n%s", out)
	}
}

func TestTruncate(t *testing.T) {
	short := "HTTP/1.1 200 OK\n\nok"
	if got, cut := truncate(short); got != short || cut != "" {
		t.Errorf("short evidence was cut: %q %q", got, cut)
	}
	long := strings.Repeat("é", maxEvidenceBytes) // 2 bytes each: the cut lands mid-rune
	got, cut := truncate(long)
	if len(got) > maxEvidenceBytes || !strings.HasPrefix(long, got) || !strings.Contains(cut, "more bytes") {
		t.Errorf("byte limit: kept %d bytes, note %q", len(got), cut)
	}
	if !strings.HasSuffix(got, "é") {
		t.Errorf("cut inside a rune")
	}
	lines := strings.Repeat("line\n", 100)
	got, cut = truncate(lines)
	if n := strings.Count(got, "\n"); n != maxEvidenceLines-1 {
		t.Errorf("line limit: kept %d newlines", n)
	}
	if want := "… " + strconv.Itoa(len(lines)-len(got)) + " more bytes"; !strings.HasPrefix(cut, want) {
		t.Errorf("note = %q, want prefix %q", cut, want)
	}
}

func TestDuration(t *testing.T) {
	tests := map[int64]string{
		-5: "0ms", 0: "0ms", 850: "850ms", 999: "999ms", 1000: "1s", 1049: "1s", 12_340: "12.3s",
		59_999: "59.9s", 60_000: "1m00s", 245_000: "4m05s", 3_600_000: "1h00m", 3_725_000: "1h02m",
	}
	for ms, want := range tests {
		if got := duration(ms); got != want {
			t.Errorf("duration(%d) = %q, want %q", ms, got, want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	if err := Write(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Errorf("nil report accepted")
	}
	if err := Write(failWriter{}, sample.Report(), Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error = %v, want the writer's", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSectionsAreSeparated(t *testing.T) {
	r := sample.Empty()
	r.Skipped = []rampart.Skipped{{Check: "RACE-001", Reason: "needs --mode active"}}
	out := render(t, r, Options{})
	if !strings.Contains(out, "\nNo findings.\n\nSkipped\n") {
		t.Errorf("sections run together:\n%s", out)
	}
}
