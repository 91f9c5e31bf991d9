package mcp

import (
	"github.com/rampart-sec/rampart"
)

// Summary is the structured result of scan, code and report: what a client
// can act on without parsing the report (which is the tool's text content).
type Summary struct {
	Target     string `json:"target,omitempty" jsonschema:"the scanned API's URL (scan)"`
	Source     string `json:"source,omitempty" jsonschema:"the analysed source directory (code)"`
	Mode       string `json:"mode" jsonschema:"scan mode: passive, safe or active"`
	Grade      string `json:"grade" jsonschema:"letter grade, A (best) to F"`
	Score      int    `json:"score" jsonschema:"score from 0 to 100 (higher is better)"`
	Incomplete bool   `json:"incomplete" jsonschema:"true when the scan was stopped (timeout or cancellation) and the report is partial"`
	Operations int    `json:"operations" jsonschema:"API operations scanned"`
	// Coverage is omitted for reports without one (white-box).
	Coverage *int           `json:"coveragePercent,omitempty" jsonschema:"percentage of the applicable operation x check-family cells that were tested"`
	Counts   map[string]int `json:"counts" jsonschema:"number of findings per severity (critical, high, medium, low, info)"`
	Findings []FindingBrief `json:"findings" jsonschema:"the findings, most dangerous first; the report has their evidence and fixes"`
	Notes    []string       `json:"notes,omitempty" jsonschema:"what went wrong or was worked around during the scan"`
	Format   string         `json:"format" jsonschema:"format of the report in the text content"`
}

// FindingBrief is one finding in a Summary.
type FindingBrief struct {
	ID         string `json:"id" jsonschema:"stable finding fingerprint"`
	Check      string `json:"check" jsonschema:"check or rule ID; the explain tool explains it"`
	Family     string `json:"family"`
	Severity   string `json:"severity"`
	Confidence string `json:"confidence" jsonschema:"tentative, firm or confirmed"`
	Title      string `json:"title"`
	Method     string `json:"method,omitempty"`
	Path       string `json:"path,omitempty" jsonschema:"the operation's path template"`
	File       string `json:"file,omitempty" jsonschema:"source file (white-box findings)"`
	Line       int    `json:"line,omitempty"`
}

func summarize(rep *rampart.Report, format string) Summary {
	if format == "" {
		format = "markdown"
	}
	s := Summary{
		Target: rep.Target, Source: rep.Source, Mode: rep.Mode.String(), Grade: rep.Grade, Score: rep.Score,
		Incomplete: rep.Incomplete, Operations: rep.Operations, Counts: map[string]int{},
		Findings: []FindingBrief{}, Notes: rep.Notes, Format: format,
	}
	if rep.Coverage != nil {
		p := rep.Coverage.Percent
		s.Coverage = &p
	}
	for sev, n := range rep.Counts() {
		s.Counts[sev.String()] = n
	}
	for _, f := range rep.Findings {
		s.Findings = append(s.Findings, FindingBrief{
			ID: f.ID, Check: f.Check, Family: string(f.Family), Severity: f.Severity.String(),
			Confidence: f.Confidence.String(), Title: f.Title,
			Method: f.Location.Method, Path: f.Location.Path, File: f.Location.File, Line: f.Location.Line,
		})
	}
	return s
}
