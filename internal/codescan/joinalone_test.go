package codescan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestJoinAloneSameAsCopy: the in-place join of a lone `if`, and
// comprehensions that bind their names in place and take them back, give
// every fixture, fixture project, testbed twin and zoo app the findings,
// routes and keys that copies of the environment give, down to messages and
// evidence, and every function the same summary.
func TestJoinAloneSameAsCopy(t *testing.T) {
	dirs := []string{"testdata/fixtures", "../../testbed/vulnerable", "../../testbed/secure"}
	projects, err := filepath.Glob("testdata/projects/*")
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, projects...)
	zoo, _ := filepath.Glob("../../testbed/zoo/*")
	dirs = append(dirs, zoo...)
	run := func(dir string, inPlace bool) (string, map[string]*summary) {
		t.Helper()
		old, oldComp, oldElse, oldLoop := joinInPlace, comprehensionInPlace, joinElseInPlace, loopInPlace
		joinInPlace, comprehensionInPlace, joinElseInPlace, loopInPlace = inPlace, inPlace, inPlace, inPlace
		sums := map[string]*summary{}
		inspectStates = func(states []*fileState) {
			for _, f := range states {
				if f == nil {
					continue
				}
				for name, s := range f.sums {
					sums[f.path+":"+name] = s
				}
			}
		}
		defer func() {
			joinInPlace, comprehensionInPlace, joinElseInPlace, loopInPlace, inspectStates = old, oldComp, oldElse, oldLoop, nil
		}()
		res, err := Analyze(context.Background(), dir, Options{Workers: 1})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		res.Duration = 0
		b, err := json.Marshal(struct {
			F, R, K any
		}{res.Findings, res.Routes, res.Keys})
		if err != nil {
			t.Fatal(err)
		}
		return string(b), sums
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		a, sa := run(dir, true)
		b, sb := run(dir, false)
		if a != b {
			t.Errorf("%s: the in-place join changes the findings", dir)
		}
		if len(sa) != len(sb) {
			t.Errorf("%s: %d summaries in place, %d with a copy", dir, len(sa), len(sb))
		}
		for name, s := range sa {
			if o := sb[name]; o == nil || summaryText(s) != summaryText(o) {
				t.Errorf("%s: the summary of %s differs", dir, name)
			}
		}
	}
}

// summaryText is what a summary says to callers, without the pointers of
// one run (same compares a lookup's statement by identity).
func summaryText(s *summary) string {
	lookup := "none"
	if s.lookup != nil {
		lookup = fmt.Sprintf("p=%b", s.lookup.p)
		if s.lookup.info != nil {
			lookup += fmt.Sprintf(" %+v", *s.lookup.info)
		}
	}
	return fmt.Sprintf("ret l=%b p=%b pw=%b ev=%d str=%d elems=%d field=%q param=%q cnst=%v built=%v exc=%v obj=%v "+
		"q=%b args=%b hole=%b holeId=%b runner=%b retry=%v managed=%v retConn=%v role=%v ident=%v raises=%v events=%d lookup=%s",
		s.ret.l, s.ret.p, s.ret.pw, s.ret.ev, len(s.ret.str), len(s.ret.elements()), s.ret.rowField(), s.ret.routeParam(),
		s.ret.cnst, s.ret.built, s.ret.exc, s.ret.obj != nil,
		s.queryP, s.argsP, s.holeP, s.holeIdP, s.runnerP, s.retry, s.managed, s.retConn, s.roleChk, s.identity, s.raises, s.events, lookup)
}

// TestJoinAloneIsTheJoin: joinAlone leaves u.env as joinEnvs makes it of
// the branch's environment (B, then onTrue and the body's sets) and the
// skipping path's (B, then onFalse), for names in either, both or neither.
func TestJoinAloneIsTheJoin(t *testing.T) {
	v := func(l labels) val { return val{ev: -1, l: l} }
	base := func() map[string]val {
		return map[string]val{"a": v(lReq), "b": v(lPath), "c": v(lKey), "d": v(lInj)}
	}
	for _, c := range []struct {
		name            string
		onTrue, onFalse []refinement
		sets            []refinement // what the body sets, in order
	}{
		{"body sets an old name", nil, nil, []refinement{{"a", v(lRow)}}},
		{"body sets a new name", nil, nil, []refinement{{"n", v(lRow)}}},
		{"onFalse refines a name the body leaves", nil, []refinement{{"b", v(lIdent)}}, nil},
		{"onFalse refines a name the body sets", nil, []refinement{{"c", v(lIdent)}}, []refinement{{"c", v(lRow)}}},
		{"onFalse adds a name", nil, []refinement{{"z", v(lIdent)}}, nil},
		{"onTrue and onFalse on one name", []refinement{{"d", v(lRow)}}, []refinement{{"d", v(lIdent)}}, nil},
		{"a name set twice, refined twice", []refinement{{"a", v(lRow)}}, []refinement{{"b", v(lIdent)}, {"b", v(lExc)}},
			[]refinement{{"a", v(lIdent)}, {"a", v(lExc)}, {"n", v(lKey)}, {"n", v(lInj)}}},
	} {
		// The copy: what branch did before joinAlone.
		branchEnv := base()
		for _, r := range append(append([]refinement{}, c.onTrue...), c.sets...) {
			branchEnv[r.name] = r.v
		}
		fallEnv := base()
		for _, r := range c.onFalse {
			fallEnv[r.name] = r.v
		}
		want := joinEnvs([]map[string]val{branchEnv, fallEnv})

		u := &unit{env: base(), logging: true}
		mark := len(u.undo)
		u.apply(c.onTrue)
		for _, r := range c.sets {
			u.set(r.name, r.v)
		}
		u.joinAlone(mark, c.onFalse)
		if u.logging || len(u.undo) != mark {
			t.Errorf("%s: logging %v, %d undo entries left", c.name, u.logging, len(u.undo)-mark)
		}
		if len(u.env) != len(want) {
			t.Errorf("%s: %d names, want %d", c.name, len(u.env), len(want))
		}
		for name, w := range want {
			if got, ok := u.env[name]; !ok || got.l != w.l || got.ev != w.ev {
				t.Errorf("%s: %s = %+v (%v), want %+v", c.name, name, got, ok, w)
			}
		}
	}
}
