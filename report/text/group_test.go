package text

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// manyOfOneCheck is a report whose checks found several flaws each, with
// fixes that share some paragraphs and differ in others.
func manyOfOneCheck() *rampart.Report {
	r := sample.Empty()
	const shared = "Give the application's role only the privileges it needs."
	sqli := func(path, param, msg string) rampart.Finding {
		return rampart.Finding{
			ID: "SQLI-001-" + param, Check: "SQLI-001", Family: rampart.FamilySQLi, Title: "SQL injection",
			Severity: rampart.Critical, Confidence: rampart.Confirmed, Message: msg,
			Location:    rampart.Location{Method: "GET", Path: path, Param: param},
			Curl:        "curl -i 'http://127.0.0.1:5001" + path + "'",
			Remediation: "Send " + param + " as a bound parameter.\n" + shared,
		}
	}
	leak := func(path string) rampart.Finding {
		return rampart.Finding{
			ID: "LEAK-001-" + path, Check: "LEAK-001", Family: rampart.FamilyErrorLeak, Title: "Database error returned",
			Severity: rampart.Medium, Confidence: rampart.Confirmed, Message: "GET " + path + " answers with the database error text.",
			Location:    rampart.Location{Method: "GET", Path: path},
			Remediation: "Log the exception and return a generic message.",
		}
	}
	r.Findings = []rampart.Finding{
		sqli("/search", "q", "q is injectable: a quote makes the database fail."),
		leak("/search"),
		sqli("/login", "username", "username is injectable (error-based)."),
		leak("/notes"),
		sqli("/notes", "sort", "sort is injectable."),
		leak("/reports/{table}"),
		{ID: "SQLI-001-firm", Check: "SQLI-001", Family: rampart.FamilySQLi, Title: "SQL injection",
			Severity: rampart.Critical, Confidence: rampart.Firm, Message: "id looks injectable.",
			Location: rampart.Location{Method: "GET", Path: "/notes/{id}", Param: "id"}, Remediation: shared},
	}
	return r
}

func TestGroupedByCheckFixOnce(t *testing.T) {
	out := render(t, manyOfOneCheck(), Options{})
	for _, want := range []struct {
		s string
		n int
	}{
		{"[CRITICAL] SQL injection · 4 findings", 1},
		{"[MEDIUM] Database error returned · 3 findings", 1},
		{"Give the application's role only the privileges it needs.", 1},
		{"Fix (all 4): Give the application's role", 1},
		{"Fix (all 3): Log the exception and return a generic message.", 1},
		{"Fix: Send q as a bound parameter.", 1},
		{"Fix: Send username as a bound parameter.", 1},
		{"SQLI-001 · firm · GET /notes/{id} [id]", 1},
	} {
		if got := strings.Count(out, want.s); got != want.n {
			t.Errorf("%q appears %d times, want %d, in:\n%s", want.s, got, want.n, out)
		}
	}
	// The firm finding stays in its check's group, after the confirmed ones.
	if strings.Index(out, "SQLI-001 · firm") < strings.Index(out, "SQLI-001 · confirmed · GET /search") {
		t.Errorf("group order lost:\n%s", out)
	}
}

// TestNothingLostWhenGrouped reads every finding back from the JSON of the
// same report and finds its check, confidence, location, message, curl
// and every paragraph of its fix in the text.
func TestNothingLostWhenGrouped(t *testing.T) {
	reports := map[string]*rampart.Report{"sample": sample.Report(), "many": manyOfOneCheck()}
	if r := testbedReport(t); r != nil {
		reports["testbed-active"] = r
	}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			var js bytes.Buffer
			if err := jsonreport.Write(&js, r); err != nil {
				t.Fatal(err)
			}
			var back rampart.Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			for _, opt := range []Options{{}, {Verbose: true}} {
				out := render(t, r, opt)
				flat := strings.Join(strings.Fields(out), " ")
				metas := map[string]int{}
				for _, f := range back.Findings {
					metas[oneLine(f.Check)+" · "+f.Confidence.String()+" · "+location(f.Location)]++
				}
				for meta, n := range metas {
					if got := strings.Count(out, meta+"\n"); got != n {
						t.Errorf("verbose=%v: %q printed %d times, want %d", opt.Verbose, meta, got, n)
					}
				}
				for _, f := range back.Findings {
					parts := append([]string{f.Message, f.Curl}, paragraphs(f.Remediation)...)
					if !opt.Verbose {
						// By default a message is its first sentence (its
						// main clause when long) and a fix its first
						// sentence; -v has the rest, checked above.
						parts = []string{(&printer{}).brief(f.Message), f.Curl}
					}
					for _, part := range parts {
						if w := strings.Join(strings.Fields(clean(part)), " "); !strings.Contains(flat, w) {
							t.Errorf("verbose=%v: %s at %s: %q is missing from the text", opt.Verbose, f.Check, location(f.Location), w)
						}
					}
				}
			}
		})
	}
}

func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// testbedReport is the JSON report of an active scan of the testbed's
// vulnerable twin (scripts/demo with --mode active), evidence left out.
func testbedReport(t *testing.T) *rampart.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "testbed-active.json"))
	if err != nil {
		t.Fatalf("%v", err)
	}
	var r rampart.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestCoverageSummary(t *testing.T) {
	out := render(t, sample.Uncovered(), Options{})
	lines := strings.Split(out, "\n")
	grade := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "Grade") {
			grade = i
		}
	}
	if grade < 0 || !strings.HasPrefix(lines[grade+1], "Coverage    INCOMPLETE  40% tested") {
		t.Errorf("INCOMPLETE is not next to the grade:\n%s", out)
	}
	for _, want := range []string{
		"  bola     2 not tested\n",
		"  sqli     1 tested · 1 not tested\n",
		"- needs an identity (2 cells), e.g. BOLA-001 GET /orders/{id}",
		"→ add identities: --identity",
		"- request body rejected (1 cell), e.g. SQLI-001 POST /orders: the API\n      answered 422: field required: items",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if out := render(t, sample.Report(), Options{}); strings.Contains(out, "INCOMPLETE") {
		t.Errorf("a complete scan says INCOMPLETE:\n%s", out)
	}
	r := sample.Report()
	r.Coverage = nil
	if out := render(t, r, Options{}); strings.Contains(out, "Coverage") {
		t.Errorf("a report without coverage (white-box) prints a coverage section:\n%s", out)
	}
}

func TestCoverageTopReasonsOnly(t *testing.T) {
	r := sample.Uncovered()
	for _, reason := range []rampart.Reason{rampart.ReasonThrottled, rampart.ReasonBudget, rampart.ReasonError} {
		r.Coverage.Reasons = append(r.Coverage.Reasons, rampart.ReasonCount{Reason: reason, Cells: 1, Action: reason.Action()})
	}
	out := render(t, r, Options{})
	if strings.Contains(out, rampart.ReasonBudget.Summary()) || !strings.Contains(out, "2 more reasons in the JSON and HTML reports") {
		t.Errorf("more than %d reasons explained:\n%s", maxReasons, out)
	}
}

func TestFootprintMergesSameFate(t *testing.T) {
	r := sample.Empty()
	left := func(obj string) rampart.Change {
		return rampart.Change{Check: "IDEM-001", Action: "created", Object: obj, Via: "POST /transfers", Owner: "alice",
			State: rampart.StateLeft, Note: "no DELETE operation removes it"}
	}
	r.Footprint = &rampart.Footprint{Changes: []rampart.Change{left("/transfers/1"), left("/transfers/2"),
		{Check: "TXN-001", Action: "created", Object: "/transfers/3", Via: "POST /transfers", Owner: "alice", State: rampart.StateLeft,
			Note: "no DELETE operation removes it"}, left("/transfers/4")}}
	out := render(t, r, Options{})
	for _, want := range []string{
		"- created /transfers/1, /transfers/2, /transfers/4 as alice with POST\n    /transfers [IDEM-001]: left",
		"- created /transfers/3 as alice with POST /transfers [TXN-001]: left",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// No fix of the sample or of the testbed's active scan says a paragraph
// twice, in the report or in the text printed from it.
func TestNoParagraphTwice(t *testing.T) {
	for name, r := range map[string]*rampart.Report{"sample": sample.Report(), "testbed-active": testbedReport(t)} {
		for _, f := range r.Findings {
			seen := map[string]bool{}
			for _, p := range paragraphs(f.Remediation) {
				if seen[p] {
					t.Errorf("%s: %s at %s says twice: %s", name, f.Check, location(f.Location), p)
				}
				seen[p] = true
			}
		}
		out := render(t, r, Options{})
		for _, block := range strings.Split(out, "\n\n") {
			lines := strings.Split(block, "\n")
			for i := 1; i < len(lines); i++ {
				if len(strings.TrimSpace(lines[i])) > 40 && lines[i] == lines[i-1] {
					t.Errorf("%s: a line printed twice in a row: %s", name, lines[i])
				}
			}
		}
	}
}

// The default report cuts messages and fixes to their first sentence and
// says how to see them whole; -v prints them whole and says nothing.
func TestShortByDefaultWholeWithVerbose(t *testing.T) {
	r := sample.Report()
	short, whole := render(t, r, Options{}), render(t, r, Options{Verbose: true})
	const hint = "-v prints them whole"
	if !strings.Contains(short, hint) || strings.Contains(whole, hint) {
		t.Errorf("the hint belongs to the default report only")
	}
	if strings.Count(short, "\n")*3 > strings.Count(whole, "\n")*2 {
		t.Errorf("default %d lines, -v %d: the default is not shorter", strings.Count(short, "\n"), strings.Count(whole, "\n"))
	}
	for _, f := range r.Findings {
		fix := strings.Join(strings.Fields(clean(f.Remediation)), " ")
		if !strings.Contains(strings.Join(strings.Fields(whole), " "), fix[:min(len(fix), 40)]) {
			t.Errorf("%s: -v lacks the fix", f.Check)
		}
	}
	// A long sentence is cut at its main clause, never inside code.
	p := &printer{}
	for in, want := range map[string]string{
		`Pass q as a query parameter: cur.execute("SELECT id, title FROM notes WHERE title LIKE %s", (f"%{q}%",)), so that psycopg2 sends the value separately from the SQL text.`: "Pass q as a query parameter.",
		"Short enough. Second sentence.":     "Short enough.",
		"Use e.g. Flask-Limiter. Then more.": "Use e.g. Flask-Limiter.",
		"Version 2.2.2 of Werkzeug is old.":  "Version 2.2.2 of Werkzeug is old.",
	} {
		if got := p.clause(p.gist(in)); got != want {
			t.Errorf("%q cut to %q, want %q", in, got, want)
		}
	}
}
