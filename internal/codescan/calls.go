package codescan

import (
	"strings"
	"unicode"

	"github.com/rampart-sec/rampart/internal/pyast"
)

func (u *unit) call(id pyast.ID) val {
	t := u.t()
	f := u.f
	fn := t.Callee(id)
	if fn < 0 {
		return newVal()
	}
	if f.mod.IsIdentitySource(id) {
		u.a.identUsed = true
		u.evalArgs(id)
		if ref, ok := f.resolve(t.DottedName(fn)); ok {
			u.a.noteCall(ref)
		}
		return val{ev: -1, l: lIdent}
	}
	name := t.LastName(fn)
	// The dotted() and import-qualified names cost allocations: computed
	// only when a rule needs them.
	var dottedS, qualS string
	var dottedOK, qualOK bool
	dotted := func() string {
		if !dottedOK {
			dottedS, dottedOK = t.DottedName(fn), true
		}
		return dottedS
	}
	qual := func() string {
		if !qualOK {
			qualS, qualOK = f.mod.Qualified(fn), true
		}
		return qualS
	}

	var recv val
	hasRecv := t.Kind(fn) == pyast.KindAttribute
	var recvNode pyast.ID = pyast.None
	if hasRecv {
		recvNode = t.Child(fn, pyast.FieldObject)
		recv = u.eval(recvNode)
	}
	args, kw, splats := u.evalArgs(id)
	arg := func(i int, names ...string) val {
		if i < len(args) {
			return args[i]
		}
		for _, n := range names {
			if v, ok := kw.get(n); ok {
				return v
			}
		}
		return newVal()
	}
	argNode := func(i int, names ...string) pyast.ID {
		if a := t.Arg(id, i); a >= 0 {
			return a
		}
		for _, n := range names {
			if a := t.Kwarg(id, n); a >= 0 {
				return a
			}
		}
		return pyast.None
	}
	_ = argNode

	// Functions passed as arguments run later: mark how.
	u.passFuncs(id, name, args, kw)

	if hasRecv && name == "parse_args" && len(args) == 0 && f.restParser(recvNode) {
		return val{ev: -1, l: lReq | lInj | lKey}
	}
	// Request accessors.
	if hasRecv && recv.obj == f.requestObj && recv.obj != nil {
		if requestBodyMethods[name] {
			return val{ev: -1, l: lReq | lInj | lKey}
		}
		return constVal()
	}
	if hasRecv && recv.has(lReq) && !recv.cnst {
		switch {
		case requestFieldGetters[name]:
			v := fieldOf(recv, "")
			v.l |= recv.l & lInj
			if k, ok := literal(arg(0)); ok && strings.EqualFold(k, "origin") {
				v.l |= lOrigin
			}
			if name == "getlist" || name == "get_all" {
				v.setElements(nil)
			}
			if d := arg(1); d.has(lReq) {
				v = merge(v, d)
			}
			return v
		case requestWholeViews[name]:
			return taintOf(recv)
		}
	}

	// Methods of the scanned classes (methods.go).
	if hasRecv {
		if v, ok := u.methodCall(id, fn, recvNode, recv, args); ok {
			return v
		}
	}

	// A lookup in a constant table is an allowlist: REPORTS.get(name). An
	// imported module is no table: requests.get(url) fetches something.
	if hasRecv && recv.cnst && !recv.has(lReq|lRow|lIdent|lKey) && recv.obj == nil &&
		(name == "get" || name == "pop" || name == "__getitem__" || name == "setdefault") && !importedModule(f, t, recvNode) {
		return constVal()
	}

	// SQL.
	if name == "text" && (dotted() == "text" || strings.HasPrefix(qual(), "sqlalchemy") || strings.HasSuffix(dotted(), ".text")) {
		q := arg(0, "text")
		q.obj = nil
		u.textClause(id, q)
		return q
	}
	if executeNames[name] && (hasRecv || frameReaders[dotted()]) || djangoRaw(t, name, recvNode) {
		qi, pi := 0, 1
		if frameReaders[name] {
			pi = -1
		}
		q := arg(qi, sqlTextKwargs...)
		var pv val
		var pnode pyast.ID = pyast.None
		if pi >= 0 {
			pv = arg(pi, sqlParamKwargs...)
			pnode = argNode(pi, sqlParamKwargs...)
		} else {
			pv = arg(99, "params")
			pnode = argNode(99, "params")
		}
		ev := u.sqlEvent(id, q, pv, pnode, recvNode)
		res := val{ev: ev, l: lRow}
		if recv.obj != nil && recv.obj.kind == objCursor {
			res.obj = recv.obj
		} else {
			res.obj = &object{kind: objCursor, node: id, lastEv: ev, file: f}
		}
		return res
	}
	if fetchNames[name] && hasRecv {
		ev := recv.ev
		if recv.obj != nil && recv.obj.kind == objCursor {
			ev = recv.obj.lastEv
		}
		v := val{ev: ev, l: lRow | recv.l&lIdent}
		if ev >= 0 && ev < int32(len(u.a.events)) {
			e := u.a.events[ev]
			if e.info != nil && sensitiveSelect(e.info, f.proj.schema) {
				v.l |= lWhole
			}
			if e.orm && e.ident {
				v.l |= lIdent
			}
		}
		if recv.has(lIdent) {
			v.l |= lIdent
		}
		return v
	}
	if name == "cursor" && hasRecv {
		c := &object{kind: objCursor, node: id, lastEv: -1, file: f}
		if recv.obj != nil && recv.obj.kind == objConn {
			c.conn = recv.obj
		} else {
			c.conn = u.connFor(recvNode)
		}
		return val{ev: -1, obj: c}
	}
	if name == "commit" || name == "rollback" {
		if hasRecv {
			o := recv.obj
			if o != nil && o.kind == objCursor {
				o = o.conn
			}
			if name == "commit" {
				if o != nil {
					u.a.noteCommit(o)
				} else {
					u.a.commitAny++
				}
			} else {
				u.a.rollbacks++
			}
		}
		return newVal()
	}
	if k, ok := connectFuncs[qual()]; ok || (name == "connect" && hasRecv && recv.obj != nil && recv.obj.kind == objEngine) ||
		(name == "getconn" && hasRecv) {
		if !ok {
			k = objConn
		}
		return val{ev: -1, obj: &object{kind: k, node: id, moduleLevel: u.module, lastEv: -1, name: dotted(), file: f}}
	}

	// ORM lookups by id.
	if ormLookup(t, name, recvNode) {
		return u.ormEvent(id, name, recv, args, kw)
	}
	if hasRecv && recv.ev >= 0 && recv.has(lRow) && (name == "filter_by" || name == "filter" || name == "where") {
		// a further filter on a lookup: by the caller?
		if int(recv.ev) < len(u.a.events) {
			for _, a := range append(append([]val{}, args...), kwVals(kw)...) {
				if a.has(lIdent) {
					u.a.events[recv.ev].ident = true
				}
			}
		}
		return recv
	}

	// psycopg2.sql composition.
	if strings.HasPrefix(qual(), "psycopg2.sql.") || strings.HasPrefix(qual(), "psycopg.sql.") || dotted() == "sql.SQL" || dotted() == "sql.Identifier" {
		switch name {
		case "Identifier", "Literal", "Placeholder":
			var l labels
			for _, a := range args {
				l |= a.l
			}
			inner := val{ev: -1, l: l &^ lInj}
			return val{ev: -1, l: l &^ lInj, str: []part{{hole: true, v: &inner, safeIdent: true}}}
		case "SQL":
			a := arg(0)
			if a.str != nil {
				out := a
				return out
			}
			return val{ev: -1, l: a.l, str: asHole(a), built: true}
		}
	}
	if name == "format" && hasRecv && recv.str != nil {
		return formatBraces(recv, args, kw)
	}
	if name == "join" && hasRecv && recv.str != nil {
		it := arg(0)
		hv := taintOf(it)
		safe := len(it.str) == 1 && it.str[0].safeIdent
		out := val{ev: -1, built: true, l: it.l &^ lWhole, p: it.p, cnst: it.cnst && recv.cnst}
		out.str = []part{{hole: true, v: &hv, safeIdent: safe}}
		return out
	}

	// Exceptions.
	if (dotted() == "str" || dotted() == "repr" || dotted() == "format") && len(args) > 0 && args[0].exc {
		return val{ev: -1, l: lExc}
	}
	if tracebackFormatters[name] {
		return val{ev: -1, l: lExc}
	}

	// Mass assignment.
	if dotted() == "setattr" && len(args) >= 2 && args[1].has(lKey) && !args[1].cnst {
		u.a.mass = append(u.a.mass, massEvent{node: id, what: "setattr(obj, key, value) with keys taken from the request"})
	}
	for _, s := range splats {
		if s.dict && s.v.has(lKey) && !s.v.cnst && isModelCall(t, fn, name, f) {
			u.a.mass = append(u.a.mass, massEvent{node: id, what: t.Text(fn) + "(**…) built from the request body"})
		}
	}
	if name == "update" && hasRecv && len(args) == 1 && args[0].has(lKey) && !args[0].cnst && ormish(t, recvNode) {
		u.a.mass = append(u.a.mass, massEvent{node: id, what: "a query's update() with the request body"})
	}
	if dotted() == "getattr" && len(args) >= 2 && args[1].has(lReq) && !args[1].cnst {
		if first := t.Arg(id, 0); t.Kind(first) == pyast.KindIdentifier && startsUpper(t.Text(first)) {
			u.a.getattrs = append(u.a.getattrs, id)
		}
	}

	// Responses.
	if responseFuncs[name] {
		all := newVal()
		for _, a := range args {
			all = merge(all, a)
		}
		for _, a := range kw {
			all = merge(all, a.v)
		}
		u.a.responses = append(u.a.responses, response{node: id, v: all})
	}

	// Functions of the scanned modules.
	if t.Kind(fn) == pyast.KindIdentifier {
		if v, ok := u.lookup(dotted()); ok && v.obj != nil && v.obj.kind == objFunc {
			return taintOf(v.obj.fn.ret)
		}
	}
	if t.Kind(fn) == pyast.KindIdentifier || t.Kind(fn) == pyast.KindAttribute && !hasLocal(u, dotted()) {
		if s := f.summaryOf(dotted()); s != nil {
			if ref, ok := f.resolve(dotted()); ok {
				u.a.noteCall(ref)
			}
			return u.applySummary(id, dotted(), s, args)
		}
	}

	// Sanitizers and opaque results.
	if sanitizers[name] || sanitizers[dotted()] {
		out := newVal()
		for _, a := range args {
			out = merge(out, taintOf(a))
		}
		if hasRecv && len(args) == 0 {
			out = merge(out, taintOf(recv))
		}
		out.l &^= lInj | lKey | lWhole | lOrigin
		out.exc = false
		return out
	}
	if opaque[name] {
		return constVal()
	}

	// Anything else: the result depends on the receiver and the arguments
	// (and on the callee, when it is a parameter: work(cur)).
	out := val{ev: -1, cnst: true}
	if t.Kind(fn) == pyast.KindIdentifier {
		if v, ok := u.lookup(dotted()); ok && (v.p != 0 || v.l != 0) {
			out = taintOf(v)
		}
	}
	if hasRecv {
		out = taintOf(recv)
		out.setElements(nil)
		if recv.obj != nil && recv.obj.kind == objEngine {
			out.obj = recv.obj
		}
	}
	for _, a := range args {
		out = merge(out, taintOf(a))
	}
	for _, a := range kw {
		out = merge(out, taintOf(a.v))
	}
	for _, s := range splats {
		out = merge(out, taintOf(s.v))
	}
	if !passThrough[name] {
		out.l &^= lWhole
		out.pw = 0
		// What an unknown call makes of request data is not that data: an
		// int id handed to a service comes back as its answer.
		if (out.has(lReq) || out.p != 0) && !stringMethods[name] {
			out.l |= lOpaque
		}
	}
	if dotted() == "str" || dotted() == "repr" {
		// str(x) keeps x's string structure.
		if len(args) == 1 && args[0].str != nil {
			out.str = args[0].str
			out.built = args[0].built
		}
	}
	if hasRecv && recv.str != nil && stringMethods[name] {
		out.str = asHole(recv)
		if !recv.built && recv.cnst {
			out.str = recv.str
		}
		out.built = recv.built
	}
	if out.ev < 0 && hasRecv {
		out.ev = recv.ev
	}
	if !passThrough[name] && !(hasRecv && (name == "get" || name == "strip" || name == "lower")) {
		out.setRowField("")
	}
	return u.instanceOf(id, fn, out)
}

// hasLocal reports whether a dotted name starts with a local variable
// (cur.execute), as opposed to an imported module (db.fetch_all).
func hasLocal(u *unit, dotted string) bool {
	head, _, _ := strings.Cut(dotted, ".")
	for x := u; x != nil; x = x.parent {
		if _, ok := x.env[head]; ok {
			return true
		}
	}
	return false
}

type splat struct {
	v    val
	dict bool
}

// kwarg is one keyword argument of a call.
type kwarg struct {
	name string
	v    val
}

// kwargs are a call's keyword arguments, in order.
type kwargs []kwarg

func (k kwargs) get(name string) (val, bool) {
	for _, a := range k {
		if a.name == name {
			return a.v, true
		}
	}
	return val{}, false
}

func kwVals(kw kwargs) []val {
	out := make([]val, 0, len(kw))
	for _, a := range kw {
		out = append(out, a.v)
	}
	return out
}

// evalArgs evaluates a call's arguments.
func (u *unit) evalArgs(call pyast.ID) (pos []val, kw kwargs, splats []splat) {
	t := u.t()
	args := t.Args(call)
	if args < 0 {
		if g := t.Child(call, pyast.FieldArguments); g >= 0 {
			pos = append(pos, u.eval(g))
		}
		return
	}
	n := 0 // positional arguments only: keywords and splats go elsewhere
	for c := t.First(args); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case pyast.KindKeywordArgument, pyast.KindDictionarySplat, pyast.KindListSplat, pyast.KindToken:
		default:
			n++
		}
	}
	if n > 0 {
		pos = make([]val, 0, n)
	}
	for c := t.First(args); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case pyast.KindKeywordArgument:
			kw = append(kw, kwarg{t.Text(t.Child(c, pyast.FieldName)), u.eval(t.Child(c, pyast.FieldValue))})
		case pyast.KindDictionarySplat:
			splats = append(splats, splat{v: u.eval(t.NamedChild(c, 0)), dict: true})
		case pyast.KindListSplat:
			splats = append(splats, splat{v: u.eval(t.NamedChild(c, 0))})
		case pyast.KindToken:
		default:
			pos = append(pos, u.eval(c))
		}
	}
	return
}

// passFuncs records how function values passed to a call will run: a
// same-module transaction runner gives them its transaction; unknown
// callees (sqlalchemy-cockroachdb's run_transaction, executors) are trusted.
func (u *unit) passFuncs(call pyast.ID, name string, args []val, kw kwargs) {
	t := u.t()
	s := u.f.summaryOf(t.DottedName(t.Callee(call)))
	for i, a := range args {
		if a.obj == nil || a.obj.kind != objFunc || a.obj.fn.scope != nil {
			continue
		}
		u.a.scopes++
		switch {
		case s != nil && s.runnerP&(1<<uint(i)) != 0:
			a.obj.fn.scope = &txnScope{managed: true, retry: s.retry, id: u.a.scopes}
		case s != nil:
			// A same-module function that calls it outside a transaction.
			a.obj.fn.scope = nil
		default:
			a.obj.fn.scope = &txnScope{managed: true, retry: true, id: u.a.scopes}
		}
	}
	for _, k := range kw {
		a := k.v
		if a.obj != nil && a.obj.kind == objFunc && a.obj.fn.scope == nil && s == nil {
			u.a.scopes++
			a.obj.fn.scope = &txnScope{managed: true, retry: true, id: u.a.scopes}
		}
	}
	_ = name
}

// connFor returns the connection object for an expression the analysis
// cannot resolve (g.db, get_db(), self.conn), one per text per root.
func (u *unit) connFor(expr pyast.ID) *object {
	t := u.t()
	key := t.Text(expr)
	if t.Kind(expr) == pyast.KindCall {
		key = t.Text(t.Callee(expr)) + "()"
	}
	if o, ok := u.a.f.connCache[u.a][key]; ok {
		return o
	}
	o := &object{kind: objConn, node: expr, lastEv: -1, name: key, file: u.f}
	if u.a.f.connCache[u.a] == nil {
		u.a.f.connCache[u.a] = map[string]*object{}
	}
	u.a.f.connCache[u.a][key] = o
	return o
}

// sqlEvent records a statement.
func (u *unit) sqlEvent(call pyast.ID, q, pv val, pnode, recvNode pyast.ID) int32 {
	t := u.t()
	e := &sqlEvent{node: call, query: q, pval: pv, retry: u.retry > 0, order: len(u.a.events)}
	if q.str != nil {
		e.text = render(q.str)
		e.info = u.f.sql(e.text)
	}
	if pv.elements() != nil {
		e.params = pv.elements()
	}
	if pnode >= 0 && t.Kind(t.Unwrap(pnode)) == pyast.KindDictionary {
		e.named = map[string]val{}
		d := t.Unwrap(pnode)
		for c := t.First(d); c >= 0; c = t.Next(c) {
			if t.Kind(c) == pyast.KindPair {
				if k, ok := t.StringValue(t.Child(c, pyast.FieldKey)); ok {
					e.named[strings.ToLower(k)] = u.peekNoSide(t.Child(c, pyast.FieldValue))
				}
			}
		}
	}
	if len(u.scopes) > 0 {
		e.scope = u.scopes[len(u.scopes)-1]
	}
	for x := u; x != nil && e.scope == nil; x = x.parent {
		if x.fv != nil {
			e.fv = x.fv
			break
		}
	}
	if recvNode >= 0 {
		recv := u.peekNoSide(recvNode)
		if recv.obj != nil {
			switch recv.obj.kind {
			case objCursor:
				e.conn = recv.obj.conn
				recv.obj.lastEv = int32(len(u.a.events))
			case objConn:
				e.conn = recv.obj
			}
		} else if t.Kind(t.Unwrap(recvNode)) == pyast.KindIdentifier {
			// An unknown cursor (a parameter): give it an object so that
			// fetchone() finds the statement.
			c := &object{kind: objCursor, node: recvNode, lastEv: int32(len(u.a.events)), file: u.f}
			u.set(t.Text(t.Unwrap(recvNode)), val{ev: -1, obj: c, p: recv.p, pw: recv.pw})
		}
		e.recv = t.Text(recvNode)
	}
	if e.conn != nil {
		e.commits = u.a.commits[e.conn]
	}
	u.a.events = append(u.a.events, e)
	return int32(len(u.a.events) - 1)
}

// peekNoSide evaluates an expression already evaluated (no new events).
func (u *unit) peekNoSide(id pyast.ID) val {
	t := u.t()
	id = t.Unwrap(id)
	switch t.Kind(id) {
	case pyast.KindIdentifier:
		v, _ := u.lookup(t.Text(id))
		if v.obj == nil && t.Is(id, "request") {
			return val{ev: -1, obj: u.f.requestObj}
		}
		return v
	case pyast.KindAttribute:
		if t.Is(t.Child(id, pyast.FieldObject), "g") {
			if o, ok := u.f.gObjects[t.Text(t.Child(id, pyast.FieldAttribute))]; ok {
				return val{ev: -1, obj: o}
			}
		}
		if u.f.mod.IsIdentitySource(id) {
			return val{ev: -1, l: lIdent}
		}
		obj := u.peekNoSide(t.Child(id, pyast.FieldObject))
		return fieldOf(obj, t.Text(t.Child(id, pyast.FieldAttribute)))
	case pyast.KindSubscript:
		if u.f.mod.IsIdentitySource(id) {
			return val{ev: -1, l: lIdent}
		}
		obj := u.peekNoSide(t.Child(id, pyast.FieldValue))
		k, _ := t.StringValue(t.Child(id, pyast.FieldSubscript))
		return fieldOf(obj, k)
	case pyast.KindString, pyast.KindInteger, pyast.KindTrue, pyast.KindFalse, pyast.KindNone:
		return constVal()
	}
	if u.f.mod.IsIdentitySource(id) {
		return val{ev: -1, l: lIdent}
	}
	return newVal()
}

// ormLookup reports whether a call looks up a model by key: Model.query.get(id),
// get_or_404(id), filter_by(...), session.get(Model, id), db.get_or_404(M, id).
func ormLookup(t *pyast.Tree, name string, recv pyast.ID) bool {
	switch name {
	case "get_or_404", "first_or_404":
		return name == "get_or_404"
	case "get", "filter_by", "filter", "where":
		return ormish(t, recv)
	}
	return false
}

// ormish reports whether an expression is an ORM query: X.query,
// session.query(…), select(…), db.session.
func ormish(t *pyast.Tree, recv pyast.ID) bool {
	recv = t.Unwrap(recv)
	for recv >= 0 {
		switch t.Kind(recv) {
		case pyast.KindAttribute:
			a := t.Child(recv, pyast.FieldAttribute)
			if t.Is(a, "query") || t.Is(a, "objects") {
				return true
			}
			if t.Is(a, "session") && t.Kind(t.Child(recv, pyast.FieldObject)) == pyast.KindIdentifier {
				return true
			}
			recv = t.Child(recv, pyast.FieldObject)
		case pyast.KindCall:
			n := t.LastName(t.Callee(recv))
			if n == "query" || n == "select" || n == "filter_by" || n == "filter" || n == "where" || n == "select_from" {
				return true
			}
			fn := t.Callee(recv)
			if t.Kind(fn) != pyast.KindAttribute {
				return false
			}
			recv = t.Child(fn, pyast.FieldObject)
		case pyast.KindIdentifier:
			return t.Is(recv, "session") || t.Is(recv, "db_session")
		default:
			return false
		}
	}
	return false
}

func (u *unit) ormEvent(call pyast.ID, name string, recv val, args []val, kw kwargs) val {
	t := u.t()
	e := &sqlEvent{node: call, orm: true, ormGet: name == "get" || name == "get_or_404", order: len(u.a.events), retry: u.retry > 0}
	e.params = append(e.params, args...)
	for _, k := range kw {
		if e.named == nil {
			e.named = map[string]val{}
		}
		e.named[k.name] = k.v
	}
	if recv.has(lIdent) {
		e.ident = true
	}
	for _, a := range e.params {
		if a.has(lIdent) {
			e.ident = true
		}
	}
	for _, a := range e.named {
		if a.has(lIdent) {
			e.ident = true
		}
	}
	// filter(Note.owner_id == current_user.id): the comparison is evaluated
	// as a constant; look at the argument text for an identity source.
	if name == "filter" || name == "where" {
		args := t.Args(call)
		end := t.End(args)
		for i := args; i >= 0 && i < end; i++ {
			if u.f.mod.IsIdentitySource(i) {
				e.ident = true
				break
			}
			if t.Kind(i) == pyast.KindIdentifier {
				if v, ok := u.lookup(t.Text(i)); ok && v.has(lIdent) {
					e.ident = true
					break
				}
			}
		}
		// Arguments of filter() are comparisons: take their operands.
		for i := args; i >= 0 && i < end; i++ {
			if t.Kind(i) == pyast.KindComparisonOperator {
				for _, o := range t.Operands(i) {
					e.params = append(e.params, u.peekNoSide(o))
				}
			}
		}
	}
	if len(u.scopes) > 0 {
		e.scope = u.scopes[len(u.scopes)-1]
	}
	for x := u; x != nil && e.scope == nil; x = x.parent {
		if x.fv != nil {
			e.fv = x.fv
			break
		}
	}
	u.a.events = append(u.a.events, e)
	v := val{ev: int32(len(u.a.events) - 1), l: lRow}
	if e.ident {
		v.l |= lIdent
	}
	return v
}

// applySummary is a call to a same-module function.
func (u *unit) applySummary(call pyast.ID, name string, s *summary, args []val) val {
	argAt := func(bits uint64) (val, bool) {
		for i := 0; i < 64 && i < len(args); i++ {
			if bits&(1<<uint(i)) != 0 {
				return args[i], true
			}
		}
		return newVal(), false
	}
	var evIdx int32 = -1
	if s.queryP != 0 || s.holeP != 0 || s.holeIdP != 0 {
		q, okq := argAt(s.queryP)
		pv, _ := argAt(s.argsP)
		e := &sqlEvent{node: call, pval: pv, wrapper: true, order: len(u.a.events), retry: u.retry > 0}
		if okq {
			e.query = q
			if q.str != nil {
				e.text = render(q.str)
				e.info = u.f.sql(e.text)
			}
		}
		if pv.elements() != nil {
			e.params = pv.elements()
		}
		u.a.scopes++
		e.scope = &txnScope{managed: s.managed, retry: s.retry, id: u.a.scopes}
		if !s.managed {
			e.scope = nil
			e.conn = u.connFor(u.t().Callee(call))
			e.commits = u.a.commits[e.conn]
		}
		// Parameters formatted into the helper's query.
		for i, a := range args {
			if i >= 64 {
				break
			}
			bit := uint64(1) << uint(i)
			if s.holeP&bit != 0 || s.holeIdP&bit != 0 {
				hv := a
				e.extra = append(e.extra, extraHole{v: hv, ident: s.holeIdP&bit != 0, sink: s.sinkNode, file: s.sinkFile})
			}
		}
		u.a.events = append(u.a.events, e)
		evIdx = int32(len(u.a.events) - 1)
	} else if s.lookup != nil {
		u.helperLookupEvent(call, s.lookup, args) // helperlookup.go
	}
	if s.retConn {
		return val{ev: -1, obj: u.connFor(u.t().Callee(call))}
	}
	if s.identity {
		u.a.identUsed = true
		return val{ev: -1, l: lIdent}
	}
	if s.roleChk {
		u.a.roleCheck = true
	}
	out := instantiate(s.ret, args, evIdx)
	if re := s.ret.elements(); re != nil {
		elems := make([]val, len(re))
		for i, e := range re {
			elems[i] = instantiate(e, args, evIdx)
		}
		out.setElements(elems)
	}
	if evIdx >= 0 && out.has(lRow) {
		out.ev = evIdx
		e := u.a.events[evIdx]
		if e.info != nil && sensitiveSelect(e.info, u.f.proj.schema) {
			out.l |= lWhole
		}
		// A row fetched by the caller's identity is the caller's own.
		if e.pval.has(lIdent) && !e.pval.has(lReq) {
			out.l |= lIdent
		}
	}
	return out
}

// instantiate turns a summary's value (in terms of the callee's parameters)
// into the caller's: parameters are replaced by the arguments.
func instantiate(ret val, args []val, evIdx int32) val {
	out := ret
	out.p, out.pw = 0, 0
	out.str = nil
	out.obj = nil
	out.setElements(nil)
	out.ev = -1
	if ret.ev >= 0 || out.has(lRow) {
		out.ev = evIdx
	}
	for i, a := range args {
		if i >= 64 {
			break
		}
		bit := uint64(1) << uint(i)
		if ret.p&bit != 0 {
			x := taintOf(a)
			if ret.pw&bit == 0 {
				x.l &^= lWhole
			}
			x.ev = out.ev
			cnst := out.cnst && a.cnst
			out = merge(out, x)
			out.cnst = cnst
		}
	}
	return out
}

// extraHole is a value a helper formats into its query.
type extraHole struct {
	v     val
	ident bool
	sink  pyast.ID
	file  *fileState // where sink is
}

func isModelCall(t *pyast.Tree, fn pyast.ID, name string, f *fileState) bool {
	if name == "" {
		return false
	}
	if d, ok := f.mod.Defs[name]; ok {
		return t.Kind(d) == pyast.KindClassDefinition
	}
	switch name {
	case "dict", "update", "format", "jsonify", "render_template", "make_response", "Response", "abort", "redirect", "url_for", "create_access_token", "encode":
		return false
	}
	return startsUpper(name)
}

func startsUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r)
	}
	return false
}

// importedModule reports whether an expression names an imported module
// (requests, httpx, redis), as opposed to a constant table imported by
// name, which is written in upper case (from config import REPORTS).
func importedModule(f *fileState, t *pyast.Tree, id pyast.ID) bool {
	if t.Kind(id) != pyast.KindIdentifier {
		return false
	}
	name := t.Text(id)
	_, ok := f.mod.Imports[name]
	return ok && !isUpperConst(name)
}
