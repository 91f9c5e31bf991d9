// Package markdown writes a Rampart report as GitHub-flavoured Markdown for
// a pull-request or merge-request comment: a header with the grade and the
// counts, one table row per finding, then a collapsible <details> block per
// finding with its message, the curl line that replays it and the fix.
// Under the header, the input warnings (what Rampart repaired in the spec,
// HAR or Postman file) are listed, and the coverage matrix has a Found
// column saying how each operation was found.
//
// Everything that came from the scanned target is escaped, so a hostile
// response cannot add links, images, HTML or @-mentions to the comment. The
// comment is kept under Options.MaxLen characters (GitHub refuses comments
// over 65536): when findings do not fit, the last lines say how many more
// the full report has.
package markdown

import (
	"cmp"
	"errors"
	"fmt"
	"html"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/doclink"
	"github.com/rampart-sec/rampart/report/internal/findgroup"
	richtext "github.com/rampart-sec/rampart/report/internal/rich"
)

// DefaultMaxLen leaves room below GitHub's 65536-character limit for
// whatever a CI step wraps around the comment.
const DefaultMaxLen = 60000

// DefaultDocBase resolves the relative documentation links of check metadata.
const DefaultDocBase = doclink.DefaultBase

// Options carries what a report does not.
type Options struct {
	// Rules is the metadata of the checks and rules; it links check IDs
	// to their documentation. Findings of unknown checks are still shown.
	Rules []rampart.Meta
	// DocBase resolves relative Doc links; default DefaultDocBase.
	DocBase string
	// MaxLen caps the comment, in characters; default DefaultMaxLen.
	MaxLen int
}

var emoji = map[rampart.Severity]string{
	rampart.Critical: "🔴",
	rampart.High:     "🟠",
	rampart.Medium:   "🟡",
	rampart.Low:      "🔵",
	rampart.Info:     "⚪",
}

// Write renders r. The comment is built in memory first.
func Write(w io.Writer, r *rampart.Report, opt Options) error {
	if r == nil {
		return errors.New("markdown report: nil report")
	}
	_, err := io.WriteString(w, Render(r, opt))
	return err
}

// Render returns the comment.
func Render(r *rampart.Report, opt Options) string {
	maxLen := opt.MaxLen
	if maxLen <= 0 {
		maxLen = DefaultMaxLen
	}
	docBase := cmp.Or(opt.DocBase, DefaultDocBase)
	metas := make(map[string]rampart.Meta, len(opt.Rules))
	for _, m := range opt.Rules {
		metas[strings.ToUpper(m.ID)] = m
	}
	doc := func(check string) string { return linkTo(docBase, metas[strings.ToUpper(check)].Doc) }

	findings := slices.SortedStableFunc(slices.Values(r.Findings), rampart.CompareFindings)
	// Input warnings take at most a tenth of the comment.
	head := header(r, inputWarnings(r.InputWarnings, maxLen/10))
	cov := coverageSummary(r.Coverage)
	tail := footer(r, docBase)

	// The header, the coverage summary and the footer always fit; findings
	// fill what is left. A reserve keeps room for the line that says what
	// was left out. The coverage matrix comes after the findings and only
	// when it takes at most half of their room.
	const reserve = 200
	budget := maxLen - runes(head) - runes(cov) - runes(tail) - reserve
	matrix := coverageMatrix(r.Coverage)
	if matrix != "" && runes(matrix) > budget/2 {
		matrix = "_The coverage matrix does not fit in this comment: the JSON and HTML reports have it._\n\n"
	}
	budget -= runes(matrix)
	var b strings.Builder
	b.WriteString(head)

	rows, details := 0, 0
	if len(findings) > 0 {
		table := "| Severity | Check | Location | Finding |\n|---|---|---|---|\n"
		if runes(table) <= budget {
			budget -= runes(table)
			b.WriteString(table)
			for _, f := range findings {
				row := tableRow(f, doc(f.Check))
				if runes(row) > budget {
					break
				}
				budget -= runes(row)
				b.WriteString(row)
				rows++
			}
			b.WriteString("\n")
		}
		said := map[string]string{}
		for _, f := range findings[:rows] {
			d := detail(f, doc(f.Check), said)
			if runes(d) > budget {
				break
			}
			budget -= runes(d)
			b.WriteString(d)
			details++
		}
		if rows < len(findings) {
			fmt.Fprintf(&b, "_%s more in the full report._\n\n", plural(len(findings)-rows, "finding"))
		} else if details < rows {
			fmt.Fprintf(&b, "_Details of %s more in the full report._\n\n", plural(rows-details, "finding"))
		}
	}
	b.WriteString(cov)
	b.WriteString(matrix)
	b.WriteString(tail)
	out := b.String()
	if runes(out) > maxLen {
		// Only a header or footer larger than the cap (a tiny MaxLen)
		// gets here; cut on a rune boundary rather than exceed it.
		out = string([]rune(out)[:max(maxLen-1, 0)]) + "…"
	}
	return out
}

func header(r *rampart.Report, warnings string) string {
	var b strings.Builder
	grade := cmp.Or(oneLine(r.Grade), "?")
	fmt.Fprintf(&b, "### 🛡️ Rampart · grade %s · %d/100\n\n", text(grade), r.Score)
	if r.Incomplete {
		b.WriteString("> ⚠️ **The scan was interrupted: this report is partial.**\n\n")
	}
	if r.Health != nil && r.Health.Warning != "" {
		b.WriteString("> ⚠️ **" + text(oneLine(r.Health.Warning)) + "**\n\n")
	}
	b.WriteString(incompleteBanner(r.Coverage))
	if len(r.Findings) == 0 {
		b.WriteString("**No findings.**")
	} else {
		c := r.Counts()
		var parts []string
		for s := rampart.Critical; s >= rampart.Info; s-- {
			if c[s] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d %s", emoji[s], c[s], s))
			}
		}
		fmt.Fprintf(&b, "**%s:** %s", plural(len(r.Findings), "finding"), strings.Join(parts, " · "))
	}
	b.WriteString("\n")
	var facts []string
	if r.Target != "" {
		facts = append(facts, "target "+code(oneLine(r.Target), false))
	}
	if r.Source != "" {
		facts = append(facts, "source "+code(oneLine(r.Source), false))
	}
	facts = append(facts, r.Mode.String()+" mode")
	if r.Target != "" || r.Stats.Requests > 0 {
		facts = append(facts, plural(int(r.Stats.Requests), "request"))
	}
	facts = append(facts, duration(r.DurationMS))
	if r.Coverage != nil {
		facts = append(facts, fmt.Sprintf("%d%% coverage", r.Coverage.Percent))
	}
	if ops := operationsFact(r); ops != "" {
		facts = append(facts, ops)
	}
	b.WriteString(strings.Join(facts, " · "))
	b.WriteString("\n\n")
	b.WriteString(warnings)
	b.WriteString(replay(r.Replay))
	return b.String()
}

// replay is the legend of the curl lines' variables, once at the top, so
// that a line copied from any finding can be run.
func replay(vars []rampart.ReplayVariable) string {
	if len(vars) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("**Replaying the curl lines:**\n")
	for _, v := range vars {
		b.WriteString("- " + code("$"+oneLine(v.Name), false) + " = " + text(oneLine(v.Whose())) + "\n")
	}
	ex := rampart.ReplayExample(vars)
	before, after, _ := strings.Cut(rampart.ReplayHowTo(vars), ex)
	b.WriteString("\n" + text(oneLine(before)) + " " + code(ex, false) + " " + text(oneLine(after)) + "\n\n")
	return b.String()
}

func tableRow(f rampart.Finding, docURL string) string {
	check := code(cmp.Or(oneLine(f.Check), "?"), true)
	if docURL != "" {
		check = "[" + check + "](" + docURL + ")"
	}
	title := cell(cmp.Or(f.Title, f.Check))
	if f.Confidence == rampart.Tentative {
		title += " _(tentative)_"
	}
	return fmt.Sprintf("| %s %s | %s | %s | %s |\n", emoji[f.Severity], f.Severity, check, where(f.Location, true), title)
}

// where is a location as code spans: `GET /notes/{note_id}` `app.py:42`.
func where(l rampart.Location, inTable bool) string {
	var parts []string
	if op := strings.TrimSpace(strings.ToUpper(l.Method) + " " + cmp.Or(l.Path, l.URL)); op != "" {
		s := code(oneLine(op), inTable)
		if l.Param != "" {
			s += " (" + code(oneLine(l.Param), inTable) + ")"
		}
		parts = append(parts, s)
	}
	if l.File != "" {
		f := l.File
		if l.Line > 0 {
			f += ":" + strconv.Itoa(l.Line)
		}
		parts = append(parts, code(oneLine(f), inTable))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " · ")
}

// detail renders one finding. said maps the fix paragraphs printed so far
// to the check they were printed for: the findings of one check mostly
// share their fix, and it is printed once (which also leaves more of the
// comment's length to findings).
func detail(f rampart.Finding, docURL string, said map[string]string) string {
	var b strings.Builder
	// Markdown is not rendered inside <summary>, so it is HTML.
	sum := emoji[f.Severity] + " <b>" + htmlText(oneLine(f.Check)) + "</b> " + htmlText(oneLine(cmp.Or(f.Title, f.Check)))
	if op := strings.TrimSpace(strings.ToUpper(f.Location.Method) + " " + cmp.Or(f.Location.Path, f.Location.URL)); op != "" {
		sum += " — <code>" + htmlText(oneLine(op)) + "</code>"
	} else if f.Location.File != "" {
		sum += " — <code>" + htmlText(oneLine(f.Location.File)) + "</code>"
	}
	b.WriteString("<details>\n<summary>" + noMention(sum) + "</summary>\n\n")
	if msg := rich(f.Message); msg != "" {
		b.WriteString(msg)
	}
	facts := []string{"**Severity** " + f.Severity.String(), "**Confidence** " + f.Confidence.String()}
	if n := cweNumber(f.CWE); n != "" {
		facts = append(facts, "**CWE** [CWE-"+n+"](https://cwe.mitre.org/data/definitions/"+n+".html)")
	}
	if f.OWASP != "" {
		facts = append(facts, "**OWASP** "+text(oneLine(f.OWASP)))
	}
	facts = append(facts, "**Where** "+where(f.Location, false))
	if docURL != "" {
		facts = append(facts, "[about "+text(oneLine(f.Check))+"]("+docURL+")")
	}
	b.WriteString(strings.Join(facts, " · ") + "\n\n")
	if len(f.Related) > 0 {
		b.WriteString("Related:\n")
		for _, rel := range f.Related {
			line := "- " + where(rel.Location, false)
			if n := oneLine(rel.Note); n != "" {
				line += ": " + text(n)
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("\n")
	}
	if f.Curl != "" {
		b.WriteString("Reproduce:\n\n" + fence(f.Curl, "sh"))
	}
	var fresh, refs []string
	for _, para := range findgroup.Paragraphs(f.Remediation) {
		if w, ok := said[para]; ok {
			if !slices.Contains(refs, w) {
				refs = append(refs, w)
			}
			continue
		}
		said[para] = oneLine(f.Check)
		fresh = append(fresh, para)
	}
	if fix := rich(strings.Join(fresh, "\n")); fix != "" {
		b.WriteString("**Fix.** " + fix)
	}
	if len(refs) > 0 {
		lead := "**Fix.** As"
		if len(fresh) > 0 {
			lead = "And as"
		}
		b.WriteString(lead + " for " + text(strings.Join(refs, " and ")) + " above.\n\n")
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

func footer(r *rampart.Report, docBase string) string {
	var b strings.Builder
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, "⚠️ %s could not run or lost answers:\n", plural(len(r.Errors), "check"))
		for _, e := range r.Errors {
			line := "- " + code(cmp.Or(oneLine(e.Check), "?"), false)
			if e.Operation != "" {
				line += " on " + code(oneLine(e.Operation), false)
			}
			b.WriteString(line + ": " + text(oneLine(e.Error)) + "\n")
		}
		b.WriteString("\n")
	}
	if len(r.Skipped) > 0 {
		// Grouped by reason: "needs --mode active: AUTHZ-002, IDEM-001".
		var reasons []string
		byReason := map[string][]string{}
		for _, s := range r.Skipped {
			reason := oneLine(s.Reason)
			if _, ok := byReason[reason]; !ok {
				reasons = append(reasons, reason)
			}
			byReason[reason] = append(byReason[reason], code(oneLine(s.Check), false))
		}
		fmt.Fprintf(&b, "⏭️ %s skipped: ", plural(len(r.Skipped), "check"))
		var parts []string
		for _, reason := range reasons {
			parts = append(parts, text(cmp.Or(reason, "no reason given"))+" ("+strings.Join(byReason[reason], ", ")+")")
		}
		b.WriteString(strings.Join(parts, "; ") + ".\n\n")
	}
	if fp := r.Footprint; !fp.Empty() {
		b.WriteString("🧹 Footprint on the target: " + text(oneLine(fp.Summary())) + ".\n")
		for _, c := range fp.Left() {
			b.WriteString("- left behind: " + text(oneLine(c.String())) + "\n")
		}
		for _, a := range fp.Accounts {
			if !a.Removed {
				b.WriteString("- account left: " + text(oneLine(a.String())) + "\n")
			}
		}
		b.WriteString("\n")
	}
	for _, n := range r.Notes {
		b.WriteString("ℹ️ " + text(oneLine(n)) + "\n\n")
	}
	version := strings.TrimSpace("Rampart " + oneLine(r.Tool.Version))
	fmt.Fprintf(&b, "<sub>%s · [how the grade is computed](%s)</sub>\n", html.EscapeString(version), linkTo(docBase, "docs/scoring.md"))
	return b.String()
}

// htmlText escapes text for raw HTML, and Markdown's link and emphasis
// link and image characters too, for renderers that look for Markdown
// inside HTML.
func htmlText(s string) string {
	return htmlMarkdown.Replace(html.EscapeString(s))
}

var htmlMarkdown = strings.NewReplacer("[", "&#91;", "]", "&#93;", "!", "&#33;")

// rich renders text that may hold `code` spans, ``` fences and indented
// code blocks (remediation advice does): prose is escaped, code is shown as
// code. It ends with a blank line, or is empty.
func rich(s string) string {
	var b strings.Builder
	for _, blk := range richtext.Blocks(s) {
		if blk.Code {
			b.WriteString(fence(blk.Text, blk.Lang))
			continue
		}
		var p strings.Builder
		for _, sp := range richtext.Inline(blk.Text) {
			if sp.Code {
				p.WriteString(code(sp.Text, false))
			} else {
				p.WriteString(text(sp.Text))
			}
		}
		b.WriteString(leading(p.String()) + "\n\n")
	}
	return b.String()
}

// text escapes prose from the report so that it renders as the same text:
// no HTML, no links or images, no emphasis, no table breaks, no mentions.
func text(s string) string {
	s = clean(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '|', '~', '!', '#':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return noMention(b.String())
}

// leading escapes what would make a paragraph a list or a heading.
func leading(p string) string {
	if p == "" {
		return p
	}
	switch p[0] {
	case '-', '+', '=':
		return `\` + p
	}
	i := 0
	for i < len(p) && p[i] >= '0' && p[i] <= '9' {
		i++
	}
	if i > 0 && i < len(p) && (p[i] == '.' || p[i] == ')') {
		return p[:i] + `\` + p[i:]
	}
	return p
}

// noMention breaks @name so that a comment never notifies anybody the
// scanned target chose: a zero-width space goes after an @ that starts a
// word. E-mail addresses (a@b) are left alone.
func noMention(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	prev := ' '
	rs := []rune(s)
	for i, r := range rs {
		b.WriteRune(r)
		if r == '@' && !isWord(prev) && i+1 < len(rs) && isWord(rs[i+1]) {
			b.WriteRune('\u200b')
		}
		prev = r
	}
	return b.String()
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// code makes an inline code span that holds s literally, whatever
// backticks it contains. In a table cell a | must be escaped even there.
func code(s string, inTable bool) string {
	s = strings.ReplaceAll(clean(s), "\n", " ")
	if s == "" {
		return ""
	}
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return ticks + s + ticks
}

// fence is a fenced code block long enough that its content cannot close it.
func fence(s, lang string) string {
	s = strings.Trim(clean(s), "\n")
	f := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	lang = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '+' {
			return r
		}
		return -1
	}, lang)
	return f + lang + "\n" + s + "\n" + f + "\n\n"
}

func cell(s string) string { return text(oneLine(s)) }

func longestRun(s string, c rune) int {
	best, n := 0, 0
	for _, r := range s {
		if r == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// clean drops control characters (ANSI escapes, NULs) but keeps newlines
// and tabs, and turns invalid UTF-8 into U+FFFD.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(clean(s)), " ") }

func runes(s string) int { return utf8.RuneCountInString(s) }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

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

func cweNumber(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "CWE-"), "CWE"))
	if s == "" {
		return ""
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return strings.TrimLeft(s, "0")
}

// linkTo resolves a documentation link and keeps it from closing the
// Markdown link it goes in.
func linkTo(base, doc string) string { return safeURL(doclink.Resolve(base, doc)) }

// safeURL keeps a link destination from closing the Markdown link.
func safeURL(u string) string {
	r := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")
	return r.Replace(u)
}
