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
	// DELETEs by the last literal segment of their template and its
	// position from the end (deleteURL's template match), those with no
	// literal segment, and those whose template is "<parent>/{param}", by
	// parent.
	deleteByLit map[litKey][]*rampart.Operation
	deleteNoLit []*rampart.Operation
	deleteUnder map[string][]*rampart.Operation
}

type litKey struct {
	lit     string
	fromEnd int
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
		deleteByLit: map[litKey][]*rampart.Operation{}, deleteUnder: map[string][]*rampart.Operation{},
	}
	for _, op := range ops {
		switch op.Method {
		case http.MethodGet:
			x.indexRead(op)
		case http.MethodDelete:
			x.indexDelete(op)
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

func (x *opIndex) indexDelete(op *rampart.Operation) {
	segs := strings.Split(strings.Trim(op.Path, "/"), "/")
	key, found := litKey{}, false
	for i := len(segs) - 1; i >= 0; i-- {
		if !isTemplateParam(segs[i]) {
			key, found = litKey{segs[i], len(segs) - i}, true
			break
		}
	}
	if found {
		x.deleteByLit[key] = append(x.deleteByLit[key], op)
	} else {
		x.deleteNoLit = append(x.deleteNoLit, op)
	}
	if i := strings.LastIndex(op.Path, "/"); i >= 0 && isTemplateParam(op.Path[i+1:]) {
		x.deleteUnder[op.Path[:i]] = append(x.deleteUnder[op.Path[:i]], op)
	}
}

func isTemplateParam(seg string) bool {
	return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")
}

// deletesFor returns the DELETE operations whose template may match the
// end of a concrete path; matchesTemplate decides.
func (x *opIndex) deletesFor(path string) []*rampart.Operation {
	out := append([]*rampart.Operation(nil), x.deleteNoLit...)
	ps := strings.Split(strings.Trim(path, "/"), "/")
	for k := 1; k <= len(ps); k++ {
		out = append(out, x.deleteByLit[litKey{ps[len(ps)-k], k}]...)
	}
	return out
}
