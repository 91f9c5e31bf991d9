// Package headers checks the response headers that harden an API in a
// browser: content sniffing, framing, transport security, caching of
// authenticated answers, cookie flags and version banners.
package headers

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
)

// Missing is HDR-001.
var Missing = check.Check{
	Meta: rampart.Meta{
		ID:       "HDR-001",
		Family:   rampart.FamilyHeaders,
		Title:    "Security headers missing",
		Severity: rampart.Low,
		CWE:      "CWE-693",
		OWASP:    "API8:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "responses lack nosniff, framing, HSTS or no-store on authenticated answers",
		Detects: "X-Content-Type-Options: nosniff on every response; a Content-Security-Policy with " +
			"frame-ancestors or X-Frame-Options on HTML; Strict-Transport-Security over HTTPS; " +
			"Cache-Control: no-store on answers to authenticated requests.",
		Requests: "GET of the base URL and of up to three read operations (shared with HDR-002 and HDR-003).",
		Fix: "Set the headers once for every response, in an @app.after_request hook (or with Flask-Talisman): " +
			"X-Content-Type-Options: nosniff, Content-Security-Policy: default-src 'none'; frame-ancestors 'none' " +
			"for API answers, Strict-Transport-Security when served over HTTPS, Cache-Control: no-store on " +
			"authenticated answers.",
		Doc: "docs/checks.md#hdr-001",
	},
	Run: runMissing,
}

// Cookies is HDR-002.
var Cookies = check.Check{
	Meta: rampart.Meta{
		ID:       "HDR-002",
		Family:   rampart.FamilyHeaders,
		Title:    "Cookie without protective flags",
		Severity: rampart.Low,
		CWE:      "CWE-1004",
		OWASP:    "API8:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "Set-Cookie without HttpOnly, SameSite, or Secure over HTTPS",
		Detects: "Cookies set without HttpOnly (readable by any script on the page), without SameSite " +
			"(sent on cross-site requests) or, over HTTPS, without Secure.",
		Requests: "None of its own: reads the answers HDR-001 fetched.",
		Fix: "Flask: SESSION_COOKIE_HTTPONLY=True (default), SESSION_COOKIE_SAMESITE='Lax', " +
			"SESSION_COOKIE_SECURE=True behind HTTPS; pass httponly=True, samesite='Lax', secure=True to set_cookie.",
		Doc: "docs/checks.md#hdr-002",
	},
	Run: runCookies,
}

// Banner is HDR-003.
var Banner = check.Check{
	Meta: rampart.Meta{
		ID:       "HDR-003",
		Family:   rampart.FamilyHeaders,
		Title:    "Server version disclosed",
		Severity: rampart.Info,
		CWE:      "CWE-200",
		OWASP:    "API8:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "Server or X-Powered-By headers name software versions",
		Detects: "Server and X-Powered-By headers with version numbers (e.g. `Werkzeug/2.2.2 Python/3.11.2`, " +
			"which also says the development server is in use).",
		Requests: "None of its own: reads the answers HDR-001 fetched.",
		Fix: "Serve Flask with gunicorn or waitress behind a proxy that drops version banners; never expose " +
			"the Werkzeug development server.",
		Doc: "docs/checks.md#hdr-003",
	},
	Run: runBanner,
}

func sample(ctx context.Context, p *check.Pass) ([]*engine.Response, error) {
	v, err := p.Shared.Once("headers-sample", func() (any, error) {
		var out []*engine.Response
		who := p.FirstUser()
		urls := []string{p.Client.Base().String()}
		n := 0
		for _, op := range p.Surface {
			if op.Method == "GET" && n < 3 {
				urls = append(urls, p.URL(op, nil))
				n++
			}
		}
		for i, u := range urls {
			id := who
			if i == 0 {
				id = nil // the root as a first-time visitor sees it: cookies set for anonymous
			}
			resp, err := p.Get(ctx, id, u, nil)
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				continue
			}
			out = append(out, p.Excerpt(resp)) // header checks: the body is not read
		}
		return out, nil
	})
	if err != nil && v == nil {
		return nil, err
	}
	return v.([]*engine.Response), err
}

// judged declares a unit of the package from the shared sample: the
// answers were fetched by whichever check ran first, so the others sent
// nothing of their own.
func judged(p *check.Pass, resps []*engine.Response) bool {
	if len(resps) == 0 {
		p.NotTested(rampart.ReasonError, "no answer from the base URL or any read")
		return false
	}
	p.Tested()
	return true
}

func runMissing(ctx context.Context, p *check.Pass) error {
	resps, err := sample(ctx, p)
	if !judged(p, resps) {
		return err
	}
	missing := map[string]*engine.Response{}
	for _, r := range resps {
		h := r.Header
		if !strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
			setOnce(missing, "X-Content-Type-Options: nosniff", r)
		}
		ct := strings.ToLower(h.Get("Content-Type"))
		if strings.Contains(ct, "html") && h.Get("X-Frame-Options") == "" && !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors") {
			setOnce(missing, "X-Frame-Options or CSP frame-ancestors (HTML)", r)
		}
		if strings.HasPrefix(r.RequestURL, "https://") && h.Get("Strict-Transport-Security") == "" {
			setOnce(missing, "Strict-Transport-Security", r)
		}
		if r.Request != nil && r.Request.Identity != "" && r.Request.Identity != "anonymous" && r.Status == 200 &&
			!strings.Contains(strings.ToLower(h.Get("Cache-Control")), "no-store") && !strings.Contains(strings.ToLower(h.Get("Cache-Control")), "private") {
			setOnce(missing, "Cache-Control: no-store (authenticated answer)", r)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := slices.Sorted(maps.Keys(missing))
	f := p.Finding(fmt.Sprintf("Responses lack: %s.", strings.Join(names, "; ")))
	f.Location = rampart.Location{Method: "GET", Path: "*"}
	f.Confidence = rampart.Confirmed
	for _, n := range names {
		f.Evidence = append(f.Evidence, p.Evidence(missing[n], "missing "+n))
		if len(f.Evidence) == 2 {
			break
		}
	}
	f.Curl = p.Curl(missing[names[0]])
	p.Report(f)
	return nil
}

func setOnce(m map[string]*engine.Response, k string, r *engine.Response) {
	if _, ok := m[k]; !ok {
		m[k] = r
	}
}

func runCookies(ctx context.Context, p *check.Pass) error {
	resps, err := sample(ctx, p)
	if len(resps) == 0 {
		judged(p, resps)
		return err
	}
	seen := map[string]bool{}
	for _, r := range resps {
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if seen[c.Name] || c.MaxAge < 0 || c.Value == "" {
				continue
			}
			seen[c.Name] = true
			var lacks []string
			if !c.HttpOnly {
				lacks = append(lacks, "HttpOnly")
			}
			if c.SameSite == http.SameSiteDefaultMode {
				lacks = append(lacks, "SameSite")
			}
			if strings.HasPrefix(r.RequestURL, "https://") && !c.Secure {
				lacks = append(lacks, "Secure")
			}
			if len(lacks) == 0 {
				continue
			}
			f := p.Finding(fmt.Sprintf("Cookie %q is set without %s.", c.Name, strings.Join(lacks, ", ")))
			f.Location = rampart.Location{Method: "GET", Path: "*", URL: r.RequestURL, Param: c.Name}
			f.Confidence = rampart.Confirmed
			f.Key = c.Name
			f.Evidence = []rampart.Evidence{p.Evidence(r, "Set-Cookie attributes")}
			f.Curl = p.Curl(r)
			p.Report(f)
		}
	}
	if len(seen) == 0 {
		p.NotApplicable("no cookie set on the sampled answers")
	} else {
		p.Tested()
	}
	return err
}

var versionRe = regexp.MustCompile(`\d+\.\d+`)

func runBanner(ctx context.Context, p *check.Pass) error {
	resps, err := sample(ctx, p)
	judged(p, resps)
	for _, r := range resps {
		for _, h := range []string{"Server", "X-Powered-By", "X-AspNet-Version"} {
			v := r.Header.Get(h)
			if v == "" || !versionRe.MatchString(v) {
				continue
			}
			f := p.Finding(fmt.Sprintf("%s: %s names the software and its version.", h, v))
			if strings.Contains(v, "Werkzeug") {
				f.Message += " Werkzeug's development server is not meant for production."
			}
			f.Location = rampart.Location{Method: "GET", Path: "*", URL: r.RequestURL}
			f.Confidence = rampart.Confirmed
			f.Key = h
			f.Evidence = []rampart.Evidence{p.Evidence(r, h+" header")}
			p.Report(f)
			return nil
		}
	}
	return err
}
