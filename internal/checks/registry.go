// Package checks is the explicit registry of runtime checks: no init()
// side effects, one list, in the order `rampart checks` prints them.
package checks

import (
	"path"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/authn"
	"github.com/rampart-sec/rampart/internal/checks/cors"
	"github.com/rampart-sec/rampart/internal/checks/debug"
	"github.com/rampart-sec/rampart/internal/checks/fingerprint"
	"github.com/rampart-sec/rampart/internal/checks/headers"
	"github.com/rampart-sec/rampart/internal/checks/inventory"
	"github.com/rampart-sec/rampart/internal/checks/leak"
)

// All returns every implemented runtime check.
func All() []*check.Check {
	return []*check.Check{
		&authn.MissingRead,
		&debug.Debugger,
		&leak.DBError,
		&leak.Traceback,
		&cors.Reflect,
		&headers.Missing,
		&headers.Cookies,
		&headers.Banner,
		&inventory.Spec,
		&inventory.Exposed,
		&fingerprint.Stack,
	}
}

// Lookup returns the check with this ID (case-insensitive), or nil.
func Lookup(id string) *check.Check {
	for _, c := range All() {
		if strings.EqualFold(c.ID, id) {
			return c
		}
	}
	return nil
}

// Matches reports whether a check is selected by a pattern: its ID or its
// family, either possibly with shell globs (AUTHZ-*, sqli*).
func Matches(m rampart.Meta, pattern string) bool {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	for _, s := range []string{strings.ToLower(m.ID), string(m.Family)} {
		if ok, _ := path.Match(pattern, s); ok {
			return true
		}
	}
	return false
}
