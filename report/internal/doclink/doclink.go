// Package doclink resolves the documentation links of check metadata
// ("docs/checks.md#debug-001") for the report writers that link to them.
package doclink

import (
	"net/url"
	"strings"
)

// DefaultBase is the address relative links are resolved against.
const DefaultBase = "https://github.com/rampart-sec/rampart/blob/main/"

// Resolve resolves doc against base. It returns "" when doc is empty, when
// it is an absolute URL that is not http(s) (a report must not carry a
// javascript: or file: link), or when base is not an absolute URL.
func Resolve(base, doc string) string {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return ""
	}
	if u, err := url.Parse(doc); err == nil && u.IsAbs() {
		if u.Scheme != "https" && u.Scheme != "http" {
			return ""
		}
		return u.String()
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return ""
	}
	ref, err := url.Parse(strings.TrimPrefix(doc, "/"))
	if err != nil || ref.IsAbs() {
		return ""
	}
	return b.ResolveReference(ref).String()
}
