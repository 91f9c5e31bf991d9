package server

import (
	"html"
	"regexp"
)

var metaCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)

// reportCSP is the header policy of an HTML report: the one the page
// declares for itself (its own style and script by hash, nothing else),
// which a header must repeat or it would block them, plus what only a
// header can say (no framing).
func reportCSP(page []byte) string {
	m := metaCSP.FindSubmatch(page)
	if m == nil {
		return pageCSP
	}
	return html.UnescapeString(string(m[1])) + "; frame-ancestors 'none'"
}
