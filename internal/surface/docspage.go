package surface

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"path"
	"strings"

	"golang.org/x/net/html"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// docsPagePaths are where frameworks serve their documentation pages:
// FastAPI (/docs, /redoc), springdoc and Swashbuckle (/swagger-ui/...),
// flasgger (/apidocs/), connexion (/ui/), flask-restx (/ under a prefix),
// and the hand-written ones.
func docsPagePaths() []string {
	return []string{
		"/docs", "/redoc", "/swagger-ui/", "/swagger-ui.html", "/swagger-ui/index.html", "/swagger/",
		"/swagger/index.html", "/apidocs/", "/ui/", "/api/docs", "/api-docs/", "/api/swagger-ui/",
		"/rapidoc", "/documentation",
	}
}

// Docs page bounds: a page names one or two documents and loads one or two
// scripts of its own.
const (
	maxDocRefs     = 8
	maxPageScripts = 3
)

// docRef is a document a docs page points to: its URL, or the document
// itself when the page embeds it.
type docRef struct {
	url    string
	inline []byte
}

// discoverDocsPage reads the documentation pages at the usual places, and
// the base page, for the document they display, and loads the first that
// is a spec. Its operations say they came from the page.
func discoverDocsPage(ctx context.Context, base *url.URL, prefix string, get Getter, nf *notFound, p *discoveryProblems) (*Discovery, error) {
	fetch := scopedFetch(base, get)
	seen := map[string]bool{}
	var pages []string
	add := func(p string) {
		s := onOrigin(base, &url.URL{Path: p})
		if !seen[s] {
			seen[s] = true
			pages = append(pages, s)
		}
	}
	add(prefix + "/")
	for _, pp := range docsPagePaths() {
		if prefix != "" {
			add(prefix + pp)
		}
	}
	for _, pp := range docsPagePaths() {
		add(pp)
	}
	tried := map[string]bool{}
	for _, page := range pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pu, _ := url.Parse(page)
		status, header, body, err := get(ctx, page)
		if err != nil || status != 200 || bodyKind(header.Get("Content-Type"), body) != "html" || (pu.Path != prefix+"/" && nf.matches(pu.Path, status, header, body)) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		refs, scripts := pageDocRefs(pu, body)
		for _, s := range scripts {
			if len(refs) >= maxDocRefs {
				break
			}
			st, _, js, err := get(ctx, onOrigin(base, s))
			if err == nil && st == 200 && len(js) <= maxBundleSize {
				refs = append(refs, scriptDocRefs(pu, string(js))...)
			}
		}
		if len(refs) > maxDocRefs {
			refs = refs[:maxDocRefs]
		}
		for _, ref := range refs {
			if ref.inline != nil {
				s, err := Load(ctx, Source{URL: page, Data: ref.inline, Fetch: fetch})
				if err == nil {
					markDocs(s, page+" (inline document)")
					return &Discovery{Surface: s, Where: "the document inline in " + page, Notes: p.notes("used the document inline in " + page + " instead")}, nil
				}
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if !errors.Is(err, ErrNotSpec) {
					p.broken("the document inline in "+page, err)
				}
				continue
			}
			if tried[ref.url] {
				continue
			}
			tried[ref.url] = true
			s, doc, err := loadRef(ctx, base, ref.url, get, fetch, p, 1)
			if err != nil {
				return nil, err
			}
			if s != nil {
				markDocs(s, page+" (document "+doc+")")
				return &Discovery{Surface: s, Where: doc + " (shown by " + page + ")", Notes: p.notes("used " + doc + ", shown by " + page + ", instead")}, nil
			}
		}
	}
	return nil, nil
}

func markDocs(s *Surface, origin string) {
	for _, op := range s.Operations {
		op.Source, op.Origin = rampart.SourceDocsPage, origin
	}
}

// loadListed loads the first document a JSON listing names: springfox's
// /swagger-resources, a Swagger UI config ({"urls": [...]}).
func loadListed(ctx context.Context, base *url.URL, listing string, body []byte, get Getter, fetch func(context.Context, string) ([]byte, error), p *discoveryProblems) (*Discovery, error) {
	lu, err := url.Parse(listing)
	if err != nil {
		return nil, nil
	}
	for _, ref := range jsonDocRefs(lu, body) {
		s, doc, err := loadRef(ctx, base, ref.url, get, fetch, p, 0)
		if err != nil {
			return nil, err
		}
		if s != nil {
			return &Discovery{Surface: s, Where: doc, Notes: p.notes("used " + doc + " instead")}, nil
		}
	}
	return nil, nil
}

// loadRef fetches and loads the document at ref, on base's origin only. A
// Swagger UI config in its place is followed hops more times. It returns
// nil and no error when ref holds no usable spec, noting a broken one;
// otherwise the surface and the URL of the document it was loaded from.
func loadRef(ctx context.Context, base *url.URL, ref string, get Getter, fetch func(context.Context, string) ([]byte, error), p *discoveryProblems, hops int) (*Surface, string, error) {
	u, err := url.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !sameOrigin(u, base) {
		return nil, "", nil
	}
	status, _, body, err := get(ctx, onOrigin(base, u))
	if err != nil || status != 200 {
		return nil, "", ctx.Err()
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] == '<' {
		return nil, "", nil
	}
	s, err := Load(ctx, Source{URL: ref, Data: body, Fetch: fetch})
	switch {
	case err == nil:
		return s, ref, nil
	case ctx.Err() != nil:
		return nil, "", ctx.Err()
	case errors.Is(err, ErrNotSpec):
		if hops > 0 {
			for _, r := range jsonDocRefs(u, body) {
				if r.url == ref {
					continue
				}
				if s, doc, err := loadRef(ctx, base, r.url, get, fetch, p, hops-1); s != nil || err != nil {
					return s, doc, err
				}
			}
		}
		return nil, "", nil
	}
	p.broken(ref, err)
	return nil, "", nil
}

// jsonDocRefs reads the document URLs of a JSON listing or Swagger UI
// config: [{"url"|"location": ...}], {"url": ...}, {"urls": [{"url": ...}]},
// {"configUrl": ...}.
func jsonDocRefs(at *url.URL, body []byte) []docRef {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	return configDocRefs(at, v)
}

func configDocRefs(at *url.URL, v any) []docRef {
	var out []docRef
	addURL := func(s any) {
		str, ok := s.(string)
		if !ok || str == "" || len(out) >= maxDocRefs {
			return
		}
		if u, err := at.Parse(strings.TrimSpace(str)); err == nil {
			out = append(out, docRef{url: u.String()})
		}
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if m["url"] != nil {
					addURL(m["url"])
				} else {
					addURL(m["location"])
				}
			}
		}
	case map[string]any:
		if spec, ok := x["spec"].(map[string]any); ok {
			if b, err := json.Marshal(spec); err == nil {
				out = append(out, docRef{inline: b})
			}
		}
		addURL(x["url"])
		if urls, ok := x["urls"].([]any); ok {
			for _, e := range urls {
				if m, ok := e.(map[string]any); ok {
					addURL(m["url"])
				}
			}
		}
		addURL(x["configUrl"])
	}
	return out
}

// libraryScript names the scripts of the documentation tools themselves:
// megabytes that name no document.
var libraryScript = lazyre.New(`(?i)(swagger-ui-bundle|swagger-ui-standalone|swagger-ui\.js|redoc\.standalone|rapidoc|elements\.min|web-components)`)

// pageDocRefs reads a page for the documents it shows: ReDoc's and
// RapiDoc's spec-url, Stoplight Elements' apiDescriptionUrl, a
// service-desc link, anchors to .json and .yaml files, and its inline
// scripts' Swagger UI or ReDoc calls. It also returns the page's own
// same-origin scripts (swagger-initializer.js), to be read the same way.
func pageDocRefs(page *url.URL, body []byte) ([]docRef, []*url.URL) {
	var refs []docRef
	var scripts []*url.URL
	add := func(raw string) {
		raw = strings.TrimSpace(raw)
		if raw == "" || len(refs) >= maxDocRefs {
			return
		}
		if u, err := page.Parse(raw); err == nil {
			refs = append(refs, docRef{url: u.String()})
		}
	}
	z := html.NewTokenizer(io.LimitReader(bytes.NewReader(body), 4<<20))
	inScript := false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.EndTagToken:
			inScript = false
			continue
		case html.TextToken:
			if inScript {
				refs = append(refs, scriptDocRefs(page, string(z.Text()))...)
			}
			continue
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		name, attrs := tagAttrs(z)
		switch name {
		case "redoc", "rapi-doc", "rapi-doc-mini":
			add(attrs["spec-url"])
		case "elements-api":
			add(attrs["apidescriptionurl"])
		case "link":
			if hasWord(attrs["rel"], "service-desc") {
				add(attrs["href"])
			}
		case "a":
			if h := attrs["href"]; h != "" {
				if u, err := page.Parse(strings.TrimSpace(h)); err == nil {
					switch strings.ToLower(path.Ext(u.Path)) {
					case ".json", ".yaml", ".yml":
						add(h)
					}
				}
			}
		case "script":
			inScript = tt == html.StartTagToken
			if src := strings.TrimSpace(attrs["src"]); src != "" {
				inScript = false
				u, err := page.Parse(src)
				if err == nil && sameOrigin(u, page) && !libraryScript.MatchString(u.Path) && len(scripts) < maxPageScripts {
					scripts = append(scripts, u)
				}
			}
		}
	}
	if len(refs) > maxDocRefs {
		refs = refs[:maxDocRefs]
	}
	return refs, scripts
}

// hasWord reports whether the space-separated list has word.
func hasWord(list, word string) bool {
	for _, w := range strings.Fields(strings.ToLower(list)) {
		if w == word {
			return true
		}
	}
	return false
}

var (
	swaggerUICall = lazyre.New(`SwaggerUI(?:Bundle)?\s*\(`)
	redocInit     = lazyre.New(`Redoc\.init\s*\(`)
	specURLAttr   = lazyre.New(`spec-url\s*=\s*\\?["']([^"'\\]+)\\?["']`)
)

// scriptDocRefs reads a script for the documents it hands Swagger UI
// (SwaggerUIBundle({url, urls, configUrl, spec})) or ReDoc
// (Redoc.init(url or spec)), without running it.
func scriptDocRefs(page *url.URL, js string) []docRef {
	var out []docRef
	for _, loc := range swaggerUICall.FindAllStringIndex(js, maxDocRefs) {
		rest := js[loc[1]:]
		// SwaggerUIBundle(Object.assign({...}, ...)) as flasgger writes it.
		i := strings.IndexByte(rest, '{')
		if i < 0 || i > 80 {
			continue
		}
		if v, _, err := readJSObject(rest[i:]); err == nil {
			out = append(out, configDocRefs(page, v)...)
		}
	}
	for _, loc := range redocInit.FindAllStringIndex(js, maxDocRefs) {
		rest := strings.TrimLeft(js[loc[1]:], " \t\r\n")
		if rest == "" {
			continue
		}
		switch rest[0] {
		case '"', '\'', '`':
			r := &jsReader{s: rest}
			if s, err := r.str(); err == nil {
				if u, err := page.Parse(s); err == nil {
					out = append(out, docRef{url: u.String()})
				}
			}
		case '{':
			if v, _, err := readJSObject(rest); err == nil {
				if b, err := json.Marshal(v); err == nil {
					out = append(out, docRef{inline: b})
				}
			}
		}
	}
	for _, m := range specURLAttr.FindAllStringSubmatch(js, maxDocRefs) {
		if u, err := page.Parse(m[1]); err == nil {
			out = append(out, docRef{url: u.String()})
		}
	}
	if len(out) > maxDocRefs {
		out = out[:maxDocRefs]
	}
	return out
}
