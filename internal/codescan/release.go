package codescan

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// A file's syntax tree is most of what an analysis keeps in memory (on a
// library tree, two thirds of the live heap). Two things keep trees small:
//
// A file waits, parsed, until the files it imports are analysed; in an
// import cycle, until the cycles are worked out after the whole tree is
// parsed. No one reads its tree meanwhile (other files ask only which of
// its names are functions: isFunc), so its nodes are packed (park) until its
// analysis starts.
//
// Most files of a large tree have no route and nothing to report. settle
// checks such a file as soon as its analysis is final and, when it reports
// nothing, releases its tree's nodes: what other files may still ask of it
// afterwards is where a node is and its text (a statement they point at, a
// helper's source their rules search), which the released tree keeps.
//
// A file with routes is checked at the end, as before: its rules read every
// file's blueprint prefixes, hooks and helpers. A file checked here reads
// nothing that changes later: its own analyses, which are final, the
// schema, and the positions of statements in files it imports, which are
// analysed (and settled) before it.

// settle is called once the file's analysis is final: by the goroutine that
// analysed it, before any file that imports it is analysed.
func (f *fileState) settle() {
	if len(f.routes) > 0 {
		return
	}
	f.check()
	f.checked = true
	if len(f.cands) > 0 {
		return // finalize places and quotes them with the whole tree
	}
	f.t.Release()
}

// park notes which module-level names are functions, then sets the tree
// waiting until the file's analysis starts (packed, unless the wait budget
// has room: waiting.go), unless every file it depends on is settled already
// (it is analysed at once). Call it before the file is published to the
// other files.
func (f *fileState) park(deps []int, settled []atomic.Bool) {
	f.funcs = map[string]bool{}
	for name, d := range f.mod.Defs {
		if f.t.Kind(d) == pyast.KindFunctionDefinition {
			f.funcs[name] = true
		}
	}
	for _, d := range deps {
		if !settled[d].Load() {
			f.proj.waiting.wait(f)
			return
		}
	}
}

// isFunc reports whether a module-level name of the file is a function
// definition, whatever the state of its tree.
func (f *fileState) isFunc(name string) bool {
	if f.funcs != nil {
		return f.funcs[name]
	}
	d, ok := f.mod.Defs[name]
	return ok && f.t.Kind(d) == pyast.KindFunctionDefinition
}

// inspectStates, when set (by tests), sees every file's state at the end of
// an analysis.
var inspectStates func(states []*fileState)

// wholeTreesNeeded reports whether a routing model of the project reads
// other files' structure after the analyses: a view registered in another
// module (add_resource, add_url_rule), a connexion operationId, a class
// view whose base class another module defines. Those files may have been
// released early (settle), having no route of their own then.
func wholeTreesNeeded(states []*fileState) bool {
	for _, f := range states {
		if f == nil {
			continue
		}
		if len(f.mod.Pending) > 0 || len(f.mod.SpecAPIs) > 0 {
			return true
		}
		for i := range f.mod.Routes {
			if strings.Contains(f.mod.Routes[i].Name, ".") { // Class.method
				return true
			}
		}
	}
	return false
}

// routeImports returns the files that files with routes import, directly
// or not: a route's rules read its helpers' code (an ownership check made
// in a helper, a dependency that returns the caller), so those files are
// wanted whole when the routes are checked.
func routeImports(states []*fileState) []*fileState {
	seen := map[*fileState]bool{}
	var stack, out []*fileState
	for _, f := range states {
		if f != nil && len(f.routes) > 0 && !seen[f] {
			seen[f] = true
			stack = append(stack, f)
		}
	}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, f)
		for _, g := range f.deps() {
			if !seen[g] {
				seen[g] = true
				stack = append(stack, g)
			}
		}
	}
	return out
}

// restoreTrees parses the released files among states again
// (pyast.Tree.Restore). A file that cannot be restored stays released: its
// structure answers as for None, as it would have for an unparsed file.
func restoreTrees(ctx context.Context, workers int, states []*fileState) {
	var released []*fileState
	for _, f := range states {
		if f != nil && f.t.Released() {
			released = append(released, f)
		}
	}
	parallel(ctx, workers, len(released), func(i int) {
		p := pyast.NewParser()
		defer p.Close()
		released[i].t.Restore(p)
	})
}

// uncheck forgets a file's early check (settle): it gained routes since,
// so it is checked again with the route files.
func (f *fileState) uncheck() {
	f.cands, f.keys, f.keyScan, f.checked = nil, nil, nil, false
}
