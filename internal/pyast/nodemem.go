package pyast

/*
#include <stdlib.h>
#include <string.h>
#include "walk.h"
*/
import "C"

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// A tree's nodes live in C memory, not on the Go heap. A file's nodes are
// dropped at a known moment (Park, Release), and C memory freed then is
// the next parse's at once; on the Go heap it waited for a collection, the
// heap grew meanwhile, and every page it grew by was one more page the
// kernel had to fault in and clear, which on a small VM costs more than the
// collection (docs/benchmarks.md, "White-box speed and memory"). The
// collector then also paces on the interpreter's own garbage only.
//
// Nodes hold no Go pointers, so a Go slice over C memory is safe to read;
// the memory is freed when the tree drops its nodes, or, for a tree that
// keeps them, by a cleanup once the tree is unreachable.

// nodeMem is the C allocation behind a tree's Nodes, nil when they are on
// the Go heap (trees made by tests) or dropped.
type nodeMem struct{ p atomic.Pointer[C.pyast_node] }

// nodeBlocks counts the node allocations not yet freed (tests).
var nodeBlocks atomic.Int64

// free frees the allocation; it is safe to call twice.
func (m *nodeMem) free() {
	if p := m.p.Swap(nil); p != nil {
		freeCNodes(p)
	}
}

// freeCNodes frees what cNodes allocated.
func freeCNodes(p *C.pyast_node) {
	C.free(unsafe.Pointer(p))
	nodeBlocks.Add(-1)
}

// cNodes allocates room for n nodes in C memory; the slice is nil when
// memory runs out.
func cNodes(n int) ([]Node, *C.pyast_node) {
	if n <= 0 {
		return []Node{}, nil
	}
	p := (*C.pyast_node)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(Node{}))))
	if p == nil {
		return nil, nil
	}
	nodeBlocks.Add(1)
	return unsafe.Slice((*Node)(unsafe.Pointer(p)), n), p
}

// newCTree makes a tree whose nodes are in C memory at p.
func newCTree(src []byte, nodes []Node, p *C.pyast_node) *Tree {
	t := newTree(src, nodes)
	t.adoptNodes(nodes, p)
	return t
}

// adoptNodes makes nodes, allocated at p (nil: on the Go heap), the tree's,
// freeing the C memory of the nodes it had.
func (t *Tree) adoptNodes(nodes []Node, p *C.pyast_node) {
	if t.mem == nil {
		if p == nil {
			t.Nodes = nodes
			return
		}
		t.mem = &nodeMem{}
		runtime.AddCleanup(t, (*nodeMem).free, t.mem)
	}
	t.mem.free()
	t.mem.p.Store(p)
	t.Nodes = nodes
}

// dropNodes forgets the tree's nodes and frees their memory.
func (t *Tree) dropNodes() {
	t.Nodes = nil
	if t.mem != nil {
		t.mem.free()
	}
}

// takeNodes hands the tree's nodes and their memory to the caller, who
// then owns them (Restore gives a fresh parse's nodes to a released tree).
func (t *Tree) takeNodes() ([]Node, *C.pyast_node) {
	nodes := t.Nodes
	t.Nodes = nil
	if t.mem == nil {
		return nodes, nil
	}
	return nodes, t.mem.p.Swap(nil)
}
