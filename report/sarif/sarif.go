package sarif

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/doclink"
)

// Version is the SARIF version written.
const Version = "2.1.0"

// SchemaURI is written as the log's $schema. It is the address GitHub's own
// documentation uses for SARIF 2.1.0.
const SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// DefaultDocBase is the address relative documentation links in check
// metadata ("docs/checks.md#debug-001") are resolved against.
const DefaultDocBase = doclink.DefaultBase

// FingerprintKey names the partial fingerprint that carries a finding's ID.
// The suffix is the version of the fingerprint algorithm: a change to
// rampart.Finding.Fingerprint must bump it, so consumers do not match old and
// new fingerprints as if they were the same thing.
const FingerprintKey = "rampart/v1"

// SrcRoot is the uriBaseId of relative source paths: the directory Rampart
// ran in, which in CI is the repository's root.
const SrcRoot = "%SRCROOT%"

const informationURI = "https://github.com/rampart-sec/rampart"

// Options carries what a report does not: the metadata of the checks and
// white-box rules, and where their documentation lives.
type Options struct {
	// Rules is the metadata of every check and rule that may appear in the
	// report (checks.All() and the code rules). A finding whose check is
	// missing here gets a rule built from the finding itself.
	Rules []rampart.Meta
	// DocBase resolves relative Doc links; default DefaultDocBase.
	DocBase string
	// HTTPArtifact is the repository file that findings with only an HTTP
	// location are anchored to, typically the OpenAPI document the scan
	// used (a path relative to the directory Rampart ran in). GitHub code
	// scanning rejects a whole SARIF file when one result lacks a physical
	// location, so such findings always get one: this file, or when it is
	// empty a path built from the operation ("api/notes/{note_id}") that
	// exists in no repository. The HTTP operation itself is always the
	// result's logical location.
	HTTPArtifact string
}

// Write writes r as a SARIF 2.1.0 log with one run. The log is built in
// memory first, so a failure never leaves half a file behind.
func Write(w io.Writer, r *rampart.Report, opt Options) error {
	if r == nil {
		return errors.New("sarif report: nil report")
	}
	l := build(r, opt)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		return fmt.Errorf("sarif report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// The SARIF object model, reduced to what Rampart writes. Field order is the
// order of the written JSON.
type (
	log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []run  `json:"runs"`
	}
	run struct {
		Tool        tool            `json:"tool"`
		Invocations []invocation    `json:"invocations"`
		Taxonomies  []toolComponent `json:"taxonomies,omitempty"`
		Results     []result        `json:"results"`
		ColumnKind  string          `json:"columnKind,omitempty"`
		Properties  map[string]any  `json:"properties,omitempty"`
	}
	tool struct {
		Driver toolComponent `json:"driver"`
	}
	toolComponent struct {
		Name                string         `json:"name"`
		Organization        string         `json:"organization,omitempty"`
		Version             string         `json:"version,omitempty"`
		InformationURI      string         `json:"informationUri,omitempty"`
		ShortDescription    *text          `json:"shortDescription,omitempty"`
		Rules               []descriptor   `json:"rules,omitempty"`
		Taxa                []descriptor   `json:"taxa,omitempty"`
		SupportedTaxonomies []componentRef `json:"supportedTaxonomies,omitempty"`
		Properties          map[string]any `json:"properties,omitempty"`
	}
	componentRef struct {
		Name string `json:"name"`
	}
	descriptor struct {
		ID                   string          `json:"id"`
		Name                 string          `json:"name,omitempty"`
		ShortDescription     *text           `json:"shortDescription,omitempty"`
		FullDescription      *text           `json:"fullDescription,omitempty"`
		DefaultConfiguration *configuration  `json:"defaultConfiguration,omitempty"`
		HelpURI              string          `json:"helpUri,omitempty"`
		Help                 *text           `json:"help,omitempty"`
		Relationships        []relationship  `json:"relationships,omitempty"`
		Properties           *ruleProperties `json:"properties,omitempty"`
	}
	text struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	configuration struct {
		Level string `json:"level"`
	}
	relationship struct {
		Target descriptorRef `json:"target"`
		Kinds  []string      `json:"kinds"`
	}
	descriptorRef struct {
		ID            string        `json:"id"`
		ToolComponent *componentRef `json:"toolComponent,omitempty"`
	}
	ruleProperties struct {
		Tags             []string `json:"tags,omitempty"`
		Precision        string   `json:"precision,omitempty"`
		SecuritySeverity string   `json:"security-severity"`
		ProblemSeverity  string   `json:"problem.severity,omitempty"`
		Family           string   `json:"family,omitempty"`
		OWASP            string   `json:"owasp,omitempty"`
		Kind             string   `json:"kind,omitempty"`
	}
	invocation struct {
		ExecutionSuccessful            bool           `json:"executionSuccessful"`
		StartTimeUTC                   string         `json:"startTimeUtc,omitempty"`
		EndTimeUTC                     string         `json:"endTimeUtc,omitempty"`
		ToolExecutionNotifications     []notification `json:"toolExecutionNotifications,omitempty"`
		ToolConfigurationNotifications []notification `json:"toolConfigurationNotifications,omitempty"`
	}
	notification struct {
		Level          string         `json:"level"`
		Message        text           `json:"message"`
		Locations      []location     `json:"locations,omitempty"`
		AssociatedRule *descriptorRef `json:"associatedRule,omitempty"`
		Properties     map[string]any `json:"properties,omitempty"`
	}
	result struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             text              `json:"message"`
		Locations           []location        `json:"locations,omitempty"`
		RelatedLocations    []location        `json:"relatedLocations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Taxa                []descriptorRef   `json:"taxa,omitempty"`
		Properties          *resultProperties `json:"properties,omitempty"`
	}
	resultProperties struct {
		Severity   string `json:"severity"`
		Confidence string `json:"confidence"`
		Family     string `json:"family,omitempty"`
		OWASP      string `json:"owasp,omitempty"`
		Curl       string `json:"curl,omitempty"`
	}
	location struct {
		ID               *int                `json:"id,omitempty"`
		PhysicalLocation *physicalLocation   `json:"physicalLocation,omitempty"`
		LogicalLocations []logicalLocation   `json:"logicalLocations,omitempty"`
		Message          *text               `json:"message,omitempty"`
		Properties       *locationProperties `json:"properties,omitempty"`
	}
	physicalLocation struct {
		ArtifactLocation artifactLocation `json:"artifactLocation"`
		Region           *region          `json:"region,omitempty"`
	}
	artifactLocation struct {
		URI         string `json:"uri"`
		URIBaseID   string `json:"uriBaseId,omitempty"`
		Description *text  `json:"description,omitempty"`
	}
	region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	logicalLocation struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
	locationProperties struct {
		URL   string `json:"url,omitempty"`
		Param string `json:"param,omitempty"`
		Curl  string `json:"curl,omitempty"`
	}
)

func build(r *rampart.Report, opt Options) log {
	docBase := cmp.Or(opt.DocBase, DefaultDocBase)
	metas := make(map[string]rampart.Meta, len(opt.Rules))
	for _, m := range opt.Rules {
		metas[strings.ToUpper(m.ID)] = m
	}
	findings := slices.SortedStableFunc(slices.Values(r.Findings), rampart.CompareFindings)

	// One rule per check that has a result, in ID order; a result points to
	// its rule by index.
	byCheck := map[string][]rampart.Finding{}
	var ids []string
	for _, f := range findings {
		id := ruleID(f)
		if _, ok := byCheck[id]; !ok {
			ids = append(ids, id)
		}
		byCheck[id] = append(byCheck[id], f)
	}
	slices.Sort(ids)
	index := make(map[string]int, len(ids))
	cwes := map[string]bool{}
	rules := make([]descriptor, 0, len(ids))
	for i, id := range ids {
		index[id] = i
		m, ok := metas[strings.ToUpper(id)]
		rules = append(rules, rule(id, m, ok, byCheck[id], docBase))
		if c := cweNumber(cmp.Or(m.CWE, byCheck[id][0].CWE)); c != "" {
			cwes[c] = true
		}
	}

	results := make([]result, 0, len(findings))
	for _, f := range findings {
		res := resultOf(f, ruleID(f), index[ruleID(f)], opt.HTTPArtifact)
		if c := cweNumber(f.CWE); c != "" {
			cwes[c] = true
		}
		results = append(results, res)
	}

	driver := toolComponent{
		Name:           "Rampart",
		Version:        oneLine(r.Tool.Version),
		InformationURI: informationURI,
		Rules:          rules,
	}
	var taxonomies []toolComponent
	if len(cwes) > 0 {
		driver.SupportedTaxonomies = []componentRef{{Name: "CWE"}}
		taxonomies = []toolComponent{cweTaxonomy(cwes)}
	}
	return log{
		Schema:  SchemaURI,
		Version: Version,
		Runs: []run{{
			Tool:        tool{Driver: driver},
			Invocations: []invocation{invocationOf(r)},
			Taxonomies:  taxonomies,
			Results:     results,
			ColumnKind:  columnKind(findings),
			Properties:  runProperties(r),
		}},
	}
}

// ruleID is the check a finding belongs to; a finding without one (which a
// check never produces) still needs a rule to point at.
func ruleID(f rampart.Finding) string {
	return cmp.Or(strings.TrimSpace(f.Check), "UNKNOWN")
}

func rule(id string, m rampart.Meta, known bool, fs []rampart.Finding, docBase string) descriptor {
	first := fs[0]
	if !known {
		// Fall back to what the findings carry.
		m = rampart.Meta{
			ID: id, Family: first.Family, Title: first.Title, Severity: first.Severity,
			CWE: first.CWE, OWASP: first.OWASP, Fix: first.Remediation,
		}
	}
	title := cmp.Or(oneLine(m.Title), id)
	d := descriptor{
		ID:                   id,
		Name:                 pascal(title),
		ShortDescription:     &text{Text: title},
		DefaultConfiguration: &configuration{Level: level(m.Severity)},
		HelpURI:              doclink.Resolve(docBase, m.Doc),
	}
	if full := cmp.Or(strings.TrimSpace(m.Detects), strings.TrimSpace(m.Summary)); full != "" {
		d.FullDescription = &text{Text: full}
	}
	d.Help = help(m, d.HelpURI)
	if c := cweNumber(m.CWE); c != "" {
		d.Relationships = []relationship{{
			Target: descriptorRef{ID: "CWE-" + c, ToolComponent: &componentRef{Name: "CWE"}},
			Kinds:  []string{"superset"},
		}}
	}
	// GitHub ranks alerts by the rule's security-severity, so it is the
	// worst severity this rule was found at in this run, not only the
	// check's default: a debugger with its PIN off is critical.
	worst, best := m.Severity, rampart.Tentative
	for _, f := range fs {
		worst = max(worst, f.Severity)
		best = max(best, f.Confidence)
	}
	var tags []string
	tags = append(tags, "security")
	if m.Family != "" {
		tags = append(tags, string(m.Family))
	}
	if c := cweNumber(m.CWE); c != "" {
		tags = append(tags, "external/cwe/cwe-"+c)
	}
	if o := owaspTag(m.OWASP); o != "" {
		tags = append(tags, o)
	}
	d.Properties = &ruleProperties{
		Tags:             tags,
		Precision:        precision(best),
		SecuritySeverity: SecuritySeverity(worst),
		ProblemSeverity:  problemSeverity(worst),
		Family:           string(m.Family),
		OWASP:            oneLine(m.OWASP),
		Kind:             m.Kind,
	}
	return d
}

// help is the rule's documentation, for viewers that show it inline.
func help(m rampart.Meta, uri string) *text {
	var t, md strings.Builder
	section := func(title, body string) {
		body = strings.TrimSpace(body)
		if body == "" {
			return
		}
		if t.Len() > 0 {
			t.WriteString("\n\n")
			md.WriteString("\n\n")
		}
		if title == "" {
			t.WriteString(body)
			md.WriteString(body)
			return
		}
		t.WriteString(title + ": " + body)
		md.WriteString("**" + title + ".** " + body)
	}
	section("", m.Summary)
	section("What it detects", m.Detects)
	section("Requests it sends", m.Requests)
	section("How to fix", m.Fix)
	if t.Len() == 0 {
		return nil
	}
	if uri != "" {
		t.WriteString("\n\nMore: " + uri)
		md.WriteString("\n\n[Documentation](" + uri + ")")
	}
	return &text{Text: t.String(), Markdown: md.String()}
}

func resultOf(f rampart.Finding, ruleID string, ruleIndex int, httpArtifact string) result {
	msg := oneParagraph(f.Message)
	if msg == "" {
		msg = cmp.Or(oneLine(f.Title), ruleID)
	}
	fp := f.ID
	if fp == "" {
		fp = f.Fingerprint()
	}
	res := result{
		RuleID:              ruleID,
		RuleIndex:           ruleIndex,
		Level:               level(f.Severity),
		Message:             text{Text: msg},
		PartialFingerprints: map[string]string{FingerprintKey: fp},
		Properties: &resultProperties{
			Severity:   f.Severity.String(),
			Confidence: f.Confidence.String(),
			Family:     string(f.Family),
			OWASP:      oneLine(f.OWASP),
			Curl:       f.Curl,
		},
	}
	if loc, ok := locationOf(f.Location, "", httpArtifact); ok {
		res.Locations = []location{loc}
	}
	for i, rel := range f.Related {
		loc, ok := locationOf(rel.Location, rel.Curl, httpArtifact)
		if !ok {
			continue
		}
		id := i + 1
		loc.ID = &id
		if n := oneParagraph(rel.Note); n != "" {
			loc.Message = &text{Text: n}
		}
		res.RelatedLocations = append(res.RelatedLocations, loc)
	}
	if c := cweNumber(f.CWE); c != "" {
		res.Taxa = []descriptorRef{{ID: "CWE-" + c, ToolComponent: &componentRef{Name: "CWE"}}}
	}
	return res
}

// locationOf maps a source line to a physical location and an HTTP
// operation to a logical one; a correlated finding has both. An HTTP-only
// location also gets a physical one, because GitHub needs it: see
// Options.HTTPArtifact.
func locationOf(l rampart.Location, curl, httpArtifact string) (location, bool) {
	var loc location
	if l.IsSource() {
		pl := &physicalLocation{ArtifactLocation: artifactOf(l.File)}
		if l.Line > 0 {
			pl.Region = &region{StartLine: l.Line}
			if l.Column > 0 {
				pl.Region.StartColumn = l.Column
			}
		}
		loc.PhysicalLocation = pl
	}
	if l.IsHTTP() {
		name := cmp.Or(l.Path, l.URL)
		fqn := strings.TrimSpace(strings.ToUpper(l.Method) + " " + name)
		loc.LogicalLocations = []logicalLocation{{Name: name, FullyQualifiedName: fqn, Kind: "resource"}}
		if l.URL != "" || l.Param != "" || curl != "" {
			loc.Properties = &locationProperties{URL: l.URL, Param: l.Param, Curl: curl}
		}
		if loc.PhysicalLocation == nil {
			loc.PhysicalLocation = anchor(l, fqn, httpArtifact)
		}
	}
	return loc, loc.PhysicalLocation != nil || loc.LogicalLocations != nil
}

// anchor is the physical location of an HTTP-only finding.
func anchor(l rampart.Location, operation, httpArtifact string) *physicalLocation {
	if a := strings.TrimSpace(httpArtifact); a != "" {
		al := artifactOf(a)
		al.Description = &text{Text: "The API description that declares " + operation + "."}
		return &physicalLocation{ArtifactLocation: al}
	}
	p := l.Path
	if p == "" {
		if u, err := url.Parse(l.URL); err == nil {
			p = u.Path
		}
	}
	p = strings.Trim(path.Clean("/"+p), "/")
	uri := "api"
	if p != "" {
		uri += "/" + p
	}
	return &physicalLocation{ArtifactLocation: artifactLocation{
		URI:         (&url.URL{Path: uri}).String(),
		URIBaseID:   SrcRoot,
		Description: &text{Text: "Not a file: the HTTP operation " + operation + " of the scanned API."},
	}}
}

// artifactOf makes a URI of a report path: relative paths stay relative to
// %SRCROOT% (the directory Rampart ran in, the repository root in CI, which
// is how GitHub resolves them); absolute paths become file: URIs.
func artifactOf(file string) artifactLocation {
	p := strings.ReplaceAll(file, "\\", "/")
	if isAbs(p) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/x → /C:/x
		}
		return artifactLocation{URI: (&url.URL{Scheme: "file", Path: p}).String()}
	}
	p = path.Clean(p)
	p = strings.TrimPrefix(p, "./")
	return artifactLocation{URI: (&url.URL{Path: p}).String(), URIBaseID: SrcRoot}
}

func isAbs(p string) bool {
	if strings.HasPrefix(p, "/") {
		return true
	}
	// A Windows drive letter: C:/...
	return len(p) >= 3 && p[1] == ':' && p[2] == '/' && unicode.IsLetter(rune(p[0]))
}

func invocationOf(r *rampart.Report) invocation {
	inv := invocation{ExecutionSuccessful: !r.Incomplete}
	if !r.Started.IsZero() {
		inv.StartTimeUTC = r.Started.UTC().Format(time.RFC3339)
		inv.EndTimeUTC = r.Started.Add(time.Duration(r.DurationMS) * time.Millisecond).UTC().Format(time.RFC3339)
	}
	if r.Incomplete {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, notification{
			Level:   "error",
			Message: text{Text: "The scan was interrupted: the results are partial."},
		})
	}
	for _, e := range r.Errors {
		msg := oneLine(e.Check)
		if e.Operation != "" {
			msg += " on " + oneLine(e.Operation)
		}
		msg += " could not run: " + oneParagraph(e.Error)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, notification{
			Level: "error", Message: text{Text: msg}, AssociatedRule: ruleRef(e.Check),
		})
	}
	inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, inputNotifications(r.InputWarnings)...)
	for _, n := range r.Notes {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, notification{
			Level: "note", Message: text{Text: oneParagraph(n)},
		})
	}
	for _, s := range r.Skipped {
		inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications, notification{
			Level:          "note",
			Message:        text{Text: oneLine(s.Check) + " was skipped: " + oneParagraph(s.Reason)},
			AssociatedRule: ruleRef(s.Check),
		})
	}
	if r.Coverage != nil {
		exec, conf := coverageNotifications(r.Coverage)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, exec...)
		inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications, conf...)
	}
	return inv
}

func ruleRef(check string) *descriptorRef {
	if check = strings.TrimSpace(check); check == "" {
		return nil
	}
	return &descriptorRef{ID: check}
}

func runProperties(r *rampart.Report) map[string]any {
	p := map[string]any{
		"mode":       r.Mode.String(),
		"score":      r.Score,
		"grade":      r.Grade,
		"requests":   r.Stats.Requests,
		"operations": r.Operations,
		"durationMs": r.DurationMS,
	}
	if r.Target != "" {
		p["target"] = r.Target
	}
	if r.Source != "" {
		p["source"] = r.Source
	}
	if r.Incomplete {
		p["incomplete"] = true
	}
	if r.Coverage != nil {
		p["coverage"] = coverageProperties(r.Coverage)
	}
	if ops := operationProperties(r.Coverage); ops != nil {
		p["operationsFound"] = ops
	}
	if len(r.InputWarnings) > 0 {
		p["inputWarnings"] = len(r.InputWarnings)
	}
	if len(r.Replay) > 0 {
		// The legend of the curl lines in the results' locations.
		p["replay"] = r.Replay
		p["replayHowTo"] = rampart.ReplayHowTo(r.Replay)
	}
	return p
}

// columnKind is only claimed when some result has a column.
func columnKind(fs []rampart.Finding) string {
	for _, f := range fs {
		if f.Location.Column > 0 {
			return "unicodeCodePoints"
		}
		for _, r := range f.Related {
			if r.Location.Column > 0 {
				return "unicodeCodePoints"
			}
		}
	}
	return ""
}

func cweTaxonomy(cwes map[string]bool) toolComponent {
	nums := make([]string, 0, len(cwes))
	for c := range cwes {
		nums = append(nums, c)
	}
	slices.SortFunc(nums, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return cmp.Compare(x, y)
	})
	taxa := make([]descriptor, len(nums))
	for i, n := range nums {
		taxa[i] = descriptor{
			ID:      "CWE-" + n,
			HelpURI: "https://cwe.mitre.org/data/definitions/" + n + ".html",
		}
	}
	return toolComponent{
		Name:             "CWE",
		Organization:     "MITRE",
		InformationURI:   "https://cwe.mitre.org/",
		ShortDescription: &text{Text: "The MITRE Common Weakness Enumeration"},
		Taxa:             taxa,
	}
}

// Level maps a severity to a SARIF result level.
func Level(s rampart.Severity) string { return level(s) }

func level(s rampart.Severity) string {
	switch {
	case s >= rampart.High:
		return "error"
	case s == rampart.Medium:
		return "warning"
	default:
		return "note"
	}
}

// SecuritySeverity is the score GitHub code scanning ranks alerts by
// (critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0).
func SecuritySeverity(s rampart.Severity) string {
	switch {
	case s >= rampart.Critical:
		return "9.5"
	case s == rampart.High:
		return "8.0"
	case s == rampart.Medium:
		return "5.5"
	case s == rampart.Low:
		return "3.0"
	default:
		return "0.0"
	}
}

// problemSeverity is CodeQL's older field, which some viewers still read.
func problemSeverity(s rampart.Severity) string {
	switch {
	case s >= rampart.High:
		return "error"
	case s == rampart.Medium:
		return "warning"
	default:
		return "recommendation"
	}
}

// precision maps the best confidence a rule reached in this run to the
// precision vocabulary of GitHub and CodeQL.
func precision(c rampart.Confidence) string {
	switch {
	case c >= rampart.Confirmed:
		return "very-high"
	case c == rampart.Firm:
		return "high"
	default:
		return "low"
	}
}

// cweNumber returns "89" for "CWE-89" (any case, spaces tolerated), or "".
func cweNumber(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "CWE-")
	s = strings.TrimPrefix(s, "CWE")
	s = strings.TrimSpace(s)
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

// owaspTag turns "API1:2023" into "owasp-api1:2023".
func owaspTag(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	if s == "" {
		return ""
	}
	return "owasp-" + s
}

// pascal turns a title into a rule name: "Werkzeug debugger exposed" →
// "WerkzeugDebuggerExposed".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// oneParagraph keeps line breaks (a message may quote a multi-line error)
// but drops trailing space and control characters other than newlines.
func oneParagraph(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
