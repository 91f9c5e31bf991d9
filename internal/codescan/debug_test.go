package codescan

import (
	"os"
	"testing"

	"github.com/rampart-sec/rampart/internal/pyast"
)

func TestDebugFunc(t *testing.T) {
	file, fn := os.Getenv("PYFILE"), os.Getenv("PYFUNC")
	if file == "" {
		t.Skip()
	}
	src, _ := os.ReadFile(file)
	tr, _ := pyast.Parse(src)
	f := newFileState(file, tr, &project{schema: newSchema()})
	resolvePaths([]*fileState{f})
	f.analyse()
	for name, s := range f.sums {
		t.Logf("sum %s: %+v ret.l=%b", name, *s, s.ret.l)
	}
	for _, a := range f.roots {
		if tr.FuncName(a.def) != fn {
			continue
		}
		t.Logf("calls=%v ident=%v role=%v", a.calls, a.identUsed, a.roleCheck)
		for i, e := range a.events {
			tx := e.txn()
			t.Logf("ev%d line %d text=%q wrapper=%v orm=%v conn=%v txn=%+v params=%d", i, tr.Line(e.node), e.text, e.wrapper, e.orm, e.conn != nil, tx, len(e.params))
		}
		for _, g := range a.guards {
			t.Logf("guard line %d term=%v rows=%v ident=%+v role=%v", tr.Line(g.node), g.terminates, g.rows, g.ident, g.role)
		}
		for _, r := range a.responses {
			t.Logf("resp line %d l=%b ev=%d ret=%v", tr.Line(r.node), r.v.l, r.v.ev, r.ret)
		}
	}
}
