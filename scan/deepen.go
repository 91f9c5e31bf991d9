package scan

import (
	"context"
	"net/http"
	"net/url"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// deepen completes a discovered surface signed in (surface.Deepen): most
// of an API refuses the anonymous caller discovery was, so its items'
// routes and its write methods are only seen with credentials. It runs as
// the first identity that has some, else anonymously, and returns the
// operations with what it learned, which the model learns too.
func deepen(ctx context.Context, c *engine.Client, base *url.URL, ops []*rampart.Operation, methodless []string, ids []*identity.Identity, mdl *apimodel.Model, rep *rampart.Report, opt Options) []*rampart.Operation {
	var who *identity.Identity
	for _, id := range ids {
		if !id.IsAnonymous() {
			who = id
			break
		}
	}
	do := func(ctx context.Context, method, u string) (int, http.Header, []byte, error) {
		req := &engine.Request{Method: method, URL: u, NoWait429: true}
		var resp *engine.Response
		var err error
		if who != nil {
			resp, err = who.Do(ctx, c, req)
		} else {
			resp, err = c.Do(ctx, req)
		}
		if err != nil {
			return 0, nil, nil, err
		}
		return resp.Status, resp.Header, resp.Body, nil
	}
	d, err := surface.Deepen(ctx, base, ops, methodless, do, apimodel.Unwrap)
	if d == nil || (err != nil && ctx.Err() != nil) {
		return ops
	}
	added := inScope(d.Operations, c, base)
	mdl.Add(added...)
	name := identity.AnonymousName
	if who != nil {
		name = who.Name
	}
	note(rep, opt, d.Note(name))
	return append(ops, added...)
}
