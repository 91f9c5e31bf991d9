package apimodel

import (
	"net/url"
	"strings"

	"github.com/rampart-sec/rampart"
)

// router finds the operation of a concrete request path: a tree of path
// segments, literal ones before parameters, so /items/new beats
// /items/{id} and a lookup costs the depth of the path, not the size of the
// API.
type router struct {
	base string // the base path operations hang off, without a trailing slash
	root *rnode
}

type rnode struct {
	lit   map[string]*rnode
	param *rnode
	ops   map[string]*rampart.Operation // by method
}

func newRouter(base *url.URL, ops []*rampart.Operation) *router {
	r := &router{root: &rnode{}}
	if base != nil {
		r.base = strings.TrimSuffix(base.Path, "/")
	}
	for _, op := range ops {
		n := r.root
		for _, s := range splitPath(op.Path) {
			if isParamSeg(s) {
				if n.param == nil {
					n.param = &rnode{}
				}
				n = n.param
				continue
			}
			if n.lit == nil {
				n.lit = map[string]*rnode{}
			}
			c := n.lit[s]
			if c == nil {
				c = &rnode{}
				n.lit[s] = c
			}
			n = c
		}
		if n.ops == nil {
			n.ops = map[string]*rampart.Operation{}
		}
		if _, dup := n.ops[op.Method]; !dup {
			n.ops[op.Method] = op
		}
	}
	return r
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match returns the operation a request belongs to, nil when none.
func (r *router) match(method, rawURL string) *rampart.Operation {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	p := u.Path
	if r.base != "" {
		if !strings.HasPrefix(p, r.base) {
			return nil
		}
		p = p[len(r.base):]
	}
	segs := splitPath(p)
	if len(segs) > maxSegments {
		return nil
	}
	return r.root.find(segs, method)
}

// maxSegments bounds the backtracking of find (two branches a level).
const maxSegments = 24

func (n *rnode) find(segs []string, method string) *rampart.Operation {
	if len(segs) == 0 {
		if n.ops == nil {
			return nil
		}
		return n.ops[method]
	}
	if c := n.lit[segs[0]]; c != nil {
		if op := c.find(segs[1:], method); op != nil {
			return op
		}
	}
	if n.param != nil {
		return n.param.find(segs[1:], method)
	}
	return nil
}
