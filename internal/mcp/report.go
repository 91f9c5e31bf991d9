package mcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// ReportInput is the report tool's arguments.
type ReportInput struct {
	Path   string `json:"path" jsonschema:"a JSON report that rampart scan or rampart code wrote (-f json), preferably an absolute path"`
	Format string `json:"format,omitempty" jsonschema:"format to render it in: markdown (default), json, text, sarif, html or junit"`
}

const reportDescription = `Render a saved Rampart JSON report (written by 'rampart scan -f json' or 'rampart code -f json')
in another format: markdown (default; for a pull-request comment or a reply), text (with evidence
and curl lines), sarif (GitHub code scanning), html, junit or json. Returns the rendered report and
a summary of its findings. Only a regular file of at most 256 MiB is read.`

func addReport(srv *sdk.Server) {
	in := inputSchema[ReportInput](map[string][]any{"format": formats})
	sdk.AddTool(srv, &sdk.Tool{
		Name: "report", Title: "Render a saved report", Description: reportDescription, InputSchema: in,
		Annotations: &sdk.ToolAnnotations{Title: "Render a saved report", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)},
	}, guard(io.Discard, "report", report))
}

func report(ctx context.Context, _ *sdk.CallToolRequest, in ReportInput) (*sdk.CallToolResult, Summary, error) {
	if strings.TrimSpace(in.Path) == "" {
		return nil, Summary{}, errors.New("path is required: a JSON report file")
	}
	if err := checkFormat(in.Format); err != nil {
		return nil, Summary{}, err
	}
	// Errors name the file and the rule it broke, never its content.
	rep, err := jsonreport.ReadFile(ctx, in.Path)
	if err != nil {
		return nil, Summary{}, fmt.Errorf("report: %w", err)
	}
	text, err := renderReport(rep, in.Format, "")
	if err != nil {
		return nil, Summary{}, err
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}, summarize(rep, strings.ToLower(in.Format)), nil
}
