package mcp

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/render"
)

// formats are the report formats the tools return, markdown (the default)
// first: it reads well to a model and to the person it answers.
var formats = []any{"markdown", "json", "text", "sarif", "html", "junit"}

// formatName is a tool's format argument as render knows it: "" is
// markdown.
func formatName(format string) (string, bool) {
	if strings.TrimSpace(format) == "" {
		return "markdown", true
	}
	return render.Normalize(format)
}

// renderReport writes rep in format as the CLI's writers do, the text one
// verbose (evidence and curl lines included), JUnit gated at high and firm
// as the CLI's defaults are.
func renderReport(rep *rampart.Report, format, specFile string) (string, error) {
	f, ok := formatName(format)
	if !ok {
		return "", formatError(format)
	}
	var b bytes.Buffer
	opt := render.Options{Verbose: true, FailOn: rampart.High, MinConfidence: rampart.Firm, SpecFile: specFile}
	if err := render.Write(&b, f, rep, opt); err != nil {
		return "", fmt.Errorf("writing the %s report: %w", f, err)
	}
	return b.String(), nil
}

// checkFormat refuses an unknown format before any work is done.
func checkFormat(format string) error {
	if _, ok := formatName(format); !ok {
		return formatError(format)
	}
	return nil
}

func formatError(format string) error {
	return fmt.Errorf("format %q: want one of markdown, json, text, sarif, html, junit", format)
}
