package pyast

import (
	"regexp"
	"strings"
)

// Module is the Flask model of one Python file: what it imports, its
// applications and blueprints, its routes with their methods, converters and
// auth decorators, its request hooks, and the helpers that return the
// caller's identity. It is built from the syntax alone; codescan adds the
// data flow.
type Module struct {
	Tree *Tree
	// Imports maps a local name to what it stands for: "request" →
	// "flask.request", "sql" → "psycopg2.sql", "np" → "numpy".
	Imports map[string]string
	// Defs holds the module-level functions and classes by name (the last
	// definition wins, as in Python).
	Defs map[string]ID
	// Funcs lists every function definition in the file, outer before inner.
	Funcs         []ID
	Apps          []App
	Blueprints    []Blueprint
	Registrations []Registration
	Routes        []Route
	Hooks         []Hook
	// Mounts, Pending, SpecAPIs and SpecApps are the routing models of
	// routing.go.
	Mounts   []Mount
	Pending  []PendingView
	SpecAPIs []SpecAPI
	// RuntimeRules are add_url_rule calls whose rule is computed (Spec
	// empty): routes registered at run time, from a document or a table.
	RuntimeRules []SpecAPI
	SpecApps     []SpecApp
	// FastAPI is the rest of the FastAPI model (fastapi.go); nil when the
	// file does not import FastAPI.
	FastAPI *FastAPI
	models  map[string]*Model // pydantic models by class name (fastapi.go)

	// identity memoises IdentityHelper: 1 being computed, 2 yes, 3 no.
	identity map[string]uint8
	routeFns map[ID]bool
}

// App is a Flask application object: app = Flask(__name__).
type App struct {
	Var  string
	Node ID
	Line int
}

// Blueprint is bp = Blueprint("notes", __name__, url_prefix="/notes").
type Blueprint struct {
	Var, Name, URLPrefix string
	Node                 ID
	Line                 int
}

// Registration is app.register_blueprint(bp, url_prefix="/api").
type Registration struct {
	Owner     string // the app (or parent blueprint) variable
	Blueprint string // the last name of the argument: bp for notes.bp
	Qualifier string // what precedes it: notes for notes.bp
	URLPrefix string
	HasPrefix bool // url_prefix was given (it overrides the blueprint's)
	Node      ID
	Line      int
}

// Route is one view registered on a URL rule.
type Route struct {
	Owner    string   // app or blueprint variable ("app", "bp"); "" when unknown
	Rule     string   // as written: /notes/<int:note_id>
	Methods  []string // upper case; ["GET"] when the rule gives none
	Func     ID       // the view's function_definition
	Name     string   // view function name; Class.method for class-based views
	Endpoint string
	// Decorators are the view's other decorators, top to bottom (class
	// views: the class's `decorators` list first).
	Decorators []Decorator
	Params     []Param
	Node       ID // the route decorator or the add_url_rule/add_resource call
	Line       int
}

// Param is a variable part of a rule: <int:note_id> is {note_id, int}.
type Param struct {
	Name      string
	Converter string // "string" when none is given
}

// AuthKind classifies a decorator or hook by what it demands of the caller.
type AuthKind uint8

const (
	AuthNone     AuthKind = iota
	AuthLogin             // any authenticated caller (login_required, jwt_required)
	AuthRole              // a role or permission (admin_required, roles_required("admin"))
	AuthOptional          // jwt_required(optional=True): identity if present
)

func (a AuthKind) String() string {
	return [...]string{"none", "login", "role", "optional"}[a]
}

// Decorator is one decorator of a view.
type Decorator struct {
	Name string // last name: login_required for @auth.login_required()
	Expr string // the decorator as written, without the @
	Node ID
	Auth AuthKind // by name; codescan refines it with the decorator's body
}

// Hook is a function registered to run around requests or on errors.
type Hook struct {
	Owner string // app or blueprint variable
	Kind  string // before_request, before_app_request, after_request, errorhandler, teardown_request…
	Func  ID
	Arg   ID // errorhandler: the exception class or status code
	Node  ID
	Line  int
}

var routeVerbs = map[string]string{"route": "", "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}

var hookKinds = map[string]bool{
	"before_request": true, "before_app_request": true, "after_request": true, "after_app_request": true,
	"errorhandler": true, "app_errorhandler": true, "teardown_request": true, "teardown_appcontext": true,
	"before_first_request": true,
}

// Flask builds the model of one file. It never fails: on odd or broken
// input it models what it can.
func Flask(t *Tree) *Module {
	m := &Module{
		Tree:     t,
		Imports:  map[string]string{},
		Defs:     map[string]ID{},
		identity: map[string]uint8{},
		routeFns: map[ID]bool{},
	}
	if len(t.Nodes) == 0 {
		return m
	}
	for c := t.First(t.Root()); c >= 0; c = t.Next(c) {
		if d := t.Definition(c); d >= 0 {
			m.Defs[t.FuncName(d)] = d
		}
	}
	for i := range t.Nodes {
		id := ID(i)
		switch t.Nodes[i].Kind {
		case KindImportStatement, KindImportFromStatement:
			m.addImport(id)
		case KindFunctionDefinition:
			m.Funcs = append(m.Funcs, id)
		case KindAssignment:
			m.addAssignment(id)
		case KindDecorator:
			m.addDecorator(id)
		case KindCall:
			m.addCall(id)
		}
	}
	m.addRouting()
	m.addFastAPI()
	for _, r := range m.Routes {
		m.routeFns[r.Func] = true
	}
	return m
}

func (m *Module) addImport(id ID) {
	t := m.Tree
	if t.Kind(id) == KindImportStatement {
		// import a.b.c        → a: a
		// import a.b as x     → x: a.b
		for c := t.First(id); c >= 0; c = t.Next(c) {
			switch t.Kind(c) {
			case KindDottedName:
				full := t.Text(c)
				m.Imports[strings.SplitN(full, ".", 2)[0]] = strings.SplitN(full, ".", 2)[0]
			case KindAliasedImport:
				m.Imports[t.Text(t.Child(c, FieldAlias))] = t.Text(t.Child(c, FieldName))
			}
		}
		return
	}
	mod := t.Text(t.Child(id, FieldModuleName))
	for c := t.First(id); c >= 0; c = t.Next(c) {
		if t.Field(c) != FieldName {
			continue
		}
		switch t.Kind(c) {
		case KindDottedName:
			m.Imports[t.Text(c)] = join(mod, t.Text(c))
		case KindAliasedImport:
			m.Imports[t.Text(t.Child(c, FieldAlias))] = join(mod, t.Text(t.Child(c, FieldName)))
		}
	}
}

func join(mod, name string) string {
	if mod == "" {
		return name
	}
	if strings.HasSuffix(mod, ".") {
		return mod + name
	}
	return mod + "." + name
}

// Qualified returns the dotted name of an expression with its first part
// resolved through the imports: request.args → flask.request.args, and
// sql.Identifier → psycopg2.sql.Identifier. Names that were not imported are
// returned as written.
func (m *Module) Qualified(id ID) string {
	d := m.Tree.DottedName(id)
	if d == "" {
		return ""
	}
	head, rest, _ := strings.Cut(d, ".")
	if full, ok := m.Imports[head]; ok {
		if rest == "" {
			return full
		}
		return full + "." + rest
	}
	return d
}

func (m *Module) addAssignment(id ID) {
	t := m.Tree
	left, right := t.Child(id, FieldLeft), t.Unwrap(t.Child(id, FieldRight))
	if t.Kind(left) != KindIdentifier || t.Kind(right) != KindCall {
		return
	}
	lastID := t.Callee(right)
	if t.Kind(lastID) == KindAttribute {
		lastID = t.Child(lastID, FieldAttribute)
	}
	switch string(t.Bytes(lastID)) {
	case "Flask", "APIFlask", "FlaskApp", "Blueprint", "APIBlueprint":
	default:
		return
	}
	callee := m.Qualified(t.Callee(right))
	last := callee[strings.LastIndexByte(callee, '.')+1:]
	switch {
	case callee == "flask.Flask" || callee == "Flask" || last == "APIFlask" || callee == "connexion.FlaskApp":
		m.Apps = append(m.Apps, App{Var: t.Text(left), Node: id, Line: t.Line(id)})
	case last == "Blueprint" || last == "APIBlueprint":
		bp := Blueprint{Var: t.Text(left), Node: id, Line: t.Line(id)}
		bp.Name, _ = t.StringValue(t.ArgOrKwarg(right, 0, "name"))
		bp.URLPrefix, _ = t.StringValue(t.Kwarg(right, "url_prefix"))
		m.Blueprints = append(m.Blueprints, bp)
	}
}

// addDecorator records routes and hooks declared with decorators.
func (m *Module) addDecorator(dec ID) {
	t := m.Tree
	def := t.Child(t.Parent(dec), FieldDefinition)
	if t.Kind(def) != KindFunctionDefinition {
		return
	}
	expr := t.Unwrap(t.NamedChild(dec, 0))
	fn := expr
	if t.Kind(expr) == KindCall {
		fn = t.Callee(expr)
	}
	if t.Kind(fn) != KindAttribute {
		return
	}
	attrB := t.Bytes(t.Child(fn, FieldAttribute))
	if _, route := routeVerbs[string(attrB)]; !route && !hookKinds[string(attrB)] {
		return
	}
	owner := t.DottedName(t.Child(fn, FieldObject))
	attr := string(attrB)
	if hookKinds[attr] {
		h := Hook{Owner: owner, Kind: attr, Func: def, Arg: None, Node: dec, Line: t.Line(dec)}
		if t.Kind(expr) == KindCall {
			h.Arg = t.Arg(expr, 0)
		}
		m.Hooks = append(m.Hooks, h)
		return
	}
	verb, ok := routeVerbs[attr]
	if !ok || t.Kind(expr) != KindCall {
		return
	}
	rule, ok := m.stringConst(t.ArgOrKwarg(expr, 0, "rule"))
	if !ok || (rule != "" && !strings.HasPrefix(rule, "/")) || (rule == "" && verb != "") {
		return
	}
	r := Route{Owner: owner, Rule: rule, Func: def, Name: t.FuncName(def), Node: dec, Line: t.Line(dec)}
	if verb != "" {
		r.Methods = []string{verb}
	} else {
		r.Methods = m.methods(t.Kwarg(expr, "methods"))
	}
	r.Endpoint, _ = t.StringValue(t.Kwarg(expr, "endpoint"))
	if r.Endpoint == "" {
		r.Endpoint = r.Name
	}
	for _, d := range t.Decorators(def) {
		if d != dec && !m.isRouteDecorator(d) {
			r.Decorators = append(r.Decorators, m.decorator(d))
		}
	}
	r.Params = RuleParams(rule)
	m.Routes = append(m.Routes, r)
}

func (m *Module) isRouteDecorator(dec ID) bool {
	t := m.Tree
	expr := t.Unwrap(t.NamedChild(dec, 0))
	if t.Kind(expr) != KindCall {
		return false
	}
	fn := t.Callee(expr)
	if t.Kind(fn) != KindAttribute {
		return false
	}
	_, ok := routeVerbs[t.Text(t.Child(fn, FieldAttribute))]
	if !ok {
		return false
	}
	rule, ok := t.StringValue(t.ArgOrKwarg(expr, 0, "rule"))
	return ok && strings.HasPrefix(rule, "/")
}

func (m *Module) decorator(d ID) Decorator {
	t := m.Tree
	expr := t.Unwrap(t.NamedChild(d, 0))
	out := Decorator{Name: t.LastName(expr), Expr: strings.TrimSpace(t.Text(expr)), Node: d}
	out.Auth = ClassifyAuth(out.Name)
	if t.Kind(expr) == KindCall {
		if v, ok := t.Bool(t.Kwarg(expr, "optional")); ok && v && out.Auth == AuthLogin {
			out.Auth = AuthOptional
		}
		// flask_httpauth: @auth.login_required(role="admin")
		if out.Auth == AuthLogin && t.Kwarg(expr, "role") >= 0 {
			out.Auth = AuthRole
		}
	}
	return out
}

func (m *Module) methods(id ID) []string {
	list, _ := m.Tree.StringList(m.resolveConst(id))
	var out []string
	for _, s := range list {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return []string{"GET"}
	}
	return out
}

// resolveConst follows a module-level NAME = literal once.
func (m *Module) resolveConst(id ID) ID {
	t := m.Tree
	if t.Kind(id) != KindIdentifier {
		return id
	}
	name := t.Text(id)
	for c := t.First(t.Root()); c >= 0; c = t.Next(c) {
		if t.Kind(c) != KindExpressionStatement {
			continue
		}
		a := t.NamedChild(c, 0)
		if t.Kind(a) == KindAssignment && t.Is(t.Child(a, FieldLeft), name) {
			return t.Child(a, FieldRight)
		}
	}
	return id
}

func (m *Module) stringConst(id ID) (string, bool) {
	return m.Tree.StringValue(m.resolveConst(id))
}

var callAttrs = map[string]bool{"register_blueprint": true, "add_url_rule": true, "add_resource": true,
	"before_request": true, "after_request": true, "before_app_request": true, "teardown_request": true,
	"teardown_appcontext": true, "register_error_handler": true}

// addCall records add_url_rule, add_resource, register_blueprint and
// hook registrations made by calls.
func (m *Module) addCall(call ID) {
	t := m.Tree
	fn := t.Callee(call)
	if t.Kind(fn) != KindAttribute {
		return
	}
	attrB := t.Bytes(t.Child(fn, FieldAttribute))
	if !callAttrs[string(attrB)] {
		return // the common case, decided without allocating
	}
	owner := t.DottedName(t.Child(fn, FieldObject))
	switch attr := string(attrB); attr {
	case "register_blueprint":
		arg := t.ArgOrKwarg(call, 0, "blueprint")
		name := t.DottedName(arg)
		if name == "" {
			return
		}
		r := Registration{Owner: owner, Node: call, Line: t.Line(call)}
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			r.Qualifier, r.Blueprint = name[:i], name[i+1:]
		} else {
			r.Blueprint = name
		}
		if p := t.Kwarg(call, "url_prefix"); p >= 0 {
			r.URLPrefix, r.HasPrefix = t.StringValue(p)
		}
		m.Registrations = append(m.Registrations, r)
	case "add_url_rule":
		rule, ok := m.stringConst(t.ArgOrKwarg(call, 0, "rule"))
		if !ok {
			// A rule computed at run time: an app that registers its routes
			// from its own OpenAPI document (codescan's spec-first routing).
			// self.add_url_rule is Flask's own route() and its kind.
			if owner != "" && owner != "self" && owner != "cls" {
				m.RuntimeRules = append(m.RuntimeRules, SpecAPI{Owner: owner, Node: call, Line: t.Line(call)})
			}
			return
		}
		if !strings.HasPrefix(rule, "/") {
			return
		}
		endpoint, _ := t.StringValue(t.ArgOrKwarg(call, 1, "endpoint"))
		view := t.ArgOrKwarg(call, 2, "view_func")
		methods := m.methods(t.Kwarg(call, "methods"))
		explicit := t.Kwarg(call, "methods") >= 0
		m.addView(owner, rule, endpoint, view, methods, explicit, call)
	case "add_resource":
		// Flask-RESTful / Flask-RESTX: api.add_resource(Resource, "/a", "/b")
		res := t.Arg(call, 0)
		for i := 1; ; i++ {
			a := t.Arg(call, i)
			if a < 0 {
				break
			}
			if rule, ok := m.stringConst(a); ok && strings.HasPrefix(rule, "/") {
				endpoint, _ := t.StringValue(t.Kwarg(call, "endpoint"))
				m.addClassView(owner, rule, endpoint, t.DottedName(res), nil, call)
			}
		}
	case "before_request", "after_request", "before_app_request", "teardown_request", "teardown_appcontext":
		if f := m.funcByName(t.DottedName(t.Arg(call, 0))); f >= 0 {
			m.Hooks = append(m.Hooks, Hook{Owner: owner, Kind: attr, Func: f, Arg: None, Node: call, Line: t.Line(call)})
		}
	case "register_error_handler":
		if f := m.funcByName(t.DottedName(t.Arg(call, 1))); f >= 0 {
			m.Hooks = append(m.Hooks, Hook{Owner: owner, Kind: "errorhandler", Func: f, Arg: t.Arg(call, 0), Node: call, Line: t.Line(call)})
		}
	}
}

// addView registers a view given to add_url_rule: a function name, or
// Class.as_view("name") for a class-based view.
func (m *Module) addView(owner, rule, endpoint string, view ID, methods []string, explicit bool, node ID) {
	t := m.Tree
	view = t.Unwrap(view)
	if t.Kind(view) == KindCall && t.LastName(t.Callee(view)) == "as_view" {
		cls := t.DottedName(t.Child(t.Callee(view), FieldObject))
		if !explicit {
			methods = nil
		}
		m.addClassView(owner, rule, endpoint, cls, methods, node)
		return
	}
	f := m.funcByName(t.DottedName(view))
	if f < 0 {
		m.pending(owner, rule, endpoint, t.DottedName(view), false, methods, node)
		return
	}
	r := Route{Owner: owner, Rule: rule, Methods: methods, Func: f, Name: t.FuncName(f), Endpoint: endpoint, Node: node, Line: t.Line(node)}
	if r.Endpoint == "" {
		r.Endpoint = r.Name
	}
	for _, d := range t.Decorators(f) {
		r.Decorators = append(r.Decorators, m.decorator(d))
	}
	r.Params = RuleParams(rule)
	m.Routes = append(m.Routes, r)
}

// addClassView adds one route per HTTP method the class defines.
func (m *Module) addClassView(owner, rule, endpoint, class string, only []string, node ID) {
	t := m.Tree
	cls, ok := m.Defs[class]
	if !ok || t.Kind(cls) != KindClassDefinition {
		m.pending(owner, rule, endpoint, class, true, only, node)
		return
	}
	m.Routes = append(m.Routes, m.classRoutes(owner, rule, endpoint, cls, only, node)...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// funcByName finds a function definition by name: module level first, then
// anywhere in the file (views defined inside create_app()).
func (m *Module) funcByName(name string) ID {
	if name == "" {
		return None
	}
	if d, ok := m.Defs[name]; ok && m.Tree.Kind(d) == KindFunctionDefinition {
		return d
	}
	for _, f := range m.Funcs {
		if m.Tree.FuncName(f) == name {
			return f
		}
	}
	return None
}

var ruleParamRe = regexp.MustCompile(`<(?:([A-Za-z_]\w*)(?:\([^)>]*\))?:)?([A-Za-z_]\w*)>`)

// RuleParams returns the variable parts of a Flask rule.
func RuleParams(rule string) []Param {
	if !strings.Contains(rule, "<") {
		return nil
	}
	var out []Param
	for _, s := range ruleParamRe.FindAllStringSubmatch(rule, -1) {
		conv := s[1]
		if conv == "" {
			conv = "string"
		}
		out = append(out, Param{Name: s[2], Converter: conv})
	}
	return out
}

// Template converts a Flask rule to an OpenAPI path template:
// /notes/<int:note_id> → /notes/{note_id}.
func Template(rule string) string {
	if strings.Contains(rule, ":") && strings.Contains(rule, "{") {
		rule = fastParamRe.ReplaceAllString(rule, "{$1}") // FastAPI's {file_path:path}
	}
	if !strings.Contains(rule, "<") {
		return rule
	}
	return ruleParamRe.ReplaceAllString(rule, "{$2}")
}

// JoinPrefix joins a blueprint's url_prefix and a rule the way Flask does.
func JoinPrefix(prefix, rule string) string {
	if prefix == "" {
		return rule
	}
	prefix = strings.TrimRight(prefix, "/")
	if rule == "" {
		return prefix
	}
	return prefix + "/" + strings.TrimLeft(rule, "/")
}

var (
	roleNameWords  = []string{"admin", "role", "permission", "perm_", "_perm", "staff", "superuser", "super_user", "privilege", "scope", "moderator", "rbac", "acl", "group_required", "owner_required"}
	loginNameWords = []string{"login", "auth", "token", "jwt", "loggedin", "logged_in", "signedin", "signed_in", "session_required", "user_required", "require_user", "apikey", "api_key", "key_required"}
)

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// ClassifyAuth says what a decorator demands, from its name alone.
func ClassifyAuth(name string) AuthKind {
	name = strings.ToLower(name)
	switch {
	case name == "":
		return AuthNone
	case containsAny(name, roleNameWords):
		return AuthRole
	case containsAny(name, loginNameWords):
		return AuthLogin
	}
	return AuthNone
}

var (
	identityGAttrRe = regexp.MustCompile(`(?i)user|identity|account|principal|member|uid|subject|actor|caller|customer|tenant|owner|auth`)
	sessionKeyRe    = regexp.MustCompile(`(?i)user|uid|^id$|_id$|account|email|login|identity|^sub$|role|owner|member|customer`)
	identityCalls   = map[string]bool{
		"get_jwt_identity": true, "get_jwt": true, "get_current_user": true, "get_raw_jwt": true,
		"get_jwt_claims": true, "current_user": true, "_get_current_object": true,
	}
)

// identityHelperName reports whether a function's name says it returns the
// caller: get_current_user, current_user_id, load_authenticated_account,
// user_from_token, identity, whoami.
func identityHelperName(name string) bool {
	n := strings.TrimPrefix(strings.ToLower(name), "_")
	if strings.HasPrefix(n, "user_from_") || n == "identity" || n == "get_identity" || n == "whoami" {
		return true
	}
	for _, p := range []string{"get_", "load_", "fetch_"} {
		n = strings.TrimPrefix(n, p)
	}
	n = strings.TrimSuffix(n, "_id")
	for _, q := range []string{"current", "authenticated", "logged_in", "loggedin", "auth", "request", "session", "caller", "active"} {
		if !strings.HasPrefix(n, q) {
			continue
		}
		rest := strings.TrimPrefix(strings.TrimPrefix(n, q), "_")
		switch rest {
		case "user", "account", "identity", "principal", "member", "customer", "subject":
			return true
		}
	}
	return false
}

// IsIdentitySource reports whether an expression, by its shape alone, is
// the caller's identity or part of it: current_user(.id), g.user(["id"]),
// session["user_id"], session.get("uid"), get_jwt_identity(), get_jwt(),
// jwt.decode(...), or a call to one of the module's identity helpers.
func (m *Module) IsIdentitySource(id ID) bool {
	t := m.Tree
	id = t.Unwrap(id)
	if id < 0 {
		return false
	}
	switch t.Kind(id) {
	case KindIdentifier:
		return t.Is(id, "current_user") || t.Is(id, "current_identity")
	case KindAttribute:
		obj := t.Unwrap(t.Child(id, FieldObject))
		attr := t.Child(id, FieldAttribute)
		if t.Is(obj, "g") || m.importOf(obj, "flask.g") {
			return identityGAttrRe.Match(t.Bytes(attr))
		}
		if t.Is(attr, "current_user") && (m.importOf(obj, "flask_login") || m.importOf(obj, "flask_jwt_extended")) {
			return true
		}
		return m.IsIdentitySource(obj)
	case KindSubscript:
		obj := t.Unwrap(t.Child(id, FieldValue))
		if m.isSession(obj) {
			key, ok := t.StringValue(t.Child(id, FieldSubscript))
			return ok && sessionKeyRe.MatchString(key)
		}
		return m.IsIdentitySource(obj)
	case KindCall:
		fn := t.Callee(id)
		name := t.LastName(fn)
		if t.Kind(fn) == KindAttribute {
			obj := t.Unwrap(t.Child(fn, FieldObject))
			switch {
			case m.isSession(obj) && name == "get":
				key, ok := t.StringValue(t.Arg(id, 0))
				return ok && sessionKeyRe.MatchString(key)
			case name == "decode" && (t.Is(obj, "jwt") || strings.HasPrefix(m.Qualified(obj), "jwt")):
				return true
			case name == "current_user" && t.Kind(obj) == KindIdentifier: // flask_httpauth: auth.current_user()
				return true
			case name == "get" && m.IsIdentitySource(obj): // current_user.get("id"), g.user.get("id")
				return true
			}
			if identityCalls[name] && name != "current_user" {
				return true
			}
			return m.IsIdentitySource(obj) && name != "query"
		}
		if t.Kind(fn) == KindIdentifier {
			if identityCalls[name] || m.IdentityHelper(name) {
				return true
			}
			// A helper imported from elsewhere, known by its conventional name.
			_, imported := m.Imports[name]
			return imported && identityHelperName(name)
		}
	}
	return false
}

func (m *Module) isSession(id ID) bool {
	return m.Tree.Is(id, "session") || m.importOf(id, "flask.session")
}

// importOf reports whether an identifier is a local name for an import
// (sess for `from flask import session as sess`), without allocating.
func (m *Module) importOf(id ID, what string) bool {
	t := m.Tree
	if t.Kind(id) != KindIdentifier {
		return false
	}
	q, ok := m.Imports[string(t.Bytes(id))]
	return ok && q == what
}

// IdentityHelper reports whether a module-level function returns the
// caller's identity or something derived from it: get_current_user(), a
// load_user that reads session["user_id"], a token decoder, a helper that
// returns another helper's result; or whose name says so. Routes never
// are. It is computed on first use and remembered.
func (m *Module) IdentityHelper(name string) bool {
	switch m.identity[name] {
	case 1:
		return false // recursion: not proven yet
	case 2:
		return true
	case 3:
		return false
	}
	d, ok := m.Defs[name]
	if !ok || m.Tree.Kind(d) != KindFunctionDefinition || m.routeFns[d] {
		m.identity[name] = 3
		return false
	}
	if identityHelperName(name) {
		m.identity[name] = 2
		return true
	}
	m.identity[name] = 1
	yes := m.returnsIdentity(d)
	if yes {
		m.identity[name] = 2
	} else {
		m.identity[name] = 3
	}
	return yes
}

// returnsIdentity looks at the return statements of a function (not of the
// functions nested in it) for an identity-shaped expression: an identity
// source, a local assigned from one, a conversion or field of either.
func (m *Module) returnsIdentity(def ID) bool {
	t := m.Tree
	body := t.Body(def)
	if body < 0 {
		return false
	}
	tainted := map[string]bool{}
	creds := map[string]bool{}
	rejects := m.turnsAway(body)
	params := map[string]bool{"request": true}
	for _, p := range t.Params(def) {
		params[p] = true
	}
	end := t.End(body)
	// Two passes so that an assignment after its use in a loop still counts.
	for pass := 0; pass < 2; pass++ {
		for i := body; i < end; i++ {
			if t.Kind(i) == KindFunctionDefinition || t.Kind(i) == KindClassDefinition {
				i = t.End(i) - 1
				continue
			}
			if t.Kind(i) != KindAssignment {
				continue
			}
			right := t.Unwrap(t.Child(i, FieldRight))
			if m.credentialRead(right) {
				for _, n := range t.targets(t.Child(i, FieldLeft)) {
					creds[n] = true
				}
				continue
			}
			// A lookup keyed by the identity (fetch_one(q, (uid,))) is the
			// caller's own record; so is one keyed by the credential the
			// request carries, in a function that turns the caller away
			// without one (an API-key or token check written by hand).
			if m.identityShaped(right, tainted) || (t.Kind(right) == KindCall && m.mentionsIdentity(t.Args(right), tainted) &&
				!m.mentionsAny(t.Args(right), params)) || rejects && m.mentionsCall(right, creds) {
				for _, n := range t.targets(t.Child(i, FieldLeft)) {
					tainted[n] = true
				}
			}
		}
	}
	for i := body; i < end; i++ {
		if t.Kind(i) == KindFunctionDefinition || t.Kind(i) == KindClassDefinition {
			i = t.End(i) - 1
			continue
		}
		if t.Kind(i) == KindReturnStatement && m.identityShaped(t.NamedChild(i, 0), tainted) {
			return true
		}
	}
	return false
}

// credentialWordRe names a request header or cookie that carries a
// credential.
var credentialWordRe = regexp.MustCompile(`(?i)auth|api[-_]?key|token|session|bearer`)

// credentialRead reports whether an expression reads a credential from the
// request: request.headers.get("X-API-Key"), request.cookies["session"],
// request.authorization.
func (m *Module) credentialRead(id ID) bool {
	t := m.Tree
	id = t.Unwrap(id)
	var obj, key ID = None, None
	switch t.Kind(id) {
	case KindCall:
		fn := t.Callee(id)
		if t.Kind(fn) != KindAttribute || t.LastName(fn) != "get" {
			return false
		}
		obj, key = t.Child(fn, FieldObject), t.Arg(id, 0)
	case KindSubscript:
		obj, key = t.Child(id, FieldValue), t.Child(id, FieldSubscript)
	case KindAttribute:
		return m.Qualified(id) == "flask.request.authorization"
	default:
		return false
	}
	q := m.Qualified(obj)
	if q != "flask.request.headers" && q != "flask.request.cookies" {
		return false
	}
	k, ok := t.StringValue(key)
	return ok && credentialWordRe.MatchString(k)
}

// turnsAway reports whether a function body ends the request somewhere:
// an abort() or a raise.
func (m *Module) turnsAway(body ID) bool {
	t := m.Tree
	for i, end := body, t.End(body); i < end; i++ {
		switch t.Kind(i) {
		case KindRaiseStatement:
			return true
		case KindCall:
			if t.LastName(t.Callee(i)) == "abort" {
				return true
			}
		}
	}
	return false
}

// mentionsCall reports whether a call expression's arguments, at any depth
// (db().execute(q, (digest(key),)).fetchone()), use one of the names.
func (m *Module) mentionsCall(id ID, names map[string]bool) bool {
	t := m.Tree
	if len(names) == 0 || t.Kind(id) != KindCall {
		return false
	}
	for i, end := id, t.End(id); i < end; i++ {
		if t.Kind(i) == KindIdentifier && names[t.Text(i)] && t.Field(i) != FieldAttribute {
			return true
		}
	}
	return false
}

var conversions = map[string]bool{"int": true, "str": true, "UUID": true, "dict": true, "uuid.UUID": true, "bytes": true}

func (m *Module) identityShaped(id ID, vars map[string]bool) bool {
	t := m.Tree
	id = t.Unwrap(id)
	if id < 0 {
		return false
	}
	if m.IsIdentitySource(id) {
		return true
	}
	switch t.Kind(id) {
	case KindIdentifier:
		return vars[t.Text(id)]
	case KindAttribute:
		return m.identityShaped(t.Child(id, FieldObject), vars)
	case KindSubscript:
		return m.identityShaped(t.Child(id, FieldValue), vars)
	case KindConditionalExpression:
		return m.identityShaped(t.NamedChild(id, 0), vars) || m.identityShaped(t.NamedChild(id, 2), vars)
	case KindBooleanOperator:
		return m.identityShaped(t.Child(id, FieldLeft), vars) || m.identityShaped(t.Child(id, FieldRight), vars)
	case KindCall:
		fn := t.Callee(id)
		if t.Kind(fn) == KindAttribute {
			return m.identityShaped(t.Child(fn, FieldObject), vars)
		}
		return conversions[t.DottedName(fn)] && m.identityShaped(t.Arg(id, 0), vars)
	}
	return false
}

// mentionsAny reports whether an expression uses one of the names.
func (m *Module) mentionsAny(id ID, names map[string]bool) bool {
	t := m.Tree
	if id < 0 {
		return false
	}
	for i, end := id, t.End(id); i < end; i++ {
		if t.Kind(i) == KindIdentifier && names[t.Text(i)] && t.Field(i) != FieldAttribute && t.Field(i) != FieldName {
			return true
		}
	}
	return false
}

func (m *Module) mentionsIdentity(id ID, vars map[string]bool) bool {
	t := m.Tree
	if id < 0 {
		return false
	}
	end := t.End(id)
	for i := id; i < end; i++ {
		if m.IsIdentitySource(i) {
			return true
		}
		if t.Kind(i) == KindIdentifier && vars[t.Text(i)] && t.Field(i) != FieldAttribute && t.Field(i) != FieldName {
			return true
		}
	}
	return false
}

// targets lists the names an assignment target binds (a, b = …; (a, b) = …).
func (t *Tree) targets(id ID) []string {
	switch t.Kind(id) {
	case KindIdentifier:
		return []string{t.Text(id)}
	case KindPatternList, KindTuplePattern, KindListPattern, KindTuple, KindList, KindExpressionList:
		var out []string
		for c := t.First(id); c >= 0; c = t.Next(c) {
			out = append(out, t.targets(c)...)
		}
		return out
	case KindListSplatPattern, KindListSplat:
		return t.targets(t.NamedChild(id, 0))
	}
	return nil
}

// Targets lists the names an assignment target binds.
func (t *Tree) Targets(id ID) []string { return t.targets(id) }
