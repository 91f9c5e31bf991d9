package codescan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Missing authentication: routes that read or change data with no check of
// the caller at all.

var authFamily = family{name: "auth", rules: []*Rule{MissingAuth}, perRoute: (*fileState).checkMissingAuth}

var MissingAuth = rule("PY-AUTH-001", rampart.FamilyMissingAuth, rampart.High, rampart.Firm, "CWE-306", "API2:2023", "",
	"Route reads or changes data without authentication",
	"a route with no authentication exports tables or changes data",
	"A route has no auth decorator, no authenticating before_request hook, and never reads the caller's "+
		"identity, yet it reads whole tables that hold user data (a SELECT with no WHERE on accounts, users, "+
		"transfers…) or writes to the database. Login, registration, token and health routes are exempt.",
	"Require authentication (login_required, jwt_required) and scope the query to the caller, or to "+
		"administrators with a role check.")

var authFlowRe = regexp.MustCompile(`(?i)login|logout|signin|signup|sign-in|sign-up|register|token|password|reset|forgot|verify|confirm|activate|callback|webhook|oauth|sso|saml|health|ready|live|status|metrics|ping|version|openapi|swagger|docs|spec|static|favicon|robots|csrf`)

var bulkPathRe = regexp.MustCompile(`(?i)export|dump|backup|download|all\b`)

var privateDataRe = regexp.MustCompile(`(?i)user|account|member|customer|payment|transfer|order|invoice|transaction|note|message|token|session|audit|address|card|credential|profile|employee|patient|admin|secret|balance|wallet|coupon|ledger|document|file`)

func (f *fileState) checkMissingAuth(r *routeInfo) {
	a := r.a
	if r.auth != pyast.AuthNone || a.identUsed || authFlowRe.MatchString(r.path) || authFlowRe.MatchString(r.r.Name) {
		return
	}
	var why string
	for _, e := range a.events {
		if e.info == nil {
			continue
		}
		switch {
		case isWrite(e) && privateDataRe.MatchString(e.info.table):
			why = fmt.Sprintf("it writes to `%s` (`%s`)", e.info.table, f.snippet(e.node))
		case e.info.op == "select" && e.info.where == "" && privateDataRe.MatchString(e.info.table):
			why = fmt.Sprintf("it reads every row of `%s` (`%s`)", e.info.table, f.snippet(e.node))
		case e.info.op == "select" && bulkPathRe.MatchString(r.path):
			why = fmt.Sprintf("it exports `%s`", e.info.table)
		}
		if why != "" {
			break
		}
	}
	if why == "" {
		return
	}
	c := f.add(MissingAuth, r.r.Node, a, fmt.Sprintf("%s %s has no authentication, and %s", strings.Join(r.methods, ","), r.path, why))
	c.unlessAuthHook = true
	c.key = "noauth"
}
