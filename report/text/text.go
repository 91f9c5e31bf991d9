package text

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
)

// Options controls presentation only; the content of a report is fixed.
type Options struct {
	// Color adds ANSI colour and emphasis.
	Color bool
	// Verbose adds each finding's evidence, the curl lines of related
	// requests, and the IDs of skipped checks.
	Verbose bool
}

// width is fixed rather than measured: the writer may be a file or a pipe,
// and 80 columns reads well in CI logs as well as terminals.
const width = 80

// Evidence beyond these limits is cut: the JSON report keeps all of it, and
// a full HTML page scrolled past in a terminal helps nobody.
const (
	maxEvidenceBytes = 2000
	maxEvidenceLines = 40
)

// Indents of the parts of a finding.
const (
	indentFinding = "  "
	indentBody    = "    "
	indentProof   = "      "
)

// ANSI SGR codes.
const (
	sgrBold    = "1"
	sgrDim     = "2"
	sgrRed     = "31"
	sgrGreen   = "32"
	sgrYellow  = "33"
	sgrCyan    = "36"
	sgrBoldRed = "1;31"
	sgrBoldYel = "1;33"
)

var severityColor = map[rampart.Severity]string{
	rampart.Critical: sgrBoldRed,
	rampart.High:     sgrRed,
	rampart.Medium:   sgrYellow,
	rampart.Low:      sgrCyan,
	rampart.Info:     sgrDim,
}

// Write renders r. The whole text is built before anything is written, so
// a failure never leaves half a report on the screen or in a file.
func Write(w io.Writer, r *rampart.Report, opt Options) error {
	if r == nil {
		return errors.New("text report: nil report")
	}
	p := &printer{opt: opt}
	p.header(r)
	p.findings(r.Findings)
	p.skipped(r.Skipped)
	p.errors(r.Errors)
	p.footprint(r.Footprint)
	p.notes(r.Notes)
	p.closing(r)
	_, err := io.WriteString(w, p.b.String())
	return err
}

type printer struct {
	b   strings.Builder
	opt Options
}

func (p *printer) paint(code, s string) string {
	if !p.opt.Color || code == "" || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) line(parts ...string) {
	for _, s := range parts {
		p.b.WriteString(s)
	}
	p.b.WriteByte('\n')
}

// field prints one "Label  value" header line; labels share a column so the
// eye can run down the values.
func (p *printer) field(label, value string) {
	p.line(fmt.Sprintf("%-12s", label), value)
}

func (p *printer) header(r *rampart.Report) {
	name := cmp.Or(oneLine(r.Tool.Name), "rampart")
	p.line(p.paint(sgrBold, strings.TrimSpace(name+" "+oneLine(r.Tool.Version))))
	if r.Target != "" {
		p.field("Target", oneLine(r.Target))
	}
	if r.Source != "" {
		p.field("Source", oneLine(r.Source))
	}
	p.field("Mode", r.Mode.String())
	p.field("Grade", p.paint(gradeColor(r.Grade), oneLine(r.Grade))+"  "+strconv.Itoa(r.Score)+"/100")
	if r.Health != nil && r.Health.Warning != "" {
		// Next to the grade, since it says how far to trust it.
		for i, l := range wrap(oneLine(r.Health.Warning), width-12) {
			label := "            "
			if i == 0 {
				label = p.paint(sgrBoldYel, "Warning") + "     "
			}
			p.line(label, p.paint(sgrBoldYel, l))
		}
	}
	p.field("Findings", p.counts(r))
	p.field("Duration", duration(r.DurationMS))
	// A black-box run always says how much it sent, even nothing; a
	// white-box run sends nothing, so it says nothing.
	if r.Target != "" || r.Stats.Requests > 0 {
		req := strconv.FormatInt(r.Stats.Requests, 10)
		if r.Stats.Refused > 0 {
			req += fmt.Sprintf(" (%d refused by the scope or mode guard)", r.Stats.Refused)
		}
		p.field("Requests", req)
	}
	if t := r.Health.ThrottleSummary(); t != "" {
		p.field("Throttled", t)
	}
	if r.Target != "" || r.Operations > 0 {
		p.field("Operations", strconv.Itoa(r.Operations))
	}
	if len(r.Identities) > 0 {
		ids := make([]string, len(r.Identities))
		for i, id := range r.Identities {
			ids[i] = oneLine(id)
		}
		p.field("Identities", strings.Join(ids, ", "))
	}
	if s := oneLine(r.Fingerprint.Summary()); s != "" {
		p.field("Stack", s)
	}
}

func (p *printer) counts(r *rampart.Report) string {
	if len(r.Findings) == 0 {
		return "none"
	}
	c := r.Counts()
	var parts []string
	for s := rampart.Critical; s >= rampart.Info; s-- {
		part := strconv.Itoa(c[s]) + " " + s.String()
		if c[s] > 0 {
			part = p.paint(severityColor[s], part)
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " · ")
}

func gradeColor(g string) string {
	switch g {
	case "A", "B":
		return sgrGreen
	case "C":
		return sgrYellow
	default:
		return sgrBoldRed
	}
}

func (p *printer) findings(fs []rampart.Finding) {
	p.line()
	if len(fs) == 0 {
		p.line("No findings.")
		p.line()
		return
	}
	sorted := slices.Clone(fs)
	// Worst first, proof before suspicion; the rest only makes the order
	// deterministic so that two runs diff cleanly.
	slices.SortStableFunc(sorted, rampart.CompareFindings)
	for i := 0; i < len(sorted); {
		sev := sorted[i].Severity
		j := i
		for j < len(sorted) && sorted[j].Severity == sev {
			j++
		}
		p.rule(sev, j-i)
		for _, f := range sorted[i:j] {
			p.line()
			p.finding(f)
		}
		p.line()
		i = j
	}
}

// rule starts a severity group: "── Critical · 2 ─────…".
func (p *printer) rule(sev rampart.Severity, n int) {
	label := "── " + title(sev.String()) + " · " + strconv.Itoa(n) + " "
	fill := max(width-utf8.RuneCountInString(label), 3)
	p.line(p.paint(severityColor[sev], label+strings.Repeat("─", fill)))
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (p *printer) finding(f rampart.Finding) {
	tag := "[" + strings.ToUpper(f.Severity.String()) + "]"
	p.line(indentFinding, p.paint(severityColor[f.Severity], tag), " ", p.paint(sgrBold, oneLine(f.Title)))

	meta := []string{oneLine(f.Check), f.Confidence.String()}
	if loc := location(f.Location); loc != "" {
		meta = append(meta, loc)
	}
	p.line(indentBody, p.paint(sgrDim, strings.Join(meta, " · ")))

	if f.Message != "" {
		p.wrapped(indentBody, "", f.Message)
	}
	if f.Curl != "" {
		// Printed as is, even over 80 columns or several lines: it must
		// paste into a shell exactly.
		p.line(indentBody, clean(f.Curl))
	}
	if f.Remediation != "" {
		p.wrapped(indentBody, "Fix: ", f.Remediation)
	}
	if len(f.Related) > 0 {
		p.related(f.Related)
	}
	if p.opt.Verbose {
		for i, e := range f.Evidence {
			p.evidence(i+1, len(f.Evidence), e)
		}
	}
}

// location is "GET /notes/{note_id} [note_id] · app.py:42": the operation a
// user can find in their spec and the line they will edit.
func location(l rampart.Location) string {
	var parts []string
	switch {
	case l.Method != "" || l.Path != "":
		s := join(" ", l.Method, l.Path)
		if l.Param != "" {
			s += " [" + l.Param + "]"
		}
		parts = append(parts, s)
	case l.URL != "":
		parts = append(parts, l.URL)
	}
	if l.File != "" {
		s := l.File
		if l.Line > 0 {
			s += ":" + strconv.Itoa(l.Line)
		}
		parts = append(parts, s)
	}
	return oneLine(strings.Join(parts, " · "))
}

func (p *printer) related(rs []rampart.Related) {
	const label = "See: "
	for i, r := range rs {
		text := location(r.Location)
		if r.Note != "" {
			text = join(" — ", text, oneLine(r.Note))
		}
		lead := label
		if i > 0 {
			lead = strings.Repeat(" ", len(label))
		}
		p.wrapped(indentBody, lead, text)
		if p.opt.Verbose && r.Curl != "" {
			p.line(indentBody, strings.Repeat(" ", len(label)), clean(r.Curl))
		}
	}
}

func (p *printer) evidence(n, total int, e rampart.Evidence) {
	head := "Evidence"
	if total > 1 {
		head += " " + strconv.Itoa(n)
	}
	if e.Note != "" {
		p.wrapped(indentBody, head+": ", e.Note)
	} else {
		p.line(indentBody, head+":")
	}
	// curl -v's markers: > what Rampart sent, < what came back.
	p.exchange("> ", e.Request)
	p.exchange("< ", e.Response)
}

func (p *printer) exchange(mark, s string) {
	if s == "" {
		return
	}
	s, cut := truncate(strings.ReplaceAll(s, "\r\n", "\n"))
	lines := strings.Split(strings.TrimRight(clean(s), "\n"), "\n")
	for _, l := range lines {
		p.line(strings.TrimRight(indentProof+mark+l, " "))
	}
	if cut != "" {
		p.line(indentProof, mark, p.paint(sgrDim, cut))
	}
}

// truncate keeps the head of s within the evidence limits, cutting on a
// line or character boundary, and says how much it left out.
func truncate(s string) (string, string) {
	n := len(s)
	if n > maxEvidenceBytes {
		s = s[:maxEvidenceBytes]
		for len(s) > 0 && !utf8.ValidString(s[len(s)-min(len(s), utf8.UTFMax):]) {
			s = s[:len(s)-1] // back off a split rune
		}
	}
	if i := nthIndex(s, '\n', maxEvidenceLines); i >= 0 {
		s = s[:i]
	}
	if len(s) == n {
		return s, ""
	}
	return s, fmt.Sprintf("… %d more bytes (the JSON report has them all)", n-len(s))
}

// nthIndex returns the index of the nth occurrence of c, or -1.
func nthIndex(s string, c byte, n int) int {
	for i := range len(s) {
		if s[i] == c {
			n--
			if n == 0 {
				return i
			}
		}
	}
	return -1
}

func (p *printer) skipped(sk []rampart.Skipped) {
	if len(sk) == 0 {
		return
	}
	byReason := map[string][]string{}
	for _, s := range sk {
		reason := oneLine(cmp.Or(s.Reason, "no reason given"))
		byReason[reason] = append(byReason[reason], oneLine(s.Check))
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	// Largest group first: it is the one a different flag would unlock.
	slices.SortFunc(reasons, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(byReason[b]), len(byReason[a])), cmp.Compare(a, b))
	})
	p.line("Skipped")
	for _, r := range reasons {
		checks := byReason[r]
		p.wrapped(indentFinding, "", plural(len(checks), "check", "checks")+" skipped: "+r)
		if p.opt.Verbose {
			slices.Sort(checks)
			p.wrapped(indentBody, "", strings.Join(checks, ", "))
		}
	}
	p.line()
}

func (p *printer) errors(errs []rampart.CheckError) {
	if len(errs) == 0 {
		return
	}
	p.line(p.paint(sgrRed, "Errors"), " (", plural(len(errs), "check", "checks"), " could not run or lost answers; their flaws may be missing)")
	for _, e := range errs {
		lead := oneLine(e.Check)
		if e.Operation != "" {
			lead += " " + oneLine(e.Operation)
		}
		p.wrapped(indentFinding, lead+": ", e.Error)
	}
	p.line()
}

// footprint says what the scan did to the target's data: a count, the
// throwaway accounts, and what it could not undo (everything with -v).
func (p *printer) footprint(f *rampart.Footprint) {
	if f.Empty() {
		return
	}
	p.line("Footprint (what the scan created or changed on the target)")
	p.wrapped(indentFinding, "", oneLine(f.Summary()))
	for _, a := range f.Accounts {
		p.wrapped(indentFinding, "- ", oneLine(a.String()))
	}
	changes := f.Left()
	if p.opt.Verbose {
		changes = f.Changes
	}
	for _, c := range changes {
		p.wrapped(indentFinding, "- ", oneLine(c.String()))
	}
	p.line()
}

func (p *printer) notes(notes []string) {
	if len(notes) == 0 {
		return
	}
	p.line("Notes")
	for _, n := range notes {
		p.wrapped(indentFinding, "- ", n)
	}
	p.line()
}

func (p *printer) closing(r *rampart.Report) {
	if r.Incomplete {
		p.line(p.paint(sgrBoldYel, "Incomplete: interrupted"), " — the findings above are partial.")
		return
	}
	summary := "no findings"
	if n := len(r.Findings); n > 0 {
		summary = plural(n, "finding", "findings")
	}
	p.line(fmt.Sprintf("Done in %s: %s, grade ", duration(r.DurationMS), summary),
		p.paint(gradeColor(r.Grade), oneLine(r.Grade)), fmt.Sprintf(" (%d/100).", r.Score))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// duration is short and stable: 850ms, 12.3s, 4m05s, 1h02m.
func duration(ms int64) string {
	switch {
	case ms < 1000:
		return strconv.FormatInt(max(ms, 0), 10) + "ms"
	case ms < 60_000:
		s := strconv.FormatFloat(float64(ms/100)/10, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + "s"
	case ms < 3_600_000:
		return fmt.Sprintf("%dm%02ds", ms/60_000, ms%60_000/1000)
	default:
		return fmt.Sprintf("%dh%02dm", ms/3_600_000, ms%3_600_000/60_000)
	}
}

// join joins the non-blank strings.
func join(sep string, s ...string) string {
	var out []string
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, sep)
}
