package surface

import (
	"context"
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

//go:embed wordlist/*.txt
var wordlistFS embed.FS

// Probe bounds: a few hundred GETs, the caller's rate limit applies to
// each. A prefix that answered nothing stops after a handful of resources.
const (
	maxProbes            = 400
	maxAnsweringPrefixes = 2
	quietPrefixProbes    = 10
	// What answered is kept for the crawl to read links from, within
	// bounds: 400 answers at the engine's body cap would be gigabytes.
	maxKeptAnswer = 1 << 20
	maxKeptTotal  = 16 << 20
)

const (
	probeOrigin    = "common path"
	siteWordOrigin = "a name the site's own links use, under an API prefix"
)

// wordlist is the built-in list of common API paths.
type wordlist struct {
	prefixes  []string
	paths     []string
	postPaths map[string]bool // well-known auth paths: a 405 without Allow means POST
	resources []string
}

func loadWordlist() wordlist {
	w := wordlist{postPaths: map[string]bool{}}
	for _, p := range readList("wordlist/paths.txt") {
		path, how, _ := strings.Cut(p, " ")
		w.paths = append(w.paths, path)
		if strings.TrimSpace(how) == "post" {
			w.postPaths[path] = true
		}
	}
	w.prefixes = readList("wordlist/prefixes.txt")
	for _, r := range readList("wordlist/resources.txt") {
		w.resources = append(w.resources, "/"+r)
	}
	return w
}

func readList(name string) []string {
	data, err := wordlistFS.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

// seed is a common path that answered: what the crawl starts from besides
// the base, and what the surface keeps even if nothing links to it.
type seed struct {
	method string
	u      *url.URL
	ans    *answer // the GET's answer, nil for a method learned from Allow
}

// probeResult is what probing learned.
type probeResult struct {
	prefixes []string // the versioned prefixes that answered
	sent     int
	kept     int      // bytes of answers kept for the crawl
	answered []string // "GET /users (200)"
	// words counts the site's own names asked for under the prefixes.
	words int
	// methodless are paths that answered 405 to GET without an Allow
	// header.
	methodless []string
	seeds      []seed
}

func (r *probeResult) note() string {
	n := fmt.Sprintf("probed %d common paths", r.sent)
	if r.words > 0 {
		n += fmt.Sprintf(" and %d names of the site's own pages under %s", r.words, strings.Join(r.prefixes[:min(len(r.prefixes), maxAnsweringPrefixes)], " and "))
	}
	n += fmt.Sprintf(": %d answered", len(r.answered))
	if len(r.answered) > 0 {
		shown := r.answered
		if len(shown) > 12 {
			shown = append(slices.Clone(shown[:12]), fmt.Sprintf("and %d more", len(r.answered)-12))
		}
		n += " (" + strings.Join(shown, ", ") + ")"
	}
	return n
}

// probe asks for the built-in common paths under prefix (the base URL's
// path): fixed paths, versioned prefixes, then resource names under the
// prefix itself and under each versioned prefix, those that answered
// first. Only GET, only through get, at most maxProbes, never a path that
// looks like it changes state.
func probe(ctx context.Context, base *url.URL, prefix string, get Getter, nf *notFound, asked map[string]bool) (*probeResult, error) {
	w := loadWordlist()
	pr := &probeResult{}
	seen := map[string]bool{}
	budget := maxProbes
	try := func(p string) (bool, error) {
		if seen[p] || asked[p] || pr.sent >= budget || !safeToGet(p) {
			return false, nil
		}
		seen[p] = true
		return pr.one(ctx, base, p, get, nf, w.postPaths[strings.TrimPrefix(p, prefix)])
	}
	for _, p := range w.paths {
		if _, err := try(prefix + p); err != nil {
			return pr, err
		}
	}
	var answering, quiet []string
	if prefix == "" {
		for _, p := range w.prefixes {
			ok, err := try(p)
			if err != nil {
				return pr, err
			}
			if ok {
				answering = append(answering, p)
				pr.prefixes = append(pr.prefixes, p)
			} else {
				quiet = append(quiet, p)
			}
		}
	}
	// An API under a versioned prefix that answered is likelier there than
	// at the root: its names are asked for first, and each such prefix
	// (two at most) brings its own share of the budget.
	for i, p := range answering {
		if i < maxAnsweringPrefixes {
			budget += len(w.resources)
		}
		for _, r := range w.resources {
			if _, err := try(p + r); err != nil {
				return pr, err
			}
		}
	}
	for _, r := range w.resources {
		if _, err := try(prefix + r); err != nil {
			return pr, err
		}
	}
	// A prefix may answer 404 itself and still hold resources (/api/users
	// without /api): a few of the commonest resources tell.
	for _, p := range quiet {
		hit := false
		for i, r := range w.resources {
			if pr.sent >= budget || (i >= quietPrefixProbes && !hit) {
				break
			}
			ok, err := try(p + r)
			if err != nil {
				return pr, err
			}
			hit = hit || ok
		}
	}
	return pr, nil
}

// one probes path p and reports whether it answered, i.e. a route is there.
func (pr *probeResult) one(ctx context.Context, base *url.URL, p string, get Getter, nf *notFound, post bool) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	u := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: p}
	pr.sent++
	status, header, body, err := get(ctx, onOrigin(base, u))
	if err != nil {
		return false, ctx.Err() // a path that fails is a path that did not answer
	}
	if slashed, ok := slashRedirect(base, u, status, header); ok {
		// Django's APPEND_SLASH, Flask's strict slashes: the route is
		// the one with the slash, and it is that answer that tells.
		return pr.one(ctx, base, slashed, get, nf, post)
	}
	switch {
	case status == http.StatusNotFound || status == http.StatusGone:
		return false, nil
	case status == http.StatusMethodNotAllowed:
		methods := allowed(header.Get("Allow"))
		if len(methods) == 0 && post {
			methods = []string{"POST"}
		}
		if len(methods) == 0 {
			// Something is there, but which methods it takes is for
			// OPTIONS to say (Deepen): a custom error handler often
			// drops the Allow header of a 405.
			pr.methodless = append(pr.methodless, p)
			return false, nil
		}
		for _, m := range methods {
			pr.seeds = append(pr.seeds, seed{method: m, u: u})
		}
		pr.answered = append(pr.answered, strings.Join(methods, "/")+" "+p+" (405 to GET)")
		return true, nil
	case nf.matches(p, status, header, body):
		return false, nil
	}
	if len(body) > maxKeptAnswer || pr.kept+len(body) > maxKeptTotal {
		body = nil // the operation stays; its links are not read
	}
	pr.kept += len(body)
	pr.seeds = append(pr.seeds, seed{method: "GET", u: u, ans: &answer{status: status, header: header, body: body}})
	pr.answered = append(pr.answered, fmt.Sprintf("GET %s (%d)", p, status))
	return true, nil
}

// siteWords probes the site's own names (the first segments of the paths
// its pages link to) under each versioned prefix that answered (two at
// most), and returns the seeds of those that answered.
func (pr *probeResult) siteWords(ctx context.Context, base *url.URL, words []string, get Getter, nf *notFound, asked map[string]bool) []seed {
	before, sent := len(pr.seeds), pr.sent
	defer func() { pr.words += pr.sent - sent; pr.sent = sent }()
	for i, p := range pr.prefixes {
		if i >= maxAnsweringPrefixes {
			break
		}
		for _, w := range words {
			path := p + "/" + w
			if asked[path] || asked[strings.TrimSuffix(path, "/")] || !safeToGet(path) || ctx.Err() != nil {
				continue
			}
			asked[path] = true
			if _, err := pr.one(ctx, base, path, get, nf, false); err != nil {
				return pr.seeds[before:]
			}
		}
	}
	return pr.seeds[before:]
}

// slashRedirect reports a redirect from a path to the same path with a
// trailing slash, on the same origin, and that path.
func slashRedirect(base, u *url.URL, status int, header http.Header) (string, bool) {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return "", false
	}
	loc, err := u.Parse(header.Get("Location"))
	if err != nil || !sameOrigin(loc, base) || loc.Path != u.Path+"/" || strings.HasSuffix(u.Path, "/") {
		return "", false
	}
	return loc.Path, true
}

// allowed lists the methods of an Allow header a scan may learn: not GET
// (it was just refused), HEAD or OPTIONS.
func allowed(h string) []string {
	var out []string
	for _, m := range strings.Split(h, ",") {
		m = strings.ToUpper(strings.TrimSpace(m))
		switch m {
		case "POST", "PUT", "PATCH", "DELETE":
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}
