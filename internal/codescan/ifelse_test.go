package codescan

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// TestIfElseIsTheJoin: walking `if … else …` in place (ifElse) leaves the
// environment that the walk on copies joined by joinEnvs leaves, name by
// name, whichever side sets, refines or ends.
func TestIfElseIsTheJoin(t *testing.T) {
	for _, c := range []struct{ name, body string }{
		{"both set one name", "if a:\n        x = request.args['q']\n    else:\n        x = 'lit'\n"},
		{"each sets its own name", "if a:\n        y = b + c\n    else:\n        z = request.form['n']\n"},
		{"else sets an old name", "if a:\n        y = 1\n    else:\n        b = request.json\n"},
		{"else sets a name twice", "if a:\n        pass\n    else:\n        b = request.json\n        b = 'x' + c\n"},
		{"body sets twice, else once", "if a:\n        c = b\n        c = c + request.args['q']\n    else:\n        c = f'{b}'\n"},
		{"refined condition", "if a is None:\n        a = request.args.get('a')\n    else:\n        b = a\n"},
		{"isinstance refinement", "if not isinstance(c, str):\n        c = str(c)\n    else:\n        b = c.lower()\n"},
		{"body ends", "if a:\n        return b\n    else:\n        c = request.args['q']\n"},
		{"else ends", "if a:\n        c = request.args['q']\n    else:\n        raise ValueError(b)\n"},
		{"both end", "if a:\n        return b\n    else:\n        raise ValueError(c)\n"},
		{"comprehension in a body", "if a:\n        b = [x + c for x in request.args]\n    else:\n        c = {k: v for k, v in b.items()}\n"},
		{"walrus in the condition", "if (n := request.args.get('n')):\n        b = n\n    else:\n        c = n\n"},
		{"new names only", "if a:\n        p = request.args['p']\n    else:\n        q = request.args['q']\n"},
		{"both build a string", "if a:\n        x = 'a' + b\n    else:\n        x = 'c' + d\n"},
		{"tuple elements", "if a:\n        b = (request.args['x'], 1)\n    else:\n        b = (c, 2)\n"},
	} {
		src := "from flask import request\ndef f(a, b, c):\n    d = b\n    " + c.body + "    return b\n"
		inPlace, copied := ifElseEnv(t, src, true), ifElseEnv(t, src, false)
		if inPlace != copied {
			t.Errorf("%s:\nin place:\n%s\ncopies:\n%s", c.name, inPlace, copied)
		}
	}
}

// ifElseEnv walks the body of src's function f without its last
// statement, with the in-place walks of if/else and loops on or off, and
// describes the environment it leaves.
func ifElseEnv(t *testing.T, src string, inPlace bool) string {
	t.Helper()
	oldElse, oldLoop := joinElseInPlace, loopInPlace
	joinElseInPlace, loopInPlace = inPlace, inPlace
	defer func() { joinElseInPlace, loopInPlace = oldElse, oldLoop }()
	tree, err := pyast.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	proj := newProject()
	f := newFileState("app.py", tree, proj)
	f.module, f.pkg = moduleName("app.py")
	proj.files = []*fileState{f}
	f.moduleEnv()
	def := f.mod.Defs["f"]
	a := f.newAnalysis(def)
	u := f.rootUnit(a, def, nil)
	body := tree.Body(def)
	for s := tree.First(body); s >= 0 && tree.Next(s) >= 0; s = tree.Next(s) {
		u.stmt(s)
	}
	if u.logging || len(u.undo) != 0 {
		t.Errorf("logging %v, %d undo entries left", u.logging, len(u.undo))
	}
	var lines []string
	for name, v := range u.env {
		lines = append(lines, name+" = "+valText(v))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// valText is what a value says, without the pointers of one walk.
func valText(v val) string {
	var str []string
	for _, p := range v.str {
		s := p.lit
		if p.hole && p.v != nil {
			s = "{" + valText(*p.v) + "}"
		}
		str = append(str, s)
	}
	var elems []string
	for _, e := range v.elements() {
		elems = append(elems, valText(e))
	}
	return fmt.Sprintf("l=%v p=%b pw=%b cnst=%v built=%v exc=%v ev=%d obj=%v str=%q elems=%v field=%q param=%q",
		v.l, v.p, v.pw, v.cnst, v.built, v.exc, v.ev, v.obj != nil, str, elems, v.rowField(), v.routeParam())
}

// TestLoopIsTheJoin: a simple loop body walked on the environment itself
// (loopStart, loopEnd) leaves the environment that the walk after a copy,
// joined with it, leaves.
func TestLoopIsTheJoin(t *testing.T) {
	many := "        d = request.args['q']\n        d = c\n"
	for i := 0; i < 10; i++ { // more than 16 log entries over two passes
		many += fmt.Sprintf("        v%d = b + str(%d)\n", i%5, i)
	}
	for _, c := range []struct{ name, body string }{
		{"for sets an old name", "for x in request.args:\n        b = x\n"},
		{"for sets a new name", "for x in c:\n        n = x + b\n"},
		{"for carries a value around", "for x in request.args:\n        c = b\n        b = x\n"},
		{"for over items", "for k, v in request.json.items():\n        b = k\n        c = v\n"},
		{"for with a comprehension", "for x in c:\n        b = [y for y in x]\n"},
		{"for with break and else", "for x in c:\n        b = x\n        break\n    else:\n        c = b\n"},
		{"for returns", "for x in request.args:\n        return x\n"},
		{"while sets names", "while a:\n        a = b\n        b = request.args['q']\n"},
		{"while, long log", "while a:\n" + many},
		{"nested loops", "for x in c:\n        for y in x:\n            b = y\n"},
	} {
		src := "from flask import request\ndef f(a, b, c):\n    d = b\n    " + c.body + "    return b\n"
		inPlace, copied := ifElseEnv(t, src, true), ifElseEnv(t, src, false)
		if inPlace != copied {
			t.Errorf("%s:\nin place:\n%s\ncopies:\n%s", c.name, inPlace, copied)
		}
	}
}
