package surface

import (
	"net/url"
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Pages written for people name endpoints in their text more often than
// they link them: "GET http://host/api/v1/plans/", "POST /api/token",
// a URL in a <pre> block. Those on the crawl's origin are learned like
// links: a GET is crawled (with the usual guards), another method becomes
// an operation with a JSON body to be learned, never sent by the crawl.

// textEndpointRe finds a method (upper case, as documentation writes it),
// optionally followed by "method" or "request" and a colon, then a URL or
// an absolute path; or a bare http(s) URL.
var textEndpointRe = lazyre.New(`\b(GET|POST|PUT|PATCH|DELETE)\b(?:\s+(?:method|request))?\s*:?\s+(https?://[^\s<>"'` + "`" + `]+|/[^\s<>"'` + "`" + `]*)|(https?://[^\s<>"'` + "`" + `]+)`)

// maxTextLinks bounds what one page's text adds.
const maxTextLinks = 64

// maxPageText bounds the text read from one page for endpoints.
const maxPageText = 256 << 10

// textLinks returns the endpoints named in a page's text; base resolves
// relative paths, page names where they were found.
func textLinks(base *url.URL, page *url.URL, text string) []link {
	from := "named in the text of GET " + page.Path
	var out []link
	for _, m := range textEndpointRe.FindAllStringSubmatch(text, maxTextLinks) {
		method, raw := m[1], m[2]
		if raw == "" {
			method, raw = "GET", m[3]
		}
		// Sentence punctuation after a URL is not part of it.
		raw = strings.TrimRight(raw, ".,;:)]}!?")
		if raw == "" || raw == "/" && method == "GET" {
			continue
		}
		u, err := base.Parse(raw)
		if err != nil {
			continue
		}
		l := link{method: method, u: u, from: from}
		if method != "GET" {
			l.form = &form{enctype: "application/json"}
		}
		out = append(out, l)
	}
	return out
}
