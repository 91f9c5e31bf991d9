package pyast

import (
	"regexp"
	"strings"
)

// The FastAPI model of one file: applications and routers, the routes their
// decorators declare (with the path parameters of the path and the
// signature, and the dependencies that authenticate), include_router calls,
// pydantic models, and what each parameter of a handler or dependency is
// bound to. Routes go into Module.Routes like Flask's, so that the rules see
// both frameworks alike; what only FastAPI has is in Module.FastAPI.

// FastAPI is what a module declares for FastAPI beyond its routes.
type FastAPI struct {
	Routers  []Router
	Includes []Include
	// Deps are the dependencies given to FastAPI(dependencies=[…]), by the
	// application's variable.
	AppDeps map[string][]Decorator
	// Handlers are the route functions.
	Handlers map[ID]bool
	// depUsed holds the names given to Depends()/Security() in the file.
	depUsed map[string]bool
	// depKind memoises DependencyAuth: 1 being computed, else AuthKind+2.
	depKind map[string]uint8
}

// Router is router = APIRouter(prefix="/items", dependencies=[…]).
type Router struct {
	Var, Prefix string
	Deps        []Decorator
	Node        ID
	Line        int
}

// Include is app.include_router(router, prefix="/api", dependencies=[…]).
type Include struct {
	Owner     string // the app or router that includes
	Router    string // last name of the argument: router for items.router
	Qualifier string // what precedes it: items for items.router
	Prefix    string
	Deps      []Decorator
	Node      ID
	Line      int
}

// Model is a pydantic model (a class deriving BaseModel, directly or through
// another model of the file).
type Model struct {
	Name   string
	Node   ID
	Fields []string
	// ExtraAllow is Config.extra = "allow" (or model_config extra="allow"):
	// fields the model does not declare are kept.
	ExtraAllow bool
}

// Privileged lists the fields a client must not set.
func (md *Model) Privileged() []string {
	var out []string
	for _, f := range md.Fields {
		if PrivilegedField(f) {
			out = append(out, f)
		}
	}
	return out
}

var privilegedRe = regexp.MustCompile(`(?i)^(role|roles|is_admin|admin|is_staff|is_superuser|superuser|permissions|scopes|owner_id|owner|user_id|tenant_id|org_id|organization_id|balance|credit|credits|is_verified|verified|email_verified)$`)

// PrivilegedField reports whether a field name is one only the server should
// set: the fields the mass-assignment rules name (role, is_admin, owner_id,
// tenant_id, balance…).
func PrivilegedField(name string) bool { return privilegedRe.MatchString(name) }

// ParamKind says what FastAPI binds a parameter to.
type ParamKind uint8

const (
	ParamPlain   ParamKind = iota // not bound by FastAPI (a helper's parameter)
	ParamPath                     // a path parameter
	ParamQuery                    // a query parameter (the default for scalars)
	ParamHeader                   // Header()
	ParamCookie                   // Cookie()
	ParamBody                     // a pydantic model, Body(), Form(), File()
	ParamDepends                  // Depends()/Security(): the dependency's result
	ParamRequest                  // Request, WebSocket, HTTPConnection
	ParamOther                    // Response, BackgroundTasks, SecurityScopes: no request data
)

// FastParam is one parameter of a handler or a dependency.
type FastParam struct {
	Name string
	Kind ParamKind
	// Type is the annotation's main name, wrappers (Optional, Annotated,
	// List…) removed: int, str, UUID, ItemIn.
	Type string
	// Dep is the dotted name given to Depends()/Security(); "" when it is a
	// call (Depends(HTTPBearer())) or absent (Depends() takes the type).
	Dep     string
	DepNode ID
	// Scheme says the dependency is a security scheme (HTTPBearer(),
	// OAuth2PasswordBearer, APIKeyHeader…): the value is a credential.
	Scheme bool
	Node   ID
}

var fastVerbs = map[string]string{"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
	"head": "HEAD", "options": "OPTIONS", "trace": "TRACE", "api_route": ""}

var securitySchemes = map[string]bool{"HTTPBearer": true, "HTTPBasic": true, "HTTPDigest": true,
	"OAuth2PasswordBearer": true, "OAuth2AuthorizationCodeBearer": true, "OAuth2": true, "OpenIdConnect": true,
	"APIKeyHeader": true, "APIKeyCookie": true, "APIKeyQuery": true}

// Types whose values cannot carry SQL: FastAPI validates them before the
// handler runs.
var safeTypes = map[string]bool{"int": true, "float": true, "bool": true, "UUID": true, "UUID4": true, "Decimal": true,
	"date": true, "datetime": true, "time": true, "timedelta": true, "conint": true, "confloat": true, "condecimal": true,
	"PositiveInt": true, "NegativeInt": true, "NonNegativeInt": true, "PositiveFloat": true, "StrictInt": true,
	"StrictBool": true, "StrictFloat": true, "Literal": true}

var typeWrappers = map[string]bool{"Optional": true, "Annotated": true, "Union": true, "List": true, "list": true,
	"Set": true, "set": true, "Sequence": true, "Tuple": true, "tuple": true, "typing": true, "conlist": true, "None": true}

// isFastAPI reports whether the file imports FastAPI.
func (m *Module) isFastAPI() bool { return m.importsAny("fastapi") }

// importsAny reports whether the file imports one of the packages (or
// something of theirs).
func (m *Module) importsAny(pkgs ...string) bool {
	for _, q := range m.Imports {
		for _, p := range pkgs {
			if q == p || strings.HasPrefix(q, p+".") {
				return true
			}
		}
	}
	return false
}

// fastAPIByShape reports whether a file that imports neither FastAPI nor
// Flask decorates routes on a router it imports (from .public import
// public; @public.get("/status/{code}")) the way only FastAPI can: a
// {param} path, or a handler with parameters and no <param> in its path.
func (m *Module) fastAPIByShape() bool {
	if m.importsFlask() {
		return false
	}
	t := m.Tree
	for i := range t.Nodes {
		dec := ID(i)
		if t.Kind(dec) != KindDecorator {
			continue
		}
		expr := t.Unwrap(t.NamedChild(dec, 0))
		fn := t.Callee(expr)
		if t.Kind(fn) != KindAttribute {
			continue
		}
		if _, ok := fastVerbs[t.Text(t.Child(fn, FieldAttribute))]; !ok {
			continue
		}
		if root := t.RootName(fn); root < 0 || m.Imports[t.Text(root)] == "" {
			continue
		}
		path, ok := t.StringValue(t.ArgOrKwarg(expr, 0, "path"))
		if !ok || strings.Contains(path, "<") {
			continue
		}
		def := t.Child(t.Parent(dec), FieldDefinition)
		if strings.Contains(path, "{") || len(t.Params(def)) > 0 {
			return true
		}
	}
	return false
}

func (m *Module) importsFlask() bool {
	for _, q := range m.Imports {
		if q == "flask" || strings.HasPrefix(q, "flask.") {
			return true
		}
	}
	return false
}

// addFastAPI builds the FastAPI part of the model. Flask's pass has taken
// @app.get("/x/{id}") for a Flask route: those of FastAPI owners are
// replaced by FastAPI's reading of them.
func (m *Module) addFastAPI() {
	t := m.Tree
	if m.importsAny("pydantic", "sqlmodel", "fastapi") {
		// Other files' analyses read the models from several goroutines:
		// they are made now, and only read afterwards.
		for name, d := range m.Defs {
			if t.Kind(d) == KindClassDefinition {
				if md := m.pydanticModel(name, 0); md != nil {
					if m.models == nil {
						m.models = map[string]*Model{}
					}
					m.models[name] = md
				}
			}
		}
	}
	if !m.isFastAPI() && !m.fastAPIByShape() {
		return
	}
	fa := &FastAPI{AppDeps: map[string][]Decorator{}, Handlers: map[ID]bool{}, depUsed: map[string]bool{},
		depKind: map[string]uint8{}}
	m.FastAPI = fa
	owners := map[string]bool{}
	for i := range t.Nodes {
		id := ID(i)
		switch t.Kind(id) {
		case KindAssignment:
			left, right := t.Child(id, FieldLeft), t.Unwrap(t.Child(id, FieldRight))
			if t.Kind(left) != KindIdentifier || t.Kind(right) != KindCall {
				continue
			}
			switch t.LastName(t.Callee(right)) {
			case "FastAPI":
				m.Apps = append(m.Apps, App{Var: t.Text(left), Node: id, Line: t.Line(id)})
				fa.AppDeps[t.Text(left)] = m.depList(t.Kwarg(right, "dependencies"))
				owners[t.Text(left)] = true
			case "APIRouter":
				r := Router{Var: t.Text(left), Node: id, Line: t.Line(id)}
				r.Prefix, _ = m.stringConst(t.Kwarg(right, "prefix"))
				r.Deps = m.depList(t.Kwarg(right, "dependencies"))
				fa.Routers = append(fa.Routers, r)
				owners[t.Text(left)] = true
			}
		case KindCall:
			name := t.LastName(t.Callee(id))
			switch name {
			case "Depends", "Security":
				if d := t.DottedName(t.ArgOrKwarg(id, 0, "dependency")); d != "" {
					fa.depUsed[d] = true
				}
			case "include_router":
				fn := t.Callee(id)
				if t.Kind(fn) != KindAttribute {
					continue
				}
				arg := t.DottedName(t.ArgOrKwarg(id, 0, "router"))
				if arg == "" {
					continue
				}
				inc := Include{Owner: t.DottedName(t.Child(fn, FieldObject)), Node: id, Line: t.Line(id)}
				if i := strings.LastIndexByte(arg, '.'); i >= 0 {
					inc.Qualifier, inc.Router = arg[:i], arg[i+1:]
				} else {
					inc.Router = arg
				}
				inc.Prefix, _ = m.stringConst(t.Kwarg(id, "prefix"))
				inc.Deps = m.depList(t.Kwarg(id, "dependencies"))
				fa.Includes = append(fa.Includes, inc)
			}
		}
	}
	flaskToo := m.importsFlask()
	var routes []Route
	handled := map[ID]bool{}
	for i := range t.Nodes {
		if t.Kind(ID(i)) != KindDecorator {
			continue
		}
		if r, ok := m.fastRoute(ID(i), owners, flaskToo); ok {
			routes = append(routes, r)
			handled[r.Node] = true
			fa.Handlers[r.Func] = true
		}
	}
	kept := m.Routes[:0]
	for _, r := range m.Routes {
		if !handled[r.Node] {
			kept = append(kept, r)
		}
	}
	m.Routes = append(kept, routes...)
	// Other files' analyses read this model from several goroutines: what
	// is memoised is computed now, and only read afterwards.
	for _, def := range m.Funcs {
		if !fa.Handlers[def] {
			m.DependencyAuth(t.FuncName(def))
		}
	}
}

// IdentityHelperName reports whether a function's name says it returns the
// caller (get_current_user, current_account, whoami…).
func IdentityHelperName(name string) bool { return identityHelperName(name) }

// DependencyUsed reports whether the file gives a function of this name to
// Depends() or Security().
func (fa *FastAPI) DependencyUsed(name string) bool { return fa.depUsed[name] }

// fastRoute reads @app.get("/items/{item_id}", dependencies=[…]) and
// @router.api_route("/x", methods=[…]).
func (m *Module) fastRoute(dec ID, owners map[string]bool, flaskToo bool) (Route, bool) {
	t := m.Tree
	def := t.Child(t.Parent(dec), FieldDefinition)
	expr := t.Unwrap(t.NamedChild(dec, 0))
	if t.Kind(def) != KindFunctionDefinition || t.Kind(expr) != KindCall {
		return Route{}, false
	}
	fn := t.Callee(expr)
	if t.Kind(fn) != KindAttribute {
		return Route{}, false
	}
	verb, ok := fastVerbs[t.Text(t.Child(fn, FieldAttribute))]
	if !ok {
		return Route{}, false
	}
	owner := t.DottedName(t.Child(fn, FieldObject))
	if !owners[owner] && flaskToo {
		return Route{}, false // a Flask app in a file that also imports FastAPI
	}
	path, ok := m.stringConst(t.ArgOrKwarg(expr, 0, "path"))
	if !ok || (path != "" && !strings.HasPrefix(path, "/")) {
		return Route{}, false
	}
	r := Route{Owner: owner, Rule: path, Func: def, Name: t.FuncName(def), Node: dec, Line: t.Line(dec)}
	if verb != "" {
		r.Methods = []string{verb}
	} else {
		r.Methods = m.methods(t.Kwarg(expr, "methods"))
	}
	r.Endpoint = r.Name
	r.Decorators = append(r.Decorators, m.depList(t.Kwarg(expr, "dependencies"))...)
	for _, d := range t.Decorators(def) {
		if d != dec && !m.isRouteDecorator(d) {
			r.Decorators = append(r.Decorators, m.decorator(d))
		}
	}
	// Dependencies of the signature whose value is the caller (or that
	// check it) authenticate the route like a decorator.
	for _, p := range m.fastParams(def, path, true) {
		if p.Kind == ParamDepends {
			if d, ok := m.callDep(p.DepNode); ok {
				r.Decorators = append(r.Decorators, d)
			}
		}
	}
	conv := map[string]string{}
	for _, p := range m.fastParams(def, path, true) {
		if p.Kind == ParamPath {
			conv[p.Name] = converterOf(p.Type)
		}
	}
	for _, p := range FastPathParams(path) {
		if p.Converter == "string" && conv[p.Name] != "" {
			p.Converter = conv[p.Name]
		}
		r.Params = append(r.Params, p)
	}
	return r, true
}

func converterOf(typ string) string {
	switch typ {
	case "int", "conint", "PositiveInt", "NonNegativeInt", "StrictInt":
		return "int"
	case "float", "confloat", "Decimal", "condecimal":
		return "float"
	case "UUID", "UUID4":
		return "uuid"
	}
	return ""
}

var fastParamRe = regexp.MustCompile(`\{([A-Za-z_]\w*)(?::([A-Za-z_]\w*))?\}`)

// FastPathParams returns the parameters of a FastAPI path: {item_id} is
// {item_id, string}, {file_path:path} is {file_path, path}.
func FastPathParams(path string) []Param {
	var out []Param
	for _, s := range fastParamRe.FindAllStringSubmatch(path, -1) {
		conv := s[2]
		if conv == "" {
			conv = "string"
		}
		out = append(out, Param{Name: s[1], Converter: conv})
	}
	return out
}

// depList reads dependencies=[Depends(a), Security(b, scopes=[…])].
func (m *Module) depList(list ID) []Decorator {
	t := m.Tree
	list = t.Unwrap(m.resolveConst(list))
	var out []Decorator
	for c := t.First(list); c >= 0; c = t.Next(c) {
		c = t.Unwrap(c)
		if t.Kind(c) != KindCall {
			continue
		}
		if d, ok := m.callDep(c); ok {
			out = append(out, d)
		}
	}
	return out
}

// callDep reads Depends(x) or Security(x) as a decorator: x a function
// (classified by DependencyAuth), a security scheme (HTTPBearer(): the
// route needs a credential, unless auto_error=False) or another callable
// (RoleChecker(["admin"]): by its name).
func (m *Module) callDep(c ID) (Decorator, bool) {
	t := m.Tree
	switch t.LastName(t.Callee(c)) {
	case "Depends", "Security":
	default:
		return Decorator{}, false
	}
	arg := t.Unwrap(t.ArgOrKwarg(c, 0, "dependency"))
	if d := t.DottedName(arg); d != "" {
		if m.isSchemeVar(d) {
			return Decorator{Name: d, Expr: strings.TrimSpace(t.Text(c)), Node: c, Auth: AuthLogin}, true
		}
		dec := m.depDecorator(d, c)
		// Security(get_current_user, scopes=["items:write"]): a permission.
		if list, _ := t.StringList(t.Kwarg(c, "scopes")); len(list) > 0 {
			dec.Auth = AuthRole
		}
		return dec, true
	}
	if t.Kind(arg) != KindCall {
		return Decorator{}, false
	}
	name := t.LastName(t.Callee(arg))
	d := Decorator{Name: name, Expr: strings.TrimSpace(t.Text(c)), Node: c, Auth: ClassifyAuth(name)}
	if securitySchemes[name] {
		d.Auth = AuthLogin
		if v, ok := t.Bool(t.Kwarg(arg, "auto_error")); ok && !v {
			d.Auth = AuthOptional
		}
	}
	return d, true
}

// depDecorator is a dependency seen as an authentication decorator.
func (m *Module) depDecorator(dep string, node ID) Decorator {
	t := m.Tree
	name := dep[strings.LastIndexByte(dep, '.')+1:]
	return Decorator{Name: dep, Expr: strings.TrimSpace(t.Text(node)), Node: node, Auth: m.DependencyAuth(name)}
}

// DependencyAuth says what a dependency of this file demands of the
// caller, from its name, its parameters and its body: a dependency whose
// parameter is a security scheme's credential (or another authenticating
// dependency) and that returns a value or ends the request authenticates;
// one whose name says admin or role, or whose body compares a role, demands
// a role. Dependencies of other files are classified by their own module.
func (m *Module) DependencyAuth(name string) AuthKind {
	fa := m.FastAPI
	byName := ClassifyAuth(name)
	if fa == nil {
		return byName
	}
	switch k := fa.depKind[name]; {
	case k == 1:
		return byName
	case k >= 2:
		return AuthKind(k - 2)
	}
	def := m.funcByName(name)
	if def < 0 {
		if byName == AuthNone && identityHelperName(name) {
			return AuthLogin // get_current_user imported from elsewhere
		}
		return byName
	}
	fa.depKind[name] = 1
	kind := byName
	{
		authn := false
		for _, p := range m.fastParams(def, "", false) {
			switch {
			case p.Scheme:
				authn = true
			case p.Kind == ParamDepends && p.Dep != "":
				sub := p.Dep[strings.LastIndexByte(p.Dep, '.')+1:]
				switch m.DependencyAuth(sub) {
				case AuthRole:
					kind = AuthRole
				case AuthLogin:
					authn = true
				}
			case p.Kind == ParamHeader || p.Kind == ParamCookie:
				if credentialName(p.Name) {
					authn = true
				}
			}
		}
		if m.IdentityHelper(name) || m.decodesToken(def) {
			authn = true
		}
		if authn && kind == AuthNone {
			kind = AuthLogin
		}
		if authn && m.comparesRole(def) {
			kind = AuthRole
		}
	}
	fa.depKind[name] = uint8(kind) + 2
	return kind
}

var credentialRe = regexp.MustCompile(`(?i)^(authorization|x_?api_?key|api_?key|x_?token|x_?auth_?token|token|access_token|session|session_?id|x_?session_?token)$`)

func credentialName(name string) bool { return credentialRe.MatchString(name) }

// decodesToken reports whether a function body decodes a token itself.
func (m *Module) decodesToken(def ID) bool {
	t := m.Tree
	for i, end := def, t.End(def); i < end; i++ {
		if t.Kind(i) == KindCall && m.IsIdentitySource(i) {
			return true
		}
	}
	return false
}

var roleCmpRe = regexp.MustCompile(`(?i)\b(role|roles|is_admin|is_staff|is_superuser|admin|permissions?|scopes)\b`)

// comparesRole reports whether a function tests a role in a condition that
// ends the request (if user.role != "admin": raise HTTPException(403)).
func (m *Module) comparesRole(def ID) bool {
	t := m.Tree
	for i, end := def, t.End(def); i < end; i++ {
		if t.Kind(i) != KindIfStatement {
			continue
		}
		cond := t.Child(i, FieldCondition)
		if !roleCmpRe.Match(t.Bytes(cond)) {
			continue
		}
		body := t.Child(i, FieldConsequence)
		for c := t.First(body); c >= 0; c = t.Next(c) {
			if t.Kind(c) == KindRaiseStatement {
				return true
			}
		}
	}
	return false
}

// FastAPIParams returns what FastAPI binds each parameter of a function to,
// or nil when FastAPI does not call it: only route handlers, the functions
// the file gives to Depends(), and functions with a FastAPI marker
// (Depends, Header, Query…) or a Request parameter are.
func (m *Module) FastAPIParams(def ID) []FastParam {
	fa := m.FastAPI
	if fa == nil {
		return nil
	}
	t := m.Tree
	if fa.Handlers[def] {
		path := ""
		for _, r := range m.Routes {
			if r.Func == def {
				path = r.Rule
				break
			}
		}
		return m.fastParams(def, path, true)
	}
	ps := m.fastParams(def, "", false)
	if fa.depUsed[t.FuncName(def)] {
		return ps
	}
	for _, p := range ps {
		if p.Kind != ParamPlain && p.Kind != ParamQuery && p.Kind != ParamBody {
			return ps
		}
	}
	return nil
}

// fastParams classifies a function's parameters. Without a route's path, a
// plain parameter with no marker is ParamPlain (a dependency's such
// parameter is a query parameter: FastAPIParams' callers decide).
func (m *Module) fastParams(def ID, path string, handler bool) []FastParam {
	t := m.Tree
	inPath := map[string]bool{}
	for _, p := range FastPathParams(path) {
		inPath[p.Name] = true
	}
	var out []FastParam
	ps := t.Child(def, FieldParameters)
	for c := t.First(ps); c >= 0; c = t.Next(c) {
		name := t.ParamName(c)
		if name == "" || name == "self" || name == "cls" {
			continue
		}
		p := FastParam{Name: name, Node: c, DepNode: None}
		typ := t.Child(c, FieldType)
		val := t.Child(c, FieldValue)
		if t.Kind(c) == KindDefaultParameter {
			val = t.Child(c, FieldValue)
		}
		p.Type = m.typeName(typ)
		marker := m.marker(val)
		if marker < 0 {
			marker = m.markerIn(typ)
		}
		switch t.LastName(t.Callee(marker)) {
		case "Depends", "Security":
			p.Kind = ParamDepends
			dep := t.Unwrap(t.ArgOrKwarg(marker, 0, "dependency"))
			p.DepNode = marker
			switch {
			case t.Kind(dep) == KindCall:
				p.Scheme = securitySchemes[t.LastName(t.Callee(dep))]
			case dep >= 0:
				p.Dep = t.DottedName(dep)
				p.Scheme = m.isSchemeVar(p.Dep)
			default:
				// Depends() with no argument: the annotation's class.
				p.Dep = p.Type
			}
		case "Header":
			p.Kind = ParamHeader
		case "Cookie":
			p.Kind = ParamCookie
		case "Path":
			p.Kind = ParamPath
		case "Query":
			p.Kind = ParamQuery
		case "Body", "Form", "File":
			p.Kind = ParamBody
		default:
			switch p.Type {
			case "Request", "WebSocket", "HTTPConnection":
				p.Kind = ParamRequest
			case "Response", "BackgroundTasks", "SecurityScopes", "Session", "AsyncSession", "Connection":
				p.Kind = ParamOther
			default:
				switch {
				case inPath[name]:
					p.Kind = ParamPath
				case m.PydanticModel(p.Type) != nil || (p.Type != "" && !safeTypes[p.Type] && startsUpperASCII(p.Type) &&
					p.Type != "Any" && p.Type != "EmailStr" && !m.isEnum(p.Type) && m.importedClass(p.Type)):
					p.Kind = ParamBody
				case handler:
					p.Kind = ParamQuery
				default:
					p.Kind = ParamPlain
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// marker returns the call a parameter's default is, when it is one of
// FastAPI's markers (Depends(), Query()…).
func (m *Module) marker(val ID) ID {
	t := m.Tree
	val = t.Unwrap(val)
	if t.Kind(val) != KindCall {
		return None
	}
	switch t.LastName(t.Callee(val)) {
	case "Depends", "Security", "Header", "Cookie", "Path", "Query", "Body", "Form", "File":
		return val
	}
	return None
}

// markerIn finds a marker inside an annotation: Annotated[User,
// Depends(current_user)], or a module-level alias of one
// (CurrentUser = Annotated[…]).
func (m *Module) markerIn(typ ID) ID {
	t := m.Tree
	if typ < 0 {
		return None
	}
	for i, end := typ, t.End(typ); i < end; i++ {
		if k := m.marker(i); k >= 0 {
			return k
		}
		if t.Kind(i) == KindIdentifier && startsUpperASCII(t.Text(i)) {
			if alias := m.resolveConst(i); alias != i {
				for j, e2 := alias, t.End(alias); j < e2; j++ {
					if k := m.marker(j); k >= 0 {
						return k
					}
				}
			}
		}
	}
	return None
}

// typeName is an annotation's main name, wrappers removed.
func (m *Module) typeName(typ ID) string { return m.typeNameVia(typ, 0) }

// maxAliasHops bounds how many module-level aliases typeName follows: a
// chain longer than that is not written by hand, and one that loops (T =
// list[T], or hostile input) would otherwise recurse until the stack is
// exhausted.
const maxAliasHops = 8

func (m *Module) typeNameVia(typ ID, hops int) string {
	t := m.Tree
	if typ < 0 {
		return ""
	}
	for i, end := typ, t.End(typ); i < end; i++ {
		switch t.Kind(i) {
		case KindCall:
			// constr(...), conint(...): the call's own name; skip its arguments.
			n := t.LastName(t.Callee(i))
			if n == "Depends" || n == "Security" {
				i = t.End(i) - 1
				continue
			}
			return n
		case KindAttribute:
			n := t.Text(t.Child(i, FieldAttribute))
			if !typeWrappers[n] {
				return n
			}
			i = t.End(i) - 1
		case KindIdentifier:
			n := t.Text(i)
			if !typeWrappers[n] {
				// A module-level alias (CurrentUser = Annotated[User, …]).
				if alias := m.resolveConst(i); alias != i && hops < maxAliasHops && t.Kind(t.Unwrap(alias)) != KindCall {
					if s := m.typeNameVia(alias, hops+1); s != "" && s != n {
						return s
					}
				}
				return n
			}
		}
	}
	return ""
}

// isSchemeVar reports whether a module-level name holds a security scheme:
// oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token").
func (m *Module) isSchemeVar(name string) bool {
	t := m.Tree
	for c := t.First(t.Root()); c >= 0; c = t.Next(c) {
		if t.Kind(c) != KindExpressionStatement {
			continue
		}
		a := t.NamedChild(c, 0)
		if t.Kind(a) == KindAssignment && t.Is(t.Child(a, FieldLeft), name) {
			r := t.Unwrap(t.Child(a, FieldRight))
			return t.Kind(r) == KindCall && securitySchemes[t.LastName(t.Callee(r))]
		}
	}
	if q, ok := m.Imports[name]; ok {
		return strings.Contains(strings.ToLower(q), "scheme")
	}
	return false
}

func (m *Module) isEnum(name string) bool {
	t := m.Tree
	d, ok := m.Defs[name]
	if !ok || t.Kind(d) != KindClassDefinition {
		return false
	}
	sup := t.Child(d, FieldSuperclasses)
	for c := t.First(sup); c >= 0; c = t.Next(c) {
		if strings.HasSuffix(t.LastName(c), "Enum") {
			return true
		}
	}
	return false
}

// importedClass reports whether a capitalised name is imported from a
// module other than FastAPI's, pydantic's, typing's and the standard
// library's: a model of another file of the project.
func (m *Module) importedClass(name string) bool {
	q, ok := m.Imports[name]
	if !ok {
		return false
	}
	for _, p := range []string{"fastapi", "starlette", "pydantic", "typing", "datetime", "uuid", "decimal", "enum", "sqlalchemy"} {
		if q == p || strings.HasPrefix(q, p+".") {
			return false
		}
	}
	return true
}

func startsUpperASCII(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// PydanticModel returns the model a class name of this file stands for, nil
// when it is not one.
func (m *Module) PydanticModel(name string) *Model {
	return m.models[name]
}

func (m *Module) pydanticModel(name string, depth int) *Model {
	t := m.Tree
	d, ok := m.Defs[name]
	if !ok || t.Kind(d) != KindClassDefinition || depth > 8 {
		return nil
	}
	var md *Model
	extra := false
	sup := t.Child(d, FieldSuperclasses)
	for c := t.First(sup); c >= 0; c = t.Next(c) {
		if t.Kind(c) == KindKeywordArgument {
			// class M(BaseModel, extra=Extra.allow) (pydantic 1) or extra="allow" (2)
			if t.Is(t.Child(c, FieldName), "extra") {
				v := t.Child(c, FieldValue)
				s, _ := t.StringValue(v)
				extra = s == "allow" || t.LastName(v) == "allow"
			}
			continue
		}
		base := t.LastName(c)
		switch {
		case base == "BaseModel" || base == "SQLModel":
			if md == nil {
				md = &Model{Name: name, Node: d}
			}
		case base != name:
			if parent := m.pydanticModel(base, depth+1); parent != nil {
				if md == nil {
					md = &Model{Name: name, Node: d}
				}
				md.Fields = append(md.Fields, parent.Fields...)
				md.ExtraAllow = md.ExtraAllow || parent.ExtraAllow
			}
		}
	}
	if md == nil {
		return nil
	}
	md.ExtraAllow = md.ExtraAllow || extra
	body := t.Body(d)
	for c := t.First(body); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case KindExpressionStatement:
			a := t.NamedChild(c, 0)
			if t.Kind(a) != KindAssignment {
				continue
			}
			left := t.Child(a, FieldLeft)
			if t.Kind(left) != KindIdentifier {
				continue
			}
			n := t.Text(left)
			if n == "model_config" {
				if strings.Contains(t.Text(t.Child(a, FieldRight)), `"allow"`) || strings.Contains(t.Text(t.Child(a, FieldRight)), `'allow'`) {
					md.ExtraAllow = true
				}
				continue
			}
			// A field has an annotation (x: int = 0); a bare assignment is a
			// class attribute.
			if t.Child(a, FieldType) >= 0 {
				md.Fields = append(md.Fields, n)
			}
		case KindClassDefinition:
			if t.FuncName(c) == "Config" && m.configAllowsExtra(c) {
				md.ExtraAllow = true
			}
		}
	}
	return md
}

// configAllowsExtra reads class Config: extra = "allow" (or Extra.allow).
// A conditional value counts when either side allows.
func (m *Module) configAllowsExtra(cls ID) bool {
	t := m.Tree
	body := t.Body(cls)
	for c := t.First(body); c >= 0; c = t.Next(c) {
		a := t.NamedChild(c, 0)
		if t.Kind(a) != KindAssignment || !t.Is(t.Child(a, FieldLeft), "extra") {
			continue
		}
		r := t.Unwrap(t.Child(a, FieldRight))
		for i, end := r, t.End(r); i < end; i++ {
			if s, ok := t.StringValue(i); ok && s == "allow" {
				return true
			}
			if t.Kind(i) == KindAttribute && t.Is(t.Child(i, FieldAttribute), "allow") {
				return true
			}
		}
	}
	return false
}
