package engine

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// ErrExcluded is returned, without sending anything, for a path the user
// excluded (a route that resets data, say).
var ErrExcluded = errors.New("path excluded by --exclude")

// excluder matches request paths against --exclude globs. A glob's `*`
// matches any run of characters, `/` included, and a `{param}` in a glob
// matches one path segment, so a spec template can be pasted as it is.
type excluder []*regexp.Regexp

func newExcluder(globs []string) (excluder, error) {
	var ex excluder
	for _, g := range globs {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		var b strings.Builder
		b.WriteString("^")
		for i := 0; i < len(g); i++ {
			switch c := g[i]; c {
			case '*':
				b.WriteString(".*")
			case '?':
				b.WriteString("[^/]")
			case '{':
				j := strings.IndexByte(g[i:], '}')
				if j < 0 {
					return nil, fmt.Errorf("exclude %q: unclosed {", g)
				}
				b.WriteString("[^/]+")
				i += j
			default:
				b.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		b.WriteString("/?$")
		re, err := regexp.Compile(b.String())
		if err != nil {
			return nil, fmt.Errorf("exclude %q: %w", g, err)
		}
		ex = append(ex, re)
	}
	return ex, nil
}

func (ex excluder) match(path string) bool {
	for _, re := range ex {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

// Excluded reports whether the user excluded a URL's path.
func (c *Client) Excluded(raw string) bool {
	u, err := url.Parse(c.Resolve(raw))
	return err == nil && c.exclude.match(u.Path)
}
