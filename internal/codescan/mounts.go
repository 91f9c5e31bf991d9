package codescan

import (
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// objKey names an object routes are declared on (a blueprint, an Api, a
// namespace) by the file that defines it and its variable there.
type objKey struct {
	f *fileState
	v string
}

// mountGraph works out the URL prefix of every such object across the
// project: a blueprint's url_prefix (or the one register_blueprint gives),
// after the prefix of the blueprint or app it is registered on (nested
// blueprints), an Api's prefix after its app's or blueprint's, a
// namespace's path after its Api's.
type mountGraph struct {
	states   []*fileState
	own      map[objKey]string
	parent   map[objKey]objKey
	override map[objKey]string
	memo     map[objKey]string
	resolved map[objKey]resolution // resolve's answers by file and name
}

type resolution struct {
	k  objKey
	ok bool
}

// maxMountDepth bounds a chain of mounts (a cycle of registrations, however
// unlikely, must not loop).
const maxMountDepth = 16

func newMountGraph(states []*fileState) *mountGraph {
	g := &mountGraph{states: states, own: map[objKey]string{}, parent: map[objKey]objKey{},
		override: map[objKey]string{}, memo: map[objKey]string{}, resolved: map[objKey]resolution{}}
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, b := range f.mod.Blueprints {
			g.own[objKey{f, b.Var}] = b.URLPrefix
		}
		for _, m := range f.mod.Mounts {
			g.own[objKey{f, m.Var}] = m.Prefix
		}
	}
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, m := range f.mod.Mounts {
			if m.Parent == "" {
				continue
			}
			if p, ok := g.resolve(f, m.Parent); ok {
				g.parent[objKey{f, m.Var}] = p
			}
		}
		for _, r := range f.mod.Registrations {
			name := r.Blueprint
			if r.Qualifier != "" {
				name = r.Qualifier + "." + r.Blueprint
			}
			child, ok := g.resolve(f, name)
			if !ok {
				continue
			}
			if _, done := g.parent[child]; !done {
				if p, ok := g.resolve(f, r.Owner); ok {
					g.parent[child] = p
				} else {
					g.parent[child] = objKey{f, r.Owner} // an app: no prefix of its own
				}
			}
			if _, done := g.override[child]; !done && r.HasPrefix {
				g.override[child] = r.URLPrefix
			}
		}
	}
	return g
}

// resolve finds the object a name stands for in a file: one it defines, or
// one it imports (from app.api import bp; from . import views → views.bp).
// Failing that, the only object of that name in the project.
func (g *mountGraph) resolve(f *fileState, name string) (objKey, bool) {
	if name == "" {
		return objKey{}, false
	}
	if r, ok := g.resolved[objKey{f, name}]; ok {
		return r.k, r.ok
	}
	k, ok := g.find(f, name)
	g.resolved[objKey{f, name}] = resolution{k, ok}
	return k, ok
}

func (g *mountGraph) find(f *fileState, name string) (objKey, bool) {
	qual, last := splitDotted(name)
	if qual == "" {
		if g.defines(f, last) {
			return objKey{f, last}, true
		}
		if q, ok := f.mod.Imports[last]; ok {
			mod, v := splitDotted(f.absolute(q))
			if h := f.proj.lookupModule(mod); h != nil && g.defines(h, v) {
				return objKey{h, v}, true
			}
		}
	} else {
		head, rest, _ := strings.Cut(qual, ".")
		mod := qual
		if q, ok := f.mod.Imports[head]; ok {
			mod = f.absolute(q)
			if rest != "" {
				mod += "." + rest
			}
		}
		if h := f.proj.lookupModule(mod); h != nil && g.defines(h, last) {
			return objKey{h, last}, true
		}
	}
	var found objKey
	n := 0
	for _, h := range g.states {
		if h != nil && g.defines(h, last) {
			found = objKey{h, last}
			n++
		}
	}
	return found, n == 1
}

func (g *mountGraph) defines(f *fileState, v string) bool {
	_, ok := g.own[objKey{f, v}]
	return ok
}

// prefix is the full URL prefix of the object a file names owner.
func (g *mountGraph) prefix(f *fileState, owner string) string {
	k, ok := g.resolve(f, owner)
	if !ok {
		return ""
	}
	return g.full(k, 0)
}

func (g *mountGraph) full(k objKey, depth int) string {
	if p, ok := g.memo[k]; ok {
		return p
	}
	own, ok := g.override[k]
	if !ok {
		own = g.own[k]
	}
	p := own
	if parent, ok := g.parent[k]; ok && depth < maxMountDepth && parent != k {
		p = joinMount(g.full(parent, depth+1), own)
	}
	g.memo[k] = p
	return p
}

// joinMount joins two prefixes the way Flask does (one slash between).
func joinMount(outer, inner string) string {
	if outer == "" {
		return inner
	}
	if inner == "" {
		return strings.TrimRight(outer, "/")
	}
	return pyast.JoinPrefix(outer, inner)
}

func splitDotted(name string) (qualifier, last string) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

// routePath is a route's path template with every prefix it is served under.
func (g *mountGraph) routePath(r *routeInfo) string {
	decl := r.file
	if r.decl != nil {
		decl = r.decl
	}
	rule := r.r.Rule
	if r.r.Owner != "" {
		rule = pyast.JoinPrefix(g.prefix(decl, r.r.Owner), rule)
	}
	if !strings.HasPrefix(rule, "/") {
		rule = "/" + rule
	}
	return pyast.Template(rule)
}
