package codescan

import (
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Broken function-level authorization: admin routes that check no role.

var bflaFamily = family{name: "bfla", rules: []*Rule{BFLAAdmin}, perRoute: (*fileState).checkBFLA}

var BFLAAdmin = rule("PY-BFLA-001", rampart.FamilyBFLA, rampart.High, rampart.Firm, "CWE-285", "API5:2023", "",
	"Admin route without a role check",
	"an admin-looking route only checks that the caller is logged in (or not even that)",
	"A route under /admin (or /internal, /manage, /staff, an admin_* view or blueprint) has no role "+
		"decorator (admin_required, roles_required, permission_required, a same-module decorator that "+
		"compares the caller's role), no role comparison in its body and no before_request hook on its "+
		"blueprint or app that checks one.",
	"Protect admin functions with a role check: a decorator that aborts with 403 unless "+
		"`current_user.role == \"admin\"`, applied to every admin route (or in a before_request hook of the "+
		"admin blueprint).")

var adminSegments = map[string]bool{"admin": true, "admins": true, "administration": true, "adminpanel": true,
	"internal": true, "manage": true, "management": true, "staff": true, "superuser": true, "backoffice": true,
	"back-office": true, "sudo": true, "moderation": true, "ops": true}

func adminSegment(seg string) bool {
	seg = strings.ToLower(seg)
	return adminSegments[seg] || strings.HasPrefix(seg, "admin-") || strings.HasPrefix(seg, "admin_")
}

func isAdminRoute(r *routeInfo) bool {
	for _, seg := range strings.Split(r.path, "/") {
		if adminSegment(seg) {
			return true
		}
	}
	name := strings.ToLower(r.r.Name)
	return strings.HasPrefix(name, "admin") && !strings.HasPrefix(name, "administer")
}

func (f *fileState) checkBFLA(r *routeInfo) {
	a := r.a
	if !isAdminRoute(r) || r.auth == pyast.AuthRole || a.roleCheck {
		return
	}
	what := "only requires a logged-in caller"
	if r.auth == pyast.AuthNone && !a.identUsed {
		what = "requires no authentication at all"
	}
	c := f.add(BFLAAdmin, r.r.Node, a, fmt.Sprintf("admin route %s %s %s: no role or permission check", strings.Join(r.methods, ","), r.path, what))
	c.unlessRoleHook = true
	c.key = "admin"
}
