package pyast

/*
#cgo CFLAGS: -std=c11 -O2
#include "walk.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	ts "github.com/tree-sitter/go-tree-sitter"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

// Grammar tables, filled once from the tree-sitter language.
var (
	language  *ts.Language
	symKinds  []uint16 // grammar symbol → Kind
	symNamed  []uint8  // grammar symbol → 1 if a named node
	symNames  []string // grammar symbol → the grammar's name
	fieldIDs  []uint16 // grammar field id → Field
	kindFound [numKinds]bool
)

func init() {
	// Must run before the first parser exists: objects are freed by the
	// allocator that was current when they were made (both end in libc's
	// free, so a later SetAllocator by someone else stays safe).
	C.pyast_use_libc_allocator()
	ptr := python.Language()
	language = ts.NewLanguage(ptr)
	lang := (*C.TSLanguage)(ptr)

	byName := make(map[string]Kind, numKinds)
	for k := Kind(0); k < numKinds; k++ {
		byName[kindNames[k]] = k
	}
	n := int(C.ts_language_symbol_count(lang))
	symKinds = make([]uint16, n)
	symNamed = make([]uint8, n)
	symNames = make([]string, n)
	for s := 0; s < n; s++ {
		name := C.GoString(C.ts_language_symbol_name(lang, C.TSSymbol(s)))
		symNames[s] = name
		const regular = 0 // TSSymbolTypeRegular: a named node
		k := KindToken
		if C.ts_language_symbol_type(lang, C.TSSymbol(s)) == regular {
			symNamed[s] = 1
			k = KindOther
			if named, ok := byName[name]; ok && named > KindError {
				k = named
				kindFound[k] = true
			}
		}
		if named := symNamed[s] == 1; named && (name == "comment" || name == "line_continuation") {
			k = kindDropped
		}
		symKinds[s] = uint16(k)
	}

	fieldByName := make(map[string]Field, numFields)
	for f := Field(1); f < numFields; f++ {
		fieldByName[fieldNames[f]] = f
	}
	nf := int(C.ts_language_field_count(lang))
	fieldIDs = make([]uint16, nf+1)
	for id := 1; id <= nf; id++ {
		fieldIDs[id] = uint16(fieldByName[C.GoString(C.ts_language_field_name_for_id(lang, C.TSFieldId(id)))])
	}
}

// kindDropped marks comments and line continuations for the walker (they
// never reach a Tree).
const kindDropped = Kind(0xFFFE)

// Parser parses Python source. A Parser is not safe for concurrent use: give
// each goroutine its own, and Close it when done (it holds C memory).
type Parser struct {
	p *ts.Parser
}

// NewParser returns a parser for Python 3.
func NewParser() *Parser {
	p := ts.NewParser()
	if err := p.SetLanguage(language); err != nil {
		// The grammar is compiled in; a version mismatch is a build bug.
		panic(fmt.Sprintf("pyast: tree-sitter-python: %v", err))
	}
	return &Parser{p: p}
}

// Close frees the parser. It is safe to call twice.
func (p *Parser) Close() {
	if p.p != nil {
		p.p.Close()
		p.p = nil
	}
}

// ErrNoTree is returned when tree-sitter gives up on an input: the parse
// took longer than the parser's timeout.
var ErrNoTree = errors.New("pyast: parse timed out")

// SetTimeout bounds the time one Parse may take (0: no bound). Garbage input
// makes tree-sitter's error recovery slow (tens of KB/s instead of MB/s);
// the timeout keeps a hostile file from stalling a scan.
func (p *Parser) SetTimeout(d time.Duration) {
	if p.p != nil {
		//nolint:staticcheck // deprecated in favour of a Go progress callback, which costs a cgo callback per check
		p.p.SetTimeoutMicros(uint64(d / time.Microsecond))
	}
}

// Parse parses src and returns its tree. Syntax errors are not errors: the
// tree holds ERROR and MISSING nodes where tree-sitter recovered (see
// Tree.SyntaxErrors). The tree-sitter tree is freed before Parse returns;
// the result is plain Go memory that refers to src.
func (p *Parser) Parse(src []byte) (*Tree, error) {
	if p.p == nil {
		return nil, errors.New("pyast: parser is closed")
	}
	tree := p.parseString(src)
	if tree == nil {
		// A parse that timed out is resumed by the next call unless the
		// parser is reset: the next file would be read with this one's
		// state.
		p.p.Reset()
		return nil, ErrNoTree
	}
	defer C.ts_tree_delete(tree)
	return flattenRaw(tree, src)
}

// parseString parses src with ts_parser_parse_string, which reads the bytes
// in place. go-tree-sitter's Parse reads them through a Go callback that
// copies each chunk into a fresh Go slice and then into C memory: about 6%
// more CPU on a whole tree, and garbage of the source's size for the
// collector (docs/benchmarks.md, "White-box speed and memory"). tree-sitter
// keeps no pointer into the input once the call returns.
func (p *Parser) parseString(src []byte) *C.TSTree {
	if len(src) == 0 {
		return C.ts_parser_parse_string(rawParser(p.p), nil, (*C.char)(unsafe.Pointer(&emptySource[0])), 0)
	}
	return C.ts_parser_parse_string(rawParser(p.p), nil, (*C.char)(unsafe.Pointer(&src[0])), C.uint32_t(len(src)))
}

var emptySource = [1]byte{}

// ParseOnly parses src with go-tree-sitter's Parse, the bindings' entry for
// a parse, and throws the tree away: the floor that the benchmarks compare
// a whole analysis with (ParseStringOnly is the floor of the entry Parse
// itself uses).
func (p *Parser) ParseOnly(src []byte) error {
	if p.p == nil {
		return errors.New("pyast: parser is closed")
	}
	tree := p.p.Parse(src, nil)
	if tree == nil {
		p.p.Reset()
		return ErrNoTree
	}
	tree.Close()
	return nil
}

// Parse parses src with a parser of its own.
func Parse(src []byte) (*Tree, error) {
	p := NewParser()
	defer p.Close()
	return p.Parse(src)
}

// rawParser returns the C parser inside a go-tree-sitter Parser, whose only
// field is that pointer (go-tree-sitter v0.25.0; TestRawParserLayout
// guards it).
func rawParser(p *ts.Parser) *C.TSParser {
	return (*C.TSParser)(*(*unsafe.Pointer)(unsafe.Pointer(p)))
}

// ParseStringOnly parses src the way Parse does and throws the tree away.
func (p *Parser) ParseStringOnly(src []byte) error {
	if p.p == nil {
		return errors.New("pyast: parser is closed")
	}
	tree := p.parseString(src)
	if tree == nil {
		p.p.Reset()
		return ErrNoTree
	}
	C.ts_tree_delete(tree)
	return nil
}

// rawTree returns the C tree inside a go-tree-sitter Tree, whose only field
// is that pointer (go-tree-sitter v0.25.0; TestRawTreeLayout guards it). One
// C call then flattens the whole tree, instead of several calls per node.
func rawTree(t *ts.Tree) *C.TSTree {
	return (*C.TSTree)(*(*unsafe.Pointer)(unsafe.Pointer(t)))
}

// flatten converts a tree parsed through go-tree-sitter.
func flatten(tree *ts.Tree, src []byte) (*Tree, error) {
	return flattenRaw(rawTree(tree), src)
}

// flattenRaw converts a tree-sitter tree: the C walker writes the nodes it
// keeps into C memory sized for every node, anonymous ones included, which
// is then shrunk in place to the nodes kept (realloc: no copy).
func flattenRaw(tree *C.TSTree, src []byte) (*Tree, error) {
	count := int(C.ts_node_descendant_count(C.ts_tree_root_node(tree)))
	if count < 1 {
		count = 1
	}
	_, mem := cNodes(count)
	if mem == nil {
		return nil, errors.New("pyast: out of memory while walking the tree")
	}
	n := int(C.pyast_walk(tree, mem, C.int(count),
		(*C.uint16_t)(unsafe.Pointer(&symKinds[0])), (*C.uint8_t)(unsafe.Pointer(&symNamed[0])), C.int(len(symKinds)),
		C.uint16_t(KindError), C.uint16_t(kindDropped),
		(*C.uint16_t)(unsafe.Pointer(&fieldIDs[0])), C.int(len(fieldIDs)),
		C.int(MaxDepth), C.uint16_t(KindBinaryOperator), C.uint16_t(FieldLeft)))
	if n <= 0 {
		freeCNodes(mem)
		if n == 0 { // cannot happen: the root is always kept
			return newTree(src, []Node{}), nil
		}
		return nil, errors.New("pyast: out of memory while walking the tree")
	}
	if n < count {
		// Shrinking never fails in glibc; if another libc does, the larger
		// block is still the tree's.
		if q := (*C.pyast_node)(C.realloc(unsafe.Pointer(mem), C.size_t(n)*C.size_t(unsafe.Sizeof(Node{})))); q != nil {
			mem = q
		}
	}
	return newCTree(src, unsafe.Slice((*Node)(unsafe.Pointer(mem)), n), mem), nil
}
