package pyast

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Kind is a node type of the Python grammar (see kinds.go).
type Kind uint16

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Field is the role of a node under its parent (function, arguments, left…).
type Field uint16

func (f Field) String() string {
	if f < numFields {
		return fieldNames[f]
	}
	return "field(" + strconv.Itoa(int(f)) + ")"
}

// ID is a node's index in Tree.Nodes. The root is 0; None is "no node".
type ID int32

// None is the ID of no node.
const None ID = -1

// Node flags.
const (
	FlagNamed   = 1 << iota // a named node (not an anonymous token)
	FlagError               // an ERROR node: text tree-sitter could not parse
	FlagMissing             // a MISSING node: a token tree-sitter inserted to recover
	FlagDeep                // nested deeper than MaxDepth: kept without its children
)

// MaxDepth is how deeply nested a node may be and still have its children
// in a Tree. Python itself refuses source nested a few hundred levels deep
// (200 parentheses, its parser's stack of 6,000), so only hostile or broken
// input reaches it; below it, readers of the tree may recurse freely. The
// left operand of a binary operator is not a level (see Tree.Deep).
const MaxDepth = 500

// Node is one syntax node. Its layout is shared with the C walker.
//
// It is kept small (24 bytes): a tree holds a node for every 8 bytes or so
// of source, and every file's tree stays in memory until the rules have
// run. What can be found from the rest is not stored: a node's first child
// is the next node in pre-order (Tree.First), and its line and column come
// from its start byte and the tree's table of line starts (Tree.Line).
type Node struct {
	Kind  Kind
	Sym   uint16 // the grammar's symbol (Tree.Type names it)
	Field Field  // role under the parent, FieldNone if none
	Flags uint16
	// Byte offsets into Tree.Src, end exclusive.
	Start, End   uint32
	Parent, Next ID
}

// Tree is a parsed file, with no tree-sitter object behind it. Nodes are in
// pre-order, so a node's descendants follow it directly and Nodes[i].Start
// never decreases. Comments, line continuations and punctuation are not in
// it; operators are (as KindToken with a field).
type Tree struct {
	// Src is the parsed source. It must not be modified: node texts share
	// its memory.
	Src []byte
	// Nodes is nil while the tree is parked (Park) and once it is
	// released (Release). A parsed tree's nodes are C memory (nodemem.go):
	// read them through the tree, and keep no slice or pointer of them
	// past a Park, a Release or the tree's last use.
	Nodes []Node
	// lines holds the offset of each line's first byte in Src (lines[0]
	// is 0): line numbers as tree-sitter counts them, one per '\n'. It is
	// made on first use: most files of a large tree never report a line.
	lines     []uint32
	linesOnce sync.Once
	// packed holds packedN nodes while the tree is parked, and only their
	// spans once it is released (park.go); packedSpans are the spans,
	// decoded on first use.
	packed      []byte
	packedN     int
	released    bool
	packedMu    sync.Mutex // guards packedSpans
	packedSpans []Span
	// mem is the C memory that holds Nodes (nodemem.go).
	mem *nodeMem
	// spare is the packed form of Nodes that UnparkKeep kept for the next
	// Park; nil otherwise.
	spare []byte
	// stateMu is held while the tree is parked, unparked or released, and
	// by Position.
	stateMu sync.Mutex
}

// Span is the bytes of a node in Tree.Src, end exclusive.
type Span struct{ Start, End uint32 }

// newTree makes a tree of parsed nodes and their source.
func newTree(src []byte, nodes []Node) *Tree {
	return &Tree{Src: src, Nodes: nodes}
}

// lineStarts returns the table of line starts, making it on first use.
func (t *Tree) lineStarts() []uint32 {
	t.linesOnce.Do(func() {
		src := t.Src
		lines := make([]uint32, 1, bytes.Count(src, []byte{'\n'})+1)
		for off := 0; ; {
			i := bytes.IndexByte(src[off:], '\n')
			if i < 0 {
				break
			}
			off += i + 1
			lines = append(lines, uint32(off))
		}
		t.lines = lines
	})
	return t.lines
}

// row is the zero-based line of a byte offset.
func (t *Tree) row(off uint32) int {
	lines := t.lineStarts()
	return sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
}

// Release drops the tree's nodes, keeping only the source and where each
// node is: afterwards Valid, Span, Bytes, Text, Is, Line, EndLine and
// Column answer as before (the positions), and every other accessor
// answers as for None (the structure).
// A file whose analysis is over keeps what its findings and other files'
// findings may still point at, packed in about a tenth of the memory. It
// must not be called while another goroutine reads the tree, but for
// Position.
func (t *Tree) Release() {
	t.stateMu.Lock()
	defer t.stateMu.Unlock()
	t.unpark()
	if t.released {
		return
	}
	t.packed, t.packedN = packSpans(t.Nodes), len(t.Nodes)
	t.dropNodes()
	t.released, t.spare = true, nil
	t.dropSpans()
}

// Position returns a node's line and column (as Line and Column do); ok is
// false for an ID that names no node. Unlike the other accessors, it may
// be called while another goroutine parks, unparks or releases the tree:
// a file's finding may point at a statement of a file whose analysis is
// under way.
func (t *Tree) Position(id ID) (line, column int, ok bool) {
	t.stateMu.Lock()
	defer t.stateMu.Unlock()
	if !t.Valid(id) {
		return 0, 0, false
	}
	return t.Line(id), t.Column(id), true
}

// Released reports whether Release was called.
func (t *Tree) Released() bool { return t.released }

// Span returns a node's bytes in Src; ok is false for an ID that names no
// node. It answers for a released or parked tree too.
func (t *Tree) Span(id ID) (sp Span, ok bool) {
	if t.valid(id) {
		return Span{t.Nodes[id].Start, t.Nodes[id].End}, true
	}
	var spans []Span
	if t.packed != nil {
		spans = t.parkedSpans()
	}
	if id >= 0 && int(id) < len(spans) {
		return spans[id], true
	}
	return Span{}, false
}

// Root is the module node.
func (t *Tree) Root() ID { return 0 }

// Kind returns a node's kind; KindOther for None.
func (t *Tree) Kind(id ID) Kind {
	if !t.valid(id) {
		return KindOther
	}
	return t.Nodes[id].Kind
}

// Type is the grammar's name for a node's type ("ERROR" for errors).
func (t *Tree) Type(id ID) string {
	if !t.valid(id) {
		return ""
	}
	n := t.Nodes[id] // a copy: nodes may be C memory, freed with an unreachable tree (nodemem.go)
	if n.Flags&FlagError != 0 {
		return "ERROR"
	}
	if int(n.Sym) < len(symNames) {
		return symNames[n.Sym]
	}
	return n.Kind.String()
}

// Bytes is a node's source text, sharing memory with Src.
func (t *Tree) Bytes(id ID) []byte {
	n, ok := t.Span(id)
	if !ok {
		return nil
	}
	return t.Src[n.Start:n.End]
}

// Text is a node's source text as a string. It shares memory with Src
// (no copy): a Tree's source is never modified after parsing.
func (t *Tree) Text(id ID) string {
	b := t.Bytes(id)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Is reports whether a node's text equals s, without allocating.
func (t *Tree) Is(id ID, s string) bool {
	n, ok := t.Span(id)
	if !ok {
		return false
	}
	return int(n.End-n.Start) == len(s) && string(t.Src[n.Start:n.End]) == s
}

// Line is a node's 1-based first line.
func (t *Tree) Line(id ID) int {
	n, ok := t.Span(id)
	if !ok {
		return 0
	}
	return t.row(n.Start) + 1
}

// EndLine is a node's 1-based last line.
func (t *Tree) EndLine(id ID) int {
	n, ok := t.Span(id)
	if !ok {
		return 0
	}
	end := int(n.End)
	if end > int(n.Start) {
		end-- // the last byte of the node
	}
	return t.row(uint32(end)) + 1
}

// Column is a node's 1-based first column, counted in characters.
func (t *Tree) Column(id ID) int {
	n, ok := t.Span(id)
	if !ok {
		return 0
	}
	lineStart := t.lineStarts()[t.row(n.Start)]
	if int(n.Start) > len(t.Src) {
		return int(n.Start-lineStart) + 1
	}
	return utf8.RuneCount(t.Src[lineStart:n.Start]) + 1
}

// Parent returns a node's parent, None for the root.
func (t *Tree) Parent(id ID) ID {
	if !t.valid(id) {
		return None
	}
	return t.Nodes[id].Parent
}

// First returns a node's first child, None if it has none.
func (t *Tree) First(id ID) ID {
	if !t.valid(id) {
		return None
	}
	return t.first(id)
}

// first is First for a valid ID: in pre-order, a node's first child, if it
// has one, comes right after it.
func (t *Tree) first(id ID) ID {
	if c := id + 1; int(c) < len(t.Nodes) && t.Nodes[c].Parent == id {
		return c
	}
	return None
}

// Next returns a node's next sibling, None if it is the last.
func (t *Tree) Next(id ID) ID {
	if !t.valid(id) {
		return None
	}
	return t.Nodes[id].Next
}

// Field returns a node's role under its parent.
func (t *Tree) Field(id ID) Field {
	if !t.valid(id) {
		return FieldNone
	}
	return t.Nodes[id].Field
}

// valid reports whether an ID names a node of the tree.
func (t *Tree) valid(id ID) bool { return id >= 0 && int(id) < len(t.Nodes) }

// Valid reports whether an ID names a node of the tree (released or not).
func (t *Tree) Valid(id ID) bool {
	_, ok := t.Span(id)
	return ok
}

// Child returns the first child in the given role, None if there is none.
func (t *Tree) Child(id ID, f Field) ID {
	if !t.valid(id) {
		return None
	}
	for c := t.first(id); c >= 0; c = t.Nodes[c].Next {
		if t.Nodes[c].Field == f {
			return c
		}
	}
	return None
}

// ChildOfKind returns the first child of a kind, None if there is none.
func (t *Tree) ChildOfKind(id ID, k Kind) ID {
	if !t.valid(id) {
		return None
	}
	for c := t.first(id); c >= 0; c = t.Nodes[c].Next {
		if t.Nodes[c].Kind == k {
			return c
		}
	}
	return None
}

// NamedChild returns the i-th (0-based) named child, None if there are fewer.
func (t *Tree) NamedChild(id ID, i int) ID {
	if !t.valid(id) {
		return None
	}
	for c := t.first(id); c >= 0; c = t.Nodes[c].Next {
		if t.Nodes[c].Flags&FlagNamed != 0 {
			if i == 0 {
				return c
			}
			i--
		}
	}
	return None
}

// NumChildren counts a node's (kept) children.
func (t *Tree) NumChildren(id ID) int {
	if !t.valid(id) {
		return 0
	}
	n := 0
	for c := t.first(id); c >= 0; c = t.Nodes[c].Next {
		n++
	}
	return n
}

// End returns the ID just past a node's subtree: its descendants are the
// IDs in (id, End(id)).
func (t *Tree) End(id ID) ID {
	if !t.valid(id) {
		return id
	}
	for c := id; c >= 0; c = t.Nodes[c].Parent {
		if nx := t.Nodes[c].Next; nx >= 0 {
			return nx
		}
	}
	return ID(len(t.Nodes))
}

// Contains reports whether d is a descendant of a (or a itself).
func (t *Tree) Contains(a, d ID) bool {
	for ; t.valid(d); d = t.Nodes[d].Parent {
		if d == a {
			return true
		}
	}
	return false
}

// Ancestor returns the nearest proper ancestor of a kind, None if none.
func (t *Tree) Ancestor(id ID, k Kind) ID {
	if !t.valid(id) {
		return None
	}
	for p := t.Nodes[id].Parent; p >= 0; p = t.Nodes[p].Parent {
		if t.Nodes[p].Kind == k {
			return p
		}
	}
	return None
}

// Unwrap skips parentheses around an expression.
func (t *Tree) Unwrap(id ID) ID {
	for t.valid(id) && t.Nodes[id].Kind == KindParenthesizedExpression {
		inner := t.NamedChild(id, 0)
		if inner < 0 {
			return id
		}
		id = inner
	}
	return id
}

// Deep returns how many nodes lost their children for being nested deeper
// than MaxDepth, and the line of the first. Long chains of a binary
// operator (a + b + c + …, nested on their left) are not deep: they are
// read in full.
func (t *Tree) Deep() (n, line int) {
	for i := range t.Nodes {
		if t.Nodes[i].Flags&FlagDeep != 0 {
			if n == 0 {
				line = t.Line(ID(i))
			}
			n++
		}
	}
	return n, line
}

// SyntaxError is where tree-sitter had to recover.
type SyntaxError struct {
	Line, Column int
	Missing      bool // a token was missing, rather than text unparsable
}

// SyntaxErrors lists the ERROR and MISSING nodes, outermost first.
func (t *Tree) SyntaxErrors() []SyntaxError {
	var out []SyntaxError
	for i := range t.Nodes {
		n := t.Nodes[i]
		if n.Flags&(FlagError|FlagMissing) != 0 {
			out = append(out, SyntaxError{Line: t.Line(ID(i)), Column: t.byteColumn(ID(i)), Missing: n.Flags&FlagMissing != 0})
		}
	}
	return out
}

// Sexp renders a subtree as an S-expression with field names, for tests
// and debugging: (call function: (identifier) arguments: (argument_list)).
func (t *Tree) Sexp(id ID) string {
	if !t.valid(id) {
		return ""
	}
	var b strings.Builder
	t.sexp(&b, id)
	return b.String()
}

func (t *Tree) sexp(b *strings.Builder, id ID) {
	n := t.Nodes[id]
	b.WriteByte('(')
	if n.Flags&FlagMissing != 0 {
		b.WriteString("MISSING ")
	}
	if n.Kind == KindToken {
		b.WriteString(strconv.Quote(t.Text(id)))
	} else {
		b.WriteString(t.Type(id))
	}
	for c := t.first(id); c >= 0; c = t.Nodes[c].Next {
		b.WriteByte(' ')
		if f := t.Nodes[c].Field; f != FieldNone {
			b.WriteString(f.String())
			b.WriteString(": ")
		}
		t.sexp(b, c)
	}
	b.WriteByte(')')
}

// byteColumn is a node's 1-based first column counted in bytes, as
// tree-sitter counts it.
func (t *Tree) byteColumn(id ID) int {
	start := t.Nodes[id].Start
	return int(start-t.lineStarts()[t.row(start)]) + 1
}
