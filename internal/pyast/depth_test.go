package pyast

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFlagsMatchC(t *testing.T) {
	if got, want := cFlags(), []uint16{FlagNamed, FlagError, FlagMissing, FlagDeep}; !slices.Equal(got, want) {
		t.Fatalf("C flags %v, Go flags %v", got, want)
	}
}

// levels returns each node's nesting as MaxDepth counts it: the left
// operand of a binary operator is at its parent's level.
func levels(tr *Tree) []int {
	lv := make([]int, len(tr.Nodes))
	for i := 1; i < len(tr.Nodes); i++ {
		n := tr.Nodes[i]
		lv[i] = lv[n.Parent] + 1
		if tr.Nodes[n.Parent].Kind == KindBinaryOperator && n.Field == FieldLeft {
			lv[i] = lv[n.Parent]
		}
	}
	return lv
}

// TestMaxDepth: nesting past MaxDepth is cut, with the node that lost its
// children flagged; a long chain of a binary operator, however deep its
// left spine, is kept whole.
func TestMaxDepth(t *testing.T) {
	const n = 20_000
	tests := []struct {
		name  string
		src   string
		deep  int // nodes flagged
		names int // identifiers kept (-1: don't check)
	}{
		{"parentheses", "y = " + strings.Repeat("(", n) + "x" + strings.Repeat(")", n), 1, 1},
		{"calls", "y = " + strings.Repeat("f(", n) + "x" + strings.Repeat(")", n), 1, -1},
		{"+ chain", "y = x" + strings.Repeat(" + x", n-1), 0, n + 1},
		{"% chain", "y = 'a'" + strings.Repeat(" % x", n-1), 0, n},
		{"shallow", "def f(a):\n    return [a[i](b) for i in range(3) if a]\n", 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			deep, line := tr.Deep()
			if deep != tt.deep || deep > 0 && line != 1 {
				t.Errorf("Deep() = %d at line %d, want %d", deep, line, tt.deep)
			}
			for i, lv := range levels(tr) {
				if lv > MaxDepth+1 {
					t.Fatalf("node %d (%s) at level %d", i, tr.Type(ID(i)), lv)
				}
			}
			names := 0
			for i := range tr.Nodes {
				if tr.Nodes[i].Kind == KindIdentifier {
					names++
				}
			}
			if tt.names >= 0 && names != tt.names {
				t.Errorf("%d identifiers kept, want %d", names, tt.names)
			}
		})
	}
}

// TestParseAfterTimeout: a parse abandoned for its timeout leaves nothing
// behind; the next source is parsed on its own (tree-sitter resumes an
// interrupted parse unless the parser is reset).
func TestParseAfterTimeout(t *testing.T) {
	p := NewParser()
	defer p.Close()
	// One quote gone in a long expression: error recovery crawls.
	slow := []byte(`q = "SELECT a FROM t WHERE b = " + x + AND c = " + x` + strings.Repeat(` + " AND c = " + x`, 5000) + "\n")
	p.SetTimeout(time.Millisecond)
	if _, err := p.Parse(slow); !errors.Is(err, ErrNoTree) {
		t.Fatalf("slow parse: %v, want ErrNoTree", err)
	}
	p.SetTimeout(0)
	src := []byte("def f(a):\n    return a\n")
	tr, err := p.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if errs := tr.SyntaxErrors(); len(errs) > 0 || tr.Kind(0) != KindModule || int(tr.Nodes[0].End) != len(src) {
		t.Fatalf("the next parse is not of its own source: %d syntax errors, root %s spanning %d bytes", len(errs), tr.Type(0), tr.Nodes[0].End)
	}
}
