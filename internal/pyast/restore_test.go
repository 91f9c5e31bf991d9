package pyast

import "testing"

// A released tree parsed again has the same nodes at the same IDs.
func TestRestore(t *testing.T) {
	src := []byte("import os\n\n\ndef view(user_id):\n    return {\"id\": user_id, \"n\": [i * 2 for i in range(3)]}\n\n\nclass Item(Resource):\n    def get(self, item_id):\n        return fetch(item_id)\n")
	tree, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]Node(nil), tree.Nodes...)
	p := NewParser()
	defer p.Close()
	if err := tree.Restore(p); err != nil || len(tree.Nodes) != len(want) {
		t.Fatalf("restoring a tree that is not released: %v", err)
	}
	tree.Release()
	if tree.Nodes != nil || tree.Parent(ID(len(want)-1)) != None {
		t.Fatal("released tree still answers for its structure")
	}
	if err := tree.Restore(p); err != nil {
		t.Fatal(err)
	}
	if tree.Released() || len(tree.Nodes) != len(want) {
		t.Fatalf("restored: released %v, %d nodes, want %d", tree.Released(), len(tree.Nodes), len(want))
	}
	for i := range want {
		if tree.Nodes[i] != want[i] {
			t.Fatalf("node %d: %+v, want %+v", i, tree.Nodes[i], want[i])
		}
	}
	// A source that no longer matches the released spans is refused.
	tree.Release()
	tree.Src = []byte("x = 1\n")
	if err := tree.Restore(p); err == nil {
		t.Fatal("a different source was restored")
	}
}
