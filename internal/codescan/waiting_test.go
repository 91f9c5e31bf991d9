package codescan

import (
	"testing"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// A waiting tree stays unpacked while the budget has room for its nodes,
// is packed once it has not, and gives its bytes back when its wait ends.
func TestWaitBudget(t *testing.T) {
	tree := func() *fileState {
		tr, err := pyast.Parse([]byte("def f(x):\n    return g(x)\n"))
		if err != nil {
			t.Fatal(err)
		}
		return &fileState{t: tr}
	}
	a, b := tree(), tree()
	size := a.t.NodeBytes()
	w := newWaitBudget(size + size/2) // room for one
	w.wait(a)
	w.wait(b)
	if a.t.Parked() || a.waitHeld != size {
		t.Errorf("first tree: parked %v, holds %d; want unpacked, holding %d", a.t.Parked(), a.waitHeld, size)
	}
	if !b.t.Parked() || b.waitHeld != 0 {
		t.Errorf("second tree: parked %v, holds %d; want packed, holding nothing", b.t.Parked(), b.waitHeld)
	}
	if got := w.left.Load(); got != size/2 {
		t.Errorf("budget left %d, want %d", got, size/2)
	}
	w.end(a, false)
	w.end(b, true)
	if a.t.Parked() || b.t.Parked() || a.waitHeld != 0 {
		t.Errorf("after the wait: parked %v/%v, first holds %d", a.t.Parked(), b.t.Parked(), a.waitHeld)
	}
	if got := w.left.Load(); got != size+size/2 {
		t.Errorf("budget left %d after both waits, want all of it back, %d", got, size+size/2)
	}
	// The second tree waits again: unpacked now that there is room.
	w.wait(b)
	if b.t.Parked() {
		t.Error("a tree waiting with room in the budget was packed")
	}
	w = newWaitBudget(0)
	c := tree()
	w.wait(c)
	if !c.t.Parked() || w.left.Load() != 0 {
		t.Errorf("no budget: parked %v, budget %d; want packed, 0", c.t.Parked(), w.left.Load())
	}
}
