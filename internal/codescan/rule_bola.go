package codescan

import (
	"fmt"
	"regexp"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Broken object-level authorization: a route's object id, or an UPSERT's key,
// reaches a statement that never ties the row to the caller.

// Route parameters first; then, for FastAPI, ids from the query string and
// body fields (fastapi.go).
var bolaFamily = family{name: "bola", rules: []*Rule{BOLARead, BOLAUpsert}, perRoute: func(f *fileState, r *routeInfo) {
	f.checkBOLA(r)
	f.checkInputBOLA(r)
}}

var (
	BOLARead = rule("PY-BOLA-001", rampart.FamilyBOLA, rampart.High, rampart.Firm, "CWE-639", "API1:2023", "P3",
		"Object fetched or changed by a request id without an ownership check",
		"a route's object id is used in a query that never filters by the caller's identity",
		"A route parameter (`/notes/<int:note_id>`) reaches a query (`WHERE id = %s`, Model.query.get(id), "+
			"get_or_404, filter_by(id=…)) and nothing in the route ties the object to the caller: no "+
			"`AND owner_id = %s` bound to current_user / g.user / session[\"user_id\"] / get_jwt_identity(), no "+
			"comparison of the object's owner with the caller that aborts on a mismatch. login_required alone "+
			"does not count. Admin routes and public routes are left to the BFLA and missing-auth rules. Rows of a "+
			"table that a signed-in, non-admin route lists whole (no WHERE) are shared, not owned: reading one by "+
			"id, or adding a row that refers to one, is not reported; changing or deleting one still is.",
		"Filter every lookup by the caller: `WHERE id = %s AND owner_id = %s` with the authenticated user's id, "+
			"or `Item.query.filter_by(id=item_id, owner_id=current_user.id).first_or_404()`; or fetch, compare "+
			"`item.owner_id != current_user.id` and abort(404).")

	BOLAUpsert = rule("PY-BOLA-002", rampart.FamilyBOLA, rampart.High, rampart.Firm, "CWE-639", "API1:2023", "P7",
		"UPSERT keyed by request values without an ownership check",
		"UPSERT / INSERT … ON CONFLICT DO UPDATE writes a row chosen by the request without checking its owner",
		"An `UPSERT INTO` or `ON CONFLICT (…) DO UPDATE` statement takes its key (or owner) from the request "+
			"(a route parameter or the body), the owner column is not bound to the caller's identity, the "+
			"DO UPDATE has no `WHERE t.owner_id = excluded.owner_id`, and the route does not compare the key with "+
			"the caller first. Anyone can overwrite anyone's row.",
		"Take the owner from the authenticated identity, add `DO UPDATE SET … WHERE t.owner_id = excluded.owner_id` "+
			"(and check a row came back), or compare the path id with the caller and abort(403) before writing.")
)

var tenantColRe = regexp.MustCompile(`(?i)^(tenant|org|organi[sz]ation|company|workspace|account_group|team|realm)(_id)?$`)

// ownerColumn reports whether binding the caller's identity to a column ties
// a row to the caller (tenant scoping does not).
func ownerColumn(col string) bool { return col == "" || !tenantColRe.MatchString(col) }

// owns reports whether the route ties the object named by a route parameter
// to the caller.
func (f *fileState) owns(a *analysis, param string) bool {
	return f.ownsByCheck(a, param) || f.ownedByLookup(a, param, nil)
}

// ownsByCheck reports whether a helper or a guard of the route checks the
// object named by a parameter against the caller.
func (f *fileState) ownsByCheck(a *analysis, param string) bool {
	if f.ownsByHelper(a, param) { // helperlookup.go
		return true
	}
	for _, g := range a.guards {
		for _, c := range g.ident {
			if c.guards && (c.other.routeParam() == param || c.other.routeParam() == "" && c.other.has(lRow)) {
				return true
			}
		}
	}
	return false
}

// ownedByLookup reports whether a statement of the route that uses the
// parameter ties the row to the caller. With at, only statements that can
// run on a path with at count: not one in the other branch of an if
// (`if vuln: unfiltered lookup else: filtered lookup`).
func (f *fileState) ownedByLookup(a *analysis, param string, at *sqlEvent) bool {
	for _, e := range a.events {
		if !usesParam(e, param) {
			continue
		}
		if at != nil && exclusiveBranches(f.t, e.node, at.node) {
			continue
		}
		if e.orm && e.ident {
			return true
		}
		if e.info == nil {
			if e.pval.has(lIdent) {
				return true
			}
			continue
		}
		if e.info.op == "insert" {
			continue // a new row with the caller's id says nothing of the object named
		}
		for i, b := range e.info.binds {
			v, ok := bound(e, i, b)
			if ok && v.has(lIdent) && !v.has(lReq) && ownerColumn(b.column) {
				return true
			}
		}
	}
	return false
}

func usesParam(e *sqlEvent, param string) bool {
	for _, v := range e.params {
		if v.routeParam() == param {
			return true
		}
	}
	for _, v := range e.named {
		if v.routeParam() == param {
			return true
		}
	}
	return e.params == nil && e.named == nil && e.pval.routeParam() == param
}

func (f *fileState) checkBOLA(r *routeInfo) {
	a := r.a
	if r.auth == pyast.AuthRole || a.roleCheck || isAdminRoute(r) {
		return
	}
	authenticated := r.auth == pyast.AuthLogin || a.identUsed
	// UPSERTs keyed by request values.
	for _, e := range a.events {
		if e.info == nil || !e.info.upsert {
			continue
		}
		keyed := false
		owned := e.info.doWhere
		var params []string
		for i, b := range e.info.binds {
			v, ok := bound(e, i, b)
			if !ok {
				continue
			}
			if v.has(lReq) && !v.has(lIdent) {
				keyed = true
				if v.routeParam() != "" {
					params = append(params, v.routeParam())
				}
			}
			if v.has(lIdent) && !v.has(lReq) && ownerColumn(b.column) && b.column != "" {
				owned = true
			}
		}
		for _, p := range params {
			if f.ownsByGuard(a, p) {
				owned = true
			}
		}
		if keyed && !owned {
			c := f.add(BOLAUpsert, e.node, a, fmt.Sprintf("`%s` writes the row chosen by the request without checking that the caller owns it", f.snippet(e.node)))
			c.key = "upsert"
		}
	}
	if !authenticated {
		return
	}
	for _, p := range r.r.Params {
		if f.ownsByCheck(a, p.Name) {
			continue
		}
		shared := f.sharedParam(a, p.Name)        // shared.go
		for _, e := range writesFirst(a.events) { // helperlookup.go
			if !usesParam(e, p.Name) || (e.info != nil && e.info.upsert) {
				continue
			}
			if shared && e.info != nil && (e.info.op == "select" || e.info.op == "insert") {
				continue
			}
			if e.info == nil && !e.orm {
				continue
			}
			if f.ownedByLookup(a, p.Name, e) {
				continue
			}
			verb := "reads"
			if e.info != nil {
				switch e.info.op {
				case "update":
					verb = "updates"
				case "delete":
					verb = "deletes"
				case "insert":
					verb = "writes"
				}
			}
			c := f.add(BOLARead, e.node, a, fmt.Sprintf("`%s` %s the object named by route parameter `%s` with no filter or check on the caller's identity",
				f.snippet(e.node), verb, p.Name))
			c.key = "param-" + p.Name
			relateLookups(f, c, a, e, func(x *sqlEvent) bool { return usesParam(x, p.Name) }) // helperlookup.go
			break
		}
	}
}

func (f *fileState) ownsByGuard(a *analysis, param string) bool {
	for _, g := range a.guards {
		for _, c := range g.ident {
			if c.guards && c.other.routeParam() == param {
				return true
			}
		}
	}
	return false
}

// exclusiveBranches reports whether two nodes are in different branches of
// one if statement, so that no run reaches both.
func exclusiveBranches(t *pyast.Tree, x, y pyast.ID) bool {
	for p := t.Parent(x); p >= 0; p = t.Parent(p) {
		if t.Kind(p) != pyast.KindIfStatement || !t.Contains(p, y) {
			continue
		}
		bx, by := branchOf(t, p, x), branchOf(t, p, y)
		return bx != by && bx >= 0 && by >= 0
	}
	return false
}

// branchOf returns the branch of an if statement (its body, an elif or an
// else clause) a node is in; None for its condition.
func branchOf(t *pyast.Tree, ifStmt, id pyast.ID) pyast.ID {
	for id >= 0 && t.Parent(id) != ifStmt {
		id = t.Parent(id)
	}
	switch t.Kind(id) {
	case pyast.KindBlock, pyast.KindElifClause, pyast.KindElseClause:
		return id
	}
	return pyast.None
}
