package pyast

import "errors"

// errRestore says a source parsed again gave other nodes than it did the
// first time, which a released tree's IDs would then misname.
var errRestore = errors.New("pyast: the source parsed again gives other nodes")

// Restore gives a released tree its nodes back by parsing its source
// again with p: the same source and parser give the same nodes, so the IDs
// other files hold (summaries, findings) name the same nodes as before;
// Restore checks that they sit where the released tree says and refuses
// otherwise. A file released early (its analysis over, nothing to report)
// may still be wanted whole: a view registered in another module, an
// operationId, a base class. It does nothing to a tree that is not
// released, and must not be called while another goroutine reads the tree.
func (t *Tree) Restore(p *Parser) error {
	if !t.Released() {
		return nil
	}
	fresh, err := p.Parse(t.Src)
	if err != nil {
		return err
	}
	spans := t.parkedSpans()
	if len(fresh.Nodes) != len(spans) {
		fresh.dropNodes()
		return errRestore
	}
	for i := range fresh.Nodes {
		if n := &fresh.Nodes[i]; n.Start != spans[i].Start || n.End != spans[i].End {
			fresh.dropNodes()
			return errRestore
		}
	}
	t.stateMu.Lock()
	defer t.stateMu.Unlock()
	t.adoptNodes(fresh.takeNodes())
	t.packed, t.packedN, t.released, t.spare = nil, 0, false, nil
	t.dropSpans()
	return nil
}
