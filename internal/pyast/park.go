package pyast

import (
	"bytes"
	"encoding/binary"
	"sync"
	"unsafe"
)

// A tree waiting for its analysis (its file imports files not yet
// analysed, or sits in an import cycle) is read by no one until then. Park
// packs its nodes into varints, about a third of their size, and Unpark
// brings them back, in a small fraction of the time a parse takes.
//
// Each node is its symbol, its field and flags, its start as the distance
// from the previous node's start (starts never decrease in pre-order), its
// length, the distance back to its parent and the distance on to its next
// sibling (0: none); its kind follows from its symbol, as the walker found
// it (kindOf). A released tree keeps only the start and the length
// (Release).

// Park packs the nodes; until Unpark, the tree answers for positions as a
// released tree does (Release), and for its structure as for None. Park
// and Unpark must not be called while another goroutine reads the tree,
// but for Position.
func (t *Tree) Park() {
	t.stateMu.Lock()
	defer t.stateMu.Unlock()
	if t.Nodes == nil {
		return
	}
	if t.spare != nil { // UnparkKeep kept them: the nodes have not changed since
		t.packed, t.packedN, t.spare = t.spare, len(t.Nodes), nil
		t.dropNodes()
		t.dropSpans()
		return
	}
	scratch := packScratch.Get().(*[]byte)
	defer packScratch.Put(scratch)
	buf := (*scratch)[:0]
	var prev uint32
	for i := range t.Nodes {
		n := &t.Nodes[i]
		buf = binary.AppendUvarint(buf, uint64(n.Sym))
		buf = binary.AppendUvarint(buf, uint64(n.Field)<<4|uint64(n.Flags))
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
	t.dropNodes()
	t.dropSpans()
	*scratch = buf
}

// dropSpans forgets the decoded spans of a packed tree that changes.
func (t *Tree) dropSpans() {
	t.packedMu.Lock()
	t.packedSpans = nil
	t.packedMu.Unlock()
}

// packScratch holds buffers to pack into: only the packed bytes are kept.
var packScratch = sync.Pool{New: func() any { return new([]byte) }}

// Parked reports whether the tree is packed (Park without Unpark).
func (t *Tree) Parked() bool { return t.packed != nil && !t.released }

// Unpark restores the nodes Park packed; a tree that is not parked only
// forgets the packed copy UnparkKeep kept (nothing will park it again). It
// must not be called while another goroutine reads the tree.
func (t *Tree) Unpark() {
	t.stateMu.Lock()
	defer t.stateMu.Unlock()
	if !t.Parked() {
		t.spare = nil
		return
	}
	t.unpark()
}

// UnparkKeep is Unpark for a tree that will be parked again: it keeps the
// packed nodes beside the nodes, and the next Park takes them back instead
// of packing again. A file in an import cycle is analysed twice, parked in
// between; packing it twice cost as much as unpacking it.
func (t *Tree) UnparkKeep() {
	t.stateMu.Lock()
	defer t.stateMu.Unlock()
	if !t.Parked() {
		return
	}
	packed := t.packed
	t.unpark()
	t.spare = packed
}

func (t *Tree) unpark() {
	if !t.Parked() {
		return
	}
	nodes, mem := cNodes(t.packedN)
	if nodes == nil { // out of C memory: the Go heap may still have room
		nodes = make([]Node, t.packedN)
	}
	r := varints{buf: t.packed}
	var prev uint32
	for i := range nodes {
		n := &nodes[i]
		n.Sym = uint16(r.next())
		ff := r.next()
		n.Field, n.Flags = Field(ff>>4), uint16(ff&15)
		n.Kind = kindOf(n.Sym, n.Flags)
		n.Start = prev + uint32(r.next())
		n.End = n.Start + uint32(r.next())
		n.Parent = ID(int64(i) - int64(r.next()))
		n.Next = None
		if d := r.next(); d > 0 {
			n.Next = ID(int64(i) + int64(d))
		}
		prev = n.Start
	}
	t.adoptNodes(nodes, mem)
	t.packed, t.packedN = nil, 0
	t.dropSpans()
}

// parkedSpans decodes the spans of a parked tree's nodes, once: another
// file's finding may point into a file parked between two runs over an
// import cycle. Several goroutines may ask at once.
func (t *Tree) parkedSpans() []Span {
	t.packedMu.Lock()
	defer t.packedMu.Unlock()
	if t.packedSpans == nil {
		spans := make([]Span, t.packedN)
		r := varints{buf: t.packed}
		var prev uint32
		for i := range spans {
			if !t.released {
				r.next() // symbol
				r.next() // field and flags
			}
			start := prev + uint32(r.next())
			spans[i] = Span{start, start + uint32(r.next())}
			if !t.released {
				r.next() // parent
				r.next() // next sibling
			}
			prev = start
		}
		t.packedSpans = spans
	}
	return t.packedSpans
}

// packSpans packs the nodes' starts and lengths.
func packSpans(nodes []Node) []byte {
	scratch := packScratch.Get().(*[]byte)
	defer packScratch.Put(scratch)
	buf := (*scratch)[:0]
	var prev uint32
	for i := range nodes {
		n := &nodes[i]
		buf = binary.AppendUvarint(buf, uint64(n.Start-prev))
		buf = binary.AppendUvarint(buf, uint64(n.End-n.Start))
		prev = n.Start
	}
	*scratch = buf
	return bytes.Clone(buf)
}

// kindOf is the kind the walker gives a node of a symbol (walk.c).
func kindOf(sym, flags uint16) Kind {
	switch {
	case flags&FlagError != 0:
		return KindError
	case int(sym) < len(symKinds):
		return Kind(symKinds[sym])
	}
	return 0
}

// varints reads packed varints (Park wrote them: well formed). next has no
// call in it, so that the compiler inlines it into the decoding loops: a
// call per varint was most of Unpark's time.
type varints struct {
	buf []byte
	off int
}

func (r *varints) next() uint64 {
	var v uint64
	var s uint
	for r.off < len(r.buf) {
		b := r.buf[r.off]
		r.off++
		if b < 0x80 {
			return v | uint64(b)<<s
		}
		v |= uint64(b&0x7f) << s
		s += 7
	}
	return v
}

// NodeBytes is the memory the tree's nodes take while unpacked (0 while
// packed or released).
func (t *Tree) NodeBytes() int64 { return int64(len(t.Nodes)) * int64(unsafe.Sizeof(Node{})) }
