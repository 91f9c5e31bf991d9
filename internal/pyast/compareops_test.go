package pyast

import (
	"slices"
	"strings"
	"testing"
)

// CompareOps gives each operator with its words one space apart, however
// it is written; one written that way already is returned as it is.
func TestCompareOps(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"a == b\n", []string{"=="}},
		{"a < b <= c\n", []string{"<", "<="}},
		{"a not in b\n", []string{"not in"}},
		{"a is not b\n", []string{"is not"}},
		{"a is  not b\n", []string{"is not"}},
		{"(a not\n in b)\n", []string{"not in"}},
		{"a not \\\n in b\n", []string{"not in"}},
		{"a in b != c\n", []string{"in", "!="}},
	} {
		tree, err := Parse([]byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := range tree.Nodes {
			if tree.Kind(ID(i)) == KindComparisonOperator {
				got = tree.CompareOps(ID(i))
				break
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: CompareOps = %q, want %q", strings.TrimSpace(c.src), got, c.want)
		}
	}
}
