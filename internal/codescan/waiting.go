package codescan

import "sync/atomic"

// A file's tree waits from its parse until its analysis can start (its
// imports are analysed), and a file in an import cycle waits again between
// its two runs. Packing a waiting tree (pyast.Tree.Park) takes it to a
// third of its size, but packing and unpacking it again cost about a sixth
// of its parse, and every unpack is a fresh array for the collector. Trees
// wait unpacked as long as the nodes of all those waiting so take at most
// waitBudget bytes; the rest are packed. Which trees get packed depends on
// timing; what they answer does not.
//
// 24 MB of nodes is about 240,000 lines of Python, what a process of
// rampart's own size (about 40 MB before it reads a file) can keep without
// the peak following the tree: past that, every waiting tree is packed, and
// memory per line stays what packing gives (docs/benchmarks.md, "White-box
// speed and memory").
const defaultWaitBudget = 24 << 20

type waitBudget struct{ left atomic.Int64 }

func newWaitBudget(bytes int64) *waitBudget {
	w := &waitBudget{}
	w.left.Store(bytes)
	return w
}

// wait keeps f's tree unpacked while it waits if the budget has room for
// its nodes, and packs it otherwise.
func (w *waitBudget) wait(f *fileState) {
	n := f.t.NodeBytes()
	if n > 0 && w.left.Add(-n) >= 0 {
		f.waitHeld = n
		return
	}
	w.left.Add(n)
	f.t.Park()
}

// end ends f's wait: its nodes' bytes go back to the budget, and a packed
// tree is unpacked (keeping the packed bytes when keep is set: the tree
// waits again, unchanged, after this run).
func (w *waitBudget) end(f *fileState, keep bool) {
	if f.waitHeld > 0 {
		w.left.Add(f.waitHeld)
		f.waitHeld = 0
	}
	if keep {
		f.t.UnparkKeep()
	} else {
		f.t.Unpark()
	}
}
