// Package checks is the explicit registry of runtime checks: no init()
// side effects, one list, in the order `rampart checks` prints them.
package checks

import (
	"path"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/authn"
	"github.com/rampart-sec/rampart/internal/checks/authz"
	"github.com/rampart-sec/rampart/internal/checks/cors"
	"github.com/rampart-sec/rampart/internal/checks/debug"
	"github.com/rampart-sec/rampart/internal/checks/exposure"
	"github.com/rampart-sec/rampart/internal/checks/fingerprint"
	"github.com/rampart-sec/rampart/internal/checks/headers"
	"github.com/rampart-sec/rampart/internal/checks/inventory"
	"github.com/rampart-sec/rampart/internal/checks/jwt"
	"github.com/rampart-sec/rampart/internal/checks/leak"
	"github.com/rampart-sec/rampart/internal/checks/privesc"
	"github.com/rampart-sec/rampart/internal/checks/ratelimit"
	"github.com/rampart-sec/rampart/internal/checks/session"
	"github.com/rampart-sec/rampart/internal/checks/sqli"
	"github.com/rampart-sec/rampart/internal/checks/txn"
	"github.com/rampart-sec/rampart/internal/checks/userenum"
)

// All returns every implemented runtime check.
func All() []*check.Check {
	return []*check.Check{
		&authn.MissingRead,
		&authn.MissingWrite,
		&authz.ReadBOLA,
		&authz.WriteBOLA,
		&privesc.Takeover,
		&authz.RefusalBOLA,
		&authz.AdminRead,
		&authz.AdminWrite,
		&authz.MethodSwap,
		&authz.HeaderRole,
		&privesc.Self,
		&privesc.DeleteAccount,
		&authz.MassAssignment,
		&privesc.Signup,
		&sqli.ErrorBased,
		&sqli.Boolean,
		&sqli.Identifier,
		&sqli.TimeBased,
		&debug.Debugger,
		&leak.DBError,
		&leak.Traceback,
		&cors.Reflect,
		&headers.Missing,
		&headers.Cookies,
		&headers.Banner,
		&inventory.Spec,
		&inventory.Exposed,
		&session.Secret,
		&session.Exposure,
		&session.Unsigned,
		&jwt.None,
		&jwt.WeakKey,
		&jwt.NoVerify,
		&jwt.Expired,
		&jwt.NoExp,
		&jwt.Confusion,
		&ratelimit.Login,
		&userenum.Login,
		&exposure.Hashes,
		&exposure.Secrets,
		&exposure.PII,
		&exposure.Plaintext,
		&exposure.Cards,
		&exposure.Tokens,
		&txn.PoisonedConnection,
		&txn.Replay,
		&txn.KeyBinding,
		&txn.LimitOverrun,
		&txn.RetryLeak,
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
