package surface

import (
	"net/url"
	"strings"
)

// PageLinks returns the pages an HTML page links to that a polite crawler
// may fetch: GET anchors on the page's own origin, not static assets, not
// links that look like they change state (logout, delete), fragments
// dropped, each once, in page order. Checks that read a site's pages for
// something other than operations (a published key) walk with it.
func PageLinks(page *url.URL, body []byte) []*url.URL {
	links, _ := htmlLinksAndScripts(page, body)
	var out []*url.URL
	seen := map[string]bool{}
	for _, l := range links {
		u := l.u
		if l.form != nil || l.method != "GET" || u == nil || (u.Scheme != "http" && u.Scheme != "https") || !sameOrigin(u, page) {
			continue
		}
		c := *u
		c.Fragment = ""
		if c.Path == "" {
			c.Path = "/"
		}
		if isStaticAsset(c.Path) || !safeToGet(c.Path) || strings.ContainsAny(c.Path, "{}") || seen[c.String()] {
			continue
		}
		seen[c.String()] = true
		out = append(out, &c)
	}
	return out
}
