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
		re, err := compileExclude(g)
		if err != nil {
			return nil, err
		}
		ex = append(ex, re)
	}
	return ex, nil
}

// CheckExclude reports whether g is a valid --exclude glob. The CLI calls it
// for flags and config alike, so a glob that could never match (or would
// match something else than meant) is refused before anything is sent.
func CheckExclude(g string) error {
	_, err := compileExclude(g)
	return err
}

const excludeForm = "want a path glob such as /admin/reset* (* spans segments, ? is one character, {param} one segment)"

func compileExclude(raw string) (*regexp.Regexp, error) {
	g := strings.TrimSpace(raw)
	if g == "" {
		return nil, fmt.Errorf("--exclude %q: empty: %s", raw, excludeForm)
	}
	if strings.ContainsAny(g, "[]") {
		// A shell user means a character class; matching the bracket
		// literally would silently exclude nothing.
		return nil, fmt.Errorf("--exclude %q: [ and ] are not supported (no character classes): %s", raw, excludeForm)
	}
	// Request paths always start with a slash, so anything else never matches.
	if g[0] != '/' && g[0] != '*' {
		return nil, fmt.Errorf("--exclude %q: a path glob starts with / (or *): %s", raw, excludeForm)
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
				return nil, fmt.Errorf("--exclude %q: unclosed {: %s", raw, excludeForm)
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
		return nil, fmt.Errorf("--exclude %q: %w", raw, err)
	}
	return re, nil
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
