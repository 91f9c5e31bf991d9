package surface

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Getter performs one GET through the caller's HTTP engine, which owns
// scope, rate limits, timeouts, body caps and redirects. Discovery only ever
// asks it for URLs on the base URL's origin.
type Getter func(ctx context.Context, u string) (status int, header http.Header, body []byte, err error)

// candidatePaths are where frameworks and people usually publish a spec:
// FastAPI, flask-smorest, flasgger, springdoc, Swashbuckle, connexion and
// the hand-written defaults.
func candidatePaths() []string {
	return []string{
		"/openapi.json", "/swagger.json", "/openapi.yaml", "/swagger.yaml",
		"/api/openapi.json", "/v1/openapi.json", "/v2/openapi.json", "/v3/api-docs",
		"/api-docs", "/apispec_1.json", "/apispec.json", "/static/openapi.json",
		"/static/swagger.json", "/docs/openapi.json", "/api/swagger.json",
		"/swagger/v1/swagger.json", "/openapi/v1.json", "/openapi", "/v2/api-docs",
		"/swagger-resources",
	}
}

// Candidates lists the URLs where a spec may live for base: each usual path
// under base's own path first (an API mounted at /api/v1 publishes its spec
// there), then under the host root, without duplicates.
func Candidates(base *url.URL) []string {
	prefix := strings.TrimSuffix(base.EscapedPath(), "/")
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		u := url.URL{Scheme: base.Scheme, Host: base.Host}
		s := u.String() + p
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if prefix != "" {
		for _, p := range candidatePaths() {
			add(prefix + p)
		}
	}
	for _, p := range candidatePaths() {
		add(p)
	}
	return out
}

// Discovery is what Discover learned and how.
type Discovery struct {
	Surface *Surface
	// Where is the URL of the spec that was used ("URL (shown by PAGE)"
	// when a docs page named it, "the document inline in PAGE"), or
	// Discovered when operations were learned from common paths and links.
	Where string
	// Notes say, one line each, what was wrong with the documents found at
	// the usual places and what was done instead, for the report.
	Notes []string
}

// Discovered is Discovery.Where when no spec was found and the operations
// were learned from common paths, documentation pages and links.
const Discovered = "common paths and links (no spec found)"

// ErrNothingLearned is wrapped by Discover's error when no usable spec was
// found and following links from the base learned no operation: the base
// did not answer 2xx and linked to nothing.
var ErrNothingLearned = errors.New("could not learn any operation")

// Discover finds the attack surface of an API that was given without a
// spec. It tries the Candidates in order and uses the first that answers 200
// with a loadable spec (or a listing of specs). A candidate that refuses
// (401, 403), fails (5xx) or serves a spec that does not load is skipped
// with a note saying so. With no usable spec it learns what the API answers
// to paths that cannot exist (soft 404), reads the usual documentation
// pages for the document they show, and at last probes the common API
// paths and crawls from the base and from what answered. Its error is
// ctx's, the crawl's when the base cannot be fetched, or wraps
// ErrNothingLearned.
func Discover(ctx context.Context, base *url.URL, get Getter) (*Discovery, error) {
	if err := checkBase(base); err != nil {
		return nil, err
	}
	// Probing skips what the search for a spec already asked for.
	asked := map[string]bool{}
	get = recordPaths(get, asked)
	fetch := scopedFetch(base, get)
	// Paths below are built as url.URL.Path, which escapes them itself.
	prefix := strings.TrimSuffix(base.Path, "/")
	var p discoveryProblems
	for _, cand := range Candidates(base) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		status, _, body, err := get(ctx, cand)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if status == 401 || status == 403 || status >= 500 {
			p.status(cand, status)
			continue
		}
		if status != 200 || len(bytes.TrimSpace(body)) == 0 {
			continue
		}
		if t := bytes.TrimSpace(body); t[0] == '<' {
			continue // an HTML page, typically a SPA answering every path
		}
		s, err := Load(ctx, Source{URL: cand, Data: body, Fetch: fetch})
		if err == nil {
			return &Discovery{Surface: s, Where: cand, Notes: p.notes("used " + cand + " instead")}, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, ErrNotSpec) {
			// springfox's /swagger-resources and a Swagger UI config list
			// where the documents are.
			if d, err := loadListed(ctx, base, cand, body, get, fetch, &p); d != nil || err != nil {
				return d, err
			}
			continue
		}
		p.broken(cand, err)
	}
	// A catch-all answer cannot pass for a spec (it is HTML, or JSON that
	// is not one), so it is learned only once no spec was found: an API
	// that serves its spec sees no made-up path.
	nf := learnNotFound(ctx, base, prefix, get)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := discoverDocsPage(ctx, base, prefix, get, nf, &p)
	if d != nil || err != nil {
		return d, err
	}
	pr, err := probe(ctx, base, prefix, get, nf, asked)
	if err != nil {
		return nil, err
	}
	if d, err := prefixSpec(ctx, base, pr, get, fetch, asked, &p); d != nil || err != nil {
		return d, err
	}
	more := func(words []string) []seed { return pr.siteWords(ctx, base, words, get, nf, asked) }
	s, err := crawl(ctx, base, get, nf, pr.seeds, more)
	if err != nil {
		return nil, err
	}
	outside := rebase(s, prefix)
	if why, nothing := learnedNothing(s); nothing {
		msg := why + ", and no spec was found at the usual places"
		if notes := p.notes(""); len(notes) > 0 {
			msg = why + "; " + strings.Join(notes, "; ")
		}
		msg += "; " + pr.note()
		return nil, fmt.Errorf("%w: %s", ErrNothingLearned, msg)
	}
	notes := p.notes("learned operations by probing common paths and following links instead")
	if nf.active() {
		notes = append(notes, nf.describe()+": such answers count as not found")
	}
	notes = append(notes, pr.note())
	if outside > 0 {
		notes = append(notes, fmt.Sprintf("%d operations linked from outside %s were left out: scan the host root to include them", outside, prefix))
	}
	s.Methodless = rebasePaths(pr.methodless, prefix)
	return &Discovery{Surface: s, Where: Discovered, Notes: notes}, nil
}

// rebase makes a discovered surface's paths relative to the target's path
// (a request goes to target + path, see Surface.BaseURL): /svc/users is
// /users when the target is http://host/svc. Operations outside it cannot
// be named that way and are dropped; it returns how many.
func rebase(s *Surface, prefix string) int {
	if prefix == "" {
		return 0
	}
	kept := s.Operations[:0]
	dropped := 0
	for _, op := range s.Operations {
		switch {
		case op.Path == prefix:
			op.Path = "/"
		case strings.HasPrefix(op.Path, prefix+"/"):
			op.Path = strings.TrimPrefix(op.Path, prefix)
		default:
			dropped++
			continue
		}
		kept = append(kept, op)
	}
	s.Operations = kept
	return dropped
}

// rebasePaths makes paths relative to prefix as rebase does operations';
// those outside it are dropped.
func rebasePaths(paths []string, prefix string) []string {
	var out []string
	for _, p := range paths {
		switch {
		case prefix == "":
			out = append(out, p)
		case strings.HasPrefix(p, prefix+"/"):
			out = append(out, strings.TrimPrefix(p, prefix))
		}
	}
	return out
}

// prefixSpecPaths are where a framework mounted under a prefix publishes
// its spec: flask-restx's Api(prefix=...), FastAPI behind a root_path.
var prefixSpecPaths = []string{"/swagger.json", "/openapi.json"}

// prefixSpec looks for a spec under each versioned prefix that answered a
// probe, and loads the first one that is.
func prefixSpec(ctx context.Context, base *url.URL, pr *probeResult, get Getter, fetch func(context.Context, string) ([]byte, error), asked map[string]bool, p *discoveryProblems) (*Discovery, error) {
	for _, pre := range pr.prefixes {
		for _, sp := range prefixSpecPaths {
			if asked[pre+sp] {
				continue
			}
			s, doc, err := loadRef(ctx, base, onOrigin(base, &url.URL{Path: pre + sp}), get, fetch, p, 0)
			if err != nil {
				return nil, err
			}
			if s != nil {
				notes := p.notes("used " + doc + " instead")
				return &Discovery{Surface: s, Where: doc, Notes: append(notes, pr.note())}, nil
			}
		}
	}
	return nil, nil
}

// recordPaths is get noting each path it was asked for in asked.
func recordPaths(get Getter, asked map[string]bool) Getter {
	return func(ctx context.Context, u string) (int, http.Header, []byte, error) {
		asked[pathOf(u)] = true
		return get(ctx, u)
	}
}

func pathOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return raw
}

// learnedNothing reports whether a crawl learned nothing worth scanning: no
// operation, or only the page it started from and that did not answer 2xx.
func learnedNothing(s *Surface) (string, bool) {
	switch {
	case len(s.Operations) == 0:
		return "the crawl found no page", true
	case len(s.Operations) > 1:
		return "", false
	}
	op := s.Operations[0]
	if op.Source == rampart.SourceProbe {
		return "", false
	}
	status := ""
	if len(op.Responses) > 0 {
		status = op.Responses[0].Status
	}
	if strings.HasPrefix(status, "2") {
		return "", false
	}
	return fmt.Sprintf("%s %s answered %s and linked to nothing", op.Method, op.Path, status), true
}

// discoveryProblems collects what was wrong with the usual spec locations.
// Statuses are summed up per code: an API behind a login answers 401 at all
// thirty of them.
type discoveryProblems struct {
	codes  []int
	first  map[int]string // status -> path of the first candidate with it
	counts map[int]int
	docs   []string
}

func (p *discoveryProblems) status(cand string, code int) {
	if p.first == nil {
		p.first, p.counts = map[int]string{}, map[int]int{}
	}
	if _, ok := p.first[code]; !ok {
		path := cand
		if u, err := url.Parse(cand); err == nil {
			path = u.RequestURI()
		}
		p.first[code] = path
		p.codes = append(p.codes, code)
	}
	p.counts[code]++
}

func (p *discoveryProblems) broken(cand string, err error) {
	detail := err.Error()
	var se *SpecError
	if errors.As(err, &se) {
		detail = se.detail()
	}
	p.docs = append(p.docs, fmt.Sprintf("%s is not a usable OpenAPI document (%s)", cand, detail))
}

// notes words the problems, each followed by what was done instead.
func (p *discoveryProblems) notes(instead string) []string {
	out := append([]string(nil), p.docs...)
	for _, code := range p.codes {
		n := fmt.Sprintf("GET %s answered %d", p.first[code], code)
		if more := p.counts[code] - 1; more > 0 {
			n += fmt.Sprintf(" (as did %d other usual spec locations)", more)
		}
		out = append(out, n)
	}
	if instead != "" {
		for i := range out {
			out[i] += ": " + instead
		}
	}
	return out
}

func checkBase(base *url.URL) error {
	if base == nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fmt.Errorf("surface: base URL must be absolute http(s), got %v", base)
	}
	return nil
}

// scopedFetch reads a discovered spec's external $refs, refusing anything
// off the base's origin, so a spec cannot steer Rampart to another host.
func scopedFetch(base *url.URL, get Getter) func(ctx context.Context, u string) ([]byte, error) {
	return func(ctx context.Context, raw string) ([]byte, error) {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, err
		}
		if !sameOrigin(u, base) {
			return nil, fmt.Errorf("refusing to fetch %s: not on %s", raw, origin(base))
		}
		status, _, body, err := get(ctx, onOrigin(base, u))
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return nil, fmt.Errorf("GET %s: status %d", raw, status)
		}
		return body, nil
	}
}

func defaultPort(scheme string) string {
	if strings.EqualFold(scheme, "https") {
		return "443"
	}
	return "80"
}

func sameOrigin(u, base *url.URL) bool {
	if u == nil || !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Hostname(), base.Hostname()) {
		return false
	}
	pu, pb := u.Port(), base.Port()
	if pu == "" {
		pu = defaultPort(u.Scheme)
	}
	if pb == "" {
		pb = defaultPort(base.Scheme)
	}
	return pu == pb
}

func origin(base *url.URL) string {
	return (&url.URL{Scheme: base.Scheme, Host: base.Host}).String()
}

// onOrigin rebuilds u on base's exact scheme and host, so what is requested
// is base's origin by construction, not by a comparison alone.
func onOrigin(base, u *url.URL) string {
	out := url.URL{Scheme: base.Scheme, Host: base.Host, Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	if out.Path == "" {
		out.Path = "/"
	}
	return out.String()
}

// Crawl bounds: enough to see the shape of an API, few enough to stay polite.
const (
	maxCrawlPages   = 50
	maxCrawlDepth   = 2
	maxPageLinks    = 500
	maxJSONNodes    = 100000
	maxInferDepth   = 6
	maxInferProps   = 200
	maxPendingLinks = 2000
)

// Crawl learns operations by following links from base: JSON string values
// that are same-origin paths or URLs (href/url keys, HAL _links, JSON:API
// links), HTML anchors and forms, and "/api/..." paths named in the page's
// same-origin scripts. It fetches at most 50 pages, at most two links away
// from base, only with GET, only on base's origin, and never submits forms
// or follows links that look like they change state (logout, delete).
// Concrete ids become templates: /notes/12 is learned as /notes/{id} with
// 12 as the example.
func Crawl(ctx context.Context, base *url.URL, get Getter) (*Surface, error) {
	if err := checkBase(base); err != nil {
		return nil, err
	}
	return crawl(ctx, base, get, nil, nil, nil)
}

// crawl is Crawl that also starts from the common paths that answered
// (seeds, already fetched) and reads answers that look like nf's catch-all
// as "not found".
//
// Once the links run out, more (when given) probes the names the site's own
// pages use under the API's versioned prefixes (a challenge site's
// /trains/ page for /api/v1/trains/), and what answers is crawled too.
func crawl(ctx context.Context, base *url.URL, get Getter, nf *notFound, seeds []seed, more func(words []string) []seed) (*Surface, error) {
	c := &crawler{base: base, get: get, nf: nf, ops: map[string]*rampart.Operation{}, queued: map[string]bool{}}
	start := *base
	start.Fragment = ""
	if start.Path == "" {
		start.Path = "/"
	}
	c.queue = append(c.queue, crawlPage{u: &start, depth: 0, source: rampart.SourceCrawl, from: "the start URL"})
	c.toFetch++
	c.queued[linkKey("GET", &start)] = true
	for _, sd := range seeds {
		c.seed(sd, probeOrigin)
	}
	if err := c.drain(ctx); err != nil {
		return nil, err
	}
	if more != nil {
		for _, sd := range more(c.words()) {
			c.seed(sd, siteWordOrigin)
		}
		if err := c.drain(ctx); err != nil {
			return nil, err
		}
	}
	// Links seen but not fetched (too deep, over budget, or unsafe to GET)
	// are still part of the surface.
	for _, l := range c.pending {
		c.record(l.method, l.u, nil, rampart.SourceCrawl, l.from)
	}
	// A start page that is not there is no operation once something else
	// was learned.
	if op := c.ops["GET "+start.Path]; op != nil && len(c.ops) > 1 && len(op.Responses) > 0 && op.Responses[0].Status == "404" && op.Origin == "the start URL" {
		delete(c.ops, "GET "+start.Path)
	}
	s := &Surface{Servers: []string{origin(base) + "/"}, SecuritySchemes: map[string]Scheme{}}
	for _, op := range c.ops {
		s.Operations = append(s.Operations, op)
	}
	sortOperations(s.Operations)
	return s, nil
}

// seed queues a probed path that answered (or records a method learned
// without a GET answer).
func (c *crawler) seed(sd seed, from string) {
	if sd.method != "GET" || sd.ans == nil {
		c.record(sd.method, sd.u, nil, rampart.SourceProbe, from)
		return
	}
	key := linkKey("GET", sd.u)
	if c.queued[key] {
		return
	}
	c.queued[key] = true
	c.queue = append(c.queue, crawlPage{u: sd.u, depth: 1, source: rampart.SourceProbe, from: from, ans: sd.ans})
}

// drain visits the queue within the page budget.
func (c *crawler) drain(ctx context.Context) error {
	for len(c.queue) > 0 && (c.pages < maxCrawlPages || c.queue[0].ans != nil) {
		if err := ctx.Err(); err != nil {
			return err
		}
		pg := c.queue[0]
		c.queue = c.queue[1:]
		if pg.ans == nil {
			c.toFetch--
		}
		if err := c.visit(ctx, pg); err != nil {
			return err
		}
	}
	return nil
}

// maxSiteWords bounds the names taken from the site's own links.
const maxSiteWords = 50

var siteWord = lazyre.New(`^[a-z][a-z0-9_-]{1,39}$`)

// words are the first segments of the paths the crawl learned, in order,
// with the trailing slash the site writes them with: the site's own
// vocabulary.
func (c *crawler) words() []string {
	var keys []string
	for k := range c.ops {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		op := c.ops[k]
		if op.Source != rampart.SourceCrawl {
			continue
		}
		first, rest, slashed := strings.Cut(strings.TrimPrefix(op.Path, "/"), "/")
		first = strings.ToLower(first)
		if !siteWord.MatchString(first) || seen[first] || len(out) >= maxSiteWords {
			continue
		}
		seen[first] = true
		if slashed && rest == "" {
			first += "/" // the site writes its paths with a trailing slash
		}
		out = append(out, first)
	}
	return out
}

// answer is one GET's result, kept when a probe already fetched the page.
type answer struct {
	status int
	header http.Header
	body   []byte
}

type crawlPage struct {
	u     *url.URL
	depth int
	// source and from say how the page was found, for its operation.
	source, from string
	ans          *answer // already fetched, or nil
}

type link struct {
	method string
	u      *url.URL
	form   *form
	from   string // "linked from GET /x", set by follow
}

type crawler struct {
	base    *url.URL
	get     Getter
	nf      *notFound
	ops     map[string]*rampart.Operation
	queued  map[string]bool
	queue   []crawlPage
	pending []link
	pages   int
	scripts int
	// toFetch counts the queued pages not fetched yet: common paths that
	// answered wait in the queue too, but cost no request.
	toFetch int
}

func (c *crawler) visit(ctx context.Context, pg crawlPage) error {
	ans := pg.ans
	if ans == nil {
		c.pages++
		status, header, body, err := c.get(ctx, onOrigin(c.base, pg.u))
		if err != nil {
			if pg.depth == 0 {
				return fmt.Errorf("crawl %s: %w", onOrigin(c.base, pg.u), err)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return nil
		}
		ans = &answer{status: status, header: header, body: body}
	}
	if slashed, ok := slashRedirect(c.base, pg.u, ans.status, ans.header); ok {
		// The same page, at the same depth and found the same way.
		su := &url.URL{Scheme: c.base.Scheme, Host: c.base.Host, Path: slashed}
		if key := linkKey("GET", su); !c.queued[key] && c.toFetch+c.pages < maxCrawlPages {
			c.queued[key] = true
			c.queue = append(c.queue, crawlPage{u: su, depth: pg.depth, source: pg.source, from: pg.from})
			c.toFetch++
		}
		return nil
	}
	// A single-page app's shell at a linked path is its "not found"; the
	// shell's links were read where the crawl started. A blanket 401 or
	// redirect stays: the scan's health verdict says what it means.
	if pg.depth > 0 && c.nf.shell() && c.nf.matches(pg.u.Path, ans.status, ans.header, ans.body) {
		return nil
	}
	ct := ans.header.Get("Content-Type")
	// A linked page that answers 404 stays on the surface with its status:
	// plenty of APIs hide what the caller may not see behind a 404.
	resp := rampart.Response{Status: strconv.Itoa(ans.status), ContentType: ct}
	var links []link
	switch kind := bodyKind(ct, ans.body); kind {
	case "json":
		var v any
		dec := json.NewDecoder(bytes.NewReader(ans.body))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			resp.Schema = inferSchema(v, 0)
			for _, s := range jsonLinks(v) {
				if u, err := pg.u.Parse(s); err == nil {
					links = append(links, link{method: "GET", u: u})
				}
			}
		}
	case "html":
		var scripts []*url.URL
		links, scripts = htmlLinksAndScripts(pg.u, ans.body)
		links = append(links, c.bundleLinks(ctx, scripts)...)
	}
	c.record("GET", pg.u, &resp, pg.source, pg.from)
	if len(links) > maxPageLinks {
		links = links[:maxPageLinks]
	}
	from := "linked from GET " + pg.u.Path
	for _, l := range links {
		if l.from == "" {
			l.from = from
		}
		c.follow(l, pg.depth)
	}
	return ctx.Err()
}

func bodyKind(ct string, body []byte) string {
	ct = strings.ToLower(ct)
	t := bytes.TrimSpace(body)
	switch {
	case strings.Contains(ct, "json"):
		return "json"
	case strings.Contains(ct, "html"):
		return "html"
	case len(t) > 0 && (t[0] == '{' || t[0] == '['):
		return "json"
	case len(t) > 0 && t[0] == '<':
		return "html"
	}
	return ""
}

func (c *crawler) follow(l link, depth int) {
	u := l.u
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || !sameOrigin(u, c.base) {
		return
	}
	u.Fragment = ""
	if u.Path == "" {
		u.Path = "/"
	}
	if isStaticAsset(u.Path) {
		return
	}
	if l.form != nil {
		c.recordForm(l)
		return
	}
	key := linkKey(l.method, u)
	if c.queued[key] {
		return
	}
	c.queued[key] = true
	if depth+1 <= maxCrawlDepth && c.toFetch+c.pages < maxCrawlPages && safeToGet(u.Path) && !strings.ContainsAny(u.Path, "{}") {
		c.queue = append(c.queue, crawlPage{u: u, depth: depth + 1, source: rampart.SourceCrawl, from: l.from})
		c.toFetch++
		return
	}
	if len(c.pending) < maxPendingLinks {
		c.pending = append(c.pending, l)
	}
}

// linkKey identifies a link by method and template, so that a list of a
// thousand notes costs one request, not a thousand.
func linkKey(method string, u *url.URL) string {
	tmpl, _ := templatize(u.Path)
	q := u.Query()
	keys := slices.Sorted(maps.Keys(q))
	return method + " " + tmpl + "?" + strings.Join(keys, "&")
}

var unsafeWords = lazyre.New(`(?i)(^|[/_.-])(log-?out|sign-?out|logoff|delete|remove|destroy|unsubscribe|revoke|deactivate|disable|reset|purge|drop|shutdown|restart)([/_.-]|$)`)

// safeToGet refuses links that look like they change state: GET should be
// safe, but plenty of apps log you out or delete things on a GET.
func safeToGet(p string) bool { return !unsafeWords.MatchString(p) }

func isStaticAsset(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".css", ".js", ".mjs", ".map",
		".woff", ".woff2", ".ttf", ".eot", ".otf", ".pdf", ".zip", ".gz", ".mp4", ".mp3", ".wasm":
		return true
	}
	return false
}

// record adds (or completes) the operation for method on u's template.
// The first way it was found is the one the report gives.
func (c *crawler) record(method string, u *url.URL, resp *rampart.Response, source, from string) *rampart.Operation {
	tmpl, params := templatize(u.Path)
	key := method + " " + tmpl
	op := c.ops[key]
	if op == nil {
		op = &rampart.Operation{Method: method, Path: tmpl, Source: source, Origin: from}
		c.ops[key] = op
	}
	for _, p := range params {
		addParam(op, p)
	}
	q := u.Query()
	for _, k := range slices.Sorted(maps.Keys(q)) {
		addParam(op, rampart.Param{Name: k, In: "query", Schema: &rampart.Schema{Type: "string"}, Example: q.Get(k)})
	}
	if resp != nil && len(op.Responses) == 0 {
		op.Responses = append(op.Responses, *resp)
	}
	return op
}

func addParam(op *rampart.Operation, p rampart.Param) {
	if op.Param(p.In, p.Name) == nil {
		op.Params = append(op.Params, p)
	}
}

func (c *crawler) recordForm(l link) {
	op := c.record(l.method, l.u, nil, rampart.SourceCrawl, strings.Replace(l.from, "linked from", "a form on", 1))
	f := l.form
	if l.method == "GET" {
		for _, fld := range f.fields {
			addParam(op, rampart.Param{Name: fld.name, In: "query", Required: fld.required, Schema: fld.schema, Example: fld.example})
		}
		return
	}
	// The first body learned stays, unless it is the empty one of an
	// endpoint a page's text named and this is a form with fields.
	if op.Body != nil && (len(f.fields) == 0 || op.Body.Schema == nil || len(op.Body.Schema.Properties) > 0) {
		return
	}
	s := &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{}}
	for _, fld := range f.fields {
		sc := *fld.schema
		if fld.example != nil {
			sc.Example = fld.example
		}
		s.Properties[fld.name] = &sc
		if fld.required && !contains(s.Required, fld.name) {
			s.Required = append(s.Required, fld.name)
		}
	}
	op.Body = &rampart.Body{ContentType: f.enctype, Required: true, Schema: s}
}

var (
	numericSeg = lazyre.New(`^[0-9]{1,19}$`)
	uuidSeg    = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	hexIDSeg   = lazyre.New(`^[0-9a-fA-F]{16,64}$`)
	letterRe   = lazyre.New(`[a-fA-F]`)
	digitRe    = lazyre.New(`[0-9]`)
	braceSeg   = lazyre.New(`^\{([^{}/]+)\}$`)
)

// templatize turns a concrete path into a template: numeric, UUID and long
// hex segments become parameters. A single one is {id}; with several, each
// but the last is named after the collection before it (/users/3/notes/7 is
// /users/{user_id}/notes/{id}). The segments at the forced indices are
// parameters whatever they hold (a recording showed they vary).
func templatize(p string, forced ...int) (string, []rampart.Param) {
	segs := strings.Split(p, "/")
	type dyn struct {
		i       int
		name    string
		schema  *rampart.Schema
		example any
	}
	var dyns []dyn
	for i, raw := range segs {
		seg, err := url.PathUnescape(raw)
		if err != nil {
			seg = raw
		}
		switch {
		case braceSeg.MatchString(seg):
			dyns = append(dyns, dyn{i: i, name: braceSeg.FindStringSubmatch(seg)[1], schema: &rampart.Schema{Type: "string"}})
		case slices.Contains(forced, i) && seg != "":
			dyns = append(dyns, dyn{i: i, schema: &rampart.Schema{Type: "string"}, example: seg})
		case numericSeg.MatchString(seg):
			var ex any = seg
			if n, err := strconv.ParseInt(seg, 10, 64); err == nil {
				ex = n
			}
			dyns = append(dyns, dyn{i: i, schema: &rampart.Schema{Type: "integer"}, example: ex})
		case uuidSeg.MatchString(seg):
			dyns = append(dyns, dyn{i: i, schema: &rampart.Schema{Type: "string", Format: "uuid"}, example: seg})
		case hexIDSeg.MatchString(seg) && letterRe.MatchString(seg) && digitRe.MatchString(seg):
			dyns = append(dyns, dyn{i: i, schema: &rampart.Schema{Type: "string"}, example: seg})
		}
	}
	if len(dyns) == 0 {
		return p, nil
	}
	used := map[string]bool{}
	for _, d := range dyns {
		if d.name != "" {
			used[d.name] = true
		}
	}
	unique := func(n string) string {
		if !used[n] {
			used[n] = true
			return n
		}
		for k := 2; ; k++ {
			c := n + strconv.Itoa(k)
			if !used[c] {
				used[c] = true
				return c
			}
		}
	}
	var params []rampart.Param
	for j := range dyns {
		d := &dyns[j]
		if d.name == "" {
			name := "id"
			if j < len(dyns)-1 && d.i > 0 && !isDynamic(segs[d.i-1]) && segs[d.i-1] != "" {
				name = Singular(strings.ToLower(segs[d.i-1])) + "_id"
			}
			d.name = unique(name)
		}
		segs[d.i] = "{" + d.name + "}"
		params = append(params, rampart.Param{Name: d.name, In: "path", Required: true, Schema: d.schema, Example: d.example})
	}
	return strings.Join(segs, "/"), params
}

func isDynamic(seg string) bool {
	return numericSeg.MatchString(seg) || uuidSeg.MatchString(seg) || braceSeg.MatchString(seg) ||
		(hexIDSeg.MatchString(seg) && letterRe.MatchString(seg) && digitRe.MatchString(seg))
}

// linkKeys name JSON members whose string values are links even when
// relative ("next": "notes?page=2").
var linkKeys = map[string]bool{
	"href": true, "url": true, "uri": true, "link": true, "self": true, "related": true,
	"next": true, "prev": true, "previous": true, "first": true, "last": true,
	"location": true, "@id": true, "canonical": true, "collection": true, "up": true,
}

var (
	uriTemplateQuery = lazyre.New(`\{[?&#+./;][^}]*\}`)
	pathLike         = lazyre.New(`^/[A-Za-z0-9._~%!$&'()*+,;=:@/{}-]*(\?[^#\s]*)?$`)
	relativeLike     = lazyre.New(`^[A-Za-z0-9._~%!$&'()*+,;=:@/{}-]+(\?[^#\s]*)?$`)
)

// jsonLinks collects the strings of a JSON document that are links: paths
// ("/notes/7"), absolute http(s) URLs, and relative references under link
// keys. Origin is checked by the caller.
func jsonLinks(v any) []string {
	var out []string
	nodes := 0
	var walk func(v any, key string)
	walk = func(v any, key string) {
		nodes++
		if nodes > maxJSONNodes || len(out) >= maxPageLinks {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			keys := slices.Sorted(maps.Keys(x))
			for _, k := range keys {
				walk(x[k], k)
			}
		case []any:
			for _, e := range x {
				walk(e, key)
			}
		case string:
			if s, ok := asLink(x, key); ok {
				out = append(out, s)
			}
		}
	}
	walk(v, "")
	return out
}

func asLink(s, key string) (string, bool) {
	s = uriTemplateQuery.ReplaceAllString(strings.TrimSpace(s), "")
	if s == "" || len(s) > 2048 {
		return "", false
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		if strings.ContainsAny(s, " \t\r\n") {
			return "", false
		}
		return s, true
	case strings.HasPrefix(s, "//"):
		return "", false
	case strings.HasPrefix(s, "/"):
		return s, pathLike.MatchString(s)
	case linkKeys[strings.ToLower(key)]:
		return s, relativeLike.MatchString(s) && !strings.Contains(s, ":")
	}
	return "", false
}

// inferSchema describes an observed JSON value, so checks can reason about
// the fields a discovered endpoint returns (owner ids, secrets).
func inferSchema(v any, depth int) *rampart.Schema {
	switch x := v.(type) {
	case map[string]any:
		s := &rampart.Schema{Type: "object"}
		if depth >= maxInferDepth {
			return s
		}
		s.Properties = map[string]*rampart.Schema{}
		keys := slices.Sorted(maps.Keys(x))
		for i, k := range keys {
			if i >= maxInferProps {
				break
			}
			s.Properties[k] = inferSchema(x[k], depth+1)
		}
		return s
	case []any:
		s := &rampart.Schema{Type: "array"}
		if len(x) > 0 && depth < maxInferDepth {
			s.Items = inferSchema(x[0], depth+1)
		}
		return s
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return &rampart.Schema{Type: "integer"}
		}
		return &rampart.Schema{Type: "number"}
	case bool:
		return &rampart.Schema{Type: "boolean"}
	case string:
		return &rampart.Schema{Type: "string"}
	default:
		return &rampart.Schema{Nullable: true}
	}
}

type formField struct {
	name     string
	required bool
	schema   *rampart.Schema
	example  any
}

type form struct {
	enctype string
	fields  []formField
}

// htmlLinks reads anchors and forms from a page. Forms are learned, never
// submitted: their fields become query parameters (GET) or a form body.
func htmlLinks(page *url.URL, body []byte) []link {
	l, _ := htmlLinksAndScripts(page, body)
	return l
}

// htmlLinksAndScripts is htmlLinks that also gives the page's script URLs.
func htmlLinksAndScripts(page *url.URL, body []byte) ([]link, []*url.URL) {
	var out []link
	var scripts []*url.URL
	base := page
	z := html.NewTokenizer(io.LimitReader(bytes.NewReader(body), 4<<20))
	var cur *link
	var text strings.Builder // the page's text, for the endpoints it names (textLinks)
	inScript := 0
	for len(out) < maxPageLinks {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt == html.TextToken {
			if inScript == 0 && text.Len() < maxPageText {
				text.Write(z.Text())
				text.WriteByte(' ')
			}
			continue
		}
		if tt == html.EndTagToken {
			name, _ := z.TagName()
			switch string(name) {
			case "form":
				if cur != nil {
					out = append(out, *cur)
					cur = nil
				}
			case "script", "style":
				inScript = max(0, inScript-1)
			}
			continue
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tag, attrs := tagAttrs(z)
		_, hasRequired := attrs["required"]
		if (tag == "script" || tag == "style") && tt == html.StartTagToken {
			inScript++
		}
		switch tag {
		case "base":
			if u, err := page.Parse(attrs["href"]); err == nil && attrs["href"] != "" {
				base = u
			}
		case "script":
			if src := strings.TrimSpace(attrs["src"]); src != "" && len(scripts) < maxPageLinks {
				if u, err := base.Parse(src); err == nil {
					scripts = append(scripts, u)
				}
			}
		case "a", "area":
			if h, ok := attrs["href"]; ok && h != "" {
				if u, err := base.Parse(strings.TrimSpace(h)); err == nil {
					out = append(out, link{method: "GET", u: u})
				}
			}
		case "form":
			if cur != nil {
				out = append(out, *cur)
			}
			method := strings.ToUpper(strings.TrimSpace(attrs["method"]))
			switch method {
			case "", "DIALOG":
				method = "GET"
			case "GET", "POST", "PUT", "PATCH", "DELETE":
			default:
				method = "GET"
			}
			u, err := base.Parse(strings.TrimSpace(attrs["action"]))
			if err != nil {
				cur = nil
				continue
			}
			enc := strings.ToLower(strings.TrimSpace(attrs["enctype"]))
			if enc != "multipart/form-data" && enc != "text/plain" {
				enc = "application/x-www-form-urlencoded"
			}
			cur = &link{method: method, u: u, form: &form{enctype: enc}}
		case "input", "select", "textarea", "button":
			if cur == nil || attrs["name"] == "" {
				continue
			}
			typ := strings.ToLower(attrs["type"])
			if tag == "button" || typ == "submit" || typ == "reset" || typ == "button" || typ == "image" {
				continue
			}
			f := formField{name: attrs["name"], required: hasRequired, schema: inputSchema(tag, typ)}
			if v, ok := attrs["value"]; ok && v != "" {
				f.example = v
			}
			if typ == "hidden" {
				f.required = true
			}
			dup := false
			for _, e := range cur.form.fields {
				if e.name == f.name {
					dup = true
				}
			}
			if !dup {
				cur.form.fields = append(cur.form.fields, f)
			}
		}
	}
	if cur != nil && len(out) < maxPageLinks {
		out = append(out, *cur)
	}
	if room := maxPageLinks - len(out); room > 0 {
		named := textLinks(base, page, text.String())
		out = append(out, named[:min(len(named), room)]...)
	}
	return out, scripts
}

// tagAttrs reads the current tag's name and attributes (names in lower
// case, as HTML has them; the first of a repeated one wins, as browsers do).
func tagAttrs(z *html.Tokenizer) (string, map[string]string) {
	name, hasAttr := z.TagName()
	attrs := map[string]string{}
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		if _, dup := attrs[strings.ToLower(string(k))]; !dup {
			attrs[strings.ToLower(string(k))] = string(v)
		}
	}
	return string(name), attrs
}

func inputSchema(tag, typ string) *rampart.Schema {
	if tag != "input" {
		return &rampart.Schema{Type: "string"}
	}
	switch typ {
	case "number", "range":
		return &rampart.Schema{Type: "number"}
	case "email":
		return &rampart.Schema{Type: "string", Format: "email"}
	case "password":
		return &rampart.Schema{Type: "string", Format: "password"}
	case "date":
		return &rampart.Schema{Type: "string", Format: "date"}
	case "datetime-local":
		return &rampart.Schema{Type: "string", Format: "date-time"}
	case "url":
		return &rampart.Schema{Type: "string", Format: "uri"}
	case "file":
		return &rampart.Schema{Type: "string", Format: "binary"}
	case "checkbox":
		return &rampart.Schema{Type: "string", Example: "on"}
	}
	return &rampart.Schema{Type: "string"}
}
