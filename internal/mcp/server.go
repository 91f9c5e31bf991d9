// Package mcp is `rampart mcp`: a Model Context Protocol server that gives AI
// assistants Rampart's scan, code, explain, report and checks as tools, over
// stdio, with the official Go SDK.
//
// The server keeps the CLI's safety defaults and adds one an assistant
// needs: a scan is safe unless the caller asks for active mode, and active
// mode runs only against a loopback target or a host the user started the
// server allow-listed for (Config.AllowActive). An assistant acts on what it
// reads, including text a hostile page planted; the user who starts the
// server, not the assistant, decides where writes may go.
//
// Every failure is a tool error (isError), never a crash of the server: a
// panic in a tool becomes an error the client sees and a stack on stderr.
package mcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// DefaultTimeout bounds one scan or code analysis when Config.Timeout is 0.
const DefaultTimeout = 10 * time.Minute

// Config is what the user decided when starting the server; no tool call
// can change it.
type Config struct {
	// AllowActive lists hosts ("host" or "host:port") an active scan may
	// target besides loopback ones (--allow-active).
	AllowActive []string
	// Timeout bounds each scan and code analysis (--timeout); 0 is
	// DefaultTimeout.
	Timeout time.Duration
	// Version is the server's version, also written into reports.
	Version string
	// Log receives the scans' notes and internal errors (stderr: stdout
	// is the protocol's). Nil discards them.
	Log io.Writer
}

// server holds a validated Config for the tool handlers.
type server struct {
	allow   []allowedHost
	timeout time.Duration
	version string
	log     io.Writer
	// scanDone, when set (tests), sees how each scan ended.
	scanDone func(error)
}

// New returns the MCP server with Rampart's tools, or an error for a bad
// Config (an --allow-active value that is not a host).
func New(cfg Config) (*sdk.Server, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.build(), nil
}

func newServer(cfg Config) (*server, error) {
	s := &server{timeout: cfg.Timeout, version: cfg.Version, log: cfg.Log}
	if s.timeout < 0 {
		return nil, fmt.Errorf("--timeout %v: want a positive duration such as 10m", cfg.Timeout)
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if s.version == "" {
		s.version = "dev"
	}
	if s.log == nil {
		s.log = io.Discard
	}
	for _, a := range cfg.AllowActive {
		h, err := parseAllowed(a)
		if err != nil {
			return nil, err
		}
		s.allow = append(s.allow, h)
	}
	return s, nil
}

// instructions is what a client may show its model about the server as a
// whole; each tool's description says the rest.
const instructions = `Rampart finds insecure design in web APIs (broken object-level authorization,
missing authentication, SQL injection, weak JWTs and sessions, races, mass
assignment, leaks) and says how to fix each finding.
- scan: black-box scan of a running API (safe mode by default: reads only).
- code: white-box analysis of a Flask or FastAPI source directory.
- explain: what a check or rule ID detects and how to fix it.
- report: render a saved JSON report in another format.
- checks: list the runtime checks and white-box rules.
Active mode (writes, bursts, injection probes) runs only on a loopback
target or a host the user allow-listed when starting the server.`

func (s *server) build() *sdk.Server {
	srv := sdk.NewServer(&sdk.Implementation{Name: "rampart", Title: "Rampart API security scanner", Version: s.version},
		&sdk.ServerOptions{Instructions: instructions})
	addScan(srv, s)
	addCode(srv, s)
	addExplain(srv)
	addReport(srv)
	addChecks(srv)
	return srv
}

// Run serves one session on t until the client goes away or ctx ends.
func Run(ctx context.Context, cfg Config, t sdk.Transport) error {
	srv, err := New(cfg)
	if err != nil {
		return err
	}
	err = srv.Run(ctx, t)
	if err != nil && (errors.Is(err, io.EOF) || errors.Is(err, context.Canceled)) {
		return nil
	}
	return err
}

// guard turns a panic in a tool into a tool error, so one bad call never
// takes the server (and the client's other work) down.
func guard[In, Out any](log io.Writer, name string, h sdk.ToolHandlerFor[In, Out]) sdk.ToolHandlerFor[In, Out] {
	return func(ctx context.Context, req *sdk.CallToolRequest, in In) (res *sdk.CallToolResult, out Out, err error) {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintf(log, "rampart: mcp: tool %s panicked: %v\n%s", name, r, debug.Stack())
				var zero Out
				res, out, err = nil, zero, fmt.Errorf("internal error in rampart's %s tool (details on the server's stderr); please report it", name)
			}
		}()
		return h(ctx, req, in)
	}
}
