package engine

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
)

var envName = regexp.MustCompile(`[^A-Z0-9]+`)

// variable returns the shell variable a curl line uses for an identity's
// credential header, and remembers it for Variables.
func (c *Client) variable(identity, header, value string) string {
	who := strings.Trim(envName.ReplaceAllString(strings.ToUpper(identity), "_"), "_")
	if who == "" {
		who = "RAMPART"
	}
	name := who + "_" + strings.Trim(envName.ReplaceAllString(strings.ToUpper(header), "_"), "_")
	if _, seen := c.vars.Load(name); !seen {
		c.vars.LoadOrStore(name, rampart.ReplayVariable{
			Name: name, Identity: identity, Header: http.CanonicalHeaderKey(header), Shape: shape(header, value),
		})
	}
	return name
}

// Variables returns every variable curl lines have used so far, by name.
func (c *Client) Variables() []rampart.ReplayVariable {
	var out []rampart.ReplayVariable
	c.vars.Range(func(_, v any) bool {
		out = append(out, v.(rampart.ReplayVariable))
		return true
	})
	slices.SortFunc(out, func(a, b rampart.ReplayVariable) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// shape is a credential header's value with what is secret in it left out:
// the scheme of an Authorization, the names of cookies.
func shape(header, value string) string {
	switch http.CanonicalHeaderKey(header) {
	case "Authorization", "Proxy-Authorization":
		if scheme, _, ok := strings.Cut(strings.TrimSpace(value), " "); ok && scheme != "" {
			return scheme + " …"
		}
	case "Cookie":
		var names []string
		for _, part := range strings.Split(value, ";") {
			if k, _, ok := strings.Cut(strings.TrimSpace(part), "="); ok && k != "" {
				names = append(names, k+"=…")
			}
		}
		if len(names) > 0 {
			return strings.Join(names, "; ")
		}
	}
	return "…"
}
