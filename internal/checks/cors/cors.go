// Package cors finds cross-origin policies that let any web page read the
// API with the victim's cookies or credentials.
package cors

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
)

// probeOrigin is an origin no legitimate allowlist contains.
const probeOrigin = "https://rampart-cors-probe.invalid"

// Reflect is CORS-001.
var Reflect = check.Check{
	Meta: rampart.Meta{
		ID:       "CORS-001",
		Family:   rampart.FamilyCORS,
		Title:    "Any origin may read responses with credentials",
		Severity: rampart.High,
		CWE:      "CWE-942",
		OWASP:    "API8:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "arbitrary Origin reflected with Access-Control-Allow-Credentials: true",
		Detects: "An Access-Control-Allow-Origin that echoes whatever Origin the request carries (or accepts " +
			"`null`) together with Access-Control-Allow-Credentials: true: any web page a logged-in user visits " +
			"can read this API as that user. Without credentials the same reflection is reported at low severity.",
		Requests: "GET of the base URL and of up to three read operations with Origin: " + probeOrigin +
			", and once with Origin: null.",
		Fix: "Allow only the origins you serve: with Flask-CORS pass an explicit list, e.g. " +
			"CORS(app, origins=[\"https://app.example.com\"], supports_credentials=True); never combine " +
			"supports_credentials=True with the default origins=\"*\", and never allow the `null` origin.",
		Doc: "docs/checks.md#cors-001",
	},
	Run: run,
}

func run(ctx context.Context, p *check.Pass) error {
	targets := []string{p.Client.Base().String()}
	n := 0
	for _, op := range p.Surface {
		if op.Method != "GET" || n >= 3 {
			continue
		}
		targets = append(targets, p.URL(op, nil))
		n++
	}
	who := p.FirstUser()
	var weak *engine.Response
	for _, u := range targets {
		for _, origin := range []string{probeOrigin, "null"} {
			resp, err := p.Send(ctx, who, &engine.Request{Method: "GET", URL: u, Header: http.Header{"Origin": {origin}}})
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				continue
			}
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			if acao != origin {
				continue
			}
			creds := strings.EqualFold(strings.TrimSpace(resp.Header.Get("Access-Control-Allow-Credentials")), "true")
			if creds {
				f := p.Finding(fmt.Sprintf("The API answers Origin: %s with Access-Control-Allow-Origin: %s and "+
					"Access-Control-Allow-Credentials: true: a page on any site can send credentialed requests and read the answers.",
					origin, acao))
				f.Location = rampart.Location{Method: "GET", Path: "*", URL: resp.RequestURL}
				f.Confidence = rampart.Confirmed
				f.Evidence = []rampart.Evidence{p.Evidence(resp, "the probe origin is reflected and credentials are allowed")}
				f.Curl = p.Curl(resp)
				p.Report(f)
				return nil
			}
			if weak == nil {
				weak = resp
			}
		}
	}
	if weak != nil {
		f := p.Finding(fmt.Sprintf("The API reflects any Origin (%s) in Access-Control-Allow-Origin, without credentials: "+
			"public data is readable cross-origin; it becomes critical if credentials are ever allowed.",
			weak.Header.Get("Access-Control-Allow-Origin")))
		f.Title = "Any origin may read responses (no credentials)"
		f.Severity = rampart.Low
		f.Location = rampart.Location{Method: "GET", Path: "*", URL: weak.RequestURL}
		f.Confidence = rampart.Confirmed
		f.Key = "no-credentials"
		f.Evidence = []rampart.Evidence{p.Evidence(weak, "the probe origin is reflected")}
		f.Curl = p.Curl(weak)
		p.Report(f)
	}
	return nil
}
