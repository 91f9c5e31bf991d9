package codescan

import (
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Object lookups and ownership checks made by helpers. A route often finds
// the object its parameter names through a helper (find_order(conn,
// order_id, user)) and checks the caller there, or in another helper
// (own_or_admin(user, username)), or tests a helper's verdict (if not
// may_change(page): abort(403)). Summaries carry the helper's keyed
// statement, so that the route sees the lookup as its own, and the route's
// calls show whether the helper is given the caller to check.

// helperLookup is a statement of known text a function runs with some of
// its parameters bound as values: a lookup by key (SELECT … WHERE, UPDATE,
// DELETE).
type helperLookup struct {
	p    uint64 // the parameters bound
	info *sqlInfo
	node pyast.ID // the statement (or the call that runs it)
	file *fileState
}

func (l *helperLookup) same(o *helperLookup) bool {
	if l == nil || o == nil {
		return l == o
	}
	return l.p == o.p && l.info == o.info
}

// lookupOf returns the first keyed statement of an analysis whose values
// come from the function's parameters. A helper that checks the caller
// itself (its statement filters by the caller, or it ends the request when
// the caller does not match) gives none.
func lookupOf(a *analysis, f *fileState) *helperLookup {
	for _, g := range a.guards {
		if g.terminates && len(g.ident) > 0 {
			return nil
		}
	}
	for _, e := range a.events {
		if e.info == nil || e.orm || callerBound(e) {
			continue
		}
		switch {
		case e.info.op == "select" && e.info.where != "", e.info.op == "update", e.info.op == "delete":
		default:
			continue
		}
		var bits uint64
		for _, v := range e.params {
			bits |= v.p
		}
		for _, v := range e.named {
			bits |= v.p
		}
		if e.params == nil && e.named == nil {
			bits |= e.pval.p
		}
		if bits != 0 {
			return &helperLookup{p: bits, info: e.info, node: e.node, file: f}
		}
	}
	return nil
}

// callerBound reports whether a statement binds the caller's identity to a
// column that ties the row to the caller.
func callerBound(e *sqlEvent) bool {
	if e.params == nil && e.named == nil {
		return e.pval.has(lIdent) && !e.pval.has(lReq)
	}
	for i, b := range e.info.binds {
		if v, ok := bound(e, i, b); ok && v.has(lIdent) && !v.has(lReq) && ownerColumn(b.column) {
			return true
		}
	}
	return false
}

// helperLookupEvent records a call to a helper that runs a keyed statement:
// the caller's arguments are its bound values.
func (u *unit) helperLookupEvent(call pyast.ID, l *helperLookup, args []val) {
	pv, found := newVal(), false
	for i, a := range args {
		if i >= 64 || l.p&(1<<uint(i)) == 0 {
			continue
		}
		if found {
			pv = merge(pv, a)
		} else {
			pv, found = a, true
		}
	}
	if !found {
		return
	}
	e := &sqlEvent{node: call, info: l.info, pval: pv, wrapper: true, order: len(u.a.events), retry: u.retry > 0}
	u.a.events = append(u.a.events, e)
}

// ownsByHelper reports whether a route has a helper check that the object
// named by a parameter is the caller's:
//   - it passes the parameter (or what it looked up with it) and the caller
//     to a helper that ends the request on a condition testing the caller
//     (own_or_admin(user, username), find_order(conn, id, user)) — unless
//     the call turns that test off with a literal False (must_own=False);
//   - it ends the request on a condition calling a helper that reads the
//     caller itself (if not may_change(page): abort(403));
//   - it ends the request when the object differs from another parameter
//     that is checked so (row["owner"] != username after own_or_admin);
//   - it only reads the object, and chooses its answer by comparing it
//     with the caller (full_view(row) if row["id"] == user["id"] else
//     public_view(row)).
func (f *fileState) ownsByHelper(a *analysis, param string) bool {
	return param != "" && f.ownsByHelperDepth(a, param, 0)
}

func (f *fileState) ownsByHelperDepth(a *analysis, param string, depth int) bool {
	t := f.t
	body := t.Body(a.def)
	if body < 0 {
		return false
	}
	derived := f.derivedNames(a.def, param)
	idents := f.identityNames(a)
	end := t.End(body)
	for i := body; i < end; i++ {
		switch t.Kind(i) {
		case pyast.KindCall:
			if !f.mentions(t.Args(i), derived) {
				continue
			}
			ref, ok := f.resolve(t.DottedName(t.Callee(i)))
			if !ok {
				ref, _, ok = f.calleeMethod(i) // self.own_or_404(user, page) (methods.go)
			}
			if !ok {
				continue
			}
			if f.passesCallerToCheck(i, ref, idents) {
				return true
			}
			if cond := terminatingCondition(t, i); cond >= 0 {
				if ca := ref.f.rootOf[ref.def()]; ca != nil && ca.identUsed {
					return true
				}
			}
		case pyast.KindConditionalExpression:
			// Only a route that reads the object: the choice does not guard a write.
			if cond := t.NamedChild(i, 1); f.mentions(cond, derived) && (f.mentions(cond, idents) || f.identityIn(cond)) &&
				!f.writesWith(a, derived) {
				return true
			}
		case pyast.KindIfStatement:
			if depth > 0 || !pyast.Terminates(t, t.Child(i, pyast.FieldConsequence)) {
				continue
			}
			cond := t.Child(i, pyast.FieldCondition)
			if !f.mentions(cond, derived) {
				continue
			}
			for _, p := range t.Params(a.def) {
				if p != param && f.mentions(cond, map[string]bool{p: true}) && f.ownsByHelperDepth(a, p, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// passesCallerToCheck reports whether a call gives the caller to a helper
// parameter that a terminating condition of the helper tests, with no
// literal False given to another parameter that condition tests.
func (f *fileState) passesCallerToCheck(call pyast.ID, ref funcRef, idents map[string]bool) bool {
	t := f.t
	g := ref.f
	def := ref.def()
	params := g.t.Params(def)
	if _, bound, ok := f.calleeMethod(call); ok && bound && len(params) > 0 {
		params = params[1:] // the receiver takes the first (methods.go)
	}
	var callerParams []string
	off := map[string]bool{}
	k := 0
	for c := t.First(t.Args(call)); c >= 0; c = t.Next(c) {
		var name string
		val := c
		switch t.Kind(c) {
		case pyast.KindKeywordArgument:
			name = t.Text(t.Child(c, pyast.FieldName))
			val = t.Child(c, pyast.FieldValue)
		case pyast.KindListSplat, pyast.KindDictionarySplat, pyast.KindToken:
			continue
		default:
			if k < len(params) {
				name = params[k]
			}
			k++
		}
		if name == "" {
			continue
		}
		if b, ok := t.Bool(val); ok && !b {
			off[name] = true
		}
		if f.mentions(val, idents) || f.identityIn(val) {
			callerParams = append(callerParams, name)
		}
	}
	if len(callerParams) == 0 {
		return false
	}
	gt := g.t
	for i, end := def, gt.End(def); i < end; i++ {
		if gt.Kind(i) != pyast.KindIfStatement || !pyast.Terminates(gt, gt.Child(i, pyast.FieldConsequence)) {
			continue
		}
		cond := gt.Child(i, pyast.FieldCondition)
		if g.mentions(cond, off) {
			continue
		}
		for _, p := range callerParams {
			if g.mentions(cond, map[string]bool{p: true}) {
				return true
			}
		}
	}
	return false
}

// derivedNames are the parameter and the names assigned (directly or
// through one another) from expressions that use it.
func (f *fileState) derivedNames(def pyast.ID, param string) map[string]bool {
	t := f.t
	out := map[string]bool{param: true}
	body := t.Body(def)
	end := t.End(body)
	for pass := 0; pass < 2; pass++ {
		for i := body; i >= 0 && i < end; i++ {
			if t.Kind(i) == pyast.KindAssignment && f.mentions(t.Child(i, pyast.FieldRight), out) {
				for _, n := range t.Targets(t.Child(i, pyast.FieldLeft)) {
					out[n] = true
				}
			}
		}
	}
	return out
}

// identityNames are the route's names that hold the caller: FastAPI
// dependencies that return it, and locals assigned from an identity source.
func (f *fileState) identityNames(a *analysis) map[string]bool {
	t := f.t
	out := map[string]bool{}
	for _, p := range f.mod.FastAPIParams(a.def) {
		if p.Kind == pyast.ParamDepends && p.Dep != "" && f.depReturnsCaller(p.Dep) {
			out[p.Name] = true
		}
	}
	body := t.Body(a.def)
	end := t.End(body)
	for i := body; i >= 0 && i < end; i++ {
		if t.Kind(i) == pyast.KindAssignment && f.identityIn(t.Child(i, pyast.FieldRight)) {
			for _, n := range t.Targets(t.Child(i, pyast.FieldLeft)) {
				out[n] = true
			}
		}
	}
	return out
}

// identityIn reports whether an expression reads the caller's identity.
func (f *fileState) identityIn(id pyast.ID) bool {
	t := f.t
	if id < 0 {
		return false
	}
	for i, end := id, t.End(id); i < end; i++ {
		if f.mod.IsIdentitySource(i) {
			return true
		}
	}
	return false
}

// mentions reports whether an expression uses one of the names as a
// variable.
func (f *fileState) mentions(id pyast.ID, names map[string]bool) bool {
	t := f.t
	if id < 0 || len(names) == 0 {
		return false
	}
	for i, end := id, t.End(id); i < end; i++ {
		if t.Kind(i) == pyast.KindIdentifier && t.Field(i) != pyast.FieldAttribute && t.Field(i) != pyast.FieldName && names[t.Text(i)] {
			return true
		}
	}
	return false
}

// terminatingCondition returns the condition of the if statement a node is
// in the condition of, when that if's body ends the request; None
// otherwise.
func terminatingCondition(t *pyast.Tree, id pyast.ID) pyast.ID {
	for p := t.Parent(id); p >= 0; p = t.Parent(p) {
		switch t.Kind(p) {
		case pyast.KindIfStatement, pyast.KindElifClause:
			cond := t.Child(p, pyast.FieldCondition)
			if t.Contains(cond, id) && pyast.Terminates(t, t.Child(p, pyast.FieldConsequence)) {
				return cond
			}
			return pyast.None
		case pyast.KindBlock, pyast.KindFunctionDefinition:
			return pyast.None
		}
	}
	return pyast.None
}

// writesFirst orders a route's statements for reporting an unchecked
// object: an UPDATE or DELETE of it before a lookup, so that a write route
// is reported at its write.
func writesFirst(evs []*sqlEvent) []*sqlEvent {
	out := make([]*sqlEvent, 0, len(evs))
	for _, e := range evs {
		if e.info != nil && (e.info.op == "update" || e.info.op == "delete") {
			out = append(out, e)
		}
	}
	for _, e := range evs {
		if e.info == nil || (e.info.op != "update" && e.info.op != "delete") {
			out = append(out, e)
		}
	}
	return out
}

// relateLookups adds to a finding reported at a write the statements
// before it that look the same object up (the helper call that fetched it).
func relateLookups(f *fileState, c *candidate, a *analysis, reported *sqlEvent, uses func(*sqlEvent) bool) {
	for _, e := range a.events {
		if e == reported || !uses(e) || e.info == nil || e.info.op != "select" || !f.t.Contains(a.def, e.node) {
			continue
		}
		f.relate(c, e.node, "the object is looked up here")
	}
}

// writesWith reports whether a route updates or deletes with one of the
// names.
func (f *fileState) writesWith(a *analysis, names map[string]bool) bool {
	for _, e := range a.events {
		if e.info != nil && (e.info.op == "update" || e.info.op == "delete") && f.t.Contains(a.def, e.node) && f.mentions(f.t.Args(e.node), names) {
			return true
		}
	}
	return false
}
