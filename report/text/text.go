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
	"github.com/rampart-sec/rampart/report/internal/findgroup"
	"github.com/rampart-sec/rampart/report/internal/found"
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
	p.inputWarnings(r.InputWarnings)
	p.findings(r.Findings)
	p.coverage(r.Coverage)
	p.operations(r.Coverage)
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
	// said maps each fix paragraph printed so far to where: a paragraph
	// several checks share (one role check for BFLA-001 and BFLA-002) is
	// printed once and referred to after that.
	said map[string]string
	// shortened is set when a message or a fix was cut to its first
	// sentence or paragraph, so the report says how to see them whole.
	shortened bool
}

// gist is a finding's message as the default report prints it: its first
// sentence, which says what is wrong and where; the proof's details follow
// with -v. A message of one sentence is printed whole.
func (p *printer) gist(msg string) string {
	for i := 0; i+2 < len(msg); i++ {
		if msg[i] != '.' || msg[i+1] != ' ' {
			continue
		}
		// A sentence ends after a word, not after an abbreviation's or a
		// version's dot ("e.g. ", "2.2. "), and the next one starts with a
		// capital.
		prev, next := msg[max(i-1, 0)], msg[i+2]
		if !(prev >= 'a' && prev <= 'z' || prev == ')' || prev == '"' || prev == '\'' || prev == '`') {
			continue
		}
		if next < 'A' || next > 'Z' || strings.HasSuffix(msg[:i], " e.g") || strings.HasSuffix(msg[:i], " i.e") {
			continue
		}
		p.shortened = true
		return msg[:i+1]
	}
	return msg
}

// brief is a finding's message as the default report prints it: its first
// sentence, cut to its main clause past three lines.
func (p *printer) brief(msg string) string {
	s := p.gist(msg)
	if len(s) <= longMessage {
		return s
	}
	return p.clause(s)
}

// longMessage is the length past which a message's first sentence is cut
// to its main clause (about three lines of the report).
const longMessage = 230

// outsideCode reports whether the end of s is outside code and quotes:
// backticks and double quotes closed, parentheses and brackets balanced.
func outsideCode(s string) bool {
	return strings.Count(s, "`")%2 == 0 && strings.Count(s, "\"")%2 == 0 &&
		strings.Count(s, "(") == strings.Count(s, ")") && strings.Count(s, "[") == strings.Count(s, "]") &&
		strings.Count(s, "{") == strings.Count(s, "}")
}

// longGist is the length past which a first sentence is cut to its main
// clause: the part after a colon (the proof's particulars, a code example)
// is -v's.
const longGist = 160

// clause cuts a long sentence at its first colon, dash, parenthesis or "e.g." outside
// code, keeping at least a few words.
func (p *printer) clause(s string) string {
	if len(s) <= longGist {
		return s
	}
	cut := -1
	for _, sep := range []string{": ", " — ", ", e.g. ", " ("} {
		for from := 0; ; {
			i := strings.Index(s[from:], sep)
			if i < 0 {
				break
			}
			i += from
			if i >= 20 && outsideCode(s[:i]) {
				if cut < 0 || i < cut {
					cut = i
				}
				break
			}
			from = i + len(sep)
		}
	}
	if cut < 0 {
		return s
	}
	p.shortened = true
	return strings.TrimRight(s[:cut], " ,;") + "."
}

// fix prints a remediation after label, each paragraph once in the whole
// report: one printed before is replaced by a reference to where.
func (p *printer) fix(label, text, where string) {
	if text == "" {
		return
	}
	if p.said == nil {
		p.said = map[string]string{}
	}
	var fresh, refs []string
	for _, para := range findgroup.Paragraphs(text) {
		if w, ok := p.said[para]; ok {
			if !slices.Contains(refs, w) {
				refs = append(refs, w)
			}
			continue
		}
		p.said[para] = where
		if !p.opt.Verbose {
			// The first sentence says what to do; the rest (examples,
			// hardening) is -v's.
			if len(fresh) > 0 {
				p.shortened = true
				continue
			}
			para = p.clause(p.gist(para))
		}
		fresh = append(fresh, para)
	}
	if len(refs) > 0 {
		ref := "as for " + strings.Join(refs, " and ") + " above."
		if len(fresh) == 0 {
			ref = "A" + ref[1:]
		} else {
			ref = "And " + ref
		}
		fresh = append(fresh, ref)
	}
	p.wrapped(indentBody, label, strings.Join(fresh, "\n"))
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
	p.coverageField(r.Coverage)
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
		// How they were found, when the report says: "14 — 11 from the
		// spec, 2 from code, 1 by probing common paths".
		for i, l := range wrap(oneLine(found.Operations(r.Operations, r.Coverage)), width-12) {
			label := ""
			if i == 0 {
				label = "Operations"
			}
			p.field(label, l)
		}
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
	p.replay(r.Replay)
}

// replay is the legend of the curl lines' variables, once, so that a
// line copied from any finding can be run.
func (p *printer) replay(vars []rampart.ReplayVariable) {
	if len(vars) == 0 {
		return
	}
	for i, v := range vars {
		label := ""
		if i == 0 {
			label = "Replay"
		}
		p.field(label, oneLine(v.String()))
	}
	// The example on a line of its own, so that it can be copied whole.
	ex := rampart.ReplayExample(vars)
	before, after, _ := strings.Cut(rampart.ReplayHowTo(vars), ex)
	for _, l := range append(append(wrap(oneLine(before), width-12), oneLine(ex)), wrap(oneLine(after), width-12)...) {
		p.field("", p.paint(sgrDim, l))
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
	groups := findgroup.Of(sorted)
	for i := 0; i < len(groups); {
		sev := groups[i].Severity
		j, n := i, 0
		for j < len(groups) && groups[j].Severity == sev {
			n += len(groups[j].Findings)
			j++
		}
		p.rule(sev, n)
		for _, g := range groups[i:j] {
			p.line()
			p.group(g)
		}
		p.line()
		i = j
	}
}

// group prints the findings of one check: the title once, each finding's
// own part, then the fix they share once (a check's findings mostly share
// it, and reading it once per finding buried the findings themselves).
func (p *printer) group(g findgroup.Group) {
	check := oneLine(g.Check)
	if len(g.Findings) == 1 {
		p.title(g.Findings[0], "")
		p.finding(g.Findings[0], g.Fix, check)
		return
	}
	p.title(g.Findings[0], " · "+strconv.Itoa(len(g.Findings))+" findings")
	for i, f := range g.Findings {
		if i > 0 {
			p.line()
		}
		p.finding(f, g.Own[i], join(" at ", check, oneLine(join(" ", f.Location.Method, f.Location.Path))))
	}
	if g.Fix != "" {
		p.line()
		p.fix("Fix ("+allOf(len(g.Findings))+"): ", g.Fix, check)
	}
}

func allOf(n int) string {
	if n == 2 {
		return "both"
	}
	return "all " + strconv.Itoa(n)
}

func (p *printer) title(f rampart.Finding, suffix string) {
	tag := "[" + strings.ToUpper(f.Severity.String()) + "]"
	p.line(indentFinding, p.paint(severityColor[f.Severity], tag), " ", p.paint(sgrBold, oneLine(f.Title)), suffix)
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

// finding prints one finding after its title, with the part of the fix
// that is its own.
func (p *printer) finding(f rampart.Finding, fix, where string) {
	meta := []string{oneLine(f.Check), f.Confidence.String()}
	if loc := location(f.Location); loc != "" {
		meta = append(meta, loc)
	}
	p.line(indentBody, p.paint(sgrDim, strings.Join(meta, " · ")))

	if f.Message != "" {
		msg := f.Message
		if !p.opt.Verbose {
			msg = p.brief(msg)
		}
		p.wrapped(indentBody, "", msg)
	}
	if f.Curl != "" {
		// Printed as is, even over 80 columns or several lines: it must
		// paste into a shell exactly.
		p.line(indentBody, clean(f.Curl))
	}
	p.fix("Fix: ", fix, where)
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
	for _, c := range sameFate(changes) {
		p.wrapped(indentFinding, "- ", oneLine(c.String()))
	}
	p.line()
}

// sameFate merges changes that differ only in their object (four
// transfers left by one check's replays) into one line naming them all.
func sameFate(cs []rampart.Change) []rampart.Change {
	var out []rampart.Change
	index := map[string]int{}
	for _, c := range cs {
		key := c
		key.Object = ""
		k := key.String()
		if i, ok := index[k]; ok {
			out[i].Object += ", " + c.Object
			continue
		}
		index[k] = len(out)
		out = append(out, c)
	}
	return out
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
	if p.shortened {
		for _, l := range wrap("Messages and fixes are cut to their first sentence: -v prints them whole, with the evidence (`rampart report FILE.json -f text -v` for a saved JSON report).", width) {
			p.line(p.paint(sgrDim, l))
		}
		p.line()
	}
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
