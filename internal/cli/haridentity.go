package cli

import (
	"strings"

	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/scan"
)

// parseHARIdentity reads --har-identity NAME:ROLE=FILE. The file is read
// by the scan, which says what is wrong with it.
func parseHARIdentity(s string) (scan.HARIdentity, error) {
	left, file, ok := strings.Cut(s, "=")
	name, role, _ := strings.Cut(left, ":")
	name, role, file = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(role)), strings.TrimSpace(file)
	switch {
	case !ok || name == "" || file == "":
		return scan.HARIdentity{}, usageErr("--har-identity %q: want NAME:ROLE=FILE, e.g. 'alice:user=alice.har'", s)
	case strings.EqualFold(name, identity.AnonymousName):
		return scan.HARIdentity{}, usageErr("--har-identity %q: %q is reserved for the identity with no credentials", s, identity.AnonymousName)
	case role == "":
		return scan.HARIdentity{}, usageErr("--har-identity %q: no role: want NAME:ROLE=FILE with ROLE user or admin, e.g. 'alice:user=alice.har'", s)
	case role != identity.RoleUser && role != identity.RoleAdmin:
		return scan.HARIdentity{}, usageErr("--har-identity %q: role %q: want user or admin", s, role)
	}
	return scan.HARIdentity{Name: name, Role: role, File: file}, nil
}
