package codescan

import (
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

// park notes which module-level names are functions, then packs the tree
// until the file's analysis starts (Tree.Unpark), unless every file it
// depends on is settled already (it is analysed at once). Call it before
// the file is published to the other files.
func (f *fileState) park(deps []int, settled []atomic.Bool) {
	f.funcs = map[string]bool{}
	for name, d := range f.mod.Defs {
		if f.t.Kind(d) == pyast.KindFunctionDefinition {
			f.funcs[name] = true
		}
	}
	for _, d := range deps {
		if !settled[d].Load() {
			f.t.Park()
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
