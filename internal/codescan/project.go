package codescan

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// Data flow crosses modules through imports: `from app.db import fetch_all`
// makes fetch_all's summary available to the importing file. A file is
// summarised after the files it imports (schedule.go); across an import
// cycle, twice (importCycles).

// funcRef names a module-level function of a scanned file.
type funcRef struct {
	f    *fileState
	name string
}

func (r funcRef) def() pyast.ID { return r.f.defOf(r.name) }

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

// modules is the project's module table. It is built from the file names
// before any file is parsed, so that a file's dependencies are known as
// soon as it is parsed; a file's state appears in it once the file is
// parsed (files that are skipped or fail never appear).
type modules struct {
	byName map[string][]int // dotted name → indexes of the files of that name, in scan order
	loaded []atomic.Pointer[fileState]
}

func newModules(names []string) *modules {
	m := &modules{byName: map[string][]int{}, loaded: make([]atomic.Pointer[fileState], len(names))}
	for i, name := range names {
		if name != "" {
			m.byName[name] = append(m.byName[name], i)
		}
	}
	return m
}

// indexes calls yield with every file that lookupModule(name) may return,
// whichever files turn out to parse.
func (m *modules) indexes(name string, yield func(int)) {
	for name != "" {
		for _, i := range m.byName[name] {
			yield(i)
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return
		}
		name = name[i+1:]
	}
}

// setFiles fills the module table with parsed files (for analyses that do
// not go through the pipeline).
func (p *project) setFiles(states []*fileState) {
	names := make([]string, len(states))
	for i, f := range states {
		if f != nil {
			names[i] = f.module
		}
	}
	p.modules = newModules(names)
	for i, f := range states {
		p.modules.loaded[i].Store(f)
	}
}

// lookupModule finds a scanned module by its dotted name, allowing the scan
// to have started inside the package (app.db found as db). Of two parsed
// files with one name, the later in scan order wins.
func (p *project) lookupModule(m string) *fileState {
	if p == nil || p.modules == nil || m == "" {
		return nil
	}
	for {
		ids := p.modules.byName[m]
		for k := len(ids) - 1; k >= 0; k-- {
			if g := p.modules.loaded[ids[k]].Load(); g != nil {
				return g
			}
		}
		i := strings.IndexByte(m, '.')
		if i < 0 {
			return nil
		}
		m = m[i+1:]
	}
}

// moduleRefs returns every dotted module name the file's analysis may look
// up: what it imports (and the package of an imported name), and the
// module of every call through an imported name (`import app` then
// `app.db.fetch()` reads app.db). It is computed once, by the goroutine
// that parsed the file.
func (f *fileState) moduleRefs() []string {
	if f.refs == nil {
		f.refs = []string{}
		seen := map[string]bool{}
		f.listModuleRefs(func(m string) {
			if !seen[m] {
				seen[m] = true
				f.refs = append(f.refs, m)
			}
		})
	}
	return f.refs
}

func (f *fileState) listModuleRefs(yield func(string)) {
	t := f.t
	// In name order: the order of dependencies decides which imports of a
	// cycle summaryLevels sees as closing it.
	abs := make(map[string]string, len(f.mod.Imports))
	for _, local := range slices.Sorted(maps.Keys(f.mod.Imports)) {
		q := f.absolute(f.mod.Imports[local])
		abs[local] = q
		yield(q)
		if i := strings.LastIndexByte(q, '.'); i > 0 {
			yield(q[:i])
		}
	}
	for i := range t.Nodes {
		if t.Nodes[i].Kind != pyast.KindCall {
			continue
		}
		name := t.DottedName(t.Callee(pyast.ID(i)))
		head, rest, dotted := strings.Cut(name, ".")
		q, ok := abs[head]
		if !ok || !dotted {
			continue // a bare imported name: its module was yielded above
		}
		// The module of q.rest: q itself when rest is one name (no string
		// made), q and rest's head otherwise.
		switch j := strings.LastIndexByte(rest, '.'); {
		case j >= 0:
			yield(q + "." + rest[:j])
		case q != "":
			yield(q)
		}
	}
}

// depIndexes lists, once each, the files whose summaries the file's
// analysis may read (a superset: every file a lookup could land on).
func (f *fileState) depIndexes(self int) []int {
	seen := map[int]bool{self: true}
	var out []int
	for _, m := range f.moduleRefs() {
		f.proj.modules.indexes(m, func(i int) {
			if !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		})
	}
	return out
}

// absolute resolves a relative import (".db.fetch") against the file's
// package.
func (f *fileState) absolute(q string) string {
	if !strings.HasPrefix(q, ".") {
		return f.scriptImport(q)
	}
	dots := len(q) - len(strings.TrimLeft(q, "."))
	base := f.pkg
	for up := dots - 1; up > 0 && base != ""; up-- {
		i := strings.LastIndexByte(base, '.')
		if i < 0 {
			i = 0
		}
		base = base[:i]
	}
	rest := q[dots:]
	if base == "" {
		return rest
	}
	return base + "." + rest
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
		if q, ok := f.importedAs(name); ok {
			return f.resolveQualified(q)
		}
		return funcRef{}, false
	}
	head, rest, _ := strings.Cut(name, ".")
	if q, ok := f.importedAs(head); ok {
		if ref, ok := f.resolveQualified(q + "." + rest); ok {
			return ref, true
		}
	}
	return f.resolveMethod(name) // Class.method (methods.go)
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
	if g.isFunc(name) {
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
	return f.summaryAt(ref)
}

// summaryAt returns the summary of a function or method of the scanned
// tree, as summaryOf.
func (f *fileState) summaryAt(ref funcRef) *summary {
	if ref.f == f {
		if f.next != nil {
			return f.next[ref.name]
		}
		return f.sums[ref.name]
	}
	s := ref.f.published()[ref.name]
	if ref.f.cyclicImports {
		f.noteCycleRead(ref, s)
	}
	return s
}

// inspectRedo, when set (by tests), sees which functions of a file in an
// import cycle its second run analyses again.
var inspectRedo func(f *fileState, redo map[string]bool)

// cycleRead is a summary an analysis read of a function of a file in an
// import cycle: s is what it read (nil: none yet).
type cycleRead struct {
	ref funcRef
	s   *summary
}

// noteCycleRead records that the analysis in progress read s as ref's
// summary. Reads during one analysis do not change (the files it reads
// are done, or, across the import that closes a cycle, not started), so the
// first is kept.
func (f *fileState) noteCycleRead(ref funcRef, s *summary) {
	for _, r := range f.cycleReads {
		if r.ref == ref {
			return
		}
	}
	f.cycleReads = append(f.cycleReads, cycleRead{ref, s})
}

// stale reports whether a summary an analysis read has changed since: the
// analysis would read another one now.
func (r cycleRead) stale() bool {
	return r.ref.f.published()[r.ref.name] != r.s
}

// needsSummary lists the module-level functions of the file (routes
// aside), callees before callers, so that one pass gives each function whose
// callees are not recursive its final summary. unstable holds the
// functions that are in, or call into, a cycle of the local call graph:
// passes repeat for them until their summaries settle.
//
// Every function gets a summary, called or not: its analysis is needed
// anyway (it is the function's root analysis), and a file's summaries then
// depend only on the files it imports, never on which files import it.
func (f *fileState) needsSummary() (order []string, unstable map[string]bool, callers map[string][]string) {
	need := map[string]bool{}
	for name, d := range f.mod.Defs {
		if f.t.Kind(d) != pyast.KindFunctionDefinition || f.isRouteFunc(d) {
			continue
		}
		need[name] = true
	}
	for name, d := range f.methodDefs {
		if !f.isRouteFunc(d) {
			need[name] = true
		}
	}
	byDef := make(map[pyast.ID]string, len(need))
	defs := make([]pyast.ID, 0, len(need))
	for name := range need {
		d := f.defOf(name)
		byDef[d] = name
		defs = append(defs, d)
	}
	slices.Sort(defs)
	names := make([]string, len(defs))
	for i, d := range defs {
		names[i] = byDef[d]
	}
	state := map[string]int{} // 1 on the stack, 2 done
	unstable = map[string]bool{}
	callers = map[string][]string{}
	var visit func(name string)
	visit = func(name string) {
		state[name] = 1
		def := f.defOf(name)
		mc := f.methodCtxOf(def)
		t := f.t
		for i, end := def, t.End(def); i < end; i++ {
			if t.Kind(i) != pyast.KindCall {
				continue
			}
			fn := t.Callee(i)
			var callee string
			switch t.Kind(fn) {
			case pyast.KindIdentifier:
				b := t.Bytes(fn)
				if !need[string(b)] {
					continue // most calls are not to the file's functions: no string made
				}
				callee = string(b)
			case pyast.KindAttribute:
				callee = f.localMethodKey(mc, i) // self.find(…), Cls.make(…)
			default:
				continue
			}
			if !need[callee] {
				continue
			}
			callers[callee] = append(callers[callee], name)
			switch state[callee] {
			case 0:
				visit(callee)
			case 1:
				unstable[name] = true
			}
			if unstable[callee] {
				unstable[name] = true
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
	return order, unstable, callers
}

// summarize computes the file's summaries: callees first, repeating only
// when recursion makes a pass incomplete. Other files' summaries it needs
// are final (files are summarised in import order). The last pass's
// analyses are kept: they are the helpers' root analyses.
//
// Other files' summaries do not change while a file is summarised (the
// files it reads are done, or, across an import cycle, not started), so
// passes after the first redo only the functions of local recursion.
//
// final is the second run of a file in an import cycle, once the file that
// closes the cycle has summaries and the files it imports have had their
// second run: only the functions that read a summary of a file in a cycle
// that is not the one they would read now (one across the import that
// closes the cycle, which had none then; one that the other file's second
// run made again), and their callers in the file, are analysed again; the
// others would read exactly what they read before. A function whose
// analysis is kept keeps its summary, the same pointer: files that read it
// need not run it again either.
func (f *fileState) summarize(final bool) {
	t := f.t
	order, unstable, callers := f.summaryPlan(final)
	prev, prevAnalyses := f.sums, f.sumAnalyses
	f.next = map[string]*summary{}
	f.sumAnalyses = map[pyast.ID]*analysis{}
	var redo map[string]bool // nil: every function
	if final {
		redo = readersOfCycle(order, callers, func(name string) bool {
			a := prevAnalyses[f.defOf(name)]
			if a == nil {
				return true
			}
			return slices.ContainsFunc(a.cycleReads, cycleRead.stale)
		})
		if inspectRedo != nil {
			inspectRedo(f, redo)
		}
		for _, name := range order {
			if !redo[name] {
				def := f.defOf(name)
				f.next[name], f.sumAnalyses[def] = prev[name], prevAnalyses[def]
			}
		}
	}
	for pass := 0; pass < maxRounds; pass++ {
		changed := false
		for _, name := range order {
			if redo != nil && !redo[name] || pass > 0 && !unstable[name] {
				continue // what it reads has not changed
			}
			def := f.defOf(name)
			a := f.newAnalysis(def)
			a.sum = &summary{sinkFile: f}
			u := f.rootUnit(a, def, nil)
			f.cycleReads = f.cycleReads[:0]
			u.block(t.Body(def))
			if len(f.cycleReads) > 0 {
				a.cycleReads = slices.Clone(f.cycleReads)
			}
			a.raises = !u.hasRet && alwaysRaises(t, def)
			f.summarise(a, u, name)
			f.freeEnv(u.env) // a summary keeps values, never the environment
			if old := f.next[name]; old == nil || !old.same(a.sum) {
				changed = true
			}
			f.next[name] = a.sum
			f.sumAnalyses[def] = a
		}
		if !changed || len(unstable) == 0 {
			break
		}
	}
	f.sums = f.next
	f.next = nil
	f.sumMu.Lock()
	f.pub = f.sums
	f.sumMu.Unlock()
}

// plan is what needsSummary found, kept from the first run of a file in an
// import cycle for its second: nothing it reads changes in between.
type plan struct {
	order    []string
	unstable map[string]bool
	callers  map[string][]string
}

// inspectPlan, when set (by tests), sees each time needsSummary runs.
var inspectPlan func(f *fileState)

// summaryPlan returns needsSummary's answer, worked out once for the two
// runs of a file in an import cycle.
func (f *fileState) summaryPlan(final bool) (order []string, unstable map[string]bool, callers map[string][]string) {
	if p := f.plan; p != nil && final {
		f.plan = nil
		return p.order, p.unstable, p.callers
	}
	order, unstable, callers = f.needsSummary()
	if inspectPlan != nil {
		inspectPlan(f)
	}
	if f.cyclicImports && !final {
		f.plan = &plan{order, unstable, callers}
	}
	return order, unstable, callers
}

// readersOfCycle returns the functions for which read(name) is true and,
// transitively, their callers.
func readersOfCycle(order []string, callers map[string][]string, read func(string) bool) map[string]bool {
	out := map[string]bool{}
	var mark func(name string)
	mark = func(name string) {
		if out[name] {
			return
		}
		out[name] = true
		for _, c := range callers[name] {
			mark(c)
		}
	}
	for _, name := range order {
		if read(name) {
			mark(name)
		}
	}
	return out
}

// importCycles breaks the import cycles among files (a depth-first walk in
// file order; an import back to a file on the walk's stack closes a cycle)
// and returns, for each file, the files among them it must wait for: its
// dependencies minus the imports that close a cycle. Both ends of such an
// import are marked cyclicImports: the importer is summarised first,
// reading nothing from the other end, and again once that has summaries.
func importCycles(files []*fileState) map[*fileState][]*fileState {
	in := map[*fileState]bool{}
	for _, f := range files {
		in[f] = true
	}
	wait := map[*fileState][]*fileState{}
	state := map[*fileState]int{} // 1 on the stack, 2 done
	var visit func(f *fileState)
	visit = func(f *fileState) {
		state[f] = 1
		for _, g := range f.deps() {
			if !in[g] {
				continue // analysed already
			}
			switch state[g] {
			case 0:
				visit(g)
			case 1:
				f.cyclicImports, g.cyclicImports = true, true
				continue
			}
			wait[f] = append(wait[f], g)
		}
		state[f] = 2
	}
	for _, f := range files {
		if state[f] == 0 {
			visit(f)
		}
	}
	return wait
}

// deps lists the scanned files this file imports from or calls into.
func (f *fileState) deps() []*fileState {
	seen := map[*fileState]bool{f: true}
	var out []*fileState
	for _, m := range f.moduleRefs() {
		if g := f.proj.lookupModule(m); g != nil && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}
