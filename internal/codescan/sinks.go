package codescan

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Sinks without routes. The SQL rules follow request data from a route; a
// function that no route is found to call (a model method of an app routed
// through its OpenAPI document, a CLI script, an aiohttp or Django view)
// would never be looked at. Here a statement whose text a function builds
// from its own parameters is reported where it is run, the parameters
// treated as possibly tainted: PY-SQLI-001 (PY-SQLI-003 for an identifier
// position) at Tentative confidence and one step lower severity, saying
// that no request path was found.
// When route taint does reach the statement, the route's Firm finding is
// the one kept (see coveredSinks).

// checkSinks reports the statements of an analysis whose text is built from
// the function's parameters and that no request value was traced into.
func (f *fileState) checkSinks(a *analysis) {
	f.checkClauses(a)
	var reported map[pyast.ID]bool
	for _, e := range a.events {
		if e.orm || e.query.str == nil || !e.query.built || e.info == nil || !sqlKeywords[firstWord(e.info.lower)] {
			continue
		}
		if f.checkSink(a, e) {
			if reported == nil {
				reported = map[pyast.ID]bool{}
			}
			reported[e.node] = true
		}
	}
	if reported != nil {
		// These findings are the stronger ones: the "built from strings"
		// findings on the same statements go (one pass, however many).
		f.dropCands(func(c *candidate) bool { return c.rule == SQLiBuilt && reported[c.node] })
	}
}

// checkSink reports one statement, and says whether it did.
func (f *fileState) checkSink(a *analysis, e *sqlEvent) bool {
	q := e.query.str
	var value, ident uint64 // parameters in value and identifier positions
	var idents []bool
	for i, p := range q {
		if !p.hole || p.safeIdent || p.v.cnst {
			continue
		}
		if p.v.has(lReq | lKey) {
			return false // a route's finding covers the statement
		}
		if p.v.p == 0 {
			continue
		}
		if idents == nil {
			idents = holeContexts(q)
		}
		if idents[i] {
			ident |= p.v.p
		} else {
			value |= p.v.p
		}
	}
	if value == 0 && ident == 0 {
		return false
	}
	name := f.t.FuncName(a.def)
	snip := f.snippet(e.node)
	if value != 0 {
		c := f.add(SQLiValue, e.node, a, fmt.Sprintf("`%s` formats %s into the SQL of `%s` instead of binding %s; "+
			"no request path found to it: whatever its callers pass is assumed to reach the statement", name, paramWords(a, value), snip, pronoun(value)))
		c.conf, c.sev, c.key, c.unreached = rampart.Tentative, unreachedSeverity(SQLiValue), "value", true
	}
	if ident != 0 {
		c := f.add(SQLiIdent, e.node, a, fmt.Sprintf("`%s` formats %s into the SQL of `%s` as an identifier (table, column or sort order); "+
			"no request path found to it: whatever its callers pass is assumed to reach the statement", name, paramWords(a, ident), snip))
		c.conf, c.sev, c.key, c.unreached = rampart.Tentative, unreachedSeverity(SQLiIdent), "ident", true
	}
	return true
}

// unreachedSeverity is one step below the rule's: an injection no request
// was traced to is a weaker claim than one a route proves, and a library
// tree's provisioning helpers (CREATE DATABASE %s) should not read as
// critical. Route taint gives the rule's own severity back.
func unreachedSeverity(r *Rule) rampart.Severity {
	return max(r.Severity-1, rampart.Low)
}

// djangoRaw reports whether a call is Django's Manager.raw(): `Model.objects.raw(sql, params)` runs
// its first argument as SQL, like a cursor's execute().
func djangoRaw(t *pyast.Tree, name string, recv pyast.ID) bool {
	return name == "raw" && recv >= 0 && t.Kind(recv) == pyast.KindAttribute && t.LastName(recv) == "objects"
}

// dropCands removes the file's candidates a test picks.
func (f *fileState) dropCands(drop func(*candidate) bool) {
	out := f.cands[:0]
	for _, c := range f.cands {
		if !drop(c) {
			out = append(out, c)
		}
	}
	clear(f.cands[len(out):])
	f.cands = out
}

func pronoun(set uint64) string {
	if bits.OnesCount64(set) > 1 {
		return "them"
	}
	return "it"
}

// paramWords names the parameters of a bit set: "its parameter `name`",
// "its parameters `a` and `b`".
func paramWords(a *analysis, set uint64) string {
	var names []string
	for set != 0 {
		i := bits.TrailingZeros64(set)
		set &^= 1 << uint(i)
		if i < len(a.paramNames) {
			names = append(names, "`"+a.paramNames[i]+"`")
		}
	}
	switch len(names) {
	case 0:
		return "a parameter"
	case 1:
		return "its parameter " + names[0]
	}
	return "its parameters " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// sinkAt is a statement's place in the project.
type sinkAt struct {
	file string
	line int
}

// coveredSinks lists the statements a Firm SQL finding already reports:
// its own node, or the helper's statement a route's value is passed to
// (the finding's "the statement that formats it" location).
func coveredSinks(states []*fileState) map[sinkAt]bool {
	out := map[sinkAt]bool{}
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, c := range f.cands {
			if c.unreached || c.rule != SQLiValue && c.rule != SQLiIdent {
				continue
			}
			if f.t.Valid(c.node) {
				out[sinkAt{f.path, f.t.Line(c.node)}] = true
			}
			for _, r := range c.related {
				out[sinkAt{r.Location.File, r.Location.Line}] = true
			}
		}
	}
	return out
}

// sinkCovered reports whether a route's finding covers an unreached sink's
// candidate.
func sinkCovered(covered map[sinkAt]bool, f *fileState, c *candidate) bool {
	return c.unreached && covered[sinkAt{f.path, f.t.Line(c.node)}]
}

// sqlClause is a text() whose argument is a clause built at run time, not a
// whole statement: `query.filter(text("title = '%s'" % term))`. No execute()
// runs it, so the statement rules never see it.
type sqlClause struct {
	node  pyast.ID
	query val
}

// textClause records a text() call whose argument is a clause (a whole
// statement is reported where it is executed).
func (u *unit) textClause(id pyast.ID, q val) {
	if q.str == nil || !q.built || !isDynamic(q.str) || sqlKeywords[firstWord(normalizeSQL(render(q.str)))] {
		return
	}
	u.a.clauses = append(u.a.clauses, sqlClause{node: id, query: q})
}

// summariseClauses makes a function that formats its parameters into a
// text() clause a helper that formats them into SQL, for its callers.
func summariseClauses(a *analysis, s *summary) {
	for _, cl := range a.clauses {
		value, ident := paramHoles(cl.query.str)
		s.holeP |= value
		s.holeIdP |= ident
		if value|ident != 0 && s.sinkNode == 0 {
			s.sinkNode = cl.node
		}
	}
}

// paramHoles returns the parameters (bits, as val.p) formatted into SQL
// text in value positions and in identifier positions: what a helper's
// summary tells its callers it formats. Constants and driver-quoted
// identifiers do not count.
func paramHoles(str []part) (value, ident uint64) {
	var idents []bool
	for i, p := range str {
		if !p.hole || p.v.p == 0 || p.safeIdent || p.v.cnst {
			continue
		}
		if idents == nil {
			idents = holeContexts(str)
		}
		if idents[i] {
			ident |= p.v.p
		} else {
			value |= p.v.p
		}
	}
	return value, ident
}

// checkClauses reports the request data and the parameters formatted into
// text() clauses.
func (f *fileState) checkClauses(a *analysis) {
	for _, cl := range a.clauses {
		q := cl.query.str
		idents := holeContexts(q)
		var value, ident uint64
		reported := false
		for i, p := range q {
			if !p.hole || p.safeIdent || p.v.cnst {
				continue
			}
			v := p.v
			switch {
			case idents[i] && v.has(lReq|lKey):
				c := f.add(SQLiIdent, cl.node, a, fmt.Sprintf("%s is formatted into the SQL clause `%s` as an identifier (table, column or sort order)", describe(*v), f.snippet(cl.node)))
				c.key, reported = "ident", true
			case !idents[i] && v.has(lReq) && v.has(lInj):
				c := f.add(SQLiValue, cl.node, a, fmt.Sprintf("%s is formatted into the SQL clause `%s` instead of being passed as a parameter", describe(*v), f.snippet(cl.node)))
				c.key, reported = "value", true
			case v.has(lReq | lKey):
				reported = true // converted request data: not free text
			case v.p != 0 && idents[i]:
				ident |= v.p
			case v.p != 0:
				value |= v.p
			}
		}
		if reported {
			continue
		}
		name := f.t.FuncName(a.def)
		if value != 0 {
			c := f.add(SQLiValue, cl.node, a, fmt.Sprintf("`%s` formats %s into the SQL clause `%s` instead of binding %s; "+
				"no request path found to it: whatever its callers pass is assumed to reach the query", name, paramWords(a, value), f.snippet(cl.node), pronoun(value)))
			c.conf, c.sev, c.key, c.unreached = rampart.Tentative, unreachedSeverity(SQLiValue), "value", true
		}
		if ident != 0 {
			c := f.add(SQLiIdent, cl.node, a, fmt.Sprintf("`%s` formats %s into the SQL clause `%s` as an identifier (table, column or sort order); "+
				"no request path found to it: whatever its callers pass is assumed to reach the query", name, paramWords(a, ident), f.snippet(cl.node)))
			c.conf, c.sev, c.key, c.unreached = rampart.Tentative, unreachedSeverity(SQLiIdent), "ident", true
		}
	}
}
