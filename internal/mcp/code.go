package mcp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/scan"
)

// CodeInput is the code tool's arguments.
type CodeInput struct {
	Dir           string   `json:"dir" jsonschema:"the application's source directory, preferably an absolute path"`
	Exclude       []string `json:"exclude,omitempty" jsonschema:"path globs, relative to dir, of files or directories to skip, e.g. 'tests/*'"`
	MinConfidence string   `json:"minConfidence,omitempty" jsonschema:"drop findings below tentative (default), firm or confirmed"`
	Format        string   `json:"format,omitempty" jsonschema:"format of the returned report: markdown (default), json, text, sarif, html or junit"`
}

const codeDescription = `Analyse a Flask or FastAPI application's Python source (white-box) and return the report.
It finds the designs that cause runtime flaws: SQL built from request data, routes that never
check the caller owns the object, admin routes without a role check, transactions without commit
or retry, read-modify-write races, mass assignment, debug mode, hard-coded secrets and JWT keys.
Each finding has the file, line, route and a fix. Nothing is executed or sent; only regular files
under dir are read (2 MiB each at most), and symbolic links leading outside dir are skipped.`

func addCode(srv *sdk.Server, s *server) {
	in := inputSchema[CodeInput](map[string][]any{"minConfidence": {"tentative", "firm", "confirmed"}, "format": formats})
	sdk.AddTool(srv, &sdk.Tool{
		Name: "code", Title: "Analyse source code", Description: codeDescription, InputSchema: in,
		Annotations: &sdk.ToolAnnotations{Title: "Analyse source code", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)},
	}, guard(s.log, "code", s.code))
}

func (s *server) code(ctx context.Context, req *sdk.CallToolRequest, in CodeInput) (*sdk.CallToolResult, Summary, error) {
	if strings.TrimSpace(in.Dir) == "" {
		return nil, Summary{}, errors.New("dir is required: the application's source directory")
	}
	if err := checkFormat(in.Format); err != nil {
		return nil, Summary{}, err
	}
	conf := rampart.Tentative
	if in.MinConfidence != "" {
		var err error
		if conf, err = rampart.ParseConfidence(in.MinConfidence); err != nil {
			return nil, Summary{}, fmt.Errorf("minConfidence: %w", err)
		}
	}
	// Validate refuses a dir that does not exist or is not a directory.
	opt := scan.CodeOptions{Dir: in.Dir, Exclude: in.Exclude, MinConfidence: conf, Version: s.version}
	if err := opt.Validate(); err != nil {
		return nil, Summary{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	opt.OnNote = func(msg string) { fmt.Fprintln(s.log, "rampart: "+msg) }
	rep, runErr := scan.Code(ctx, opt)
	return s.finish(ctx, rep, runErr, in.Format, "")
}
