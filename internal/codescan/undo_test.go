package codescan

import (
	"maps"
	"testing"
)

// A guard's body runs on the environment itself: rollback leaves it as it
// was, names it added removed and names it changed restored.
func TestRollback(t *testing.T) {
	u := &unit{env: map[string]val{"a": {l: lReq}, "b": {l: lIdent}}}
	want := maps.Clone(u.env)
	u.logging = true
	mark := len(u.undo)
	u.set("a", val{l: lRow})
	u.set("c", val{l: lKey})
	u.set("a", val{l: lExc})
	if u.env["a"].l != lExc || u.env["c"].l != lKey {
		t.Fatalf("sets not applied: %v", u.env)
	}
	u.rollback(mark)
	u.logging = false
	if len(u.env) != len(want) {
		t.Fatalf("env %v, want %v", u.env, want)
	}
	for k, v := range want {
		if u.env[k].l != v.l {
			t.Errorf("%s: labels %v, want %v", k, u.env[k].l, v.l)
		}
	}
	if len(u.undo) != 0 {
		t.Errorf("undo log left with %d entries", len(u.undo))
	}
	u.set("d", val{})
	if len(u.undo) != 0 {
		t.Error("a set is logged while not logging")
	}
}
