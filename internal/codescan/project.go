package codescan

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// Data flow crosses modules through imports: `from app.db import fetch_all`
// makes fetch_all's summary available to the importing file. Summaries are
// computed in rounds over all files at once (each round reads the previous
// round's summaries of other files), so helpers of helpers in other modules
// are seen after a few rounds.

// funcRef names a module-level function of a scanned file.
type funcRef struct {
	f    *fileState
	name string
}

func (r funcRef) def() pyast.ID { return r.f.mod.Defs[r.name] }

// moduleName turns a path relative to the scanned directory into a dotted
// module name: app/db.py → app.db, app/__init__.py → app.
func moduleName(rel string) (module, pkg string) {
	rel = strings.TrimSuffix(filepath.ToSlash(rel), ".py")
	parts := strings.Split(rel, "/")
	if parts[len(parts)-1] == "__init__" {
		parts = parts[:len(parts)-1]
		return strings.Join(parts, "."), strings.Join(parts, ".")
	}
	return strings.Join(parts, "."), strings.Join(parts[:len(parts)-1], ".")
}

// index builds the project's module table and works out which functions of
// each file other files import (they need summaries even when the file
// itself never calls them).
func index(states []*fileState, proj *project) {
	proj.modules = map[string]*fileState{}
	for _, f := range states {
		if f != nil && f.module != "" {
			proj.modules[f.module] = f
		}
	}
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, q := range f.mod.Imports {
			q = f.absolute(q)
			if g := proj.lookupModule(q); g != nil {
				g.exportAll = true // import app.db (as db): any function may be used
				continue
			}
			if i := strings.LastIndexByte(q, '.'); i > 0 {
				if g := proj.lookupModule(q[:i]); g != nil {
					g.exported[q[i+1:]] = true
				}
			}
		}
	}
}

// lookupModule finds a scanned module by its dotted name, allowing the scan
// to have started inside the package (app.db found as db).
func (p *project) lookupModule(m string) *fileState {
	if p == nil || p.modules == nil || m == "" {
		return nil
	}
	for {
		if g, ok := p.modules[m]; ok {
			return g
		}
		i := strings.IndexByte(m, '.')
		if i < 0 {
			return nil
		}
		m = m[i+1:]
	}
}

// absolute resolves a relative import (".db.fetch") against the file's
// package.
func (f *fileState) absolute(q string) string {
	if !strings.HasPrefix(q, ".") {
		return q
	}
	dots := len(q) - len(strings.TrimLeft(q, "."))
	base := strings.Split(f.pkg, ".")
	if f.pkg == "" {
		base = nil
	}
	up := dots - 1
	if up > len(base) {
		up = len(base)
	}
	base = base[:len(base)-up]
	rest := q[dots:]
	if len(base) == 0 {
		return rest
	}
	return strings.Join(base, ".") + "." + rest
}

// published returns the file's summaries once they are final (files are
// summarised in import order); while the file is mid-summary (an import
// cycle), its previous pass.
func (f *fileState) published() map[string]*summary {
	f.sumMu.Lock()
	defer f.sumMu.Unlock()
	return f.pub
}

// resolve finds the function a callee refers to: a module-level function
// of this file, or one imported from another scanned file (by name, or as
// module.function).
func (f *fileState) resolve(name string) (funcRef, bool) {
	if name == "" {
		return funcRef{}, false
	}
	if !strings.Contains(name, ".") {
		if d, ok := f.mod.Defs[name]; ok {
			if f.t.Kind(d) == pyast.KindFunctionDefinition {
				return funcRef{f, name}, true
			}
			return funcRef{}, false
		}
		if q, ok := f.mod.Imports[name]; ok {
			return f.resolveQualified(f.absolute(q))
		}
		return funcRef{}, false
	}
	head, rest, _ := strings.Cut(name, ".")
	if q, ok := f.mod.Imports[head]; ok {
		return f.resolveQualified(f.absolute(q) + "." + rest)
	}
	return funcRef{}, false
}

func (f *fileState) resolveQualified(q string) (funcRef, bool) {
	i := strings.LastIndexByte(q, '.')
	if i <= 0 {
		return funcRef{}, false
	}
	g := f.proj.lookupModule(q[:i])
	if g == nil {
		return funcRef{}, false
	}
	name := q[i+1:]
	if d, ok := g.mod.Defs[name]; ok && g.t.Kind(d) == pyast.KindFunctionDefinition {
		return funcRef{g, name}, true
	}
	return funcRef{}, false
}

// summaryOf returns the summary of the function a callee refers to. During
// the summary rounds a file sees its own fresh summaries and the other
// files' published ones.
func (f *fileState) summaryOf(name string) *summary {
	ref, ok := f.resolve(name)
	if !ok {
		return nil
	}
	if ref.f == f {
		if f.next != nil {
			return f.next[ref.name]
		}
		return f.sums[ref.name]
	}
	return ref.f.published()[ref.name]
}

// needsSummary lists the functions of the file whose summaries are needed,
// callees before callers (so that one pass usually suffices), and says
// whether the local call graph has a cycle (then passes repeat until the
// summaries settle).
func (f *fileState) needsSummary() (order []string, cyclic bool) {
	need := map[string]bool{}
	for name, d := range f.mod.Defs {
		if f.t.Kind(d) != pyast.KindFunctionDefinition || f.isRouteFunc(d) {
			continue
		}
		if f.called[name] || f.exported[name] || f.exportAll {
			need[name] = true
		}
	}
	var names []string
	for name := range need {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return f.mod.Defs[names[i]] < f.mod.Defs[names[j]] })
	state := map[string]int{} // 1 on the stack, 2 done
	var visit func(name string)
	visit = func(name string) {
		state[name] = 1
		def := f.mod.Defs[name]
		t := f.t
		for i, end := def, t.End(def); i < end; i++ {
			if t.Kind(i) != pyast.KindCall {
				continue
			}
			fn := t.Callee(i)
			if t.Kind(fn) != pyast.KindIdentifier {
				continue
			}
			callee := t.Text(fn)
			if !need[callee] {
				continue
			}
			switch state[callee] {
			case 0:
				visit(callee)
			case 1:
				cyclic = true
			}
		}
		state[name] = 2
		order = append(order, name)
	}
	for _, name := range names {
		if state[name] == 0 {
			visit(name)
		}
	}
	return order, cyclic
}

// summarize computes the file's summaries: callees first, repeating only
// when recursion makes a pass incomplete. Other files' summaries it needs
// are final (files are summarised in import order). The last pass's
// analyses are kept: they are the helpers' root analyses.
func (f *fileState) summarize() {
	t := f.t
	order, cyclic := f.needsSummary()
	f.next = map[string]*summary{}
	f.sumAnalyses = map[pyast.ID]*analysis{}
	for pass := 0; pass < maxRounds; pass++ {
		changed := false
		for _, name := range order {
			def := f.mod.Defs[name]
			a := f.newAnalysis(def)
			a.sum = &summary{sinkFile: f}
			u := f.rootUnit(a, def, nil)
			u.block(t.Body(def))
			a.raises = !u.hasRet && alwaysRaises(t, def)
			f.summarise(a, u, name)
			if old := f.next[name]; old == nil || !old.same(a.sum) {
				changed = true
			}
			f.next[name] = a.sum
			f.sumAnalyses[def] = a
		}
		if !changed || !cyclic && !f.cyclicImports {
			break
		}
	}
	f.sums = f.next
	f.next = nil
	f.sumMu.Lock()
	f.pub = f.sums
	f.sumMu.Unlock()
}

// summaryLevels orders the files so that a module's summaries are computed
// after those of the modules it imports from. Files in an import cycle are
// marked; they get one more pass at the end.
func summaryLevels(states []*fileState) [][]*fileState {
	level := map[*fileState]int{}
	onStack := map[*fileState]bool{}
	var visit func(f *fileState) int
	visit = func(f *fileState) int {
		if l, ok := level[f]; ok {
			return l
		}
		if onStack[f] {
			f.cyclicImports = true
			return 0
		}
		onStack[f] = true
		l := 0
		for _, g := range f.deps() {
			if onStack[g] {
				f.cyclicImports, g.cyclicImports = true, true
				continue
			}
			if x := visit(g) + 1; x > l {
				l = x
			}
		}
		onStack[f] = false
		level[f] = l
		return l
	}
	var out [][]*fileState
	for _, f := range states {
		if f == nil {
			continue
		}
		l := visit(f)
		for len(out) <= l {
			out = append(out, nil)
		}
		out[l] = append(out[l], f)
	}
	return out
}

// deps lists the scanned files this file imports from.
func (f *fileState) deps() []*fileState {
	seen := map[*fileState]bool{}
	var out []*fileState
	for _, q := range f.mod.Imports {
		q = f.absolute(q)
		g := f.proj.lookupModule(q)
		if g == nil {
			if i := strings.LastIndexByte(q, '.'); i > 0 {
				g = f.proj.lookupModule(q[:i])
			}
		}
		if g != nil && g != f && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}
