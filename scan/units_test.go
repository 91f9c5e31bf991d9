package scan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

// TestPlanKeepsCheckOrderAndInterleavesGroups: units follow the checks'
// order, each check over the operations in order (what a stateful target
// sees first decides findings), except a group's checks, which take the
// operations together: in windows of the workers' number in the parallel
// phase, one by one in the exclusive phase.
func TestPlanKeepsCheckOrderAndInterleavesGroups(t *testing.T) {
	var ops []*rampart.Operation
	for i := 1; i <= 5; i++ {
		ops = append(ops, &rampart.Operation{Method: "GET", Path: fmt.Sprintf("/%d", i)})
	}
	all := func(*rampart.Operation) bool { return true }
	odd := func(op *rampart.Operation) bool { return strings.Trim(op.Path, "/13579") == "" }
	mk := func(id string, applies func(*rampart.Operation) bool, group string, exclusive, last bool) *check.Check {
		return &check.Check{Meta: rampart.Meta{ID: id}, Applies: applies, Group: group, Exclusive: exclusive, Last: last}
	}
	selected := []*check.Check{
		mk("A", all, "", false, false),
		mk("L1", all, "g", false, false),
		mk("T", nil, "", false, false),
		mk("L2", odd, "g", false, false),
		mk("B", all, "", false, false),
		mk("X1", all, "x", true, false),
		mk("S", odd, "", true, false),
		mk("X2", odd, "x", true, false),
		mk("F", nil, "", false, true),
	}
	first, alone, last := plan(selected, ops, 2)
	names := func(us []unit) string {
		var out []string
		for _, u := range us {
			s := u.c.ID
			if u.op != nil {
				s += u.op.Path
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct{ phase, got, want string }{
		{"parallel", names(first), "A/1 A/2 A/3 A/4 A/5 L1/1 L1/2 L2/1 L1/3 L1/4 L2/3 L1/5 L2/5 T B/1 B/2 B/3 B/4 B/5"},
		{"exclusive", names(alone), "X1/1 X2/1 X1/2 X1/3 X2/3 X1/4 X1/5 X2/5 S/1 S/3 S/5"},
		{"last", names(last), "F"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s phase:\n got %s\nwant %s", tt.phase, tt.got, tt.want)
		}
	}
	if n := len(first) + len(alone) + len(last); n != 5+5+3+1+5+5+3+3+1 {
		t.Errorf("%d units", n)
	}
}
