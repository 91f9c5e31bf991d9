package pyast

import (
	"bytes"
	"encoding/binary"
)

// A tree waiting for its analysis (its file imports files not yet
// analysed, or sits in an import cycle) is read by no one until then. Park
// packs its nodes into varints, about a third of their size, and Unpark
// brings them back, in a small fraction of the time a parse takes.
//
// Each node is its kind, symbol, field and flags, then its start as the
// distance from the previous node's start (starts never decrease in
// pre-order), its length, the distance back to its parent and the distance
// on to its next sibling (0: none). A released tree keeps only the start
// and the length (Release).

// Park packs the nodes; until Unpark, the tree answers for positions as a
// released tree does (Release), and for its structure as for None. Park
// and Unpark must not be called while another goroutine reads the tree.
func (t *Tree) Park() {
	if t.Nodes == nil {
		return
	}
	buf := make([]byte, 0, len(t.Nodes)*12)
	var prev uint32
	for i := range t.Nodes {
		n := &t.Nodes[i]
		buf = binary.AppendUvarint(buf, uint64(n.Kind))
		buf = binary.AppendUvarint(buf, uint64(n.Sym))
		buf = binary.AppendUvarint(buf, uint64(n.Field))
		buf = binary.AppendUvarint(buf, uint64(n.Flags))
		buf = binary.AppendUvarint(buf, uint64(n.Start-prev))
		buf = binary.AppendUvarint(buf, uint64(n.End-n.Start))
		buf = binary.AppendUvarint(buf, uint64(int64(i)-int64(n.Parent)))
		next := uint64(0)
		if n.Next >= 0 {
			next = uint64(int64(n.Next) - int64(i))
		}
		buf = binary.AppendUvarint(buf, next)
		prev = n.Start
	}
	t.packed, t.packedN = bytes.Clone(buf), len(t.Nodes)
	t.Nodes, t.packedSpans = nil, nil
}

// Parked reports whether the tree is packed (Park without Unpark).
func (t *Tree) Parked() bool { return t.packed != nil && !t.released }

// Unpark restores the nodes Park packed; it does nothing to a tree that is
// not parked. It must not be called while another goroutine reads the tree.
func (t *Tree) Unpark() {
	if !t.Parked() {
		return
	}
	nodes := make([]Node, t.packedN)
	buf := t.packed
	next := func() uint64 {
		v, k := binary.Uvarint(buf)
		buf = buf[k:]
		return v
	}
	var prev uint32
	for i := range nodes {
		n := &nodes[i]
		n.Kind = Kind(next())
		n.Sym = uint16(next())
		n.Field = Field(next())
		n.Flags = uint16(next())
		n.Start = prev + uint32(next())
		n.End = n.Start + uint32(next())
		n.Parent = ID(int64(i) - int64(next()))
		n.Next = None
		if d := next(); d > 0 {
			n.Next = ID(int64(i) + int64(d))
		}
		prev = n.Start
	}
	t.Nodes, t.packed, t.packedN, t.packedSpans = nodes, nil, 0, nil
}

// parkedSpans decodes the spans of a parked tree's nodes, once: another
// file's finding may point into a file parked between two runs over an
// import cycle. Several goroutines may ask at once.
func (t *Tree) parkedSpans() []Span {
	t.packedMu.Lock()
	defer t.packedMu.Unlock()
	if t.packedSpans == nil {
		spans := make([]Span, t.packedN)
		buf := t.packed
		next := func() uint64 {
			v, k := binary.Uvarint(buf)
			buf = buf[k:]
			return v
		}
		var prev uint32
		for i := range spans {
			if !t.released {
				next() // kind
				next() // symbol
				next() // field
				next() // flags
			}
			start := prev + uint32(next())
			spans[i] = Span{start, start + uint32(next())}
			if !t.released {
				next() // parent
				next() // next sibling
			}
			prev = start
		}
		t.packedSpans = spans
	}
	return t.packedSpans
}

// packSpans packs the nodes' starts and lengths.
func packSpans(nodes []Node) []byte {
	buf := make([]byte, 0, len(nodes)*4)
	var prev uint32
	for i := range nodes {
		n := &nodes[i]
		buf = binary.AppendUvarint(buf, uint64(n.Start-prev))
		buf = binary.AppendUvarint(buf, uint64(n.End-n.Start))
		prev = n.Start
	}
	return bytes.Clone(buf)
}
