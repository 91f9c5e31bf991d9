// Package render writes a report in any of Rampart's formats: the one
// place that maps a format's name to its writer, for the CLI, the MCP
// tools and the server alike.
package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
	htmlreport "github.com/rampart-sec/rampart/report/html"
	jsonreport "github.com/rampart-sec/rampart/report/json"
	junitreport "github.com/rampart-sec/rampart/report/junit"
	mdreport "github.com/rampart-sec/rampart/report/markdown"
	sarifreport "github.com/rampart-sec/rampart/report/sarif"
	textreport "github.com/rampart-sec/rampart/report/text"
)

// Formats are the canonical format names, in the order help lists them.
var Formats = []string{"text", "json", "sarif", "html", "markdown", "junit"}

// aliases are other names accepted for a format.
var aliases = map[string]string{"md": "markdown", "xml": "junit", "txt": "text"}

// contentTypes are the media types a format is served as.
var contentTypes = map[string]string{
	"text":     "text/plain; charset=utf-8",
	"json":     "application/json; charset=utf-8",
	"sarif":    "application/sarif+json; charset=utf-8",
	"html":     "text/html; charset=utf-8",
	"markdown": "text/markdown; charset=utf-8",
	"junit":    "application/xml; charset=utf-8",
}

// Normalize returns the canonical name of a format (aliases, case and
// blanks forgiven), or false.
func Normalize(name string) (string, bool) {
	f := strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[f]; ok {
		f = a
	}
	if _, ok := contentTypes[f]; ok {
		return f, true
	}
	return "", false
}

// ContentType is the media type of a canonical format name.
func ContentType(format string) string { return contentTypes[format] }

// Options is what the writers need beyond the report.
type Options struct {
	Verbose bool // text: evidence and curl lines
	Color   bool // text: ANSI colour (only ever for a terminal)
	// FailOn, FailNever and MinConfidence are the gate: JUnit fails the
	// test cases the exit code would fail on.
	FailOn        rampart.Severity
	FailNever     bool
	MinConfidence rampart.Confidence
	// Rules is the metadata of the checks and rules that may appear; nil
	// means every runtime check and code rule (AllRules).
	Rules []rampart.Meta
	// SpecFile is the OpenAPI document the scan used, when it is a local
	// file: SARIF anchors findings that have only an HTTP location to it.
	SpecFile string
}

// AllRules is the metadata of every runtime check and white-box rule.
func AllRules() []rampart.Meta {
	var out []rampart.Meta
	for _, c := range checks.All() {
		out = append(out, c.Meta)
	}
	for _, r := range codescan.Rules() {
		out = append(out, r.Meta)
	}
	return out
}

// Write writes rep in one format. Writers build their output in memory,
// so a failure leaves nothing half-written behind.
func Write(w io.Writer, format string, rep *rampart.Report, opt Options) error {
	f, ok := Normalize(format)
	if !ok {
		return fmt.Errorf("unknown report format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	rules := opt.Rules
	if rules == nil {
		rules = AllRules()
	}
	switch f {
	case "json":
		return jsonreport.Write(w, rep)
	case "sarif":
		return sarifreport.Write(w, rep, sarifreport.Options{Rules: rules, HTTPArtifact: opt.SpecFile})
	case "html":
		return htmlreport.Write(w, rep, htmlreport.Options{Rules: rules})
	case "markdown":
		return mdreport.Write(w, rep, mdreport.Options{Rules: rules})
	case "junit":
		return junitreport.Write(w, rep, junitreport.Options{
			FailOn: opt.FailOn, Never: opt.FailNever, MinConfidence: opt.MinConfidence, Rules: rules,
		})
	default:
		return textreport.Write(w, rep, textreport.Options{Color: opt.Color, Verbose: opt.Verbose})
	}
}
