package holdings

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameLeavesForEveryCaller checks that what the inventory keeps of a
// document (ownedLeavesOf) gives, once the caller's id is known, the values
// leaves gives when it prunes the objects other people own: for an unknown
// caller, for every owner the document names, and for a stranger.
func sameLeavesForEveryCaller(t *testing.T, doc any) {
	t.Helper()
	owned := ownedLeavesOf(doc)
	callers := map[string]bool{"": true, "no-such-owner": true}
	for _, l := range owned {
		for _, o := range l.owners {
			callers[o] = true
		}
	}
	for self := range callers {
		want := map[string]bool{}
		for v := range Leaves(doc, func(m map[string]any) bool {
			o, ok := OwnerOf(m)
			return ok && self != "" && o != self
		}) {
			want[v] = true
		}
		if got := owned.leaves(self); !maps.Equal(got, want) {
			t.Fatalf("caller %q: %d values, want %d", self, len(got), len(want))
		}
	}
}

func TestOwnedLeavesReplayLeaves(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	docs := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = string(b)
	}
	// Past MaxLeaves: the cap falls at a different place for each caller.
	var big strings.Builder
	big.WriteString(`{"items":[`)
	for i := 0; i < 199; i++ {
		if i > 0 {
			big.WriteByte(',')
		}
		fmt.Fprintf(&big, `{"id":%d,"owner_id":"%d","tags":[`, i, i%3)
		for j := 0; j < 40; j++ {
			if j > 0 {
				big.WriteByte(',')
			}
			fmt.Fprintf(&big, `"tag-%d-%d"`, i, j)
		}
		big.WriteString(`]}`)
	}
	big.WriteString(`],"shared":{"note":"a shared note","owner":{"id":"1"},"inner":{"user_id":"2","secret":"nested owners"}}}`)
	docs["past the cap"] = big.String()
	for name, d := range docs {
		t.Run(name, func(t *testing.T) {
			doc, ok := DecodeJSON([]byte(d))
			if !ok {
				t.Skip("not JSON")
			}
			sameLeavesForEveryCaller(t, doc)
		})
	}
}
