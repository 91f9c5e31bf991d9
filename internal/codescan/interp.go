package codescan

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// The analysis walks a function's statements in order, keeping what it knows
// about each local (its val), joining branches, running loop bodies twice,
// and narrowing values on guards (x in ALLOWED, isinstance(x, int)). It
// reaches into same-module functions through summaries computed beforehand.
// Nested functions and lambdas are analysed where they are defined, as part
// of their parent: closures see the parent's values.

// txnScope is a transaction whose end the code manages: a `with conn:`
// block, a function passed to a transaction runner, or a call to a helper
// that runs its statements in one of those.
type txnScope struct {
	managed bool
	retry   bool
	id      int
}

// sqlEvent is one statement the analysed code runs.
type sqlEvent struct {
	node    pyast.ID // the execute (or wrapper) call
	query   val
	text    string // literal text, holes as {?}; "" when unknown
	info    *sqlInfo
	params  []val // the bound values, when given as a tuple or list literal
	named   map[string]val
	pval    val // the bound values as a whole
	conn    *object
	recv    string // receiver text when no connection is known (cur, db.session)
	scope   *txnScope
	fv      *funcValue // the nested function it runs in, if any
	commits int        // commits seen on conn before it
	retry   bool       // inside a retry loop of the analysed function
	wrapper bool       // a same-module helper runs it (fetch_one(q, args))
	orm     bool       // an ORM lookup (Model.query.get(id)), not SQL text
	ormGet  bool
	ident   bool // the ORM lookup is filtered by the caller's identity
	order   int
	extra   []extraHole
}

// txn returns the transaction the statement runs in, once the analysis of
// its root has seen how nested functions are used.
func (e *sqlEvent) txn() *txnScope {
	if e.scope != nil {
		return e.scope
	}
	if e.fv != nil && e.fv.scope != nil {
		return e.fv.scope
	}
	return nil
}

// guard is an if statement whose body ends the request (raise, abort,
// return) or that wraps the rest of the work.
type guard struct {
	node       pyast.ID
	terminates bool
	rows       []rowRef // database values it tests
	ident      []identCmp
	role       bool // it tests the caller's role or permissions
}

type rowRef struct {
	ev    int32
	field string
}

// identCmp is a comparison between the caller's identity and another value.
type identCmp struct {
	node   pyast.ID
	op     string // ==, !=, is, is not, in, not in
	other  val
	guards bool // an ownership check: mismatch ends the request, or a match wraps the work
}

type response struct {
	node pyast.ID
	v    val
	ret  bool // a returned value (not a jsonify/abort argument)
}

type headerSet struct {
	node  pyast.ID
	name  string
	v     val
	value string // literal value, if any
}

type massEvent struct {
	node pyast.ID
	what string
}

// analysis collects what one root function (and the functions nested in it)
// does.
type analysis struct {
	f   *fileState
	def pyast.ID
	// cycleReads is what it read of files in an import cycle.
	cycleReads []cycleRead
	route      *routeInfo
	events     []*sqlEvent
	guards     []*guard
	responses  []response
	headers    []headerSet
	mass       []massEvent
	calls      map[funcRef]bool // functions of the scanned modules called
	commits    map[*object]int
	commitAny  int // commits on connections the analysis could not name
	rollbacks  int
	identUsed  bool // an identity source was read
	roleCheck  bool
	raises     bool // the function always raises
	scopes     int
	getattrs   []pyast.ID // getattr(Model, request value)
	handler    bool       // an errorhandler
	steps      int
	truncated  bool
	// For summaries.
	sum        *summary
	paramNames []string
	// text() clauses built at run time (sinks.go).
	clauses []sqlClause
	// the method the analysed function is, if one (methods.go)
	method *methodCtx
}

// summary is what a module-level function does, seen from its callers.
type summary struct {
	ret      val
	queryP   uint64 // parameters used as a whole query
	argsP    uint64 // parameters used as the bound values
	holeP    uint64 // parameters formatted into a query in a value position
	holeIdP  uint64 // …in an identifier position
	runnerP  uint64 // callables called inside a managed transaction
	retry    bool
	managed  bool // its own statements run in a transaction it ends
	retConn  bool // it returns a database connection
	roleChk  bool
	identity bool
	raises   bool
	events   int
	sinkNode pyast.ID
	sinkFile *fileState
	// lookup is a statement of known text the function runs keyed by its
	// parameters (lookup.p): callers see it as their own lookup (helperlookup.go).
	lookup *helperLookup
}

// unit is one function body being walked (a root or a nested function).
type unit struct {
	a      *analysis
	f      *fileState
	def    pyast.ID
	parent *unit
	env    map[string]val
	fv     *funcValue
	ret    val
	hasRet bool
	scopes []*txnScope
	loops  int
	retry  int // depth of loops that retry on serialization failures
	module bool
	// undo, while logging, records each name set and what it held, so that
	// a guard's body can run on the environment itself and be taken back
	// (branch): most bodies are a raise or a return, and copying the
	// environment for them was the interpreter's largest allocation.
	undo    []undoEntry
	logging bool
}

// undoEntry is a name's value before a set: had is false when it had none.
type undoEntry struct {
	name string
	old  val
	had  bool
}

func (u *unit) t() *pyast.Tree { return u.f.t }

func (u *unit) lookup(name string) (val, bool) {
	for x := u; x != nil; x = x.parent {
		if v, ok := x.env[name]; ok {
			return v, true
		}
	}
	if v, ok := u.f.env[name]; ok && !u.module {
		return v, true
	}
	return newVal(), false
}

func (u *unit) set(name string, v val) {
	if u.logging {
		old, had := u.env[name]
		u.undo = append(u.undo, undoEntry{name, old, had})
	}
	u.env[name] = v
}

// rollback takes back the sets logged since mark, newest first.
func (u *unit) rollback(mark int) {
	for i := len(u.undo) - 1; i >= mark; i-- {
		e := u.undo[i]
		if e.had {
			u.env[e.name] = e.old
		} else {
			delete(u.env, e.name)
		}
	}
	u.undo = u.undo[:mark]
}

// simpleBlock reports whether a block holds only simple statements (no
// if, loop, try, with, match or definition): every name it binds goes
// through set, and no environment is copied or joined inside it.
func simpleBlock(t *pyast.Tree, block pyast.ID) bool {
	for c := t.First(block); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case pyast.KindIfStatement, pyast.KindForStatement, pyast.KindWhileStatement, pyast.KindTryStatement,
			pyast.KindWithStatement, pyast.KindMatchStatement, pyast.KindFunctionDefinition,
			pyast.KindClassDefinition, pyast.KindDecoratedDefinition:
			return false
		}
	}
	return true
}

// copyEnv copies an environment before a branch. maps.Clone copies the
// table as it is, which is several times cheaper than re-inserting every
// name (branches are the interpreter's most frequent allocation).
func copyEnv(e map[string]val) map[string]val {
	if e == nil {
		return map[string]val{}
	}
	return maps.Clone(e)
}

// joinEnvs merges the environments of the branches that fall through. It
// reuses (and changes) the first one: callers pass maps they own.
func joinEnvs(envs []map[string]val) map[string]val {
	if len(envs) == 0 {
		return nil
	}
	out := envs[0]
	for _, e := range envs[1:] {
		for k, v := range e {
			if o, ok := out[k]; ok {
				out[k] = merge(o, v)
			} else {
				out[k] = v
			}
		}
	}
	return out
}

// block walks a block and reports whether every path through it ends the
// request (return, raise, abort, continue, break).
func (u *unit) block(b pyast.ID) bool {
	t := u.t()
	for s := t.First(b); s >= 0; s = t.Next(s) {
		if u.stmt(s) {
			return true
		}
	}
	return false
}

// maxSteps bounds the statements one analysis walks (loops and nested
// functions included), so that no input makes the analysis superlinear.
const maxSteps = 50000

func (u *unit) stmt(s pyast.ID) bool {
	t := u.t()
	u.a.steps++
	if u.a.steps > maxSteps {
		u.a.truncated = true
		return true
	}
	switch t.Kind(s) {
	case pyast.KindExpressionStatement:
		e := t.NamedChild(s, 0)
		switch t.Kind(e) {
		case pyast.KindAssignment:
			u.assignment(e)
		case pyast.KindAugmentedAssignment:
			u.augAssign(e)
		default:
			u.eval(e)
			if u.isAbort(e) {
				return true
			}
		}
	case pyast.KindReturnStatement:
		v := newVal()
		if e := t.NamedChild(s, 0); e >= 0 {
			v = u.eval(e)
		}
		if u.hasRet {
			u.ret = merge(u.ret, v)
		} else {
			u.ret, u.hasRet = v, true
		}
		if u.parent == nil && !u.module {
			u.a.responses = append(u.a.responses, response{node: s, v: v, ret: true})
		}
		return true
	case pyast.KindRaiseStatement:
		for c := t.First(s); c >= 0; c = t.Next(c) {
			u.eval(c)
		}
		return true
	case pyast.KindContinueStatement, pyast.KindBreakStatement:
		return true
	case pyast.KindIfStatement:
		return u.ifStmt(s)
	case pyast.KindForStatement:
		u.forStmt(s)
	case pyast.KindWhileStatement:
		u.whileStmt(s)
	case pyast.KindTryStatement:
		return u.tryStmt(s)
	case pyast.KindWithStatement:
		return u.withStmt(s)
	case pyast.KindFunctionDefinition:
		u.nestedDef(s, s)
	case pyast.KindDecoratedDefinition:
		if d := t.Definition(s); t.Kind(d) == pyast.KindFunctionDefinition {
			u.nestedDef(d, s)
		}
	case pyast.KindMatchStatement:
		u.eval(t.Child(s, pyast.FieldSubject))
		body := t.Body(s)
		before := copyEnv(u.env)
		var outs []map[string]val
		for c := t.First(body); c >= 0; c = t.Next(c) {
			if t.Kind(c) != pyast.KindCaseClause {
				continue
			}
			u.env = copyEnv(before)
			if !u.block(t.Body(c)) {
				outs = append(outs, u.env)
			}
		}
		outs = append(outs, before)
		u.env = joinEnvs(outs)
	case pyast.KindAssertStatement:
		for c := t.First(s); c >= 0; c = t.Next(c) {
			u.eval(c)
		}
	case pyast.KindDeleteStatement, pyast.KindGlobalStatement, pyast.KindNonlocalStatement,
		pyast.KindPassStatement, pyast.KindImportStatement, pyast.KindImportFromStatement,
		pyast.KindFutureImportStatement, pyast.KindClassDefinition:
	case pyast.KindError:
		// Recovered syntax error: look inside for what still parses.
		for c := t.First(s); c >= 0; c = t.Next(c) {
			u.stmt(c)
		}
	default:
		if t.Kind(s) != pyast.KindBlock {
			u.eval(s)
		}
	}
	return false
}

// isAbort reports whether an expression statement ends the request:
// abort(403), flask.abort(…), sys.exit(), or a same-module helper that
// always raises.
func (u *unit) isAbort(e pyast.ID) bool {
	t := u.t()
	e = t.Unwrap(e)
	if t.Kind(e) != pyast.KindCall {
		return false
	}
	name := t.DottedName(t.Callee(e))
	if terminatingCalls[name] {
		return true
	}
	if s := u.f.summaryOf(name); s != nil && s.raises {
		return true
	}
	return u.methodRaises(e) // self.deny() (methods.go)
}

func (u *unit) assignment(a pyast.ID) {
	t := u.t()
	right := t.Child(a, pyast.FieldRight)
	var v val
	if t.Kind(right) == pyast.KindAssignment { // a = b = expr
		u.assignment(right)
		v = u.eval(t.Child(right, pyast.FieldLeft))
	} else {
		v = u.eval(right)
	}
	u.bind(t.Child(a, pyast.FieldLeft), v)
}

func (u *unit) augAssign(a pyast.ID) {
	t := u.t()
	left := t.Child(a, pyast.FieldLeft)
	r := u.eval(t.Child(a, pyast.FieldRight))
	cur := u.eval(left)
	var out val
	op := t.Operator(a)
	if op == "+=" && (cur.str != nil || r.str != nil) {
		out = taintOf(merge(cur, r))
		out.str = append(append([]part{}, asHole(cur)...), asHole(r)...)
		out.built = cur.built || r.built || !r.cnst || !cur.cnst
	} else {
		out = taintOf(merge(cur, r))
		out.l |= lArith
	}
	out.cnst = cur.cnst && r.cnst
	u.bind(left, out)
}

// bind assigns v to a target: a name, a tuple of names, an attribute or a
// subscript.
func (u *unit) bind(target pyast.ID, v val) {
	t := u.t()
	target = t.Unwrap(target)
	switch t.Kind(target) {
	case pyast.KindIdentifier:
		u.set(t.Text(target), v)
	case pyast.KindPatternList, pyast.KindTuplePattern, pyast.KindListPattern, pyast.KindTuple, pyast.KindList, pyast.KindExpressionList:
		var names []pyast.ID
		for c := t.First(target); c >= 0; c = t.Next(c) {
			names = append(names, c)
		}
		for i, c := range names {
			if elems := v.elements(); elems != nil && len(elems) == len(names) {
				u.bind(c, elems[i])
			} else {
				u.bind(c, taintOf(v))
			}
		}
	case pyast.KindListSplatPattern, pyast.KindListSplat:
		u.bind(t.NamedChild(target, 0), taintOf(v))
	case pyast.KindSubscript:
		obj := t.Child(target, pyast.FieldValue)
		key := t.Child(target, pyast.FieldSubscript)
		u.eval(key)
		u.subscriptStore(target, obj, key, v)
	case pyast.KindAttribute:
		obj := t.Child(target, pyast.FieldObject)
		attr := t.Text(t.Child(target, pyast.FieldAttribute))
		if t.Is(obj, "g") && identityish(attr) {
			u.a.identUsed = true
		}
		// x.attr = v taints x (a model or dict-like object).
		if t.Kind(obj) == pyast.KindIdentifier {
			if cur, ok := u.lookup(t.Text(obj)); ok && cur.obj == nil {
				m := cur
				m.l |= v.l &^ lWhole
				m.p |= v.p
				if !v.cnst {
					m.cnst = false
				}
				u.set(t.Text(obj), m)
			}
		}
	}
}

func identityish(attr string) bool { return identityishRe.MatchString(attr) }

// subscriptStore handles x[k] = v: response headers, and taint into dicts.
func (u *unit) subscriptStore(target, obj, key pyast.ID, v val) {
	t := u.t()
	if t.Kind(obj) == pyast.KindAttribute && t.Is(t.Child(obj, pyast.FieldAttribute), "headers") {
		if name, ok := t.StringValue(key); ok {
			lit, _ := literal(v)
			u.a.headers = append(u.a.headers, headerSet{node: target, name: strings.ToLower(name), v: v, value: lit})
		}
		return
	}
	if t.Kind(obj) == pyast.KindIdentifier {
		name := t.Text(obj)
		if cur, ok := u.lookup(name); ok && cur.obj == nil {
			m := cur
			m.l |= v.l &^ lWhole
			m.p |= v.p
			if !v.cnst {
				m.cnst = false
			}
			u.set(name, m)
		}
	}
}

// nestedDef analyses a nested function where it is defined and binds its
// name to a function value.
func (u *unit) nestedDef(def, stmt pyast.ID) {
	t := u.t()
	if u.f.isRouteFunc(def) {
		return // analysed as a root of its own
	}
	fv := &funcValue{def: def, name: t.FuncName(def)}
	child := &unit{a: u.a, f: u.f, def: def, parent: u, env: map[string]val{}, fv: fv}
	for _, p := range t.Params(def) {
		child.env[p] = newVal()
	}
	child.block(t.Body(def))
	fv.ret = child.ret
	v := taintOf(child.ret)
	v.obj = &object{kind: objFunc, node: def, fn: fv, lastEv: -1, name: fv.name, file: u.f}
	v.cnst = false
	u.set(fv.name, v)
}

// lambdaVal analyses a lambda as a nested function value.
func (u *unit) lambdaVal(l pyast.ID) val {
	t := u.t()
	fv := &funcValue{def: l, name: "<lambda>"}
	child := &unit{a: u.a, f: u.f, def: l, parent: u, env: map[string]val{}, fv: fv}
	if ps := t.Child(l, pyast.FieldParameters); ps >= 0 {
		for c := t.First(ps); c >= 0; c = t.Next(c) {
			if n := t.ParamName(c); n != "" {
				child.env[n] = newVal()
			}
		}
	}
	fv.ret = child.eval(t.Child(l, pyast.FieldBody))
	v := taintOf(fv.ret)
	v.obj = &object{kind: objFunc, node: l, fn: fv, lastEv: -1, name: "<lambda>", file: u.f}
	v.cnst = false
	return v
}

// branch walks one guarded branch, `if cond:` or `elif cond:`: its guard,
// then body on a copy of the environment refined by cond being true. It
// returns the guard, whether body always ends the request, and body's
// environment when it does not; u.env is left as it was, refined by cond
// being false (the next branch and the join start from there).
//
// alone is an `if` with no elif or else: when its body is simple and falls
// through, the join with the path that skips it is made here, in place
// (joined), from what the body set, instead of from a copy of the whole
// environment.
func (u *unit) branch(node, cond, body pyast.ID, alone bool) (g *guard, term, joined bool, out map[string]val) {
	g = &guard{node: node}
	u.a.guards = append(u.a.guards, g)
	u.condition(cond, g)
	if g.role {
		u.a.roleCheck = true
	}
	onTrue, onFalse := u.refine(cond)
	if !u.logging && u.env != nil && simpleBlock(u.t(), body) {
		// Run the body on the environment itself, logging what it sets,
		// and take that back: a copy only when the body falls through.
		u.logging = true
		mark := len(u.undo)
		u.apply(onTrue)
		term = u.block(body)
		g.terminates = term
		if !term && alone && joinInPlace {
			u.joinAlone(mark, onFalse)
			return g, false, true, nil
		}
		if !term {
			out = copyEnv(u.env)
		}
		u.rollback(mark)
		u.logging = false
		u.apply(onFalse)
		return g, term, false, out
	}
	before := u.env
	u.env = copyEnv(before)
	u.apply(onTrue)
	term = u.block(body)
	g.terminates = term
	if !term {
		out = u.env
	}
	u.env = before
	u.apply(onFalse)
	return g, term, false, out
}

// joinInPlace turns joinAlone on; a test compares every analysis with it
// off (the join of a copy of the environment).
var joinInPlace = true

// joinAlone ends a simple branch that falls through with no other branch
// after it: what joinEnvs would make of [the body's environment, the
// environment refined by the condition being false], made on u.env in
// place from the names the body (and the condition being true) set, the
// undo log since mark.
func (u *unit) joinAlone(mark int, onFalse []refinement) {
	delta := make(map[string]val, len(u.undo)-mark)
	for _, e := range u.undo[mark:] {
		// Every logged name is in the environment (a comprehension takes
		// its own names back); a name that is not is left unjoined.
		if v, ok := u.env[e.name]; ok {
			delta[e.name] = v
		}
	}
	u.rollback(mark)
	u.logging = false
	// The values onFalse replaces are what the body's side had for the
	// names the body did not set.
	var prior []undoEntry
	for _, r := range onFalse {
		if !slices.ContainsFunc(prior, func(e undoEntry) bool { return e.name == r.name }) {
			old, had := u.env[r.name]
			prior = append(prior, undoEntry{r.name, old, had})
		}
	}
	u.apply(onFalse)
	for name, v := range delta {
		if o, ok := u.env[name]; ok {
			u.env[name] = merge(v, o)
		} else {
			u.env[name] = v
		}
	}
	for _, p := range prior {
		if _, set := delta[p.name]; set || !p.had {
			continue
		}
		u.env[p.name] = merge(p.old, u.env[p.name])
	}
}

func (u *unit) ifStmt(s pyast.ID) bool {
	t := u.t()
	alone := true
	for c := t.First(s); c >= 0; c = t.Next(c) {
		if t.Field(c) == pyast.FieldAlternative {
			alone = false
			break
		}
	}
	if !alone && joinElseInPlace {
		if orelse, ok := u.simpleIfElse(s); ok {
			return u.ifElse(s, t.Child(s, pyast.FieldCondition), t.Child(s, pyast.FieldConsequence), orelse)
		}
	}
	g, term, joined, out := u.branch(s, t.Child(s, pyast.FieldCondition), t.Child(s, pyast.FieldConsequence), alone)
	if joined {
		u.wrapGuard(g, false)
		return false
	}
	var outs []map[string]val
	all := true
	if !term {
		outs = append(outs, out)
		all = false
	}
	hasElse := false
	for c := t.First(s); c >= 0; c = t.Next(c) {
		if t.Field(c) != pyast.FieldAlternative {
			continue
		}
		switch t.Kind(c) {
		case pyast.KindElifClause:
			if _, term2, _, out2 := u.branch(c, t.Child(c, pyast.FieldCondition), t.Child(c, pyast.FieldConsequence), false); !term2 {
				outs = append(outs, out2)
				all = false
			}
		case pyast.KindElseClause:
			hasElse = true
			if !u.block(t.Body(c)) {
				outs = append(outs, u.env)
				all = false
			}
		}
	}
	if !hasElse {
		outs = append(outs, u.env)
		all = false
	}
	if all {
		return true
	}
	u.env = joinEnvs(outs)
	u.wrapGuard(g, term)
	return false
}

// wrapGuard marks the identity tests of an `if` that guard what follows:
// a body that goes on when the test holds (if note.owner_id ==
// current_user.id: …), or one that ends the request when it fails.
func (u *unit) wrapGuard(g *guard, term bool) {
	if !term {
		for i := range g.ident {
			if g.ident[i].op == "==" || g.ident[i].op == "is" || g.ident[i].op == "in" {
				g.ident[i].guards = true
			}
		}
	}
	if term {
		for i := range g.ident {
			if g.ident[i].op == "!=" || g.ident[i].op == "is not" || g.ident[i].op == "not in" {
				g.ident[i].guards = true
			}
		}
	}
}

// condition evaluates a guard's condition and records what it tests.
func (u *unit) condition(cond pyast.ID, g *guard) {
	t := u.t()
	cond = t.Unwrap(cond)
	switch t.Kind(cond) {
	case pyast.KindBooleanOperator:
		u.condition(t.Child(cond, pyast.FieldLeft), g)
		u.condition(t.Child(cond, pyast.FieldRight), g)
		return
	case pyast.KindNotOperator:
		inner := t.Child(cond, pyast.FieldArgument)
		before := len(g.ident)
		u.condition(inner, g)
		for i := before; i < len(g.ident); i++ { // not (a == b) is a != b
			g.ident[i].op = negate(g.ident[i].op)
		}
		return
	case pyast.KindComparisonOperator:
		ops := t.CompareOps(cond)
		operands := t.Operands(cond)
		vals := make([]val, len(operands))
		for i, o := range operands {
			vals[i] = u.eval(o)
			u.noteRow(g, vals[i])
			if vals[i].has(lIdent) && roleField(t, o) {
				g.role = true
			}
		}
		for i, op := range ops {
			if i+1 >= len(vals) {
				break
			}
			a, b := vals[i], vals[i+1]
			if (a.has(lIdent) && roleLiteral(t, operands[i+1])) || (b.has(lIdent) && roleLiteral(t, operands[i])) {
				g.role = true
			}
			switch {
			case a.has(lIdent) && !b.has(lIdent) && !b.cnst:
				g.ident = append(g.ident, identCmp{node: cond, op: op, other: b})
			case b.has(lIdent) && !a.has(lIdent) && !a.cnst:
				g.ident = append(g.ident, identCmp{node: cond, op: op, other: a})
			}
		}
		return
	}
	v := u.eval(cond)
	u.noteRow(g, v)
	if v.has(lIdent) && roleField(t, cond) || v.has(lRole) {
		g.role = true
	}
	if t.Kind(cond) == pyast.KindCall && roleCallRe.MatchString(t.LastName(t.Callee(cond))) {
		g.role = true
	}
}

var (
	roleValueRe = regexp.MustCompile(`(?i)admin|staff|superuser|owner|manager|moderator|root`)
	roleWordRe  = regexp.MustCompile(`(?i)role|admin|permission|perm\b|superuser|is_staff|privilege|scope|group`)
	roleCallRe  = regexp.MustCompile(`(?i)^(has_role|has_roles|has_permission|has_perm|has_perms|is_admin|is_superuser|check_permission|check_role|require_role|can)$`)
)

// roleField reports whether an expression reads a role or permission off
// an object: current_user.role, user["is_admin"], g.user.roles,
// current_user.has_role("admin"). The root variable's own name does not
// count (a local called admin is not a role check).
func roleField(t *pyast.Tree, id pyast.ID) bool {
	id = t.Unwrap(id)
	switch t.Kind(id) {
	case pyast.KindAttribute:
		return roleWordRe.Match(t.Bytes(t.Child(id, pyast.FieldAttribute))) || roleField(t, t.Child(id, pyast.FieldObject))
	case pyast.KindSubscript:
		if k, ok := t.StringValue(t.Child(id, pyast.FieldSubscript)); ok && roleWordRe.MatchString(k) {
			return true
		}
		return roleField(t, t.Child(id, pyast.FieldValue))
	case pyast.KindCall:
		fn := t.Callee(id)
		if roleCallRe.MatchString(t.LastName(fn)) {
			return true
		}
		if t.LastName(fn) == "get" {
			if k, ok := t.StringValue(t.Arg(id, 0)); ok && roleWordRe.MatchString(k) {
				return true
			}
		}
		if t.Kind(fn) == pyast.KindAttribute {
			return roleField(t, t.Child(fn, pyast.FieldObject))
		}
	}
	return false
}

func roleLiteral(t *pyast.Tree, id pyast.ID) bool {
	s, ok := t.StringValue(id)
	if !ok {
		list, ok2 := t.StringList(id)
		if !ok2 {
			return false
		}
		s = strings.Join(list, " ")
	}
	return roleValueRe.MatchString(s)
}

func negate(op string) string {
	switch op {
	case "==":
		return "!="
	case "!=":
		return "=="
	case "is":
		return "is not"
	case "is not":
		return "is"
	case "in":
		return "not in"
	case "not in":
		return "in"
	}
	return op
}

func (u *unit) noteRow(g *guard, v val) {
	if v.has(lRow) && v.ev >= 0 {
		g.rows = append(g.rows, rowRef{ev: v.ev, field: v.rowField()})
	}
}

// refinement narrows a variable inside a branch.
type refinement struct {
	name string
	v    val
}

func (u *unit) apply(rs []refinement) {
	for _, r := range rs {
		u.set(r.name, r.v)
	}
}

// refine returns what a condition proves about variables when it holds and
// when it does not.
func (u *unit) refine(cond pyast.ID) (onTrue, onFalse []refinement) {
	t := u.t()
	cond = t.Unwrap(cond)
	switch t.Kind(cond) {
	case pyast.KindNotOperator:
		a, b := u.refine(t.Child(cond, pyast.FieldArgument))
		return b, a
	case pyast.KindBooleanOperator:
		lt, lf := u.refine(t.Child(cond, pyast.FieldLeft))
		rt, rf := u.refine(t.Child(cond, pyast.FieldRight))
		if t.Operator(cond) == "and" {
			return append(lt, rt...), nil
		}
		return nil, append(lf, rf...)
	case pyast.KindComparisonOperator:
		ops := t.CompareOps(cond)
		operands := t.Operands(cond)
		if len(ops) != 1 || len(operands) != 2 {
			return nil, nil
		}
		x := t.Unwrap(operands[0])
		if t.Kind(x) != pyast.KindIdentifier {
			return nil, nil
		}
		coll := u.peek(operands[1])
		if !coll.cnst {
			return nil, nil
		}
		name := t.Text(x)
		cur, _ := u.lookup(name)
		clean := cur
		clean.l &^= lReq | lInj | lKey | lOrigin
		clean.cnst = true
		clean.str = nil
		switch ops[0] {
		case "in", "==":
			return []refinement{{name, clean}}, nil
		case "not in", "!=":
			return nil, []refinement{{name, clean}}
		}
	case pyast.KindCall:
		fn := t.Callee(cond)
		name := t.LastName(fn)
		var x pyast.ID = pyast.None
		numeric := false
		switch {
		case name == "isinstance":
			x = t.Arg(cond, 0)
			numeric = numericTypes(t, t.Arg(cond, 1))
		case name == "match" || name == "fullmatch":
			// re.match(p, x), RE.match(x)
			if t.Kind(fn) == pyast.KindAttribute && t.Is(t.Child(fn, pyast.FieldObject), "re") {
				x = t.Arg(cond, 1)
			} else {
				x = t.Arg(cond, 0)
			}
			numeric = true
		case name == "isdigit" || name == "isdecimal" || name == "isnumeric" || name == "isalnum" || name == "isidentifier":
			if t.Kind(fn) == pyast.KindAttribute {
				x = t.Child(fn, pyast.FieldObject)
				numeric = true
			}
		}
		x = t.Unwrap(x)
		if numeric && t.Kind(x) == pyast.KindIdentifier {
			cur, _ := u.lookup(t.Text(x))
			cur.l &^= lInj
			return []refinement{{t.Text(x), cur}}, nil
		}
	}
	return nil, nil
}

// peek evaluates an expression without recording anything it does.
func (u *unit) peek(id pyast.ID) val {
	t := u.t()
	id = t.Unwrap(id)
	switch t.Kind(id) {
	case pyast.KindIdentifier:
		v, ok := u.lookup(t.Text(id))
		if !ok {
			// Unknown globals (imported constants) count as configuration.
			return constVal()
		}
		return v
	case pyast.KindList, pyast.KindTuple, pyast.KindSet, pyast.KindDictionary, pyast.KindString, pyast.KindConcatenatedString:
		return u.eval(id)
	case pyast.KindAttribute:
		v := u.peek(t.Child(id, pyast.FieldObject))
		return v
	case pyast.KindCall:
		// frozenset({...}), set(ALLOWED), ALLOWED.keys()
		fn := t.Callee(id)
		if t.Kind(fn) == pyast.KindAttribute {
			return u.peek(t.Child(fn, pyast.FieldObject))
		}
		if a := t.Arg(id, 0); a >= 0 {
			return u.peek(a)
		}
	}
	return newVal()
}

func numericTypes(t *pyast.Tree, types pyast.ID) bool {
	types = t.Unwrap(types)
	check := func(id pyast.ID) bool {
		return numericTypeNames[t.LastName(id)]
	}
	if t.Kind(types) == pyast.KindTuple {
		for c := t.First(types); c >= 0; c = t.Next(c) {
			if !check(c) {
				return false
			}
		}
		return true
	}
	return check(types)
}

func (u *unit) forStmt(s pyast.ID) {
	t := u.t()
	right := t.Child(s, pyast.FieldRight)
	it := u.eval(right)
	left := t.Child(s, pyast.FieldLeft)
	elem := u.iterElem(right, it)
	u.loops++
	retry := u.isRetryLoop(s)
	if retry {
		u.retry++
	}
	inPlace, mark, before := u.loopStart(t.Child(s, pyast.FieldBody))
	for pass := 0; pass < u.passes(); pass++ {
		u.bindIter(left, elem)
		u.block(t.Child(s, pyast.FieldBody))
	}
	if retry {
		u.retry--
	}
	u.loops--
	u.loopEnd(inPlace, mark, before)
	if alt := t.Child(s, pyast.FieldAlternative); alt >= 0 {
		u.block(t.Body(alt))
	}
}

// iterElem is what iterating over an expression yields. Iterating a request
// dict (or its keys()) yields keys the requester chose; items() yields
// (key, value) pairs.
func (u *unit) iterElem(right pyast.ID, it val) val {
	t := u.t()
	right = t.Unwrap(right)
	e := taintOf(it)
	e.ev = it.ev
	if t.Kind(right) == pyast.KindCall {
		fn := t.Callee(right)
		if t.Kind(fn) == pyast.KindAttribute {
			obj := it // d.items() carries d's labels
			switch t.LastName(fn) {
			case "items", "iteritems":
				k := taintOf(obj)
				k.l &^= lWhole
				v := fieldOf(obj, "")
				if obj.has(lKey) {
					k.l |= lKey
				} else {
					k.l &^= lKey
				}
				kv := val{ev: -1, l: k.l | v.l, p: obj.p}
				kv.setElements([]val{k, v})
				return kv
			case "keys":
				k := taintOf(obj)
				if obj.has(lKey) {
					k.l |= lKey
				}
				return k
			case "values":
				return fieldOf(obj, "")
			}
		}
	}
	if it.has(lKey) {
		// for k in request.json: keys
		e.l |= lKey
		return e
	}
	e.l &^= lWhole
	return e
}

func (u *unit) bindIter(left pyast.ID, elem val) {
	u.bind(left, elem)
}

// passes is how many times a loop body is walked: twice, so that values
// carried around the loop are seen, except in deeply nested loops, where
// doing so would cost 2^depth.
func (u *unit) passes() int {
	if u.loops > 2 {
		return 1
	}
	return 2
}

func (u *unit) whileStmt(s pyast.ID) {
	t := u.t()
	u.eval(t.Child(s, pyast.FieldCondition))
	u.loops++
	retry := u.isRetryLoop(s)
	if retry {
		u.retry++
	}
	inPlace, mark, before := u.loopStart(t.Child(s, pyast.FieldBody))
	for pass := 0; pass < u.passes(); pass++ {
		u.block(t.Child(s, pyast.FieldBody))
	}
	if retry {
		u.retry--
	}
	u.loops--
	u.loopEnd(inPlace, mark, before)
}

// isRetryLoop reports whether a loop retries on serialization failures: its
// body has a try whose except clause names SerializationFailure (or the
// like) or tests pgcode 40001.
func (u *unit) isRetryLoop(loop pyast.ID) bool {
	t := u.t()
	body := t.Child(loop, pyast.FieldBody)
	end := t.End(body)
	for i := body; i < end; i++ {
		if t.Kind(i) == pyast.KindExceptClause && serializationRe.Match(t.Bytes(i)) {
			return true
		}
	}
	return false
}

func (u *unit) tryStmt(s pyast.ID) bool {
	t := u.t()
	before := copyEnv(u.env)
	bodyTerm := u.block(t.Child(s, pyast.FieldBody))
	afterBody := u.env
	var outs []map[string]val
	if !bodyTerm {
		outs = append(outs, afterBody)
	}
	allTerm := bodyTerm
	var finallyBlock pyast.ID = pyast.None
	for c := t.First(s); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case pyast.KindExceptClause, pyast.KindExceptGroupClause:
			// The handler may run after any statement of the body.
			u.env = joinEnvs([]map[string]val{copyEnv(before), afterBody})
			u.bindExcept(c)
			if !u.block(t.ChildOfKind(c, pyast.KindBlock)) {
				outs = append(outs, u.env)
				allTerm = false
			}
		case pyast.KindElseClause:
			if !bodyTerm {
				u.env = afterBody
				term := u.block(t.Body(c))
				outs = outs[:0]
				if !term {
					outs = append(outs, u.env)
				} else {
					allTerm = true
				}
			}
		case pyast.KindFinallyClause:
			finallyBlock = t.ChildOfKind(c, pyast.KindBlock)
		}
	}
	if len(outs) == 0 {
		u.env = afterBody
	} else {
		u.env = joinEnvs(outs)
	}
	if finallyBlock >= 0 {
		if u.block(finallyBlock) {
			return true
		}
	}
	return allTerm && len(outs) == 0
}

// bindExcept binds `except T as e`: e is an exception; its text is lExc
// unless T is an HTTP exception (whose description is meant for clients).
func (u *unit) bindExcept(c pyast.ID) {
	t := u.t()
	v := t.Child(c, pyast.FieldValue)
	if t.Kind(v) == pyast.KindAsPattern {
		typ := t.NamedChild(v, 0)
		alias := t.Child(v, pyast.FieldAlias)
		name := t.NamedChild(alias, 0)
		if t.Kind(name) == pyast.KindIdentifier {
			ev := newVal()
			ev.exc = !u.f.httpException(typ) && u.f.broadException(typ)
			u.set(t.Text(name), ev)
		}
	}
}

// withStmt handles `with conn:` (a transaction), `with engine.begin()`, and
// `with conn.cursor() as cur`.
func (u *unit) withStmt(s pyast.ID) bool {
	t := u.t()
	var opened int
	for c := t.First(s); c >= 0; c = t.Next(c) {
		if t.Kind(c) != pyast.KindWithClause {
			continue
		}
		for item := t.First(c); item >= 0; item = t.Next(item) {
			if t.Kind(item) != pyast.KindWithItem {
				continue
			}
			expr := t.Child(item, pyast.FieldValue)
			var target pyast.ID = pyast.None
			if t.Kind(expr) == pyast.KindAsPattern {
				alias := t.Child(expr, pyast.FieldAlias)
				target = t.NamedChild(alias, 0)
				expr = t.NamedChild(expr, 0)
			}
			v := u.eval(expr)
			if u.managesTxn(expr, v) {
				u.a.scopes++
				u.scopes = append(u.scopes, &txnScope{managed: true, retry: u.retry > 0, id: u.a.scopes})
				opened++
			}
			if target >= 0 {
				u.bind(target, v)
			}
		}
	}
	term := u.block(t.Child(s, pyast.FieldBody))
	u.scopes = u.scopes[:len(u.scopes)-opened]
	return term
}

// managesTxn reports whether a with-item is a transaction: a DB-API
// connection (psycopg2 and psycopg commit or roll back at the end of the
// block), engine.begin(), session.begin(), conn.transaction(), or
// atomic().
func (u *unit) managesTxn(expr pyast.ID, v val) bool {
	t := u.t()
	expr = t.Unwrap(expr)
	if v.obj != nil && v.obj.kind == objConn && t.Kind(expr) != pyast.KindCall {
		return true
	}
	if t.Kind(expr) == pyast.KindCall {
		if txnOpeners[t.LastName(t.Callee(expr))] {
			if t.LastName(t.Callee(expr)) == "connect" {
				// with psycopg2.connect(...) as conn: commits at the end.
				return strings.HasPrefix(u.f.mod.Qualified(t.Callee(expr)), "psycopg")
			}
			return true
		}
		if v.obj != nil && v.obj.kind == objConn {
			return true // with get_db() as conn:
		}
	}
	return false
}
