package cli

import (
	"context"
	"errors"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart/internal/mcp"
)

// newMCP is `rampart mcp`: the MCP server for AI assistants, on stdio.
func newMCP(env Env) *cobra.Command {
	var allow []string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve Rampart to AI assistants (Model Context Protocol, stdio)",
		Long: `Run an MCP server on stdin and stdout, for AI assistants (Claude Desktop,
VS Code, Cursor, ...) that start it as a tool server. It offers five tools:
scan (a running API), code (a source directory), explain (a check or rule),
report (render a saved JSON report) and checks (list them). Reports come back
as Markdown by default, with a structured summary of the findings.

The CLI's safety defaults hold: a scan is safe (reads only) unless the
assistant asks for active mode, and this server runs an active scan only on
a loopback target (127.0.0.1, ::1, localhost) or a host given with
--allow-active; requests never leave the target's origin; each scan or code
analysis stops after --timeout with a partial report; files the tools read
are regular files under the same size caps as the CLI's. Scan notes and
errors go to stderr (stdout is the protocol's).

Client configuration (Claude Desktop's claude_desktop_config.json):
  {"mcpServers": {"rampart": {"command": "rampart", "args": ["mcp"]}}}

Examples:
  rampart mcp
  rampart mcp --allow-active staging.internal:8443 --timeout 20m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := mcp.Config{AllowActive: allow, Timeout: timeout, Version: Version(), Log: env.Stderr}
			if timeout <= 0 {
				return usageErr("--timeout %v: want a positive duration such as 10m", timeout)
			}
			if _, err := mcp.New(cfg); err != nil {
				return usageErr("%v", err)
			}
			err := mcp.Run(cmd.Context(), cfg, &sdk.StdioTransport{})
			if errors.Is(cmd.Context().Err(), context.Canceled) {
				return &ExitError{Code: ExitInterrupted, Err: cmd.Context().Err()}
			}
			if err != nil {
				return &ExitError{Code: ExitCannotRun, Err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&allow, "allow-active", nil, "host or host:port on which an assistant may run an active scan, besides loopback targets (repeatable)")
	cmd.Flags().DurationVar(&timeout, "timeout", mcp.DefaultTimeout, "time limit of each scan or code analysis; a scan stopped by it returns its partial report")
	return cmd
}
