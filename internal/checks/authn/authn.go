// Package authn finds operations that should require credentials and answer
// anonymous callers anyway.
package authn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// MissingRead is AUTH-001.
var MissingRead = check.Check{
	Meta: rampart.Meta{
		ID:       "AUTH-001",
		Family:   rampart.FamilyMissingAuth,
		Title:    "Read operation answers anonymous callers",
		Severity: rampart.High,
		CWE:      "CWE-306",
		OWASP:    "API2:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "an operation the spec secures, or whose siblings refuse anonymous callers, returns data without credentials",
		Detects: "Read operations that are declared secured in the spec (a security requirement), or that have " +
			"no declaration while the other operations under the same path prefix refuse anonymous callers (not a " +
			"sibling the spec declares secured while it declares nothing for this one: that difference is documented; nor an " +
			"HTML page, which is not what a JSON API's refusing siblings guard), and " +
			"that answer a request without credentials with 2xx and data. Confirmed when the anonymous answer has " +
			"the shape of an authenticated identity's answer to the same request, so an error page served with " +
			"200 or a public landing page is not reported.",
		Requests: "One anonymous GET per read operation; one GET as the first identity for comparison; for " +
			"undeclared operations, one anonymous GET of each sibling until one refuses (its status is shared " +
			"across operations; a sibling asked before its own turn is asked once more there for its answer).",
		Fix: "Require authentication on every non-public route: a decorator such as @login_required or " +
			"@jwt_required() on the view, or a before_request hook that rejects requests without a valid identity " +
			"for every blueprint except an explicit public allowlist.",
		Doc: "docs/checks.md#auth-001",
	},
	Applies: func(op *rampart.Operation) bool { return op.Method == "GET" && !op.Public() },
	Run:     runMissingRead,
}

// anonGet asks the pass's own operation without credentials, and leaves
// the status for the operation's siblings.
func anonGet(ctx context.Context, p *check.Pass) (*engine.Response, error) {
	u, _ := filledURL(p, p.Op)
	resp, err := p.Get(ctx, nil, u, nil)
	if err != nil {
		return nil, err
	}
	p.Shared.Once(anonStatusKey(p.Op), func() (any, error) { return resp.Status, nil })
	return resp, nil
}

// anonStatus is the status of an anonymous GET of any operation, asked
// once per scan. Every operation under the same prefix asks it of its
// siblings, so only the status is kept: an operation asked as a sibling
// before its own unit runs is asked again there for its answer.
func anonStatus(ctx context.Context, p *check.Pass, op *rampart.Operation) (int, error) {
	v, err := p.Shared.Once(anonStatusKey(op), func() (any, error) {
		u, _ := filledURL(p, op)
		resp, err := p.Get(ctx, nil, u, nil)
		if err != nil {
			return nil, err
		}
		return resp.Status, nil
	})
	if err != nil {
		return 0, err
	}
	return v.(int), nil
}

func anonStatusKey(op *rampart.Operation) string { return "anon-status " + op.Key() }

func refuses(status int) bool { return status == 401 || status == 403 }

// expectsAuth says whether the operation should refuse anonymous callers,
// and why.
func expectsAuth(ctx context.Context, p *check.Pass) (bool, string, error) {
	return expectsAuthOf(ctx, p, p.Op)
}

// expectsAuthOf is expectsAuth for any operation of the surface.
func expectsAuthOf(ctx context.Context, p *check.Pass, op *rampart.Operation) (bool, string, error) {
	if op.Secured() {
		return true, "the spec declares a security requirement for it", nil
	}
	if op.Security != nil {
		return false, "", nil
	}
	for _, sib := range readsUnder(p, firstSegment(op.Path)) {
		if sib == op || sib.Public() || documentedDifference(op, sib) {
			continue
		}
		status, err := anonStatus(ctx, p, sib)
		if err != nil {
			if ctx.Err() != nil {
				return false, "", ctx.Err()
			}
			continue
		}
		if refuses(status) {
			return true, fmt.Sprintf("%s refuses anonymous callers with %d", sib.Key(), status), nil
		}
	}
	return false, "", nil
}

// documentedDifference: the spec declares a security requirement for the
// sibling and none for the operation, so the sibling's refusal is the
// documented difference between the two (a public catalogue beside a
// private resource), not evidence that the operation forgot its check.
func documentedDifference(op, sib *rampart.Operation) bool {
	return op.Source == rampart.SourceSpec && sib.Source == rampart.SourceSpec && sib.Secured()
}

// readsUnder returns the GET operations under a first path segment, in
// surface order, from an index built once per scan: asking the whole
// surface for every operation made the check quadratic.
func readsUnder(p *check.Pass, prefix string) []*rampart.Operation {
	v, _ := p.Shared.Once("authn: reads by prefix", func() (any, error) {
		idx := map[string][]*rampart.Operation{}
		for _, op := range p.Surface {
			if op.Method == "GET" {
				seg := firstSegment(op.Path)
				idx[seg] = append(idx[seg], op)
			}
		}
		return idx, nil
	})
	return v.(map[string][]*rampart.Operation)[prefix]
}

func firstSegment(path string) string {
	s := strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	return s
}

func runMissingRead(ctx context.Context, p *check.Pass) error {
	expected, why, err := expectsAuth(ctx, p)
	if err != nil {
		return err
	}
	if !expected {
		p.NotApplicable(noAuthExpected(p.Op))
		return nil
	}
	r, err := anonGet(ctx, p)
	if err != nil {
		return err
	}
	p.Tested() // the anonymous answer is in: refused, not the data, or a finding
	if r.Status < 200 || r.Status > 299 || !check.HasData(r.Body) {
		return nil
	}
	if documentsJSON(p.Op) && !check.IsJSON(r.Header) {
		return nil // a catch-all HTML page, not the operation's data
	}
	if !p.Op.Secured() && htmlPage(r.Header) {
		// Expected only from its siblings: an HTML page beside a JSON API
		// (a challenge or index page) is not the kind of thing they guard.
		return nil
	}
	f := p.Finding("")
	f.Location.URL = r.RequestURL
	f.Confidence = rampart.Firm
	f.Evidence = []rampart.Evidence{p.Evidence(r, "anonymous request, no credentials")}
	f.Curl = p.Curl(r)
	detail := describe(r.Body)
	who := p.FirstUser()
	if _, owner := filledURL(p, p.Op); owner != nil {
		who = owner // the object's owner gets the genuine answer
	}
	if who != nil {
		auth, err := p.Get(ctx, who, r.RequestURL, nil)
		if err == nil {
			if auth.Status >= 200 && auth.Status <= 299 && (bytes.Equal(auth.Body, r.Body) || check.SameShape(auth.Body, r.Body)) {
				f.Confidence = rampart.Confirmed
				f.Evidence = append(f.Evidence, p.Evidence(auth, "the same request as "+who.Name+": the anonymous answer carries the same data"))
			} else {
				return nil // the anonymous answer is not what an authenticated caller gets: not the protected data
			}
		}
	}
	f.Message = fmt.Sprintf("%s should require credentials (%s) but answers an anonymous request with %d and %s.",
		p.Op.Key(), why, r.Status, detail)
	p.Report(f)
	return nil
}

// noAuthExpected says why nothing tells that an operation needs
// credentials.
func noAuthExpected(op *rampart.Operation) string {
	if op.Security != nil {
		return "the spec declares no security requirement for it"
	}
	return "the spec declares no security, and no other read under /" + firstSegment(op.Path) + " refuses anonymous callers"
}

func htmlPage(h http.Header) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	return strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/xhtml")
}

func documentsJSON(op *rampart.Operation) bool {
	for _, r := range op.Responses {
		if strings.HasPrefix(r.Status, "2") && strings.Contains(r.ContentType, "json") {
			return true
		}
	}
	return false
}

// describe says how much data came back, so the reader sees the impact.
func describe(body []byte) string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return fmt.Sprintf("%d bytes of data", len(body))
	}
	switch v := doc.(type) {
	case []any:
		return fmt.Sprintf("a list of %d records", len(v))
	case map[string]any:
		for _, val := range v {
			if l, ok := val.([]any); ok && len(l) > 0 {
				return fmt.Sprintf("%d records", len(l))
			}
		}
		return fmt.Sprintf("an object with %d fields", len(v))
	}
	return "data"
}

// filledURL is the operation's URL with real values in its path: values
// an identity of the scan owns, as the API model learned them (a device's
// name, an account number), so that the anonymous request asks for an
// object that exists; synthesised values where the model has none. owner
// is the identity whose object it is, when one is known.
func filledURL(p *check.Pass, op *rampart.Operation) (string, *identity.Identity) {
	vals := map[string]string{}
	var owner *identity.Identity
	for _, prm := range op.Params {
		if prm.In != "path" {
			continue
		}
		for _, c := range p.Model.Values(op, prm.Name, apimodel.Query{Limit: 4}) {
			if c.Owner == "" || c.Public {
				continue
			}
			if owner != nil && owner.Name != c.Owner {
				continue // one owner for every parameter of the path
			}
			for _, id := range p.Authenticated() {
				if id.Name == c.Owner {
					owner = id
				}
			}
			if owner != nil {
				vals[prm.Name] = c.Value
				break
			}
		}
	}
	return p.URL(op, vals), owner
}
