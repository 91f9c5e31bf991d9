package mcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/internal/redact"
	"github.com/rampart-sec/rampart/scan"
)

// ScanInput is the scan tool's arguments.
type ScanInput struct {
	Target     string   `json:"target" jsonschema:"base URL of the running API, e.g. http://127.0.0.1:8000"`
	Spec       string   `json:"spec,omitempty" jsonschema:"path of a local OpenAPI 2.0/3.0/3.1 file (JSON or YAML), preferably absolute; without it Rampart looks for a spec on the target and otherwise discovers the API with GET requests"`
	Identities []string `json:"identities,omitempty" jsonschema:"accounts to act as, each NAME:ROLE=HEADER with ROLE user or admin, e.g. 'alice:user=Authorization: Bearer TOKEN'; repeat a name to add a header; two users and an admin let the authorization checks compare them"`
	Mode       string   `json:"mode,omitempty" jsonschema:"safe (default): GET/HEAD/OPTIONS with well-formed values only, changes nothing; passive: only requests a user would send; active: also writes, bursts and injection probes, allowed only on a loopback or allow-listed target"`
	Checks     []string `json:"checks,omitempty" jsonschema:"only these check IDs or families, globs allowed, e.g. ['LEAK-*', 'cors']; the checks tool lists them"`
	SkipChecks []string `json:"skipChecks,omitempty" jsonschema:"skip these check IDs or families, globs allowed"`
	Exclude    []string `json:"exclude,omitempty" jsonschema:"path globs never to request, e.g. '/admin/reset*'"`
	KeepGoing  bool     `json:"keepGoing,omitempty" jsonschema:"scan without an identity whose credentials are refused on every operation that needs them (or whose login fails) instead of stopping; the report says which"`
	Format     string   `json:"format,omitempty" jsonschema:"format of the returned report: markdown (default), json, text, sarif, html or junit"`
}

const scanDescription = `Scan a running web API for insecure design (black-box) and return the report.
Rampart proves each finding with real requests: broken object-level authorization between users,
missing authentication, admin routes open to users, weak JWTs and Flask sessions, SQL injection,
leaks, CORS and more. Each finding has its evidence (redacted), a curl line and how to fix it.
Safe mode (the default) only reads: GET, HEAD and OPTIONS with well-formed values.
Active mode also writes, bursts requests and sends injection probes; this server runs it only
on a loopback target or a host the user allow-listed (rampart mcp --allow-active HOST).
Requests never leave the target's origin. Give identities (two users and an admin) for the
authorization checks. A scan may take minutes; the server bounds it (--timeout) and a cancelled
call stops it.`

func addScan(srv *sdk.Server, s *server) {
	in := inputSchema[ScanInput](map[string][]any{"mode": {"safe", "passive", "active"}, "format": formats})
	sdk.AddTool(srv, &sdk.Tool{
		Name: "scan", Title: "Scan a running API", Description: scanDescription, InputSchema: in,
		Annotations: &sdk.ToolAnnotations{Title: "Scan a running API", OpenWorldHint: ptr(true), DestructiveHint: ptr(true)},
	}, guard(s.log, "scan", s.scan))
}

func (s *server) scan(ctx context.Context, req *sdk.CallToolRequest, in ScanInput) (*sdk.CallToolResult, Summary, error) {
	opt, err := s.scanOptions(in)
	if err != nil {
		return nil, Summary{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	// Notes go to the server's log redacted with the identities' secrets,
	// as `rampart scan` redacts its stderr (the report is redacted anyway).
	red := redact.NewRedactor(func(msg string) { fmt.Fprintln(s.log, "rampart: warning: "+msg) })
	opt.Redactor = red
	log := red.Writer(s.log)
	opt.OnNote = func(msg string) { fmt.Fprintln(log, "rampart: "+msg) }
	opt.Progress = progress(ctx, req, "scanning "+opt.Target)
	rep, runErr := scan.Run(ctx, opt)
	if s.scanDone != nil {
		s.scanDone(runErr)
	}
	return s.finish(ctx, rep, runErr, in.Format, in.Spec)
}

// finish turns a scan's result into the tool's: the report, partial after
// the server's timeout; an error for anything else that stopped it.
func (s *server) finish(ctx context.Context, rep *rampart.Report, runErr error, format, spec string) (*sdk.CallToolResult, Summary, error) {
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
	if runErr != nil && (rep == nil || !timedOut) {
		if timedOut {
			return nil, Summary{}, fmt.Errorf("stopped after the server's time limit of %v before any report (the user can raise it: rampart mcp --timeout)", s.timeout)
		}
		// The engine's messages name the CLI's flag; the caller has the argument.
		return nil, Summary{}, errors.New(strings.ReplaceAll(oneLine(runErr).Error(), "--keep-going", "keepGoing: true"))
	}
	if timedOut {
		rep.Notes = append(rep.Notes, fmt.Sprintf("stopped after the server's time limit of %v (rampart mcp --timeout): the report is partial", s.timeout))
	}
	text, err := renderReport(rep, format, spec)
	if err != nil {
		return nil, Summary{}, err
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}, summarize(rep, strings.ToLower(format)), nil
}

// scanOptions checks the arguments as `rampart scan` checks its flags, plus
// the server's rule for active mode, before anything is sent.
func (s *server) scanOptions(in ScanInput) (scan.Options, error) {
	var opt scan.Options
	target := strings.TrimSpace(in.Target)
	if target == "" {
		return opt, errors.New("target is required: the base URL of the API, e.g. http://127.0.0.1:8000")
	}
	if lower := strings.ToLower(target); !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return opt, fmt.Errorf("target %q: want an http:// or https:// URL such as http://127.0.0.1:8000", target)
	}
	mode := rampart.Safe
	if in.Mode != "" {
		m, err := rampart.ParseMode(in.Mode)
		if err != nil {
			return opt, fmt.Errorf("mode: %w", err)
		}
		mode = m
	}
	if err := s.checkMode(target, mode); err != nil {
		return opt, err
	}
	if err := checkFormat(in.Format); err != nil {
		return opt, err
	}
	if in.Spec != "" {
		if strings.Contains(in.Spec, "://") {
			return opt, errors.New("spec: give the path of a local file; a spec the target serves is found without it")
		}
		if _, err := inputfile.Stat(in.Spec, inputfile.MaxSpec); err != nil {
			return opt, fmt.Errorf("spec: %w", err)
		}
	}
	ids, err := parseIdentities(in.Identities)
	if err != nil {
		return opt, err
	}
	opt = scan.Options{
		Target: target, Spec: in.Spec, Identities: ids, Mode: mode,
		Checks: in.Checks, SkipChecks: in.SkipChecks, Exclude: in.Exclude, KeepGoing: in.KeepGoing, Version: s.version,
	}
	if err := opt.Validate(); err != nil {
		return opt, err
	}
	return opt, nil
}

// parseIdentities reads --identity strings as the CLI does: repeating a
// name adds a header to that identity, with the same role.
func parseIdentities(flags []string) ([]rampart.Identity, error) {
	var ids []rampart.Identity
	idx := map[string]int{}
	for _, f := range flags {
		name, role, h, v, err := identity.ParseFlag(f)
		if err != nil {
			return nil, fmt.Errorf("identities: %w", err)
		}
		i, ok := idx[name]
		if !ok {
			ids = append(ids, rampart.Identity{Name: name, Role: role, Headers: http.Header{}})
			i = len(ids) - 1
			idx[name] = i
		} else if ids[i].Role != role {
			return nil, fmt.Errorf("identities: %s has role %s, but it was %s before", name, role, ids[i].Role)
		}
		ids[i].Headers.Add(h, v)
	}
	return ids, nil
}

// progress reports a scan's progress to a client that asked for it (a
// progress token on the call); nil otherwise.
func progress(ctx context.Context, req *sdk.CallToolRequest, msg string) func(done, total int) {
	if req == nil || req.Params == nil || req.Session == nil {
		return nil
	}
	tok := req.Params.GetProgressToken()
	if tok == nil {
		return nil
	}
	var mu sync.Mutex
	var last time.Time
	return func(done, total int) {
		// At most a few notifications a second: checks report every unit.
		mu.Lock()
		if done < total && time.Since(last) < 250*time.Millisecond {
			mu.Unlock()
			return
		}
		last = time.Now()
		mu.Unlock()
		// Best effort: a client that stopped listening must not stop the scan.
		_ = req.Session.NotifyProgress(ctx, &sdk.ProgressNotificationParams{
			ProgressToken: tok, Progress: float64(done), Total: float64(total), Message: msg,
		})
	}
}

// oneLine is an error as a tool shows it: one line.
func oneLine(err error) error {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	return errors.New(strings.TrimPrefix(msg, "rampart: "))
}

func ptr[T any](v T) *T { return &v }
