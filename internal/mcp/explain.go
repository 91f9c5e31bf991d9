package mcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rampart-sec/rampart"
	explainer "github.com/rampart-sec/rampart/internal/explain"
)

// ExplainInput is the explain tool's arguments.
type ExplainInput struct {
	ID string `json:"id" jsonschema:"a runtime check ID (e.g. BOLA-001) or a white-box rule ID (e.g. PY-SQLI-001), case-insensitive; a finding's check field is one"`
}

// ExplainOutput is the explain tool's structured result.
type ExplainOutput struct {
	ID       string `json:"id"`
	Kind     string `json:"kind" jsonschema:"runtime (rampart scan) or code (rampart code)"`
	Title    string `json:"title"`
	Family   string `json:"family"`
	Severity string `json:"severity" jsonschema:"default severity of its findings"`
	CWE      string `json:"cwe,omitempty"`
	OWASP    string `json:"owasp,omitempty"`
	Detects  string `json:"detects" jsonschema:"what it finds and how it proves it"`
	Requests string `json:"requests,omitempty" jsonschema:"what it sends (runtime checks)"`
	Fix      string `json:"fix" jsonschema:"how to fix what it finds"`
}

const explainDescription = `Explain a Rampart check or rule: what it detects, what requests it sends (or what
source it reads), its CWE and OWASP API Top 10 category, and how to fix what it finds: the text
of 'rampart explain ID'. Use it on a finding's check ID before proposing a fix.`

func addExplain(srv *sdk.Server) {
	sdk.AddTool(srv, &sdk.Tool{
		Name: "explain", Title: "Explain a check", Description: explainDescription, InputSchema: inputSchema[ExplainInput](nil),
		Annotations: &sdk.ToolAnnotations{Title: "Explain a check", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)},
	}, guard(io.Discard, "explain", explain))
}

func explain(_ context.Context, _ *sdk.CallToolRequest, in ExplainInput) (*sdk.CallToolResult, ExplainOutput, error) {
	text, m, err := explainText(in.ID)
	if err != nil {
		return nil, ExplainOutput{}, err
	}
	out := ExplainOutput{ID: m.ID, Kind: m.Kind, Title: m.Title, Family: string(m.Family), Severity: m.Severity.String(),
		CWE: m.CWE, OWASP: m.OWASP, Detects: m.Detects, Requests: m.Requests, Fix: m.Fix}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}, out, nil
}

// explainText is what `rampart explain ID` prints.
func explainText(id string) (string, rampart.Meta, error) {
	var b strings.Builder
	if m, _, ok := explainer.Lookup(&b, id); ok {
		return b.String(), m, nil
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return "", rampart.Meta{}, errors.New("id is required: a check ID such as BOLA-001 or a rule ID such as PY-SQLI-001")
	}
	shown := id
	if len(shown) > 40 {
		shown = shown[:40] + "…"
	}
	return "", rampart.Meta{}, fmt.Errorf("unknown check or rule %q: the checks tool lists every runtime check and white-box rule", shown)
}
