package pyast

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// held reports whether a tree's nodes are C memory it owns.
func held(tree *Tree) bool { return tree.mem != nil && tree.mem.p.Load() != nil }

// A parsed tree's nodes are C memory, freed when the tree drops them (Park,
// Release, a refused Restore) and taken over whole by Restore.
func TestNodesInCMemory(t *testing.T) {
	src := []byte("import os\n\n\ndef view(user_id):\n    if user_id:\n        return {\"id\": user_id}\n    raise KeyError(user_id)\n")
	quiesce(t)
	before := nodeBlocks.Load()
	tree, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if !held(tree) || nodeBlocks.Load() != before+1 {
		t.Fatalf("parsed: nodes held %v, blocks %d, want %d", held(tree), nodeBlocks.Load(), before+1)
	}
	want := append([]Node(nil), tree.Nodes...)

	tree.Park()
	if held(tree) || nodeBlocks.Load() != before {
		t.Fatalf("parked: nodes held %v, blocks %d, want %d", held(tree), nodeBlocks.Load(), before)
	}
	tree.Unpark()
	if !held(tree) || nodeBlocks.Load() != before+1 {
		t.Fatalf("unparked: nodes held %v, blocks %d, want %d", held(tree), nodeBlocks.Load(), before+1)
	}
	same(t, "unparked", tree.Nodes, want)

	tree.Release()
	if held(tree) || nodeBlocks.Load() != before {
		t.Fatalf("released: nodes held %v, blocks %d, want %d", held(tree), nodeBlocks.Load(), before)
	}
	p := NewParser()
	defer p.Close()
	if err := tree.Restore(p); err != nil {
		t.Fatal(err)
	}
	if !held(tree) || nodeBlocks.Load() != before+1 {
		t.Fatalf("restored: nodes held %v, blocks %d, want %d (the fresh parse's block, taken over)", held(tree), nodeBlocks.Load(), before+1)
	}
	same(t, "restored", tree.Nodes, want)

	// A refused restore frees the parse it made.
	tree.Release()
	tree.Src = []byte("x = 1\n")
	if err := tree.Restore(p); err == nil {
		t.Fatal("a different source was restored")
	}
	if nodeBlocks.Load() != before {
		t.Fatalf("refused restore: blocks %d, want %d", nodeBlocks.Load(), before)
	}
}

// The nodes of a tree nobody drops are freed once the tree is unreachable.
// The test follows its own trees' allocations, not the global count: trees
// other tests left unreachable are freed by the same collections, at times
// no test controls.
func TestUnreachableTreesFreeTheirNodes(t *testing.T) {
	p := NewParser()
	defer p.Close()
	mems := make([]*nodeMem, 0, 20)
	for i := 0; i < 20; i++ {
		tree, err := p.Parse([]byte("def f(x):\n    return x + 1\n"))
		if err != nil {
			t.Fatal(err)
		}
		if !held(tree) {
			t.Fatalf("parse %d: nodes not in C memory", i)
		}
		mems = append(mems, tree.mem)
	}
	// Cleanups run on their own goroutine after a collection: wait for them,
	// with a bound so that a leak fails rather than hangs.
	for i := 0; i < 200 && countHeld(mems) > 0; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if n := countHeld(mems); n > 0 {
		t.Fatalf("%d of 20 unreachable trees still hold their nodes", n)
	}
}

// countHeld counts the allocations not yet freed.
func countHeld(mems []*nodeMem) int {
	n := 0
	for _, m := range mems {
		if m.p.Load() != nil {
			n++
		}
	}
	return n
}

// quiesce stops the collector for the rest of the test and lets the
// cleanups of trees earlier tests left unreachable run first, so that the
// global block count moves only with what the test does.
func quiesce(t *testing.T) {
	t.Helper()
	old := debug.SetGCPercent(-1)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	last := nodeBlocks.Load()
	for still := 0; still < 3; {
		runtime.GC()
		time.Sleep(2 * time.Millisecond)
		if now := nodeBlocks.Load(); now != last {
			last, still = now, 0
			continue
		}
		still++
	}
}

// Nodes are read through the tree; a copy taken before a Park stays valid
// only because it is a copy.
func same(t *testing.T, what string, got, want []Node) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d nodes, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: node %d is %+v, want %+v", what, i, got[i], want[i])
		}
	}
}
