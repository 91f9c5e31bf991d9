package surface

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// A single-page app's JavaScript names the API it calls. The crawl reads a
// few of the page's same-origin scripts, never runs them.
const (
	maxBundles    = 3
	maxBundleSize = 2 << 20
)

var (
	// apiLiteral is a string literal holding an /api/ path, whole or as the
	// start of a template literal with substitutions, with its query.
	apiLiteral = lazyre.New("[\"'`](/api(?:/(?:[A-Za-z0-9_.~:-]|\\$\\{[A-Za-z0-9_.$]{1,40}\\})+)+/?(?:\\?[A-Za-z0-9_.~%=&-]*)?)[\"'`]")
	jsSubst    = lazyre.New(`\$\{([A-Za-z0-9_.$]{1,40})\}`)
)

// appScript names the scripts most likely to hold the app's own code, read
// before vendor and runtime chunks.
var appScript = lazyre.New(`(?i)(^|[/._-])(main|app|index|bundle)([._-]|$)`)

// bundleLinks fetches up to maxBundles of scripts on the base's origin, the
// app's own first, and returns the API paths they name.
func (c *crawler) bundleLinks(ctx context.Context, scripts []*url.URL) []link {
	var out []link
	scripts = slices.Clone(scripts)
	slices.SortStableFunc(scripts, func(a, b *url.URL) int {
		return cmpBool(appScript.MatchString(b.Path), appScript.MatchString(a.Path))
	})
	for _, s := range scripts {
		if c.scripts >= maxBundles || ctx.Err() != nil {
			break
		}
		if (s.Scheme != "http" && s.Scheme != "https") || !sameOrigin(s, c.base) {
			continue
		}
		c.scripts++
		status, _, body, err := c.get(ctx, onOrigin(c.base, s))
		if err != nil || status != 200 || len(body) > maxBundleSize {
			continue
		}
		from := "named in " + s.Path
		for _, p := range bundlePaths(string(body)) {
			if u, err := s.Parse(p); err == nil {
				out = append(out, link{method: "GET", u: u, from: from})
			}
		}
	}
	return out
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// bundlePaths lists the distinct /api/ paths of a script, substitutions
// turned into path parameters named after their last identifier.
func bundlePaths(js string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range apiLiteral.FindAllStringSubmatch(js, maxPageLinks) {
		p := jsSubst.ReplaceAllStringFunc(m[1], func(sub string) string {
			name := jsSubst.FindStringSubmatch(sub)[1]
			if i := strings.LastIndexAny(name, ".$"); i >= 0 {
				name = name[i+1:]
			}
			if name == "" {
				name = "id"
			}
			return "{" + name + "}"
		})
		if q := strings.IndexByte(p, '?'); q >= 0 {
			p = strings.TrimSuffix(p[:q], "/") + p[q:]
		} else {
			p = strings.TrimSuffix(p, "/")
		}
		if !seen[p] && !strings.Contains(p, "//") {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
