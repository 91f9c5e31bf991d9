package codescan

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// candidate is a finding before the project-wide pass: it may still be
// dropped (an authenticating hook in another file), attributed to the
// routes that call its helper, or re-rated (CockroachDB markers).
type candidate struct {
	rule    *Rule
	file    *fileState
	node    pyast.ID
	line    int // for files that are not Python (Dockerfile, .env)
	msg     string
	conf    rampart.Confidence
	sev     rampart.Severity
	route   *routeInfo
	root    *analysis // a helper: the routes that call it own the finding
	key     string
	related []rampart.Related
	// Conditions checked at the end.
	unlessAuthHook bool
	unlessRoleHook bool
	crdbSeverity   bool // medium with CockroachDB markers, low without
	unreached      bool // a sink without routes: dropped when a route's finding covers it (sinks.go)
}

func (f *fileState) add(r *Rule, node pyast.ID, a *analysis, msg string) *candidate {
	c := &candidate{rule: r, file: f, node: node, msg: msg, conf: r.Confidence, sev: r.Severity}
	if a == nil {
		// A configuration finding inside a function: it belongs to the
		// routes that reach that function.
		a = f.rootAround(node)
	}
	if a != nil {
		if a.route != nil {
			c.route = a.route
		} else {
			c.root = a
		}
	}
	f.cands = append(f.cands, c)
	return c
}

// rootAround returns the analysis of the outermost function around a node.
func (f *fileState) rootAround(node pyast.ID) *analysis {
	if node < 0 {
		return nil
	}
	var def pyast.ID = pyast.None
	for p := f.t.Parent(node); p >= 0; p = f.t.Parent(p) {
		if f.t.Kind(p) == pyast.KindFunctionDefinition {
			def = p
			if f.isRouteFunc(p) {
				break
			}
		}
	}
	if def < 0 {
		return nil
	}
	return f.rootOf[def]
}

func (f *fileState) relate(c *candidate, node pyast.ID, note string) {
	line, col, ok := f.t.Position(node) // f may be another file, under analysis
	if !ok {
		return
	}
	c.related = append(c.related, rampart.Related{
		Location: rampart.Location{File: f.path, Line: line, Column: col},
		Note:     note,
	})
}

// dedupe drops candidates that repeat another of the same rule: on the
// same node (two request values in one query, a key used by encode and
// decode), or on a node inside or around it (`return jsonify(str(e))` and
// the jsonify in it: the innermost stays).
func (f *fileState) dedupe() {
	t := f.t
	// Candidates are compared within their rule and owner only, and
	// containment is a range test on pre-order IDs (a node's descendants
	// follow it), so that a function with thousands of statements costs
	// n log n, not n².
	type owner struct {
		rule  *Rule
		route *routeInfo
		root  *analysis
	}
	groups := map[owner][]int{}
	var order []owner
	for i, c := range f.cands {
		o := owner{c.rule, c.route, c.root}
		if _, ok := groups[o]; !ok {
			order = append(order, o)
		}
		groups[o] = append(groups[o], i)
	}
	drop := make([]bool, len(f.cands))
	for _, o := range order {
		idx := groups[o]
		if len(idx) < 2 {
			continue
		}
		first := map[pyast.ID]int{}
		var nodes []pyast.ID
		for _, i := range idx {
			c := f.cands[i]
			if j, ok := first[c.node]; ok { // keep the first, with both notes
				f.cands[j].related = append(f.cands[j].related, c.related...)
				drop[i] = true
				continue
			}
			first[c.node] = i
			if t.Valid(c.node) {
				nodes = append(nodes, c.node)
			}
		}
		slices.Sort(nodes)
		for k, n := range nodes {
			// The next node in ID order is inside n if any is: n is
			// dropped, the innermost stays.
			if k+1 < len(nodes) && nodes[k+1] < t.End(n) {
				drop[first[n]] = true
			}
		}
	}
	out := f.cands[:0:0]
	for i, c := range f.cands {
		if !drop[i] {
			out = append(out, c)
		}
	}
	f.cands = out
}

// snippet is a short excerpt of a node's text for messages.
func (f *fileState) snippet(id pyast.ID) string {
	return snippetOf(f.t.Text(id))
}

// snippetOf is the first 80 bytes of code on one line, comments dropped.
// Only a prefix of the code is read, doubled until it gives more than 80
// bytes: a statement of a megabyte costs what a short one does.
func snippetOf(text string) string {
	for n := 256; ; n *= 2 {
		if n >= len(text) {
			break
		}
		// The normalised form of a prefix is a prefix of the whole's
		// normalised form (cut on a rune, so no space is split).
		cut := n
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if s := oneLine(text[:cut]); len(s) > 80 {
			return s[:77] + "..."
		}
	}
	s := oneLine(text)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(stripComments(s)), " ") }

// stripComments drops # comments from source text (not # inside strings).
func stripComments(s string) string {
	if !strings.Contains(s, "#") {
		return s
	}
	var b strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(s) {
				b.WriteByte(c)
				i++
				c = s[i]
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			if i < len(s) {
				b.WriteByte('\n')
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isWrite reports whether a statement changes rows.
func isWrite(e *sqlEvent) bool {
	return e.info != nil && (e.info.op == "insert" || e.info.op == "update" || e.info.op == "delete" || e.info.op == "upsert")
}

// bound returns the value bound to the i-th placeholder of a statement.
func bound(e *sqlEvent, i int, b bind) (val, bool) {
	if b.name != "" && e.named != nil {
		v, ok := e.named[b.name]
		return v, ok
	}
	if i < len(e.params) {
		return e.params[i], true
	}
	return val{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- helpers the rules share

// resolveAuth works out what a route's decorators demand, reading the
// module's own decorators' bodies.
func (f *fileState) resolveAuth(r *routeInfo) {
	var login, role bool
	for _, d := range r.r.Decorators {
		k := d.Auth
		if ref, ok := f.resolve(d.Name); ok {
			k = authOfBody(ref.f.rootOf[ref.def()], k)
		}
		switch k {
		case pyast.AuthLogin:
			login = true
		case pyast.AuthRole:
			role = true
		}
	}
	switch {
	case role:
		r.auth = pyast.AuthRole
	case login:
		r.auth = pyast.AuthLogin
	}
}

// authOfBody refines what a decorator or dependency demands (k, from its
// name) by its analysed body: one that compares the caller's role is a role
// check, one that reads the caller a login check, whatever its name.
func authOfBody(a *analysis, k pyast.AuthKind) pyast.AuthKind {
	switch {
	case a == nil:
	case a.roleCheck:
		return pyast.AuthRole
	case a.identUsed && k == pyast.AuthNone:
		return pyast.AuthLogin
	}
	return k
}

// helpersMention reports whether a same-module function the analysis calls
// (directly or not) matches a pattern.
func (f *fileState) helpersMention(a *analysis, re *markerSet) bool {
	for ref := range f.reach(a) {
		if ref.f.within(re, ref.def()) {
			return true
		}
	}
	return false
}

// reach returns the functions of the scanned modules an analysis calls,
// transitively. It reads other files' analyses: call it only once every
// file's root analyses are done.
func (f *fileState) reach(a *analysis) map[funcRef]bool {
	if r, ok := f.reachCache[a]; ok {
		return r
	}
	out := map[funcRef]bool{}
	f.reachCache[a] = out
	var visit func(x *analysis)
	visit = func(x *analysis) {
		for ref := range x.calls {
			if out[ref] {
				continue
			}
			out[ref] = true
			if y := ref.f.rootOf[ref.def()]; y != nil {
				visit(y)
			}
		}
	}
	visit(a)
	return out
}
