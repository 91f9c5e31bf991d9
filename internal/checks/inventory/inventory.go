// Package inventory finds what an API exposes besides its API: its own
// documentation, database consoles (CockroachDB's DB Console and status
// endpoints), profilers, and configuration or repository files.
package inventory

import (
	"context"
	"fmt"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Spec is INV-001.
var Spec = check.Check{
	Meta: rampart.Meta{
		ID:       "INV-001",
		Family:   rampart.FamilyInventory,
		Title:    "API description published",
		Severity: rampart.Info,
		CWE:      "CWE-200",
		OWASP:    "API9:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "an OpenAPI/Swagger document or UI is served to anonymous callers",
		Detects: "OpenAPI or Swagger documents and Swagger UI pages served without credentials. Often " +
			"intended; listed so the inventory is known, and worth removing from production when the API is private.",
		Requests: "GET of up to eight well-known documentation paths, anonymously, stopping at the first.",
		Fix: "If the API is not public, serve its description only to authenticated staff or only in " +
			"non-production environments.",
		Doc: "docs/checks.md#inv-001",
	},
	Run: func(ctx context.Context, p *check.Pass) error { return probeAll(ctx, p, specProbes, true) },
}

// Exposed is INV-002.
var Exposed = check.Check{
	Meta: rampart.Meta{
		ID:       "INV-002",
		Family:   rampart.FamilyInventory,
		Title:    "Database console, profiler or configuration file exposed",
		Severity: rampart.Medium,
		CWE:      "CWE-538",
		OWASP:    "API9:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "CockroachDB DB Console/status endpoints, pprof, .env or .git reachable",
		Detects: "CockroachDB's DB Console (`<title>Cockroach Console</title>`, critical when it reports " +
			"\"Insecure\":true, where every endpoint and SQL root are open) and its status endpoint " +
			"/_status/vars (version and metrics without login); Go pprof; .env files with credentials; " +
			"a .git directory; Prometheus metrics. Each is matched on its content, never on a 200 alone.",
		Requests: "GET of each well-known path once, anonymously.",
		Fix: "Keep database consoles and profilers on a private network (CockroachDB: --http-addr on an " +
			"internal interface, never --insecure outside a laptop); never deploy .env or .git in the web root.",
		Doc: "docs/checks.md#inv-002",
	},
	Run: func(ctx context.Context, p *check.Pass) error { return probeAll(ctx, p, exposedProbes, false) },
}

type probe struct {
	path     string
	sig      *lazyre.Regexp
	title    string
	severity rampart.Severity
	message  string
	// escalate raises severity to critical when it matches too.
	escalate *lazyre.Regexp
}

var specProbes = []probe{
	{path: "/openapi.json", sig: lazyre.New(`"(openapi|swagger)"\s*:\s*"\d`), message: "An OpenAPI document is served at %s."},
	{path: "/swagger.json", sig: lazyre.New(`"(openapi|swagger)"\s*:\s*"\d`), message: "A Swagger document is served at %s."},
	{path: "/openapi.yaml", sig: lazyre.New(`(?m)^(openapi|swagger):\s*['"]?\d`), message: "An OpenAPI document is served at %s."},
	{path: "/api/openapi.json", sig: lazyre.New(`"(openapi|swagger)"\s*:\s*"\d`), message: "An OpenAPI document is served at %s."},
	{path: "/v3/api-docs", sig: lazyre.New(`"(openapi|swagger)"\s*:\s*"\d`), message: "An OpenAPI document is served at %s."},
	{path: "/apispec_1.json", sig: lazyre.New(`"(openapi|swagger)"\s*:\s*"\d`), message: "A Flasgger API description is served at %s."},
	{path: "/swagger-ui/", sig: lazyre.New(`(?i)swagger-ui`), message: "Swagger UI is served at %s."},
	{path: "/apidocs/", sig: lazyre.New(`(?i)swagger-ui|flasgger`), message: "Swagger UI (Flasgger) is served at %s."},
}

var exposedProbes = []probe{
	{path: "/", sig: lazyre.New(`<title>\s*Cockroach Console\s*</title>`), title: "CockroachDB DB Console exposed",
		severity: rampart.Medium, message: "The CockroachDB DB Console answers at %s; it reveals the cluster version without login.",
		escalate: lazyre.New(`"Insecure"\s*:\s*true`)},
	{path: "/_status/vars", sig: lazyre.New(`(?m)^build_timestamp\{|^sql_conns\b|^sys_uptime\b`), title: "CockroachDB status endpoint exposed",
		severity: rampart.Medium, message: "CockroachDB's /_status/vars answers at %s without login: version, build and live metrics."},
	{path: "/debug/pprof/", sig: lazyre.New(`Types of profiles available`), title: "Go pprof profiler exposed",
		severity: rampart.Medium, message: "The pprof profiler answers at %s: heap and goroutine dumps, CPU profiles on demand."},
	{path: "/.env", sig: lazyre.New(`(?m)^(export\s+)?[A-Z][A-Z0-9_]*(SECRET|PASSWORD|PASSWD|TOKEN|KEY|DATABASE_URL)[A-Z0-9_]*\s*=`), title: "Environment file with credentials exposed",
		severity: rampart.High, message: "A .env file with credential variables is served at %s."},
	{path: "/.git/HEAD", sig: lazyre.New(`^ref: refs/heads/`), title: "Git repository exposed",
		severity: rampart.Medium, message: "The .git directory is served (%s): the source and its history can be downloaded."},
	{path: "/metrics", sig: lazyre.New(`(?m)^# (HELP|TYPE) \w+`), title: "Prometheus metrics exposed",
		severity: rampart.Low, message: "Prometheus metrics are served at %s without credentials."},
}

func probeAll(ctx context.Context, p *check.Pass, probes []probe, firstOnly bool) error {
	for _, pr := range probes {
		resp, err := p.Get(ctx, nil, pr.path, nil)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		if resp.Status != 200 || !pr.sig.Match(resp.Body) {
			continue
		}
		report(p, pr, resp)
		if firstOnly {
			return nil
		}
	}
	return nil
}

func report(p *check.Pass, pr probe, resp *engine.Response) {
	f := p.Finding(fmt.Sprintf(pr.message, pr.path))
	if pr.title != "" {
		f.Title = pr.title
	}
	if pr.severity != rampart.Info || pr.title != "" {
		f.Severity = pr.severity
	}
	if pr.escalate != nil && pr.escalate.Match(resp.Body) {
		f.Severity = rampart.Critical
		f.Message += " It runs in insecure mode: every HTTP endpoint and the SQL root user are open."
	}
	f.Location = rampart.Location{Method: "GET", Path: pr.path, URL: resp.RequestURL}
	f.Confidence = rampart.Confirmed
	f.Evidence = []rampart.Evidence{p.Evidence(resp, "content matches "+pr.sig.String())}
	f.Curl = p.Curl(resp)
	p.Report(f)
}
