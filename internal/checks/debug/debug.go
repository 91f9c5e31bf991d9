// Package debug finds the Werkzeug debugger exposed over HTTP. With its PIN
// disabled it is remote code execution for anyone who can reach the port.
package debug

import (
	"context"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Debugger is DEBUG-001.
var Debugger = check.Check{
	Meta: rampart.Meta{
		ID:       "DEBUG-001",
		Family:   rampart.FamilyDebugExposure,
		Title:    "Werkzeug debugger exposed",
		Severity: rampart.High,
		CWE:      "CWE-489",
		OWASP:    "API8:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "Werkzeug interactive debugger or console reachable (critical when its PIN is off)",
		Detects: "The Werkzeug debugger that Flask's debug mode installs. Its console runs Python in the server " +
			"process; when the PIN is disabled (WERKZEUG_DEBUG_PIN=off) the page says EVALEX_TRUSTED = true and " +
			"anyone who reaches it can run code. With the PIN on it still exposes tracebacks, source lines and " +
			"a PIN prompt that is the only barrier before code execution. No code is ever run by the check.",
		Requests: "GET /console and GET /?__debugger__=yes&cmd=resource&f=debugger.js; each again with " +
			"'Host: localhost' when the debugger's host check (Werkzeug 3.0.3+) answers 400.",
		Fix: "Never run debug mode or the development server where anyone but you can reach it, and never disable " +
			"the debugger PIN (WERKZEUG_DEBUG_PIN=off).",
		Doc: "docs/checks.md#debug-001",
	},
	Run: runDebugger,
}

var (
	consoleTitle  = lazyre.New(`(?i)<title>\s*Console\s*//\s*Werkzeug Debugger\s*</title>`)
	evalexTrusted = lazyre.New(`EVALEX_TRUSTED\s*=\s*true`)
	evalexOn      = lazyre.New(`EVALEX\s*=\s*true`)
	secretRe      = lazyre.New(`SECRET\s*=\s*"([A-Za-z0-9_-]{16,40})"`)
)

func runDebugger(ctx context.Context, p *check.Pass) error {
	console, err := probe(ctx, p, "/console", func(r *engine.Response) bool {
		return r.Status == 200 && consoleTitle.Match(r.Body)
	})
	if err != nil {
		return err
	}
	if console != nil {
		body := string(console.Body)
		pinOff := evalexTrusted.MatchString(body) && evalexOn.MatchString(body)
		f := p.Finding("")
		f.Location = rampart.Location{Method: "GET", Path: "/console", URL: console.RequestURL}
		f.Confidence = rampart.Confirmed
		f.Key = "console"
		note := "the console page of the Werkzeug debugger answers"
		if pinOff {
			f.Severity = rampart.Critical
			f.Title = "Werkzeug debugger console open without a PIN (remote code execution)"
			f.Message = "GET /console serves the Werkzeug interactive console with EVALEX_TRUSTED = true: the debugger PIN is " +
				"disabled, so anyone who can reach this port can run arbitrary Python in the server process."
			note += "; EVALEX_TRUSTED = true means no PIN is asked before running code"
		} else {
			f.Message = "GET /console serves the Werkzeug interactive console. It asks for the debugger PIN before running " +
				"code, but debug mode is on: tracebacks with source are shown and the PIN is the only barrier to code execution."
			note += "; it is PIN-protected"
		}
		if m := secretRe.FindStringSubmatch(body); m != nil {
			note += "; the page carries the debugger SECRET used to authorise console commands"
		}
		f.Evidence = []rampart.Evidence{p.Evidence(console, note)}
		f.Curl = p.Curl(console)
		p.Report(f)
		return nil
	}
	js, err := probe(ctx, p, "/?__debugger__=yes&cmd=resource&f=debugger.js", func(r *engine.Response) bool {
		ct := strings.ToLower(r.Header.Get("Content-Type"))
		return r.Status == 200 && strings.Contains(ct, "javascript") && strings.Contains(string(r.Body), "__debugger__")
	})
	if err != nil || js == nil {
		return err
	}
	f := p.Finding("The Werkzeug debugger serves its resources at /?__debugger__=yes: debug mode is on. Any unhandled " +
		"exception shows an interactive traceback with source code, and its console is guarded only by the PIN.")
	f.Location = rampart.Location{Method: "GET", Path: "/", URL: js.RequestURL, Param: "__debugger__"}
	f.Confidence = rampart.Confirmed
	f.Key = "resource"
	f.Evidence = []rampart.Evidence{p.Evidence(js, "debugger.js is served only while the debugger middleware is active")}
	f.Curl = p.Curl(js)
	p.Report(f)
	return nil
}

// probe GETs a path anonymously; on a 400 it retries with Host: localhost,
// because Werkzeug 3.0.3+ hides the debugger from untrusted Host headers.
func probe(ctx context.Context, p *check.Pass, path string, ok func(*engine.Response) bool) (*engine.Response, error) {
	resp, err := p.Get(ctx, nil, path, nil)
	if err != nil {
		return nil, err
	}
	if ok(resp) {
		return resp, nil
	}
	if resp.Status != http.StatusBadRequest {
		return nil, nil
	}
	resp, err = p.Get(ctx, nil, path, http.Header{"Host": {"localhost"}})
	if err != nil {
		return nil, err
	}
	if ok(resp) {
		return resp, nil
	}
	return nil, nil
}
