package pyast

import "strings"

// The routing models beyond @app.route: Flask-RESTful and flask-restx Api
// objects and namespaces, class-based views (MethodView, View, Resource)
// routed by a decorator on the class, views registered in one module and
// defined in another, and connexion's spec-first add_api.

// Mount is an object whose routes are served under another's prefix:
// api = Api(bp, prefix="/v1") mounts api on bp; ns = api.namespace("users")
// mounts ns on api under /users. Parent is "" when the object is mounted
// later (api.init_app(app), api.add_namespace(ns): see Registrations).
type Mount struct {
	Var    string
	Parent string
	Prefix string
	Kind   string // "api" or "namespace"
	// Decorators apply to every view of the object (Api(decorators=[…]),
	// Namespace(decorators=[…])).
	Decorators []Decorator
	Node       ID
	Line       int
}

// PendingView is a view given to add_url_rule or add_resource that is not
// defined in the module: codescan finds it in the module it is imported
// from and builds its routes there (ViewRoutes).
type PendingView struct {
	Owner, Rule, Endpoint string
	// Target is the view as written: views.index, UserResource, Notes.as_view's Notes.
	Target string
	Class  bool
	// Methods is the methods= of add_url_rule when given (nil: the class's own).
	Methods []string
	Node    ID
	Line    int
}

// SpecAPI is connexion's app.add_api("openapi.yaml", base_path="/v1").
type SpecAPI struct {
	Owner    string
	Spec     string
	BasePath string
	HasBase  bool
	Node     ID
	Line     int
}

// SpecApp is a connexion application and where its specifications are
// (specification_dir, relative to the module's directory).
type SpecApp struct {
	Var     string
	SpecDir string
}

// restModules are the packages whose Api and Namespace are modelled.
var restModules = []string{"flask_restful", "flask_restx", "flask_restplus"}

func (m *Module) fromRest(callee ID) bool {
	q := m.Qualified(callee)
	for _, p := range restModules {
		if strings.HasPrefix(q, p+".") {
			return true
		}
	}
	return false
}

// addRouting is the pass for the models above, run once the rest of the
// module is known.
func (m *Module) addRouting() {
	t := m.Tree
	for i := range t.Nodes {
		id := ID(i)
		switch t.Nodes[i].Kind {
		case KindAssignment:
			m.addRestObject(id)
		case KindDecorator:
			m.addClassRoute(id)
		case KindCall:
			m.addRoutingCall(id)
		}
	}
	if len(m.Mounts) == 0 {
		return
	}
	// Api- and namespace-wide decorators go to each view, outermost first.
	for i := range m.Routes {
		r := &m.Routes[i]
		if decs := m.MountDecorators(r.Owner); len(decs) > 0 {
			r.Decorators = append(decs, r.Decorators...)
		}
	}
}

// MountDecorators returns the decorators an Api or namespace of the module
// (and the Api it belongs to) applies to every view, outermost first.
func (m *Module) MountDecorators(owner string) []Decorator {
	var decs []Decorator
	for hops := 0; owner != "" && hops < 8; hops++ {
		mt := m.mount(owner)
		if mt == nil {
			break
		}
		decs = append(append([]Decorator(nil), mt.Decorators...), decs...)
		owner = mt.Parent
	}
	return decs
}

// ClassDecorators returns the decorators a class view applies to its verb
// method (decorators, method_decorators), its bases' in the module first.
func (m *Module) ClassDecorators(cls ID, verb string) []Decorator {
	return m.classDecorators(cls, verb, 0)
}

func (m *Module) mount(v string) *Mount {
	for i := range m.Mounts {
		if m.Mounts[i].Var == v {
			return &m.Mounts[i]
		}
	}
	return nil
}

// addRestObject records api = Api(app, prefix=…), ns = api.namespace(…),
// ns = Namespace(…) and app = connexion.App(…, specification_dir=…).
func (m *Module) addRestObject(id ID) {
	t := m.Tree
	left, right := t.Child(id, FieldLeft), t.Unwrap(t.Child(id, FieldRight))
	if t.Kind(left) != KindIdentifier || t.Kind(right) != KindCall {
		return
	}
	fn := t.Callee(right)
	lastID := fn
	if t.Kind(fn) == KindAttribute {
		lastID = t.Child(fn, FieldAttribute)
	}
	// Decided on the bytes first: most assignments of a large tree are
	// none of these, and naming them costs allocations.
	switch b := t.Bytes(lastID); string(b) {
	case "Api", "Namespace", "namespace", "App", "FlaskApp", "AsyncApp":
	default:
		q, ok := m.Imports[string(b)]
		if t.Kind(fn) != KindIdentifier || !ok || !strings.HasSuffix(q, ".Api") && !strings.HasSuffix(q, ".Namespace") {
			return
		}
	}
	last := t.LastName(fn)
	v := t.Text(left)
	switch {
	case qualifiedLast(m.Qualified(fn)) == "Api" && m.fromRest(fn):
		mt := Mount{Var: v, Kind: "api", Node: id, Line: t.Line(id)}
		mt.Parent = t.DottedName(t.ArgOrKwarg(right, 0, "app"))
		mt.Prefix, _ = t.StringValue(t.Kwarg(right, "prefix"))
		mt.Decorators = m.decoratorList(t.Kwarg(right, "decorators"))
		m.Mounts = append(m.Mounts, mt)
	case qualifiedLast(m.Qualified(fn)) == "Namespace" && m.fromRest(fn):
		m.Mounts = append(m.Mounts, m.namespace(v, "", right, id))
	case last == "namespace" && t.Kind(fn) == KindAttribute && (m.mount(t.DottedName(t.Child(fn, FieldObject))) != nil || m.ImportsRest()):
		m.Mounts = append(m.Mounts, m.namespace(v, t.DottedName(t.Child(fn, FieldObject)), right, id))
	case (last == "App" || last == "FlaskApp" || last == "AsyncApp") && strings.HasPrefix(m.Qualified(fn), "connexion."):
		if last == "App" || last == "AsyncApp" { // FlaskApp is an App already
			m.Apps = append(m.Apps, App{Var: v, Node: id, Line: t.Line(id)})
		}
		dir, _ := t.StringValue(t.Kwarg(right, "specification_dir"))
		m.SpecApps = append(m.SpecApps, SpecApp{Var: v, SpecDir: dir})
	}
}

// namespace is flask-restx's Namespace(name, path=…): its path defaults to
// /name.
func (m *Module) namespace(v, parent string, call, node ID) Mount {
	t := m.Tree
	mt := Mount{Var: v, Parent: parent, Kind: "namespace", Node: node, Line: t.Line(node)}
	name, _ := t.StringValue(t.ArgOrKwarg(call, 0, "name"))
	if p, ok := t.StringValue(t.Kwarg(call, "path")); ok {
		mt.Prefix = p
	} else if name != "" {
		mt.Prefix = "/" + name
	}
	mt.Decorators = m.decoratorList(t.Kwarg(call, "decorators"))
	return mt
}

func (m *Module) decoratorList(list ID) []Decorator {
	t := m.Tree
	list = t.Unwrap(m.resolveConst(list))
	if k := t.Kind(list); k != KindList && k != KindTuple {
		return nil
	}
	var out []Decorator
	for e := t.First(list); e >= 0; e = t.Next(e) {
		d := Decorator{Name: t.LastName(e), Expr: t.Text(e), Node: e}
		d.Auth = ClassifyAuth(d.Name)
		if t.Kind(t.Unwrap(e)) == KindCall {
			d.Name = t.LastName(t.Callee(t.Unwrap(e)))
			d.Auth = ClassifyAuth(d.Name)
		}
		out = append(out, d)
	}
	return out
}

// addClassRoute records @ns.route("/a", "/b") and @api.route(…) on a
// Resource class.
func (m *Module) addClassRoute(dec ID) {
	t := m.Tree
	cls := t.Child(t.Parent(dec), FieldDefinition)
	if t.Kind(cls) != KindClassDefinition {
		return
	}
	expr := t.Unwrap(t.NamedChild(dec, 0))
	if t.Kind(expr) != KindCall {
		return
	}
	fn := t.Callee(expr)
	if t.Kind(fn) != KindAttribute || !t.Is(t.Child(fn, FieldAttribute), "route") {
		return
	}
	owner := t.DottedName(t.Child(fn, FieldObject))
	endpoint, _ := t.StringValue(t.Kwarg(expr, "endpoint"))
	var only []string
	if t.Kwarg(expr, "methods") >= 0 {
		only = m.methods(t.Kwarg(expr, "methods"))
	}
	for i := 0; ; i++ {
		a := t.Arg(expr, i)
		if a < 0 {
			break
		}
		if rule, ok := m.stringConst(a); ok && strings.HasPrefix(rule, "/") {
			m.Routes = append(m.Routes, m.classRoutes(owner, rule, endpoint, cls, only, dec)...)
		}
	}
}

// addRoutingCall records api.add_namespace(ns, path=…), api.init_app(app)
// and connexion's add_api.
func (m *Module) addRoutingCall(call ID) {
	t := m.Tree
	fn := t.Callee(call)
	if t.Kind(fn) != KindAttribute {
		return
	}
	attr := t.Bytes(t.Child(fn, FieldAttribute))
	switch string(attr) {
	case "add_namespace", "init_app", "add_api":
	default:
		return
	}
	owner := t.DottedName(t.Child(fn, FieldObject))
	switch string(attr) {
	case "add_namespace":
		name := t.DottedName(t.ArgOrKwarg(call, 0, "ns"))
		if name == "" {
			return
		}
		r := Registration{Owner: owner, Node: call, Line: t.Line(call)}
		r.Qualifier, r.Blueprint = splitLast(name)
		if p := t.Kwarg(call, "path"); p >= 0 {
			r.URLPrefix, r.HasPrefix = t.StringValue(p)
		}
		m.Registrations = append(m.Registrations, r)
	case "init_app":
		// Only an Api's: db.init_app(app) and the like mount nothing.
		if m.mount(owner) == nil {
			return
		}
		app := t.DottedName(t.ArgOrKwarg(call, 0, "app"))
		if app == "" {
			return
		}
		r := Registration{Owner: app, Blueprint: owner, Node: call, Line: t.Line(call)}
		m.Registrations = append(m.Registrations, r)
	case "add_api":
		spec, ok := m.stringConst(t.ArgOrKwarg(call, 0, "specification"))
		if !ok || spec == "" {
			return
		}
		a := SpecAPI{Owner: owner, Spec: spec, Node: call, Line: t.Line(call)}
		if b := t.Kwarg(call, "base_path"); b >= 0 {
			a.BasePath, a.HasBase = t.StringValue(b)
		}
		m.SpecAPIs = append(m.SpecAPIs, a)
	}
}

func qualifiedLast(q string) string { return q[strings.LastIndexByte(q, '.')+1:] }

func splitLast(name string) (qualifier, last string) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

// classDecorators returns a class's `decorators` and `method_decorators`
// (a list for every method, or a dict by method name), its bases' within
// the module first.
func (m *Module) classDecorators(cls ID, verb string, depth int) []Decorator {
	t := m.Tree
	var out []Decorator
	if depth < 4 {
		sup := t.Child(cls, FieldSuperclasses)
		for c := t.First(sup); c >= 0; c = t.Next(c) {
			if b, ok := m.Defs[t.DottedName(c)]; ok && b != cls && t.Kind(b) == KindClassDefinition {
				out = append(out, m.classDecorators(b, verb, depth+1)...)
			}
		}
	}
	body := t.Body(cls)
	for c := t.First(body); c >= 0; c = t.Next(c) {
		if t.Kind(c) != KindExpressionStatement {
			continue
		}
		a := t.NamedChild(c, 0)
		if t.Kind(a) != KindAssignment {
			continue
		}
		l := t.Child(a, FieldLeft)
		if !t.Is(l, "decorators") && !t.Is(l, "method_decorators") {
			continue
		}
		right := t.Unwrap(t.Child(a, FieldRight))
		if t.Kind(right) == KindDictionary {
			for p := t.First(right); p >= 0; p = t.Next(p) {
				if t.Kind(p) != KindPair {
					continue
				}
				if k, ok := t.StringValue(t.Child(p, FieldKey)); ok && strings.EqualFold(k, verb) {
					out = append(out, m.decoratorList(t.Child(p, FieldValue))...)
				}
			}
			continue
		}
		out = append(out, m.decoratorList(right)...)
	}
	return out
}

// classRoutes builds one route per HTTP method a class view defines: its
// get/post/… methods, or dispatch_request for the methods it lists (a
// plain View).
func (m *Module) classRoutes(owner, rule, endpoint string, cls ID, only []string, node ID) []Route {
	t := m.Tree
	class := t.FuncName(cls)
	var out []Route
	add := func(def ID, verb string) {
		r := Route{Owner: owner, Rule: rule, Methods: []string{verb}, Func: def, Name: class + "." + t.FuncName(def),
			Endpoint: endpoint, Node: node, Line: t.Line(node)}
		r.Decorators = append(r.Decorators, m.classDecorators(cls, verb, 0)...)
		for _, d := range t.Decorators(def) {
			r.Decorators = append(r.Decorators, m.decorator(d))
		}
		r.Params = RuleParams(rule)
		out = append(out, r)
	}
	var dispatch ID = None
	body := t.Body(cls)
	for c := t.First(body); c >= 0; c = t.Next(c) {
		def := t.Definition(c)
		if t.Kind(def) != KindFunctionDefinition {
			continue
		}
		name := t.FuncName(def)
		if name == "dispatch_request" {
			dispatch = def
		}
		verb := strings.ToUpper(name)
		if _, ok := routeVerbs[name]; !ok || verb == "ROUTE" {
			continue
		}
		if only != nil && !contains(only, verb) {
			continue
		}
		add(def, verb)
	}
	if len(out) == 0 && dispatch >= 0 {
		methods := only
		if methods == nil {
			methods = m.classMethods(cls)
		}
		for _, verb := range methods {
			add(dispatch, verb)
		}
	}
	return out
}

// classMethods is a View's `methods = [...]` (GET when it gives none).
func (m *Module) classMethods(cls ID) []string {
	t := m.Tree
	body := t.Body(cls)
	for c := t.First(body); c >= 0; c = t.Next(c) {
		if t.Kind(c) != KindExpressionStatement {
			continue
		}
		a := t.NamedChild(c, 0)
		if t.Kind(a) == KindAssignment && t.Is(t.Child(a, FieldLeft), "methods") {
			return m.methods(t.Child(a, FieldRight))
		}
	}
	return []string{"GET"}
}

// ViewRoutes builds, in the module that defines it, the routes of a view
// registered in another module: def is the view's function or class
// definition here, and each route's Node is that definition.
func (m *Module) ViewRoutes(p PendingView, def ID) []Route {
	t := m.Tree
	switch t.Kind(def) {
	case KindClassDefinition:
		return m.classRoutes(p.Owner, p.Rule, p.Endpoint, def, p.Methods, def)
	case KindFunctionDefinition:
		methods := p.Methods
		if methods == nil {
			methods = []string{"GET"}
		}
		r := Route{Owner: p.Owner, Rule: p.Rule, Methods: methods, Func: def, Name: t.FuncName(def), Endpoint: p.Endpoint,
			Node: def, Line: t.Line(def)}
		if r.Endpoint == "" {
			r.Endpoint = r.Name
		}
		for _, d := range t.Decorators(def) {
			r.Decorators = append(r.Decorators, m.decorator(d))
		}
		r.Params = RuleParams(p.Rule)
		return []Route{r}
	}
	return nil
}

// SpecRoute builds the route of a function that an OpenAPI document names
// by operationId: rule is the Flask form of the document's path, inputs
// its other parameters (query, header, body), auth what its security asks.
func (m *Module) SpecRoute(def ID, method, rule string, auth []Decorator) Route {
	t := m.Tree
	r := Route{Rule: rule, Methods: []string{method}, Func: def, Name: t.FuncName(def), Node: def, Line: t.Line(def)}
	r.Endpoint = r.Name
	r.Decorators = append(r.Decorators, auth...)
	for _, d := range t.Decorators(def) {
		r.Decorators = append(r.Decorators, m.decorator(d))
	}
	r.Params = RuleParams(rule)
	return r
}

func (m *Module) pending(owner, rule, endpoint, target string, class bool, methods []string, node ID) {
	if target == "" {
		return
	}
	m.Pending = append(m.Pending, PendingView{Owner: owner, Rule: rule, Endpoint: endpoint, Target: target, Class: class,
		Methods: methods, Node: node, Line: m.Tree.Line(node)})
}

// RestObject reports whether a name is one of the module's Flask-RESTful or
// flask-restx Api or Namespace objects.
func (m *Module) RestObject(v string) bool { return m.mount(v) != nil }

// ImportsRest reports whether the module imports Flask-RESTful or
// flask-restx (reqparse, Resource, Api…).
func (m *Module) ImportsRest() bool {
	for _, q := range m.Imports {
		for _, p := range restModules {
			if q == p || strings.HasPrefix(q, p+".") {
				return true
			}
		}
	}
	return false
}
