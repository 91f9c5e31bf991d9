package codescan

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// FastAPI's part of the analysis: what its handlers' and dependencies'
// parameters hold (request data, or the caller for a dependency that
// authenticates), the prefixes and dependencies routers get from
// include_router across modules, and privileged fields of pydantic bodies
// written to the database.

// fastapiEnv returns the values FastAPI binds a function's parameters to,
// nil when FastAPI does not call the function. Path, query, header, cookie
// and body parameters are request data (free text unless their type is a
// number, a UUID, a date or an enum); a pydantic body whose model has
// privileged fields, or keeps undeclared ones, also carries keys the client
// chose; a Request is the request (its state and app are not request
// data); Depends(dep) holds the caller when dep
// authenticates and returns something.
func (f *fileState) fastapiEnv(a *analysis, def pyast.ID) map[string]val {
	ps := f.mod.FastAPIParams(def)
	if ps == nil {
		return nil
	}
	handler := f.mod.FastAPI.Handlers[def]
	out := make(map[string]val, len(ps))
	for _, p := range ps {
		v := newVal()
		text := lReq | lInj
		if f.safeType(p.Type) {
			text = lReq
		}
		switch p.Kind {
		case pyast.ParamPath:
			v.l = text | lPath
			v.setRouteParam(p.Name)
		case pyast.ParamQuery, pyast.ParamHeader, pyast.ParamCookie:
			v.l = text
		case pyast.ParamPlain:
			if !handler && !f.mod.FastAPI.DependencyUsed(f.t.FuncName(def)) {
				continue // a helper's own parameter: numbered for its summary
			}
			v.l = text
		case pyast.ParamBody:
			v.l = lReq | lInj
			md := f.pydanticModel(p.Type)
			if md == nil || len(md.Privileged()) > 0 || md.ExtraAllow {
				// A dict body, or a model with fields the client must not set:
				// the client chooses (some of) the keys.
				v.l |= lKey
			}
		case pyast.ParamRequest:
			v.obj = f.requestObj // request.query_params, await request.json() (eval.go, calls.go)
		case pyast.ParamDepends:
			switch {
			case p.Scheme:
				v.l = lReq | lInj // the credential itself
			case p.Dep != "" && f.depReturnsCaller(p.Dep):
				v.l = lIdent
				a.identUsed = true
			case p.Dep != "" && p.Dep == p.Type && f.pydanticModel(p.Type) != nil:
				v.l = lReq | lInj // Depends() on a model: its fields come from the query
			}
		case pyast.ParamOther:
		}
		out[p.Name] = v
	}
	return out
}

// safeType reports whether FastAPI's validation leaves no room for SQL in
// a value of this type: numbers, UUIDs, dates, booleans and enums.
func (f *fileState) safeType(typ string) bool {
	switch typ {
	case "int", "float", "bool", "UUID", "UUID4", "Decimal", "date", "datetime", "time", "timedelta", "conint",
		"confloat", "condecimal", "PositiveInt", "NegativeInt", "NonNegativeInt", "PositiveFloat", "StrictInt",
		"StrictBool", "StrictFloat", "Literal":
		return true
	}
	return f.classDerives(typ, "Enum")
}

// classDerives reports whether a class of the file (or one it imports from
// the project) derives from a base whose name ends with suffix.
func (f *fileState) classDerives(name, suffix string) bool {
	t := f.t
	d, ok := f.mod.Defs[name]
	if !ok || t.Kind(d) != pyast.KindClassDefinition {
		return false
	}
	sup := t.Child(d, pyast.FieldSuperclasses)
	for c := t.First(sup); c >= 0; c = t.Next(c) {
		if strings.HasSuffix(t.LastName(c), suffix) {
			return true
		}
	}
	return false
}

// pydanticModel finds a model by the name a file uses for it: a class of
// the file, or one imported from another scanned module.
func (f *fileState) pydanticModel(name string) *pyast.Model {
	if name == "" {
		return nil
	}
	if md := f.mod.PydanticModel(name); md != nil {
		return md
	}
	q, ok := f.mod.Imports[name]
	if !ok {
		return nil
	}
	q = f.absolute(q)
	i := strings.LastIndexByte(q, '.')
	if i <= 0 {
		return nil
	}
	g := f.proj.lookupModule(q[:i])
	if g == nil || g == f {
		return nil
	}
	return g.mod.PydanticModel(q[i+1:])
}

// depReturnsCaller reports whether a dependency, here or in the module it
// is imported from, authenticates and returns a value: what it returns is
// the caller (or something of the caller's).
func (f *fileState) depReturnsCaller(dep string) bool {
	g, name := f, dep[strings.LastIndexByte(dep, '.')+1:]
	ref, ok := f.resolveDep(dep)
	if ok {
		g, name = ref.f, ref.name
	} else if pyast.IdentityHelperName(name) {
		return true // imported from outside the scanned tree
	}
	var s *summary
	if g == f {
		s = f.published()[name]
	} else {
		s = f.summaryAt(funcRef{g, name}) // noted when g is in an import cycle
	}
	if s != nil && (s.identity || s.ret.has(lIdent)) {
		return true
	}
	if g == f && g.mod.IdentityHelper(name) {
		return true // another file's helpers are in its summaries
	}
	if g.mod.DependencyAuth(name) == pyast.AuthNone {
		return false
	}
	def, ok := g.mod.Defs[name]
	return ok && returnsValue(g.t, def)
}

// returnsValue reports whether a function returns (or yields) something
// other than None.
func returnsValue(t *pyast.Tree, def pyast.ID) bool {
	body := t.Body(def)
	for i, end := body, t.End(body); i >= 0 && i < end; i++ {
		switch t.Kind(i) {
		case pyast.KindFunctionDefinition, pyast.KindClassDefinition, pyast.KindLambda:
			i = t.End(i) - 1
		case pyast.KindReturnStatement, pyast.KindYield:
			if e := t.NamedChild(i, 0); e >= 0 && t.Kind(e) != pyast.KindNone {
				return true
			}
		}
	}
	return false
}

// depAuth is what a dependency demands, read in the module that defines
// it when that is another file, and refined by its analysis (a role test
// on the caller it receives).
func (f *fileState) depAuth(dep string) pyast.AuthKind {
	name := dep[strings.LastIndexByte(dep, '.')+1:]
	k := f.mod.DependencyAuth(name)
	if ref, ok := f.resolveDep(dep); ok {
		if ref.f != f {
			k = max(k, ref.f.mod.DependencyAuth(ref.name))
		}
		k = authOfBody(ref.f.rootOf[ref.def()], k)
	}
	return k
}

// fastRouter is an application or router of some file.
type fastRouter struct {
	f   *fileState
	v   string
	own string // its own prefix (APIRouter(prefix=…))
	// deps are its own dependencies, already classified.
	deps []pyast.Decorator
	// includes are the include_router calls that mount it.
	includes []fastMount
	done     bool
	busy     bool
	prefix   string
	allDeps  []pyast.Decorator
}

type fastMount struct {
	parent *fastRouter
	prefix string
	deps   []pyast.Decorator
}

// resolveFastAPI gives every FastAPI route its full path (the prefixes of
// the include_router calls that mount its router, across modules, then the
// router's own) and the dependencies it inherits from its router, the
// include_router calls and the application. It runs once every file's root
// analyses are done and before the rules.
func resolveFastAPI(states []*fileState) {
	type key struct {
		f *fileState
		v string
	}
	routers := map[key]*fastRouter{}
	get := func(f *fileState, v string) *fastRouter {
		k := key{f, v}
		if r, ok := routers[k]; ok {
			return r
		}
		r := &fastRouter{f: f, v: v}
		routers[k] = r
		return r
	}
	classify := func(f *fileState, ds []pyast.Decorator) []pyast.Decorator {
		out := slices.Clone(ds)
		for i := range out {
			out[i].Auth = max(out[i].Auth, f.depAuth(out[i].Name))
		}
		return out
	}
	for _, f := range states {
		if f == nil || f.mod.FastAPI == nil {
			continue
		}
		fa := f.mod.FastAPI
		for _, r := range fa.Routers {
			fr := get(f, r.Var)
			fr.own = r.Prefix
			fr.deps = classify(f, r.Deps)
		}
		for app, ds := range fa.AppDeps {
			get(f, app).deps = classify(f, ds)
		}
	}
	for _, h := range states {
		if h == nil || h.mod.FastAPI == nil {
			continue
		}
		for _, inc := range h.mod.FastAPI.Includes {
			g, v := h.includedRouter(inc)
			if g == nil {
				continue
			}
			child := get(g, v)
			child.includes = append(child.includes, fastMount{parent: get(h, inc.Owner), prefix: inc.Prefix, deps: classify(h, inc.Deps)})
		}
	}
	var resolve func(r *fastRouter)
	resolve = func(r *fastRouter) {
		if r.done || r.busy {
			return
		}
		r.busy = true
		prefix := ""
		var deps []pyast.Decorator
		if len(r.includes) > 0 {
			// Mounted more than once: the first mount names the path.
			m := r.includes[0]
			resolve(m.parent)
			prefix = m.parent.prefix + m.prefix
			deps = append(append(deps, m.parent.allDeps...), m.deps...)
		}
		r.prefix = prefix + r.own
		r.allDeps = append(deps, r.deps...)
		r.busy, r.done = false, true
	}
	for _, f := range states {
		if f == nil || f.mod.FastAPI == nil {
			continue
		}
		for _, ri := range f.routes {
			if !f.mod.FastAPI.Handlers[ri.r.Func] {
				continue
			}
			fr := get(f, ri.r.Owner)
			if g, v := f.importedRouter(ri.r.Owner); g != nil {
				fr = get(g, v) // @router.get on a router imported from the module that makes it
			}
			resolve(fr)
			rule := pyast.JoinPrefix(fr.prefix, ri.r.Rule)
			if !strings.HasPrefix(rule, "/") {
				rule = "/" + rule
			}
			ri.path = pyast.Template(rule)
			// The route's own dependencies, read where the route is.
			for i := range ri.r.Decorators {
				d := &ri.r.Decorators[i]
				if strings.HasPrefix(d.Expr, "Depends") || strings.HasPrefix(d.Expr, "Security") {
					d.Auth = max(d.Auth, f.depAuth(d.Name))
				}
			}
			if !fr.prefixedDeps(ri) {
				ri.r.Decorators = append(slices.Clone(fr.allDeps), ri.r.Decorators...)
			}
		}
	}
}

// prefixedDeps reports whether a route's decorators already start with its
// router's inherited dependencies (resolvePaths may run twice on a file).
func (r *fastRouter) prefixedDeps(ri *routeInfo) bool {
	if len(r.allDeps) == 0 {
		return true
	}
	if len(ri.r.Decorators) < len(r.allDeps) {
		return false
	}
	for i, d := range r.allDeps {
		if ri.r.Decorators[i].Node != d.Node || ri.r.Decorators[i].Expr != d.Expr {
			return false
		}
	}
	return true
}

// includedRouter finds the file and variable an include_router call names:
// a router of the same file, one imported by name (from .items import
// router), or an attribute of an imported module (items.router).
func (h *fileState) includedRouter(inc pyast.Include) (*fileState, string) {
	var q string
	switch {
	case inc.Qualifier == "":
		imp, ok := h.mod.Imports[inc.Router]
		if !ok {
			return h, inc.Router
		}
		q = h.absolute(imp)
	default:
		head, rest, _ := strings.Cut(inc.Qualifier, ".")
		imp, ok := h.mod.Imports[head]
		if !ok {
			return nil, ""
		}
		q = h.absolute(imp)
		if rest != "" {
			q += "." + rest
		}
		q += "." + inc.Router
	}
	i := strings.LastIndexByte(q, '.')
	if i <= 0 {
		return nil, ""
	}
	g := h.proj.lookupModule(q[:i])
	if g == nil {
		return nil, ""
	}
	return g, q[i+1:]
}

// checkPrivilegedFields reports a FastAPI handler that writes a privileged
// field of its request model (is_admin, role, owner_id…) to the database:
// the field is declared by the model, or read from a model that keeps
// undeclared fields (extra = "allow"). Whole-model writes (**body.dict())
// are PY-MASS-001's own finding, through the keys the model's value
// carries.
func (f *fileState) checkPrivilegedFields(a *analysis) {
	fa := f.mod.FastAPI
	if fa == nil || a.route == nil || !fa.Handlers[a.def] || a.roleCheck || a.route.auth == pyast.AuthRole {
		return
	}
	t := f.t
	bodies := map[string]*pyast.Model{}
	for _, p := range f.mod.FastAPIParams(a.def) {
		if p.Kind != pyast.ParamBody {
			continue
		}
		if md := f.pydanticModel(p.Type); md != nil && (len(md.Privileged()) > 0 || md.ExtraAllow) {
			bodies[p.Name] = md
		}
	}
	if len(bodies) == 0 {
		return
	}
	// Names bound (directly or through other such names) to a privileged
	// field of a body.
	fields := map[string]string{} // local → field
	body := t.Body(a.def)
	end := t.End(body)
	for pass := 0; pass < 2; pass++ {
		for i := body; i >= 0 && i < end; i++ {
			if t.Kind(i) != pyast.KindAssignment {
				continue
			}
			if fld := f.privilegedIn(t.Child(i, pyast.FieldRight), bodies, fields); fld != "" {
				for _, n := range t.Targets(t.Child(i, pyast.FieldLeft)) {
					fields[n] = fld
				}
			}
		}
	}
	for _, e := range a.events {
		if e.info == nil || !isWrite(e) || e.info.op == "delete" || !t.Contains(a.def, e.node) {
			continue
		}
		fld := f.privilegedIn(t.Args(e.node), bodies, fields)
		if fld == "" {
			continue
		}
		c := f.add(MassModel, e.node, a, fmt.Sprintf("privileged field `%s` of the request body is written to the database by `%s`", fld, f.snippet(e.node)))
		c.key = "field-" + fld
	}
}

// privilegedIn returns the privileged body field an expression reads
// (body.is_admin, body.dict().get("role"), body.dict()["role"]), or that a
// name it uses was bound to; "" if none.
func (f *fileState) privilegedIn(id pyast.ID, bodies map[string]*pyast.Model, fields map[string]string) string {
	t := f.t
	if id < 0 {
		return ""
	}
	for i, end := id, t.End(id); i < end; i++ {
		switch t.Kind(i) {
		case pyast.KindIdentifier:
			if fld, ok := fields[t.Text(i)]; ok && t.Field(i) != pyast.FieldAttribute && t.Field(i) != pyast.FieldName {
				return fld
			}
		case pyast.KindAttribute:
			obj := t.Unwrap(t.Child(i, pyast.FieldObject))
			attr := t.Text(t.Child(i, pyast.FieldAttribute))
			if md := bodies[t.Text(obj)]; md != nil && t.Kind(obj) == pyast.KindIdentifier && slices.Contains(md.Privileged(), attr) {
				return attr
			}
		case pyast.KindCall, pyast.KindSubscript:
			// body.dict().get("role"), body.dict()["role"], getattr(body, "role")
			var recv, key pyast.ID
			if t.Kind(i) == pyast.KindSubscript {
				recv, key = t.Child(i, pyast.FieldValue), t.Child(i, pyast.FieldSubscript)
			} else {
				fn := t.Callee(i)
				switch {
				case t.LastName(fn) == "get" && t.Kind(fn) == pyast.KindAttribute:
					recv, key = t.Child(fn, pyast.FieldObject), t.Arg(i, 0)
				case t.Is(fn, "getattr"):
					recv, key = t.Arg(i, 0), t.Arg(i, 1)
				default:
					continue
				}
			}
			k, ok := t.StringValue(key)
			if !ok || !pyast.PrivilegedField(k) {
				continue
			}
			recv = t.Unwrap(recv)
			if t.Kind(recv) == pyast.KindCall {
				switch t.LastName(t.Callee(recv)) {
				case "dict", "model_dump":
					if fn := t.Callee(recv); t.Kind(fn) == pyast.KindAttribute {
						recv = t.Unwrap(t.Child(fn, pyast.FieldObject))
					}
				}
			}
			if md := bodies[t.Text(recv)]; md != nil && t.Kind(recv) == pyast.KindIdentifier && (md.ExtraAllow || slices.Contains(md.Fields, k)) {
				return k
			}
		}
	}
	return ""
}

var idishRe = regexp.MustCompile(`(?i)^(id|uuid|pk|key|number|slug)$|_(id|uuid|pk|number|no|key|account|card|slug)$`)

// checkInputBOLA is PY-BOLA-001 for the keys a FastAPI handler takes from
// the query string (GET /invoice?id=) or from its body model
// (body.order_id): a keyed statement, or a helper's, uses one with no check
// that the object is the caller's.
func (f *fileState) checkInputBOLA(r *routeInfo) {
	a := r.a
	fa := f.mod.FastAPI
	if fa == nil || !fa.Handlers[a.def] || r.auth == pyast.AuthRole || a.roleCheck || isAdminRoute(r) ||
		!(r.auth == pyast.AuthLogin || a.identUsed) {
		return
	}
	t := f.t
	for _, p := range f.mod.FastAPIParams(a.def) {
		var what string
		var keys map[string]bool // the names that carry the key
		switch p.Kind {
		case pyast.ParamQuery:
			if !idishRe.MatchString(p.Name) {
				continue
			}
			what = "query parameter `" + p.Name + "`"
			keys = f.derivedNames(a.def, p.Name)
		case pyast.ParamBody:
			md := f.pydanticModel(p.Type)
			if md == nil {
				continue
			}
			field := ""
			for _, fl := range md.Fields {
				if idishRe.MatchString(fl) && f.readsField(a.def, p.Name, fl) {
					field = fl
					break
				}
			}
			if field == "" {
				continue
			}
			what = "field `" + field + "` of the request body"
			keys = f.fieldNames(a.def, p.Name, field)
		default:
			continue
		}
		if f.owns(a, p.Name) {
			continue
		}
		for _, e := range writesFirst(a.events) {
			if e.info == nil || !t.Contains(a.def, e.node) {
				continue
			}
			switch {
			case e.info.op == "select" && e.info.where != "", e.info.op == "update", e.info.op == "delete":
			default:
				continue
			}
			if !f.mentionsField(t.Args(e.node), keys) {
				continue
			}
			verb := map[string]string{"select": "reads", "update": "updates", "delete": "deletes"}[e.info.op]
			c := f.add(BOLARead, e.node, a, fmt.Sprintf("`%s` %s the object named by %s with no filter or check on the caller's identity",
				f.snippet(e.node), verb, what))
			c.key = "input-" + p.Name
			relateLookups(f, c, a, e, func(x *sqlEvent) bool { return x.info != nil && f.mentionsField(f.t.Args(x.node), keys) })
			break
		}
	}
}

// readsField reports whether a function reads obj.field.
func (f *fileState) readsField(def pyast.ID, obj, field string) bool {
	t := f.t
	for i, end := def, t.End(def); i < end; i++ {
		if t.Kind(i) == pyast.KindAttribute && t.Is(t.Child(i, pyast.FieldObject), obj) && t.Is(t.Child(i, pyast.FieldAttribute), field) {
			return true
		}
	}
	return false
}

// fieldNames are obj.field (as a dotted name) and the locals assigned from
// it; mentionsField finds either.
func (f *fileState) fieldNames(def pyast.ID, obj, field string) map[string]bool {
	t := f.t
	out := map[string]bool{obj + "." + field: true}
	body := t.Body(def)
	end := t.End(body)
	for pass := 0; pass < 2; pass++ {
		for i := body; i >= 0 && i < end; i++ {
			if t.Kind(i) == pyast.KindAssignment && f.mentionsField(t.Child(i, pyast.FieldRight), out) {
				for _, n := range t.Targets(t.Child(i, pyast.FieldLeft)) {
					out[n] = true
				}
			}
		}
	}
	return out
}

// mentionsField is mentions() where a name may also be an obj.field
// attribute chain.
func (f *fileState) mentionsField(id pyast.ID, names map[string]bool) bool {
	t := f.t
	if id < 0 {
		return false
	}
	for i, end := id, t.End(id); i < end; i++ {
		if t.Kind(i) == pyast.KindAttribute && names[t.DottedName(i)] {
			return true
		}
	}
	return f.mentions(id, names)
}

// resolveDep is resolve() that also follows re-exports: a dependency
// imported from a package whose __init__ imports it from a submodule
// (from apis.auth.utils import get_current_user).
func (f *fileState) resolveDep(dep string) (funcRef, bool) {
	if ref, ok := f.resolve(dep); ok {
		return ref, true
	}
	g, name := f, dep
	for hop := 0; hop < 4; hop++ {
		head, rest, dotted := strings.Cut(name, ".")
		q, ok := g.mod.Imports[head]
		if !ok {
			return funcRef{}, false
		}
		q = g.absolute(q)
		if dotted {
			q += "." + rest
		}
		i := strings.LastIndexByte(q, '.')
		if i <= 0 {
			return funcRef{}, false
		}
		next := g.proj.lookupModule(q[:i])
		if next == nil || next == g {
			return funcRef{}, false
		}
		g, name = next, q[i+1:]
		if d, ok := g.mod.Defs[name]; ok && g.t.Kind(d) == pyast.KindFunctionDefinition {
			return funcRef{g, name}, true
		}
	}
	return funcRef{}, false
}

// importedRouter finds the module and variable of a route's owner when the
// file imports it rather than making it; nil otherwise.
func (f *fileState) importedRouter(owner string) (*fileState, string) {
	fa := f.mod.FastAPI
	for _, r := range fa.Routers {
		if r.Var == owner {
			return nil, ""
		}
	}
	if _, ok := fa.AppDeps[owner]; ok {
		return nil, ""
	}
	inc := pyast.Include{Router: owner}
	if i := strings.LastIndexByte(owner, '.'); i >= 0 {
		inc.Qualifier, inc.Router = owner[:i], owner[i+1:]
	}
	if _, ok := f.mod.Imports[strings.SplitN(owner, ".", 2)[0]]; !ok {
		return nil, ""
	}
	g, v := f.includedRouter(inc)
	if g == f {
		return nil, ""
	}
	return g, v
}
