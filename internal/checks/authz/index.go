package authz

import (
	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/fixture"
)

// opIndex is the scan's operations indexed once: checks that run on every
// operation look their siblings up here instead of walking the whole
// surface, which made them quadratic in the number of operations.
type opIndex struct {
	resources []*fixture.Resource             // fixture.Resources(p.Surface)
	byItem    map[string]*fixture.Resource    // by item template
	ops       map[string][]*rampart.Operation // by "METHOD /path", in surface order
}

func surfaceOf(p *check.Pass) *opIndex {
	v, _ := p.Shared.Once("authz: surface index", func() (any, error) {
		s := &opIndex{resources: fixture.Resources(p.Surface), byItem: map[string]*fixture.Resource{}, ops: map[string][]*rampart.Operation{}}
		for _, r := range s.resources {
			s.byItem[r.Item] = r
		}
		for _, op := range p.Surface {
			k := op.Method + " " + op.Path
			s.ops[k] = append(s.ops[k], op)
		}
		return s, nil
	})
	return v.(*opIndex)
}

// op returns the first operation with this method and path, or nil.
func (s *opIndex) op(method, path string) *rampart.Operation {
	if ops := s.ops[method+" "+path]; len(ops) > 0 {
		return ops[0]
	}
	return nil
}
