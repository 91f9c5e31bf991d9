package codescan

import (
	"context"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// Some routes are declared far from their handler: api.add_resource(
// UserResource, "/users/<int:id>") in app.py for a class in resources.py,
// app.add_url_rule("/", view_func=views.index), an OpenAPI document that
// names the handler by operationId. They are known only once every file
// is parsed and analysed, so they are attached afterwards and their
// handlers analysed once more, now as routes, before the rules run.

// lateRoute is a route to attach to the file that defines its handler.
type lateRoute struct {
	f      *fileState // the file that defines the handler
	decl   *fileState // the file that declares the route (nil: a spec)
	r      pyast.Route
	inputs map[string]labels
}

// input says whether a handler parameter carries request data other than
// the path's, and which.
func (r *routeInfo) input(name string) (labels, bool) {
	if r == nil || r.inputs == nil {
		return 0, false
	}
	l, ok := r.inputs[name]
	return l, ok
}

// pendingRoutes resolves the views that add_url_rule and add_resource name
// but their module does not define.
func pendingRoutes(states []*fileState) []lateRoute {
	var out []lateRoute
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, p := range f.mod.Pending {
			h, def := f.importedDef(p.Target)
			if h == nil {
				continue
			}
			if p.Class != (h.t.Kind(def) == pyast.KindClassDefinition) {
				continue
			}
			mounted := f.mod.MountDecorators(p.Owner)
			for _, r := range h.mod.ViewRoutes(p, def) {
				if len(mounted) > 0 {
					r.Decorators = append(append([]pyast.Decorator(nil), mounted...), r.Decorators...)
				}
				out = append(out, lateRoute{f: h, decl: f, r: r})
			}
		}
	}
	return out
}

// importedDef finds the module-level function or class a name imported
// into f stands for: UserResource (from resources.user import
// UserResource), views.index (from app import views).
func (f *fileState) importedDef(name string) (*fileState, pyast.ID) {
	qual, last := splitDotted(name)
	var mod string
	if qual == "" {
		q, ok := f.mod.Imports[last]
		if !ok {
			return nil, pyast.None
		}
		mod, last = splitDotted(f.absolute(q))
	} else {
		head, rest, _ := splitFirst(qual)
		q, ok := f.mod.Imports[head]
		if !ok {
			return nil, pyast.None
		}
		mod = f.absolute(q)
		if rest != "" {
			mod += "." + rest
		}
	}
	h := f.proj.lookupModule(mod)
	if h == nil || h == f {
		return nil, pyast.None
	}
	def, ok := h.mod.Defs[last]
	if !ok {
		return nil, pyast.None
	}
	return h, def
}

func splitFirst(s string) (head, rest string, dotted bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// attachLateRoutes adds the routes to their handlers' files and analyses
// those handlers again as routes (request data in their parameters).
func attachLateRoutes(ctx context.Context, workers int, states []*fileState, late []lateRoute) {
	if len(late) == 0 {
		return
	}
	redo := map[*fileState][]pyast.ID{}
	for i := range late {
		l := &late[i]
		f := l.f
		r := l.r
		ri := &routeInfo{r: &r, file: f, methods: r.Methods, decl: l.decl, inputs: l.inputs}
		f.routes = append(f.routes, ri)
		if f.checked {
			f.uncheck() // settled early without routes: checked again with them
		}
		if _, dup := f.routeOf[r.Func]; !dup {
			f.routeOf[r.Func] = ri
			redo[f] = append(redo[f], r.Func)
		} else {
			ri.a = f.rootOf[r.Func] // already a route: analysed as one
		}
	}
	var files []*fileState
	for f := range redo {
		files = append(files, f)
	}
	parallel(ctx, workers, len(files), func(i int) {
		f := files[i]
		for _, def := range redo[f] {
			f.reanalyseRoute(def)
		}
	})
}

// reanalyseRoute replaces a function's root analysis with one as the
// route's handler.
func (f *fileState) reanalyseRoute(def pyast.ID) {
	t := f.t
	ri := f.routeOf[def]
	a := f.newAnalysis(def)
	a.route = ri
	u := f.rootUnit(a, def, ri)
	u.block(t.Body(def))
	a.raises = !u.hasRet && alwaysRaises(t, def)
	replaced := false
	for i, old := range f.roots {
		if old.def == def {
			f.roots[i] = a
			replaced = true
		}
	}
	if !replaced {
		f.roots = append(f.roots, a)
	}
	f.rootOf[def] = a
	for _, r := range f.routes {
		if r.r.Func == def {
			r.a = a
		}
	}
}

// importedApps lists the local names of applications another module
// creates (from config import vuln_app, a connexion App).
func (f *fileState) importedApps() []string {
	var out []string
	for local, q := range f.mod.Imports {
		mod, v := splitDotted(f.absolute(q))
		if mod == "" {
			continue
		}
		h := f.proj.lookupModule(mod)
		if h == nil || h == f {
			continue
		}
		for _, a := range h.mod.Apps {
			if a.Var == v {
				out = append(out, local)
			}
		}
	}
	return out
}

// inheritDecorators gives class views the decorators of base classes
// imported from other modules (class Items(AuthResource) with
// AuthResource's method_decorators in auth.py).
func inheritDecorators(states []*fileState) {
	for _, f := range states {
		if f == nil {
			continue
		}
		t := f.t
		for _, r := range f.routes {
			cls := t.Ancestor(r.r.Func, pyast.KindClassDefinition)
			if cls < 0 || len(r.methods) != 1 {
				continue
			}
			var inherited []pyast.Decorator
			for _, base := range f.importedBases(cls, 0) {
				inherited = append(inherited, base.f.mod.ClassDecorators(base.def, r.methods[0])...)
			}
			if len(inherited) > 0 {
				r.r.Decorators = append(inherited, r.r.Decorators...)
			}
		}
	}
}

type classRef struct {
	f   *fileState
	def pyast.ID
}

// importedBases lists a class's base classes defined in other modules,
// theirs first, up to a few levels.
func (f *fileState) importedBases(cls pyast.ID, depth int) []classRef {
	if depth > 3 {
		return nil
	}
	t := f.t
	var out []classRef
	sup := t.Child(cls, pyast.FieldSuperclasses)
	for c := t.First(sup); c >= 0; c = t.Next(c) {
		name := t.DottedName(c)
		if d, ok := f.mod.Defs[name]; ok {
			if t.Kind(d) == pyast.KindClassDefinition && d != cls {
				out = append(out, f.importedBases(d, depth+1)...)
			}
			continue
		}
		h, def := f.importedDef(name)
		if h == nil || h.t.Kind(def) != pyast.KindClassDefinition {
			continue
		}
		out = append(out, h.importedBases(def, depth+1)...)
		out = append(out, classRef{h, def})
	}
	return out
}
