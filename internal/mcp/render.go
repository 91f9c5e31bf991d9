package mcp

import (
	"bytes"
	"fmt"
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

// formats are the report formats the tools return, markdown (the default)
// first: it reads well to a model and to the person it answers.
var formats = []any{"markdown", "json", "text", "sarif", "html", "junit"}

// render writes rep in format ("" is markdown) as the CLI's writers do,
// the text one verbose (evidence and curl lines included).
func render(rep *rampart.Report, format, specFile string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(format))
	switch f {
	case "", "md":
		f = "markdown"
	case "txt":
		f = "text"
	}
	var rules []rampart.Meta
	for _, c := range checks.All() {
		rules = append(rules, c.Meta)
	}
	for _, r := range codescan.Rules() {
		rules = append(rules, r.Meta)
	}
	var b bytes.Buffer
	var err error
	switch f {
	case "markdown":
		err = mdreport.Write(&b, rep, mdreport.Options{Rules: rules})
	case "json":
		err = jsonreport.Write(&b, rep)
	case "text":
		err = textreport.Write(&b, rep, textreport.Options{Verbose: true})
	case "sarif":
		err = sarifreport.Write(&b, rep, sarifreport.Options{Rules: rules, HTTPArtifact: specFile})
	case "html":
		err = htmlreport.Write(&b, rep, htmlreport.Options{Rules: rules})
	case "junit":
		err = junitreport.Write(&b, rep, junitreport.Options{FailOn: rampart.High, MinConfidence: rampart.Firm, Rules: rules})
	default:
		return "", fmt.Errorf("format %q: want one of markdown, json, text, sarif, html, junit", format)
	}
	if err != nil {
		return "", fmt.Errorf("writing the %s report: %w", f, err)
	}
	return b.String(), nil
}

// checkFormat refuses an unknown format before any work is done.
func checkFormat(format string) error {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "", "md", "markdown", "json", "txt", "text", "sarif", "html", "junit":
		return nil
	}
	return fmt.Errorf("format %q: want one of markdown, json, text, sarif, html, junit", format)
}
