// Package html writes a Rampart report as one self-contained HTML page: no
// external stylesheet, script, font or image, so it can be mailed, attached
// to a CI run or opened from disk, and it never calls home.
//
// The page has a summary (grade, score, counts by severity, target, mode,
// duration, requests, how the operations were found, coverage, the stack
// fingerprint), the input warnings (what Rampart repaired in the spec, HAR
// or Postman file), filters by severity, family,
// confidence and text (plain JavaScript, progressive: without it every
// finding is shown), and one card per finding with its evidence and curl
// line in collapsible <details> and the fix with its code. A black-box
// report also has its coverage: the percentage (and an INCOMPLETE banner
// under the grade when less than half was tested), a table per family, the
// reasons cells were not tested with what to do about each, and the
// operations × families matrix with its own filters (state, family, reason,
// operation, how the operation was found), each cell's reason as text and
// its detail on hover and click, and a "found" column.
//
// Everything in a report that came from the target (evidence above all) is
// hostile input. html/template escapes it for its context, and the page's
// Content-Security-Policy allows only its own inline style and script, by
// hash, so even a mistake in escaping could not run a script or load
// anything.
package html

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	htmlstd "html"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/found"
	richtext "github.com/rampart-sec/rampart/report/internal/rich"
)

// Options carries what a report does not.
type Options struct {
	// Rules is the metadata of checks and rules; the page names each
	// finding's documentation from it. Findings of unknown checks are
	// shown all the same.
	Rules []rampart.Meta
}

// MaxEvidence is how much of one request or response the page shows; the
// JSON report keeps all of it.
const MaxEvidence = 16 << 10

var (
	//go:embed page.tmpl
	pageTemplate string
	//go:embed style.css
	style string
	//go:embed script.js
	script string

	tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
		"lower":    strings.ToLower,
		"duration": duration,
	}).Parse(pageTemplate))

	// csp allows the page's own style and script, by hash, and nothing
	// else: no network, no other script, no plugin, no form, no frame.
	csp = "default-src 'none'; style-src '" + hash(style) + "'; script-src '" + hash(script) +
		"'; img-src data:; base-uri 'none'; form-action 'none'"
)

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Write renders r. The page is built in memory first.
func Write(w io.Writer, r *rampart.Report, opt Options) error {
	if r == nil {
		return errors.New("html report: nil report")
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, view(r, opt)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type page struct {
	Title      string
	Tool       string
	Grade      string
	GradeClass string
	Score      int
	Incomplete bool
	Warning    string // the target's health, when it makes the results doubtful
	Facts      []fact
	Stack      string
	StackProof []string
	Total      int
	Counts     []count
	Families   []count
	Tentative  int
	Categories []category
	Findings   []finding
	Errors     []rampart.CheckError
	Skipped    []skipGroup
	Checks     []rampart.CheckRun
	CheckReqs  int
	Notes      []string
	// Replay is the legend of the curl lines' variables; ReplayHowTo says
	// how to set them, around ReplayExample.
	Replay                    []replayVar
	ReplayBefore, ReplayAfter string
	ReplayExample             string
	// Footprint lists the throwaway accounts and every object the scan
	// created or changed, with what became of it.
	Footprint        []string
	FootprintSummary string
	// Coverage is what the scan tested, operation by operation; nil for a
	// report without one (white-box).
	Coverage *coverageView
	// Warnings are what Rampart repaired in the documents it read.
	Warnings  []warningView
	Generated string
	CSP       string
	CSS       template.CSS
	JS        template.JS
}

type fact struct{ Label, Value string }

type count struct {
	Name  string
	Class string
	N     int
}

type category struct {
	Family   string
	Score    int
	Findings int
	Class    string
}

type finding struct {
	Anchor     string
	ID         string
	Check      string
	Title      string
	Severity   string
	Confidence string
	Family     string
	CWE        string
	OWASP      string
	Doc        string
	Operation  string
	Param      string
	URL        string
	Source     string
	Message    template.HTML
	Evidence   []evidence
	Curl       string
	Related    []related
	Fix        template.HTML
}

type evidence struct {
	Request, Response, Note string
	Cut                     int // bytes left out
}

type related struct {
	Where, Note, Curl string
}

type replayVar struct{ Name, Whose string }

type skipGroup struct {
	Reason string
	Checks []string
}

func view(r *rampart.Report, opt Options) page {
	metas := make(map[string]rampart.Meta, len(opt.Rules))
	for _, m := range opt.Rules {
		metas[strings.ToUpper(m.ID)] = m
	}
	grade := cmp.Or(oneLine(r.Grade), "?")
	p := page{
		Tool:       strings.TrimSpace(cmp.Or(oneLine(r.Tool.Name), "rampart") + " " + oneLine(r.Tool.Version)),
		Grade:      grade,
		GradeClass: "grade-" + gradeClass(grade),
		Score:      r.Score,
		Incomplete: r.Incomplete,
		Total:      len(r.Findings),
		Notes:      r.Notes,
		Errors:     r.Errors,
		CSP:        csp,
		CSS:        template.CSS(style),
		JS:         template.JS(script),
	}
	if r.Health != nil {
		p.Warning = oneLine(r.Health.Warning)
	}
	if fp := r.Footprint; !fp.Empty() {
		p.FootprintSummary = oneLine(fp.Summary())
		for _, a := range fp.Accounts {
			p.Footprint = append(p.Footprint, oneLine(a.String()))
		}
		for _, c := range fp.Changes {
			p.Footprint = append(p.Footprint, oneLine(c.String()))
		}
	}
	subject := cmp.Or(oneLine(r.Target), oneLine(r.Source))
	p.Title = strings.TrimSpace("Rampart report " + subject + " · grade " + grade)

	add := func(label, value string) {
		if value = oneLine(value); value != "" {
			p.Facts = append(p.Facts, fact{label, value})
		}
	}
	add("Target", r.Target)
	add("Source", r.Source)
	add("Mode", r.Mode.String())
	if !r.Started.IsZero() {
		add("Started", r.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
		p.Generated = r.Started.UTC().Format(time.RFC3339)
	}
	add("Duration", duration(r.DurationMS))
	if r.Target != "" || r.Stats.Requests > 0 {
		req := strconv.FormatInt(r.Stats.Requests, 10)
		if r.Stats.Refused > 0 {
			req += fmt.Sprintf(" (%d refused by the scope or mode guard)", r.Stats.Refused)
		}
		add("Requests", req)
	}
	if t := r.Health.ThrottleSummary(); t != "" {
		add("Throttled", t)
	}
	if r.Target != "" || r.Operations > 0 {
		add("Operations", found.Operations(r.Operations, r.Coverage))
	}
	add("Identities", strings.Join(r.Identities, ", "))
	add("Coverage", coverageFact(r.Coverage))
	p.Coverage = coverageOf(r.Coverage)
	p.Warnings = warningsOf(r.InputWarnings)
	for _, v := range r.Replay {
		p.Replay = append(p.Replay, replayVar{Name: "$" + oneLine(v.Name), Whose: oneLine(v.Whose())})
	}
	if len(r.Replay) > 0 {
		p.ReplayExample = oneLine(rampart.ReplayExample(r.Replay))
		before, after, _ := strings.Cut(rampart.ReplayHowTo(r.Replay), rampart.ReplayExample(r.Replay))
		p.ReplayBefore, p.ReplayAfter = oneLine(before), oneLine(after)
	}
	p.Stack = oneLine(r.Fingerprint.Summary())
	for _, e := range r.Fingerprint.Evidence {
		if e = oneLine(e); e != "" {
			p.StackProof = append(p.StackProof, e)
		}
	}

	c := r.Counts()
	for s := rampart.Critical; s >= rampart.Info; s-- {
		p.Counts = append(p.Counts, count{Name: s.String(), Class: "sev-" + s.String(), N: c[s]})
	}
	fams := map[string]int{}
	for _, f := range r.Findings {
		fams[string(f.Family)]++
		if f.Confidence == rampart.Tentative {
			p.Tentative++
		}
	}
	for _, f := range rampart.Families {
		if n := fams[string(f)]; n > 0 {
			p.Families = append(p.Families, count{Name: string(f), N: n})
			delete(fams, string(f))
		}
	}
	var rest []string
	for f := range fams {
		rest = append(rest, f)
	}
	slices.Sort(rest)
	for _, f := range rest {
		p.Families = append(p.Families, count{Name: cmp.Or(oneLine(f), "unknown"), N: fams[f]})
	}
	for _, cs := range r.Categories {
		p.Categories = append(p.Categories, category{
			Family: oneLine(string(cs.Family)), Score: cs.Score, Findings: cs.Findings, Class: "grade-" + scoreClass(cs.Score),
		})
	}

	seen := map[string]int{}
	for _, f := range slices.SortedStableFunc(slices.Values(r.Findings), rampart.CompareFindings) {
		p.Findings = append(p.Findings, findingView(f, metas[strings.ToUpper(f.Check)], seen))
	}

	var reasons []string
	groups := map[string][]string{}
	for _, s := range r.Skipped {
		reason := cmp.Or(oneLine(s.Reason), "no reason given")
		if _, ok := groups[reason]; !ok {
			reasons = append(reasons, reason)
		}
		groups[reason] = append(groups[reason], oneLine(s.Check))
	}
	for _, reason := range reasons {
		p.Skipped = append(p.Skipped, skipGroup{Reason: reason, Checks: groups[reason]})
	}
	for _, c := range r.Checks {
		c.Check = oneLine(c.Check)
		p.Checks = append(p.Checks, c)
		p.CheckReqs += c.Requests
	}
	return p
}

func findingView(f rampart.Finding, m rampart.Meta, seen map[string]int) finding {
	check := cmp.Or(oneLine(f.Check), "UNKNOWN")
	v := finding{
		ID:         oneLine(f.ID),
		Check:      check,
		Title:      cmp.Or(oneLine(f.Title), oneLine(m.Title), check),
		Severity:   f.Severity.String(),
		Confidence: f.Confidence.String(),
		Family:     cmp.Or(oneLine(string(f.Family)), "unknown"),
		CWE:        oneLine(f.CWE),
		OWASP:      oneLine(f.OWASP),
		Doc:        oneLine(m.Doc),
		Param:      oneLine(f.Location.Param),
		URL:        oneLine(f.Location.URL),
		Curl:       clean(f.Curl),
		Message:    rich(f.Message),
		Fix:        rich(f.Remediation),
	}
	// Anchors are made of safe characters only, and unique.
	anchor := "f-" + anchorID(cmp.Or(f.ID, f.Fingerprint()))
	seen[anchor]++
	if n := seen[anchor]; n > 1 {
		anchor += "-" + strconv.Itoa(n)
	}
	v.Anchor = anchor
	if f.Location.Method != "" || f.Location.Path != "" {
		v.Operation = oneLine(strings.ToUpper(f.Location.Method) + " " + f.Location.Path)
	}
	v.Source = sourceOf(f.Location)
	for _, e := range f.Evidence {
		req, cut1 := truncate(clean(e.Request))
		resp, cut2 := truncate(clean(e.Response))
		v.Evidence = append(v.Evidence, evidence{Request: req, Response: resp, Note: oneParagraph(e.Note), Cut: cut1 + cut2})
	}
	for _, rel := range f.Related {
		v.Related = append(v.Related, related{Where: oneLine(rel.Location.String()), Note: oneParagraph(rel.Note), Curl: clean(rel.Curl)})
	}
	return v
}

func sourceOf(l rampart.Location) string {
	if l.File == "" {
		return ""
	}
	s := oneLine(l.File)
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
		if l.Column > 0 {
			s += ":" + strconv.Itoa(l.Column)
		}
	}
	return s
}

func anchorID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// truncate keeps the first MaxEvidence bytes of s, cut on a line or rune
// boundary, and says how many bytes it left out.
func truncate(s string) (string, int) {
	if len(s) <= MaxEvidence {
		return s, 0
	}
	cut := MaxEvidence
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], '\n'); i > MaxEvidence/2 {
		cut = i + 1
	}
	return s[:cut], len(s) - cut
}

func gradeClass(g string) string {
	switch g {
	case "A", "B", "C", "D", "F":
		return g
	}
	return "none"
}

func scoreClass(score int) string {
	switch {
	case score >= 90:
		return "A"
	case score >= 75:
		return "C"
	case score >= 50:
		return "D"
	default:
		return "F"
	}
}

// rich renders text that may hold `code`, ``` fences and indented code
// blocks as paragraphs and <pre><code>, escaping everything.
func rich(s string) template.HTML {
	var b strings.Builder
	for _, blk := range richtext.Blocks(clean(s)) {
		if blk.Code {
			b.WriteString("<pre><code>" + htmlstd.EscapeString(blk.Text) + "</code></pre>")
			continue
		}
		b.WriteString("<p>")
		for _, sp := range richtext.Inline(blk.Text) {
			if sp.Code {
				b.WriteString("<code>" + htmlstd.EscapeString(sp.Text) + "</code>")
			} else {
				b.WriteString(htmlstd.EscapeString(sp.Text))
			}
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String()) // every piece is escaped above
}

// clean drops control characters other than newline and tab (ANSI colour,
// NUL) and makes the text valid UTF-8.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r == '\r' || unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(clean(s)), " ") }

func oneParagraph(s string) string { return strings.TrimSpace(clean(s)) }

func duration(ms int64) string {
	switch {
	case ms < 1000:
		return strconv.FormatInt(ms, 10) + " ms"
	case ms < 60_000:
		return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) + " s"
	default:
		return fmt.Sprintf("%dm%02ds", ms/60_000, ms%60_000/1000)
	}
}
