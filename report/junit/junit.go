// Package junit writes a Rampart report as JUnit XML, which every CI system
// (GitHub Actions test reporters, GitLab, Jenkins, Azure Pipelines,
// CircleCI) shows as test results.
//
// The mapping:
//
//   - one <testsuite> per family (bola, sqli, headers, ...), in the order
//     reports use, plus a "rampart" suite with one test case for the scan
//     itself, which errors when the scan was interrupted;
//   - one <testcase classname="CHECK-ID" name="METHOD /path"> per finding
//     (the name is the source file and line for a white-box finding); it
//     fails when the finding is at or above Options.FailOn and its confidence
//     at or above Options.MinConfidence, and otherwise passes with the
//     finding in <system-out>, so that what does not gate a build is still
//     visible;
//   - one passing <testcase name="all operations"> ("all files" for a code
//     rule) per check that ran and found nothing. The report does not list
//     the operations a check visited, so this is per check, not per
//     operation. A check ran when the report lists it in Report.Checks; a
//     report without that list is taken to have run every check of
//     Options.Rules that is not skipped and is of a kind the run did:
//     runtime checks when the report has a target, code rules when it has
//     a source;
//   - a <skipped> test case per skipped check, with the reason;
//   - an <error> test case per check that could not run;
//   - a passing <testcase classname="rampart" name="input"> when the spec,
//     HAR or Postman file needed repairs, its <system-out> listing each
//     input warning; the suite's properties count the operations by how
//     they were found and say it for each operation;
//   - one <testcase classname="coverage" name="FAMILY"> per family of a
//     black-box scan's coverage: it passes when the family tested every
//     operation it applies to, and is <skipped> otherwise, the message
//     counting the operations not tested by reason and <system-out>
//     listing them with what to do about each reason.
package junit

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/doclink"
	"github.com/rampart-sec/rampart/report/internal/found"
)

// DefaultDocBase resolves the relative documentation links of check metadata.
const DefaultDocBase = doclink.DefaultBase

// Options says what fails and what ran.
type Options struct {
	// FailOn is the least severity that fails a test case (--fail-on).
	FailOn rampart.Severity
	// Never makes no finding fail (--fail-on none).
	Never bool
	// MinConfidence is the least confidence that fails a test case; the
	// zero value means rampart.Firm, the default gate, which ignores
	// tentative findings. Use IncludeTentative to fail on those too.
	MinConfidence rampart.Confidence
	// IncludeTentative lets tentative findings fail test cases.
	IncludeTentative bool
	// Rules is the metadata of the checks and rules the run selected:
	// their families place findings in suites, and those that found
	// nothing become passing test cases.
	Rules []rampart.Meta
	// DocBase resolves relative Doc links; default DefaultDocBase.
	DocBase string
}

// Names of the test cases that stand for a whole check.
const (
	AllOperations = "all operations"
	AllFiles      = "all files"
)

type testsuites struct {
	XMLName   xml.Name    `xml:"testsuites"`
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Suites    []testsuite `xml:"testsuite"`
}

type testsuite struct {
	Name       string      `xml:"name,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Skipped    int         `xml:"skipped,attr"`
	Time       string      `xml:"time,attr"`
	Timestamp  string      `xml:"timestamp,attr,omitempty"`
	Properties *properties `xml:"properties,omitempty"`
	Cases      []testcase  `xml:"testcase"`
}

type properties struct {
	Props []property `xml:"property"`
}

type property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type testcase struct {
	Classname string   `xml:"classname,attr"`
	Name      string   `xml:"name,attr"`
	Time      string   `xml:"time,attr"`
	File      string   `xml:"file,attr,omitempty"`
	Line      int      `xml:"line,attr,omitempty"`
	Failure   *problem `xml:"failure,omitempty"`
	Error     *problem `xml:"error,omitempty"`
	Skipped   *skipped `xml:"skipped,omitempty"`
	SystemOut *inner   `xml:"system-out,omitempty"`

	sortKey string
}

type problem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",innerxml"` // escaped by escape()
}

// inner is element text escaped by escape(). encoding/xml would write each
// newline as &#xA;, which CI systems show fine but people reading the file
// do not; a newline needs no escaping in element text.
type inner struct {
	Text string `xml:",innerxml"`
}

func text(s string) *inner { return &inner{Text: escape(s)} }

// escape makes character data of s (already clean()ed).
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(clean(s))
}

type skipped struct {
	Message string `xml:"message,attr"`
}

// Write writes r as JUnit XML. It is built in memory first.
func Write(w io.Writer, r *rampart.Report, opt Options) error {
	if r == nil {
		return errors.New("junit report: nil report")
	}
	doc := build(r, opt)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit report: %w", err)
	}
	buf.WriteString("\n")
	_, err := w.Write(buf.Bytes())
	return err
}

func build(r *rampart.Report, opt Options) testsuites {
	minConf := opt.MinConfidence
	if !opt.IncludeTentative {
		minConf = max(minConf, rampart.Firm)
	}
	docBase := cmp.Or(opt.DocBase, DefaultDocBase)
	metas := map[string]rampart.Meta{}
	for _, m := range opt.Rules {
		metas[strings.ToUpper(m.ID)] = m
	}
	familyOf := func(check string, fallback rampart.Family) string {
		if m, ok := metas[strings.ToUpper(check)]; ok && m.Family != "" {
			return string(m.Family)
		}
		return cmp.Or(string(fallback), "other")
	}

	suites := map[string]*testsuite{}
	suite := func(name string) *testsuite {
		s, ok := suites[name]
		if !ok {
			s = &testsuite{Name: name, Time: "0"}
			suites[name] = s
		}
		return s
	}

	// Findings.
	found := map[string]bool{}
	seen := map[string]int{} // classname + name → count, to keep names unique
	for _, f := range r.Findings {
		check := cmp.Or(oneLine(f.Check), "UNKNOWN")
		found[strings.ToUpper(check)] = true
		name := caseName(f.Location)
		key := check + "\x00" + name
		seen[key]++
		if n := seen[key]; n > 1 {
			name += " #" + strconv.Itoa(n)
		}
		tc := testcase{
			Classname: check,
			Name:      name,
			Time:      "0",
			sortKey:   sortKey(f),
		}
		if f.Location.File != "" {
			tc.File = oneLine(f.Location.File)
			tc.Line = f.Location.Line
		}
		body := describe(f, doclink.Resolve(docBase, metas[strings.ToUpper(check)].Doc))
		if !opt.Never && f.Severity >= opt.FailOn && f.Confidence >= minConf {
			tc.Failure = &problem{
				Message: oneLine(f.Severity.String() + ": " + cmp.Or(f.Title, check)),
				Type:    f.Severity.String(),
				Body:    escape(body),
			}
		} else {
			tc.SystemOut = text(body)
		}
		s := suite(familyOf(check, f.Family))
		s.Cases = append(s.Cases, tc)
	}

	// Checks that could not run.
	errored := map[string]bool{}
	for _, e := range r.Errors {
		check := cmp.Or(oneLine(e.Check), "UNKNOWN")
		errored[strings.ToUpper(check)] = true
		name := cmp.Or(oneLine(e.Operation), AllOperations)
		tc := testcase{
			Classname: check, Name: name, Time: "0",
			Error:   &problem{Message: oneLine(e.Error), Type: "check-error", Body: escape(e.Error)},
			sortKey: "2" + check + name,
		}
		s := suite(familyOf(check, ""))
		s.Cases = append(s.Cases, tc)
	}

	// Checks that were skipped.
	skippedIDs := map[string]bool{}
	for _, sk := range r.Skipped {
		check := cmp.Or(oneLine(sk.Check), "UNKNOWN")
		skippedIDs[strings.ToUpper(check)] = true
		name := AllOperations
		if metas[strings.ToUpper(check)].Kind == rampart.KindCode {
			name = AllFiles
		}
		tc := testcase{
			Classname: check, Name: name, Time: "0",
			Skipped: &skipped{Message: cmp.Or(oneLine(sk.Reason), "skipped")},
			sortKey: "3" + check,
		}
		s := suite(familyOf(check, ""))
		s.Cases = append(s.Cases, tc)
	}

	// Checks that ran and found nothing pass.
	runs := map[string]rampart.CheckRun{}
	for _, c := range r.Checks {
		runs[strings.ToUpper(strings.TrimSpace(c.Check))] = c
	}
	passed := map[string]bool{}
	pass := func(id string, kind string, fam rampart.Family) {
		up := strings.ToUpper(id)
		if up == "" || found[up] || errored[up] || skippedIDs[up] || passed[up] {
			return
		}
		passed[up] = true
		name := AllOperations
		if kind == rampart.KindCode {
			name = AllFiles
		}
		tc := testcase{Classname: oneLine(id), Name: name, Time: "0", sortKey: "1" + id}
		if c, ok := runs[up]; ok {
			tc.Time = seconds(c.DurationMS)
			tc.SystemOut = text(runSummary(c))
		}
		s := suite(familyOf(id, fam))
		s.Cases = append(s.Cases, tc)
	}
	for _, m := range opt.Rules {
		if ran(m, r, runs) {
			pass(m.ID, m.Kind, m.Family)
		}
	}
	for _, c := range r.Checks { // checks that ran but that the caller gave no metadata for
		pass(c.Check, rampart.KindRuntime, "")
	}

	// What each family tested, and why not the rest.
	if r.Coverage != nil {
		for name, tc := range coverageCases(r.Coverage) {
			s := suite(name)
			s.Cases = append(s.Cases, tc)
		}
	}

	// The scan itself.
	scan := testcase{Classname: "rampart", Name: "scan", Time: seconds(r.DurationMS)}
	if r.Incomplete {
		scan.Error = &problem{Message: "the scan was interrupted: the results are partial", Type: "interrupted"}
	}
	scan.SystemOut = text(summary(r))
	top := suite("rampart")
	first := []testcase{scan}
	if in := inputCase(r.InputWarnings); in != nil {
		first = append(first, *in)
	}
	top.Cases = append(first, top.Cases...)
	top.Time = seconds(r.DurationMS)
	top.Properties = props(r)

	out := testsuites{Name: "rampart", Time: seconds(r.DurationMS)}
	if !r.Started.IsZero() {
		out.Timestamp = r.Started.UTC().Format(time.RFC3339)
		top.Timestamp = out.Timestamp
	}
	for _, name := range suiteOrder(suites) {
		s := suites[name]
		if name != "rampart" {
			slices.SortStableFunc(s.Cases, func(a, b testcase) int { return cmp.Compare(a.sortKey, b.sortKey) })
		}
		for _, c := range s.Cases {
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, *s)
	}
	return out
}

// ran says whether a check in the metadata ran in this report. A report
// that lists the checks it ran (Report.Checks) is believed for runtime
// checks; otherwise runtime checks run in black-box scans (a target) and
// code rules in white-box ones (a source).
func ran(m rampart.Meta, r *rampart.Report, runs map[string]rampart.CheckRun) bool {
	switch m.Kind {
	case rampart.KindCode:
		return r.Source != ""
	case rampart.KindRuntime:
		if len(runs) > 0 {
			_, ok := runs[strings.ToUpper(m.ID)]
			return ok
		}
		return r.Target != ""
	default:
		if len(runs) > 0 {
			_, ok := runs[strings.ToUpper(m.ID)]
			return ok
		}
		return true
	}
}

// runSummary says what a check that found nothing did.
func runSummary(c rampart.CheckRun) string {
	s := fmt.Sprintf("Ran on %d operations and sent %d requests (at most %d for one operation", c.Units, c.Requests, c.MaxUnitRequests)
	if c.Budget > 0 {
		s += fmt.Sprintf("; budget %d", c.Budget)
	}
	s += fmt.Sprintf("), in %s (%s for the slowest operation).", seconds(c.DurationMS)+"s", seconds(c.MaxUnitMS)+"s")
	if c.OverBudget > 0 {
		s += fmt.Sprintf(" %d operations reached the budget: requests beyond it were refused.", c.OverBudget)
	}
	return s + "\n"
}

// suiteOrder is "rampart" first, then the families in rampart.Families
// order, then anything else by name.
func suiteOrder(suites map[string]*testsuite) []string {
	var names []string
	if _, ok := suites["rampart"]; ok {
		names = append(names, "rampart")
	}
	for _, f := range rampart.Families {
		if _, ok := suites[string(f)]; ok {
			names = append(names, string(f))
		}
	}
	var rest []string
	for n := range suites {
		if n != "rampart" && !rampart.Family(n).Valid() {
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// caseName is the operation ("GET /notes/{note_id}"), else the source line
// ("app.py:42"), else the URL.
func caseName(l rampart.Location) string {
	if l.Method != "" || l.Path != "" {
		s := strings.TrimSpace(strings.ToUpper(l.Method) + " " + cmp.Or(l.Path, l.URL))
		if l.Param != "" {
			s += " [" + l.Param + "]"
		}
		return oneLine(s)
	}
	if l.File != "" {
		s := l.File
		if l.Line > 0 {
			s += ":" + strconv.Itoa(l.Line)
		}
		return oneLine(s)
	}
	return cmp.Or(oneLine(l.URL), AllOperations)
}

// sortKey orders findings within a suite: by check, then worst first, then
// by place; "0" sorts them before the passing, errored and skipped cases.
func sortKey(f rampart.Finding) string {
	return fmt.Sprintf("0%s\x00%d\x00%d\x00%s\x00%s\x00%s\x00%08d\x00%s", f.Check, 9-int(f.Severity), 9-int(f.Confidence),
		f.Location.Path, f.Location.Method, f.Location.File, f.Location.Line, f.ID)
}

// describe is the text a CI system shows for a finding.
func describe(f rampart.Finding, doc string) string {
	var b strings.Builder
	line := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			fmt.Fprintf(&b, "%-12s %s\n", label+":", v)
		}
	}
	if f.Title != "" {
		b.WriteString(oneLine(f.Title) + "\n\n")
	}
	if m := strings.TrimSpace(clean(f.Message)); m != "" {
		b.WriteString(m + "\n\n")
	}
	line("Check", f.Check)
	line("Severity", f.Severity.String())
	line("Confidence", f.Confidence.String())
	line("CWE", oneLine(f.CWE))
	line("OWASP", oneLine(f.OWASP))
	line("Location", oneLine(f.Location.String()))
	line("URL", oneLine(f.Location.URL))
	line("Finding ID", f.ID)
	line("Docs", doc)
	for _, rel := range f.Related {
		s := oneLine(rel.Location.String())
		if rel.Note != "" {
			s += ": " + oneLine(rel.Note)
		}
		line("Related", s)
	}
	if f.Curl != "" {
		b.WriteString("\nReproduce:\n  " + oneLine(f.Curl) + "\n")
	}
	if fix := strings.TrimSpace(clean(f.Remediation)); fix != "" {
		b.WriteString("\nFix:\n" + indent(fix, "  ") + "\n")
	}
	return b.String()
}

func summary(r *rampart.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Grade %s (%d/100), %d findings", cmp.Or(oneLine(r.Grade), "?"), r.Score, len(r.Findings))
	c := r.Counts()
	var parts []string
	for s := rampart.Critical; s >= rampart.Info; s-- {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	if len(parts) > 0 {
		b.WriteString(": " + strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	if c := r.Coverage; c != nil {
		fmt.Fprintf(&b, "Coverage %d%%: %d of %d applicable operation × family cells tested\n", c.Percent, c.Tested, c.Applicable)
	}
	if sum := found.Summary(r.Coverage); sum != "" {
		b.WriteString("Operations: " + oneLine(found.Operations(r.Operations, r.Coverage)) + "\n")
	}
	if n := len(r.InputWarnings); n > 0 {
		fmt.Fprintf(&b, "Input warnings: %d, repaired instead of refused (test case %q)\n", n, InputCase)
	}
	for _, n := range r.Notes {
		b.WriteString(oneLine(n) + "\n")
	}
	return b.String()
}

func props(r *rampart.Report) *properties {
	var p []property
	add := func(k, v string) {
		if v != "" {
			p = append(p, property{Name: k, Value: oneLine(v)})
		}
	}
	add("target", r.Target)
	add("source", r.Source)
	add("mode", r.Mode.String())
	add("grade", r.Grade)
	add("score", strconv.Itoa(r.Score))
	add("requests", strconv.FormatInt(r.Stats.Requests, 10))
	if c := r.Coverage; c != nil {
		add("coverage", strconv.Itoa(c.Percent))
		add("coverage-incomplete", strconv.FormatBool(c.Incomplete))
	}
	p = append(p, foundProps(r.Coverage)...)
	if n := len(r.InputWarnings); n > 0 {
		add("input-warnings", strconv.Itoa(n))
	}
	add("version", r.Tool.Version)
	// The legend of the curl lines in the failures.
	for _, v := range r.Replay {
		add("replay $"+oneLine(v.Name), v.Whose())
	}
	add("replay", rampart.ReplayHowTo(r.Replay))
	return &properties{Props: p}
}

func seconds(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64) }

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// clean drops control characters (XML 1.0 cannot carry most of them) but
// keeps newlines and tabs.
func clean(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\uFFFE' || r == '\uFFFF' {
			return -1
		}
		return r
	}, s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(clean(s)), " ") }
