package jwt

import (
	"context"
	"mime"
	"net/http"
	"net/url"

	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/pubkey"
	"github.com/rampart-sec/rampart/internal/surface"
)

// maxKeyPages bounds the walk of the site's own pages for a published key:
// sites that do not serve a JWKS still show their verification key on a
// developer or documentation page, which a scan driven by a spec never reads.
const (
	maxKeyPages = 16
	maxKeyDepth = 2
)

// pageKeys walks the HTML pages linked from the start URL and from the
// origin's root, anonymously, only with GET, on the same origin, never a
// link that looks like it changes state, and returns the public keys the
// first page that shows any holds.
func pageKeys(ctx context.Context, p *check.Pass) []pubkey.Key {
	base := p.Client.Base()
	if base == nil {
		return nil
	}
	type page struct {
		u     *url.URL
		depth int
	}
	start := *base
	if start.Path == "" {
		start.Path = "/"
	}
	root := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: "/"}
	queue := []page{{u: &start}, {u: root}}
	seen := map[string]bool{}
	for fetched := 0; len(queue) > 0 && fetched < maxKeyPages && ctx.Err() == nil; {
		pg := queue[0]
		queue = queue[1:]
		if seen[pg.u.String()] {
			continue
		}
		seen[pg.u.String()] = true
		fetched++
		// Sites redirect /about to /about/: follow, within scope.
		r, err := p.Send(ctx, nil, &engine.Request{Method: http.MethodGet, URL: pg.u.String(), FollowRedirects: true})
		if err != nil || r.Status < 200 || r.Status > 299 || !htmlAnswer(r.Header.Get("Content-Type")) {
			continue
		}
		at := pg.u
		if f, err := url.Parse(r.URL); err == nil && r.URL != "" {
			at = f
			seen[f.String()] = true
		}
		if keys := pubkey.Find(r.Body); len(keys) > 0 {
			for i := range keys {
				keys[i].Source, keys[i].Where = pubkey.FromAnswer, "GET "+r.RequestURL
			}
			return keys
		}
		if pg.depth < maxKeyDepth {
			for _, u := range surface.PageLinks(at, r.Body) {
				if !seen[u.String()] {
					queue = append(queue, page{u: u, depth: pg.depth + 1})
				}
			}
		}
	}
	return nil
}

func htmlAnswer(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}
