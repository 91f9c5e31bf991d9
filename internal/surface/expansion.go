package surface

import (
	"fmt"

	yaml "go.yaml.in/yaml/v4"
)

// A YAML alias stands for a copy of the node its anchor names. Everything
// downstream of the node tree (kin-openapi, yaml.Unmarshal into Go values,
// JSON conversion) makes those copies, so twenty lines of nested aliases
// become a billion nodes and gigabytes of memory. The loader measures what a
// document would expand to on its own tree, where each anchor is measured
// once, and refuses it before anything expands it.
const (
	// MaxAliasNodes bounds the nodes aliases may add to a spec, all its
	// documents together: as many as a whole 10 MB spec has (GitHub's and
	// Stripe's are about that size), where the anchors of real specs add a
	// few thousand. A spec just under the limit loads in about 2 s and
	// 350 MB, like such a spec written out.
	MaxAliasNodes = 1_000_000
	// MaxDepth bounds how deeply a document nests, aliases followed. Real
	// specs stay under a hundred levels; recursive decoders downstream
	// must never see tens of thousands.
	MaxDepth = 1000
)

// aliasBudget is what aliases may still add to the documents of one spec.
type aliasBudget struct{ left int64 }

func newAliasBudget() *aliasBudget { return &aliasBudget{left: MaxAliasNodes} }

// measured is the size of a node's subtree with its aliases expanded, and
// its height (1 for a leaf).
type measured struct{ size, height int64 }

type expansion struct {
	name   string
	budget *aliasBudget
	memo   map[*yaml.Node]measured // anchored nodes already measured
	open   map[*yaml.Node]bool     // anchored nodes being measured
}

// checkExpansion refuses a document whose aliases would expand it past the
// limits, with the line of the alias that crosses them. Its cost is linear
// in the size of the tree as written, whatever the aliases expand to.
func checkExpansion(name string, doc *yaml.Node, budget *aliasBudget) error {
	if doc == nil {
		return nil
	}
	x := &expansion{name: name, budget: budget, memo: map[*yaml.Node]measured{}, open: map[*yaml.Node]bool{}}
	_, err := x.walk(doc, 1)
	return err
}

func (x *expansion) walk(n *yaml.Node, depth int64) (measured, error) {
	if depth > MaxDepth {
		return measured{}, &SpecError{File: x.name, Line: n.Line, Msg: fmt.Sprintf("nests deeper than %d levels, the limit for a spec", MaxDepth), Err: errOverLimit}
	}
	if n.Kind == yaml.AliasNode {
		return x.alias(n, depth)
	}
	if n.Anchor != "" {
		x.open[n] = true
	}
	m := measured{size: 1, height: 1}
	for _, c := range n.Content {
		if c == nil {
			continue
		}
		cm, err := x.walk(c, depth+1)
		if err != nil {
			return measured{}, err
		}
		m.size += cm.size
		m.height = max(m.height, cm.height+1)
	}
	if n.Anchor != "" {
		delete(x.open, n)
		x.memo[n] = m
	}
	return m, nil
}

func (x *expansion) alias(n *yaml.Node, depth int64) (measured, error) {
	t := n.Alias
	if t == nil {
		return measured{size: 1, height: 1}, nil
	}
	m, ok := x.memo[t]
	switch {
	case ok:
	case x.open[t]:
		return measured{}, &SpecError{File: x.name, Line: n.Line, Msg: "an alias refers to a node that contains it, which would expand for ever", Err: errOverLimit}
	default:
		// An anchor is always written before its aliases, so this is not
		// reached on a parsed document; measuring here only over-counts.
		var err error
		if m, err = x.walk(t, depth); err != nil {
			return measured{}, err
		}
	}
	if depth+m.height-1 > MaxDepth {
		return measured{}, &SpecError{File: x.name, Line: n.Line, Msg: fmt.Sprintf("nests deeper than %d levels once its aliases are expanded, the limit for a spec", MaxDepth), Err: errOverLimit}
	}
	// The alias node itself is replaced by the copy.
	x.budget.left -= m.size - 1
	if x.budget.left < 0 {
		return measured{}, &SpecError{File: x.name, Line: n.Line, Msg: fmt.Sprintf("its YAML aliases expand the spec by more than %d nodes, the limit (an alias bomb?)", MaxAliasNodes), Err: errOverLimit}
	}
	return m, nil
}
