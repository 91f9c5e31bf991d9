package txn

import (
	"net/http"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

// opIndex is the scan's operations indexed once for the checks of this
// package, which look for related reads and deletes on every operation:
// walking the whole surface each time made them quadratic in the number
// of operations. Every list keeps surface order.
type opIndex struct {
	// GETs that are not authentication operations, by firstSegment
	// (siblings).
	reads map[string][]*rampart.Operation
	// GETs by exact path (remember).
	gets map[string][]*rampart.Operation
	// Reads that may list items (listings): parameterless, not
	// authentication, listsItems.
	lists   []*rampart.Operation
	listsAt map[string][]*rampart.Operation
	// Reads that may show state (pickReaders): parameterless, not public,
	// not authentication; by exact path, by path without a trailing slash,
	// and those with a documented answer that shows state, by
	// schemaScore then path.
	stateAt, stateUnder map[string][]*rampart.Operation
	stateBySchema       []*rampart.Operation
	score               map[*rampart.Operation]int
}

func indexOf(p *check.Pass) *opIndex {
	v, _ := p.Shared.Once("txn: surface index", func() (any, error) { return buildIndex(p.Surface), nil })
	return v.(*opIndex)
}

func buildIndex(ops []*rampart.Operation) *opIndex {
	x := &opIndex{
		reads: map[string][]*rampart.Operation{}, gets: map[string][]*rampart.Operation{},
		listsAt: map[string][]*rampart.Operation{}, stateAt: map[string][]*rampart.Operation{},
		stateUnder: map[string][]*rampart.Operation{}, score: map[*rampart.Operation]int{},
	}
	for _, op := range ops {
		if op.Method == http.MethodGet {
			x.indexRead(op)
		}
	}
	sort.SliceStable(x.stateBySchema, func(i, j int) bool {
		a, b := x.stateBySchema[i], x.stateBySchema[j]
		if x.score[a] != x.score[b] {
			return x.score[a] > x.score[b]
		}
		return a.Path < b.Path
	})
	return x
}

func (x *opIndex) indexRead(op *rampart.Operation) {
	x.gets[op.Path] = append(x.gets[op.Path], op)
	auth := isAuthOp(op)
	if !auth {
		seg := firstSegment(op.Path)
		x.reads[seg] = append(x.reads[seg], op)
	}
	if auth || len(pathParams(op)) > 0 {
		return
	}
	if listsItems(op) {
		x.lists = append(x.lists, op)
		x.listsAt[op.Path] = append(x.listsAt[op.Path], op)
	}
	if op.Public() {
		return
	}
	x.stateAt[op.Path] = append(x.stateAt[op.Path], op)
	under := strings.TrimSuffix(op.Path, "/")
	x.stateUnder[under] = append(x.stateUnder[under], op)
	if s := schemaScore(op); s > 0 {
		x.score[op] = s
		x.stateBySchema = append(x.stateBySchema, op)
	}
}
