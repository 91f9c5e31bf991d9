package mcp

import (
	"context"
	"fmt"
	"io"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
)

// ChecksInput is the checks tool's arguments.
type ChecksInput struct {
	Kind string `json:"kind,omitempty" jsonschema:"runtime (the scan tool's checks), code (the code tool's rules) or all (default)"`
}

// ChecksOutput is the checks tool's result.
type ChecksOutput struct {
	Checks []CheckInfo `json:"checks"`
}

// CheckInfo is one runtime check or white-box rule.
type CheckInfo struct {
	ID       string `json:"id"`
	Kind     string `json:"kind" jsonschema:"runtime or code"`
	Family   string `json:"family" jsonschema:"family name; the scan tool's checks argument takes families too"`
	Severity string `json:"severity" jsonschema:"default severity of its findings"`
	Mode     string `json:"mode,omitempty" jsonschema:"least scan mode a runtime check needs: passive, safe or active"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
}

const checksDescription = `List Rampart's runtime checks (what the scan tool runs, with the least mode each needs) and
white-box rules (what the code tool applies): ID, family, default severity and a one-line summary.
IDs and families select checks in the scan tool's checks and skipChecks; explain tells more about one.`

func addChecks(srv *sdk.Server) {
	in := inputSchema[ChecksInput](map[string][]any{"kind": {"all", "runtime", "code"}})
	sdk.AddTool(srv, &sdk.Tool{
		Name: "checks", Title: "List checks and rules", Description: checksDescription, InputSchema: in,
		Annotations: &sdk.ToolAnnotations{Title: "List checks and rules", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)},
	}, guard(io.Discard, "checks", listChecks))
}

func listChecks(_ context.Context, _ *sdk.CallToolRequest, in ChecksInput) (*sdk.CallToolResult, ChecksOutput, error) {
	out := ChecksOutput{Checks: []CheckInfo{}}
	switch in.Kind {
	case "", "all", "runtime", "code":
	default:
		return nil, out, fmt.Errorf("kind %q: want runtime, code or all", in.Kind)
	}
	if in.Kind != "code" {
		for _, c := range checks.All() {
			out.Checks = append(out.Checks, CheckInfo{ID: c.ID, Kind: "runtime", Family: string(c.Family), Severity: c.Severity.String(),
				Mode: c.Mode.String(), Title: c.Title, Summary: c.Summary})
		}
	}
	if in.Kind != "runtime" {
		for _, r := range codescan.Rules() {
			out.Checks = append(out.Checks, CheckInfo{ID: r.ID, Kind: "code", Family: string(r.Family), Severity: r.Severity.String(),
				Title: r.Title, Summary: r.Summary})
		}
	}
	return nil, out, nil
}
