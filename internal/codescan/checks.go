package codescan

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
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

// check runs every rule over the analyses.
func (f *fileState) check() {
	for _, a := range f.roots {
		f.checkSQL(a)
		f.checkMass(a)
		f.checkTxn(a)
		f.checkRace(a)
		f.checkResponses(a)
		f.checkCORS(a)
	}
	for _, r := range f.routes {
		if r.a == nil {
			continue
		}
		f.resolveAuth(r)
		f.checkBOLA(r)
		f.checkBFLA(r)
		f.checkMissingAuth(r)
		f.checkIdempotency(r)
		f.checkRateLimit(r)
	}
	f.checkConfig()
	f.dedupe()
	// Reachability of every route, for attributing helpers' findings to
	// them later (computed now, while each file owns its cache).
	for _, r := range f.routes {
		if r.a != nil {
			f.reach(r.a)
		}
	}
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

// ---------------------------------------------------------------- SQL

func (f *fileState) checkSQL(a *analysis) {
	for _, e := range a.events {
		if e.orm {
			continue
		}
		f.checkQuery(a, e)
	}
	for _, g := range a.getattrs {
		f.add(SQLiIdent, g, a, fmt.Sprintf("`%s` picks a model attribute (a column) named by the request", f.snippet(g))).conf = rampart.Tentative
	}
}

func (f *fileState) checkQuery(a *analysis, e *sqlEvent) {
	q := e.query
	// One statement may have thousands of holes: its text is shown once.
	var code string
	snip := func() string {
		if code == "" {
			code = f.snippet(e.node)
		}
		return code
	}
	// The whole query comes from the request.
	if q.str == nil && q.has(lReq) && q.has(lInj) && !q.cnst {
		f.add(SQLiValue, e.node, a, fmt.Sprintf("the request supplies the whole statement run by `%s`", snip()))
		return
	}
	reportedBuilt := false
	for _, p := range q.str {
		if p.hole && !p.safeIdent && !p.v.cnst && p.v.has(lReq|lKey) {
			reportedBuilt = true // a stronger finding covers the statement
		}
	}
	idents := holeContexts(q.str)
	for i, p := range q.str {
		if !p.hole {
			continue
		}
		v := p.v
		ident := idents[i]
		write := e.info != nil && (e.info.op == "update" || e.info.op == "insert" || e.info.op == "upsert")
		if v.has(lKey) && ident && write {
			c := f.add(MassColumns, e.node, a, fmt.Sprintf("the columns written by `%s` are the keys of the request body", snip()))
			c.key = "mass"
		}
		if p.safeIdent || v.cnst {
			continue
		}
		switch {
		case ident && v.has(lReq|lKey):
			c := f.add(SQLiIdent, e.node, a, fmt.Sprintf("%s is formatted into the SQL of `%s` as an identifier (table, column or sort order)", describe(*v), snip()))
			c.key = "ident"
		case !ident && v.has(lReq) && v.has(lInj):
			c := f.add(SQLiValue, e.node, a, fmt.Sprintf("%s is formatted into the SQL of `%s` instead of being passed as a parameter", describe(*v), snip()))
			c.key = "value"
		case v.p == 0 && !reportedBuilt && !v.has(lReq|lKey) && q.built:
			reportedBuilt = true
			c := f.add(SQLiBuilt, e.node, a, fmt.Sprintf("the SQL of `%s` is built with string formatting", snip()))
			c.key = "built"
		}
	}
	// Values a helper formats into its own query.
	for _, x := range e.extra {
		if x.v.cnst {
			continue
		}
		switch {
		case x.ident && x.v.has(lReq|lKey):
			c := f.add(SQLiIdent, e.node, a, fmt.Sprintf("%s is passed to a helper that formats it into SQL as an identifier", describe(x.v)))
			x.file.relate(c, x.sink, "the statement that formats it")
			c.key = "ident"
		case !x.ident && x.v.has(lReq) && x.v.has(lInj):
			c := f.add(SQLiValue, e.node, a, fmt.Sprintf("%s is passed to a helper that formats it into SQL", describe(x.v)))
			x.file.relate(c, x.sink, "the statement that formats it")
			c.key = "value"
		}
	}
}

// describe names where a value comes from, for messages.
func describe(v val) string {
	switch {
	case v.param != "":
		return "route parameter `" + v.param + "`"
	case v.has(lKey) && !v.has(lInj):
		return "a key of the request body"
	case v.has(lKey):
		return "request data (its keys)"
	case v.has(lReq):
		return "request data"
	case v.has(lIdent):
		return "the caller's identity"
	}
	return "a value"
}

// ---------------------------------------------------------------- mass assignment

func (f *fileState) checkMass(a *analysis) {
	for _, m := range a.mass {
		c := f.add(MassModel, m.node, a, m.what)
		c.key = "model"
	}
}

// ---------------------------------------------------------------- transactions

func isWrite(e *sqlEvent) bool {
	return e.info != nil && (e.info.op == "insert" || e.info.op == "update" || e.info.op == "delete" || e.info.op == "upsert")
}

func (f *fileState) checkTxn(a *analysis) {
	autocommit := f.autocommit()
	// Module-level connections used by this function.
	seenConn := map[*object]bool{}
	for _, e := range a.events {
		if e.conn != nil && e.conn.moduleLevel && !seenConn[e.conn] {
			seenConn[e.conn] = true
			c := f.add(TxnGlobalConn, e.conn.node, a, fmt.Sprintf("`%s` is created at import time and shared by every request; this handler runs `%s` on it",
				e.conn.name, f.snippet(e.node)))
			f.relate(c, e.node, "used here")
			c.key = e.conn.name
		}
	}
	if autocommit {
		return
	}
	// Unmanaged statements, grouped by connection and commit count.
	type groupKey struct {
		conn    *object
		commits int
	}
	groups := map[groupKey][]*sqlEvent{}
	var order []groupKey
	for _, e := range a.events {
		if e.conn == nil || e.conn.moduleLevel || e.txn() != nil || e.orm || e.info == nil {
			continue
		}
		k := groupKey{e.conn, e.commits}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], e)
	}
	for _, k := range order {
		evs := groups[k]
		writes := 0
		retried := false
		for _, e := range evs {
			if isWrite(e) {
				writes++
			}
			retried = retried || e.retry
		}
		if writes == 0 {
			continue
		}
		committed := a.commits[k.conn] > k.commits || a.commitAny > 0
		if !committed {
			var first *sqlEvent
			for _, e := range evs {
				if isWrite(e) {
					first = e
					break
				}
			}
			c := f.add(TxnNoCommit, first.node, a, fmt.Sprintf("`%s` writes on `%s`, which this function never commits or rolls back", f.snippet(first.node), k.conn.name))
			c.key = "nocommit"
			continue
		}
		if len(evs) >= 2 && !retried {
			c := f.add(TxnNoRetry, evs[0].node, a, fmt.Sprintf("%d statements (%d writes) run in one transaction on `%s` with no retry on serialization failures (40001)%s",
				len(evs), writes, k.conn.name, rollbackNote(a)))
			c.crdbSeverity = true
			c.key = "noretry"
			for _, e := range evs[1:] {
				f.relate(c, e.node, "same transaction")
			}
		}
	}
	// Managed blocks (with conn:) of several statements, not retried.
	scopes := map[*txnScope][]*sqlEvent{}
	var sorder []*txnScope
	for _, e := range a.events {
		s := e.txn()
		if s == nil || !s.managed || s.retry || e.wrapper || e.info == nil {
			continue
		}
		if _, ok := scopes[s]; !ok {
			sorder = append(sorder, s)
		}
		scopes[s] = append(scopes[s], e)
	}
	for _, s := range sorder {
		evs := scopes[s]
		writes := 0
		for _, e := range evs {
			if isWrite(e) {
				writes++
			}
		}
		if len(evs) >= 2 && writes > 0 {
			c := f.add(TxnNoRetry, evs[0].node, a, fmt.Sprintf("a transaction of %d statements (%d writes) has no retry on serialization failures (40001)", len(evs), writes))
			c.crdbSeverity = true
			c.conf = rampart.Tentative
			c.key = "noretry-managed"
		}
	}
}

func rollbackNote(a *analysis) string {
	if a.rollbacks == 0 {
		return ", and no rollback on its error paths"
	}
	return ""
}

// ---------------------------------------------------------------- races

func (f *fileState) sameTxn(r, w *sqlEvent) bool {
	rs, ws := r.txn(), w.txn()
	if rs != nil || ws != nil {
		return rs == ws
	}
	return r.conn != nil && r.conn == w.conn && r.commits == w.commits
}

func (f *fileState) safeTxn(r, w *sqlEvent) bool {
	if !f.sameTxn(r, w) {
		return false
	}
	if s := r.txn(); s != nil && s.retry {
		return true // SERIALIZABLE with retries: the database catches the race
	}
	return r.retry && w.retry || r.info != nil && r.info.forUpd
}

func (f *fileState) checkRace(a *analysis) {
	t := f.t
	// Lost updates: SET col = <value computed from an earlier read>.
	for _, w := range a.events {
		if w.info == nil || w.info.op != "update" {
			continue
		}
		for i, b := range w.info.binds {
			v, ok := bound(w, i, b)
			if !ok || !v.has(lRow) || !v.has(lArith) || v.ev < 0 || int(v.ev) >= len(a.events) {
				continue
			}
			if !contains(w.info.sets, b.column) {
				continue
			}
			r := a.events[v.ev]
			if r.info == nil || r.info.op != "select" || f.safeTxn(r, w) {
				continue
			}
			c := f.add(RaceRMW, w.node, a, fmt.Sprintf("`%s` is read by one statement, changed in Python and written back by `%s`", b.column, f.snippet(w.node)))
			f.relate(c, r.node, "the read")
			c.key = "rmw"
			break
		}
	}
	// Check-then-act.
	for _, g := range a.guards {
		if !g.terminates || len(g.rows) == 0 {
			continue
		}
		done := false
		for _, ref := range g.rows {
			if done || int(ref.ev) >= len(a.events) {
				break
			}
			r := a.events[ref.ev]
			if r.info == nil || r.info.op != "select" || r.info.table == "" {
				continue
			}
			if strings.HasPrefix(ref.field, "#") {
				n, _ := strconv.Atoi(ref.field[1:])
				cols := selectColumns(r.info)
				if n < len(cols) {
					ref.field = cols[n]
				} else {
					ref.field = ""
				}
			}
			for _, w := range a.events {
				if w.info == nil || w.info.table != r.info.table || t.Nodes[w.node].Start < t.Nodes[g.node].Start {
					continue
				}
				if f.safeTxn(r, w) {
					continue
				}
				tbl := f.proj.schema.lookup(w.info.table)
				var why string
				switch {
				case w.info.op == "update" && ref.field != "" && contains(w.info.sets, ref.field) && !mentions(w.info.where, ref.field) &&
					(tbl == nil || !tbl.checks[ref.field]):
					why = fmt.Sprintf("`%s` is checked here and changed later by `%s`, whose WHERE does not repeat the check", ref.field, f.snippet(w.node))
				case w.info.op == "insert" && !w.info.conflict && !tbl.hasUnique() && r.info.where != "":
					why = fmt.Sprintf("the check for an existing row of `%s` and the insert `%s` are separate statements, with no unique constraint or ON CONFLICT", w.info.table, f.snippet(w.node))
				default:
					continue
				}
				c := f.add(RaceCheckAct, g.node, a, why)
				f.relate(c, r.node, "the read")
				f.relate(c, w.node, "the write")
				c.key = "cta|" + f.snippet(r.node) + "|" + f.snippet(w.node)
				done = true
				break
			}
		}
	}
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

// ---------------------------------------------------------------- responses

func (f *fileState) checkResponses(a *analysis) {
	for _, r := range a.responses {
		if r.ret && a.route == nil && !a.handler {
			continue // a helper's return value is not a response
		}
		if r.v.has(lExc) {
			c := f.add(ErrorLeak, r.node, a, fmt.Sprintf("exception text reaches the client in `%s`", f.snippet(r.node)))
			c.key = "exc"
		}
		if a.route != nil && r.v.has(lWhole) {
			node := r.node
			if r.v.ev >= 0 && int(r.v.ev) < len(a.events) {
				node = a.events[r.v.ev].node
			}
			c := f.add(DataExposure, node, a, fmt.Sprintf("a whole row with sensitive columns is returned to the client (`%s`)", f.snippet(r.node)))
			f.relate(c, r.node, "returned here")
			c.key = "whole"
		}
	}
}

// ---------------------------------------------------------------- CORS

func (f *fileState) checkCORS(a *analysis) {
	creds := false
	for _, h := range a.headers {
		if h.name == "access-control-allow-credentials" && strings.EqualFold(h.value, "true") {
			creds = true
		}
	}
	for _, h := range a.headers {
		if h.name != "access-control-allow-origin" || !h.v.has(lReq) || h.v.cnst {
			continue
		}
		c := f.add(CORSReflect, h.node, a, "the request's Origin is copied into Access-Control-Allow-Origin without an allowlist")
		if creds {
			c.msg += ", with Access-Control-Allow-Credentials: true: any site reads authenticated responses"
		} else {
			c.sev = rampart.Medium
		}
		c.key = "reflect"
	}
}

// ---------------------------------------------------------------- authorization

var (
	tenantColRe   = regexp.MustCompile(`(?i)^(tenant|org|organi[sz]ation|company|workspace|account_group|team|realm)(_id)?$`)
	authFlowRe    = regexp.MustCompile(`(?i)login|logout|signin|signup|sign-in|sign-up|register|token|password|reset|forgot|verify|confirm|activate|callback|webhook|oauth|sso|saml|health|ready|live|status|metrics|ping|version|openapi|swagger|docs|spec|static|favicon|robots|csrf`)
	bulkPathRe    = regexp.MustCompile(`(?i)export|dump|backup|download|all\b`)
	privateDataRe = regexp.MustCompile(`(?i)user|account|member|customer|payment|transfer|order|invoice|transaction|note|message|token|session|audit|address|card|credential|profile|employee|patient|admin|secret|balance|wallet|coupon|ledger|document|file`)
)

// resolveAuth works out what a route's decorators demand, reading the
// module's own decorators' bodies.
func (f *fileState) resolveAuth(r *routeInfo) {
	var login, role bool
	for _, d := range r.r.Decorators {
		k := d.Auth
		if ref, ok := f.resolve(d.Name); ok {
			if a := ref.f.rootOf[ref.def()]; a != nil {
				switch {
				case a.roleCheck:
					k = pyast.AuthRole
				case a.identUsed && k == pyast.AuthNone:
					k = pyast.AuthLogin
				}
			}
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

var adminSegments = map[string]bool{"admin": true, "admins": true, "administration": true, "adminpanel": true,
	"internal": true, "manage": true, "management": true, "staff": true, "superuser": true, "backoffice": true,
	"back-office": true, "sudo": true, "moderation": true, "ops": true}

func adminSegment(seg string) bool {
	seg = strings.ToLower(seg)
	return adminSegments[seg] || strings.HasPrefix(seg, "admin-") || strings.HasPrefix(seg, "admin_")
}

func isAdminRoute(r *routeInfo) bool {
	for _, seg := range strings.Split(r.path, "/") {
		if adminSegment(seg) {
			return true
		}
	}
	name := strings.ToLower(r.r.Name)
	return strings.HasPrefix(name, "admin") && !strings.HasPrefix(name, "administer")
}

// ownerColumn reports whether binding the caller's identity to a column ties
// a row to the caller (tenant scoping does not).
func ownerColumn(col string) bool { return col == "" || !tenantColRe.MatchString(col) }

// owns reports whether the route ties the object named by a route parameter
// to the caller.
func (f *fileState) owns(a *analysis, param string) bool {
	for _, g := range a.guards {
		for _, c := range g.ident {
			if c.guards && (c.other.param == param || c.other.param == "" && c.other.has(lRow)) {
				return true
			}
		}
	}
	for _, e := range a.events {
		if !usesParam(e, param) {
			continue
		}
		if e.orm && e.ident {
			return true
		}
		if e.info == nil {
			if e.pval.has(lIdent) {
				return true
			}
			continue
		}
		for i, b := range e.info.binds {
			v, ok := bound(e, i, b)
			if ok && v.has(lIdent) && !v.has(lReq) && ownerColumn(b.column) {
				return true
			}
		}
	}
	return false
}

func usesParam(e *sqlEvent, param string) bool {
	for _, v := range e.params {
		if v.param == param {
			return true
		}
	}
	for _, v := range e.named {
		if v.param == param {
			return true
		}
	}
	return e.params == nil && e.named == nil && e.pval.param == param
}

func (f *fileState) checkBOLA(r *routeInfo) {
	a := r.a
	if r.auth == pyast.AuthRole || a.roleCheck || isAdminRoute(r) {
		return
	}
	authenticated := r.auth == pyast.AuthLogin || a.identUsed
	// UPSERTs keyed by request values.
	for _, e := range a.events {
		if e.info == nil || !e.info.upsert {
			continue
		}
		keyed := false
		owned := e.info.doWhere
		var params []string
		for i, b := range e.info.binds {
			v, ok := bound(e, i, b)
			if !ok {
				continue
			}
			if v.has(lReq) && !v.has(lIdent) {
				keyed = true
				if v.param != "" {
					params = append(params, v.param)
				}
			}
			if v.has(lIdent) && !v.has(lReq) && ownerColumn(b.column) && b.column != "" {
				owned = true
			}
		}
		for _, p := range params {
			if f.ownsByGuard(a, p) {
				owned = true
			}
		}
		if keyed && !owned {
			c := f.add(BOLAUpsert, e.node, a, fmt.Sprintf("`%s` writes the row chosen by the request without checking that the caller owns it", f.snippet(e.node)))
			c.key = "upsert"
		}
	}
	if !authenticated {
		return
	}
	for _, p := range r.r.Params {
		if f.owns(a, p.Name) {
			continue
		}
		for _, e := range a.events {
			if !usesParam(e, p.Name) || (e.info != nil && e.info.upsert) {
				continue
			}
			if e.info == nil && !e.orm {
				continue
			}
			verb := "reads"
			if e.info != nil {
				switch e.info.op {
				case "update":
					verb = "updates"
				case "delete":
					verb = "deletes"
				case "insert":
					verb = "writes"
				}
			}
			c := f.add(BOLARead, e.node, a, fmt.Sprintf("`%s` %s the object named by route parameter `%s` with no filter or check on the caller's identity",
				f.snippet(e.node), verb, p.Name))
			c.key = "param-" + p.Name
			break
		}
	}
}

func (f *fileState) ownsByGuard(a *analysis, param string) bool {
	for _, g := range a.guards {
		for _, c := range g.ident {
			if c.guards && c.other.param == param {
				return true
			}
		}
	}
	return false
}

func (f *fileState) checkBFLA(r *routeInfo) {
	a := r.a
	if !isAdminRoute(r) || r.auth == pyast.AuthRole || a.roleCheck {
		return
	}
	what := "only requires a logged-in caller"
	if r.auth == pyast.AuthNone && !a.identUsed {
		what = "requires no authentication at all"
	}
	c := f.add(BFLAAdmin, r.r.Node, a, fmt.Sprintf("admin route %s %s %s: no role or permission check", strings.Join(r.methods, ","), r.path, what))
	c.unlessRoleHook = true
	c.key = "admin"
}

func (f *fileState) checkMissingAuth(r *routeInfo) {
	a := r.a
	if r.auth != pyast.AuthNone || a.identUsed || authFlowRe.MatchString(r.path) || authFlowRe.MatchString(r.r.Name) {
		return
	}
	var why string
	for _, e := range a.events {
		if e.info == nil {
			continue
		}
		switch {
		case isWrite(e) && privateDataRe.MatchString(e.info.table):
			why = fmt.Sprintf("it writes to `%s` (`%s`)", e.info.table, f.snippet(e.node))
		case e.info.op == "select" && e.info.where == "" && privateDataRe.MatchString(e.info.table):
			why = fmt.Sprintf("it reads every row of `%s` (`%s`)", e.info.table, f.snippet(e.node))
		case e.info.op == "select" && bulkPathRe.MatchString(r.path):
			why = fmt.Sprintf("it exports `%s`", e.info.table)
		}
		if why != "" {
			break
		}
	}
	if why == "" {
		return
	}
	c := f.add(MissingAuth, r.r.Node, a, fmt.Sprintf("%s %s has no authentication, and %s", strings.Join(r.methods, ","), r.path, why))
	c.unlessAuthHook = true
	c.key = "noauth"
}

// ---------------------------------------------------------------- idempotency

var idempotRe = markers("idempot")

var moneyRe = regexp.MustCompile(`(?i)transfer|payment|payout|charge|order|withdraw|deposit|refund|invoice|purchase|checkout|donation|top-?up|booking|redemption|redeem|wallet|ledger|remittance|disburse`)

func (f *fileState) checkIdempotency(r *routeInfo) {
	if !contains(r.methods, "POST") {
		return
	}
	a := r.a
	for _, e := range a.events {
		if e.info == nil || e.info.op != "insert" || e.info.conflict {
			continue
		}
		if !moneyRe.MatchString(e.info.table) && !moneyRe.MatchString(r.path) {
			continue
		}
		if f.proj.schema.lookup(e.info.table).hasUnique() {
			continue
		}
		if f.within(idempotRe, a.def) || f.helpersMention(a, idempotRe) {
			return
		}
		c := f.add(Idempotency, e.node, a, fmt.Sprintf("POST %s inserts into `%s` with no Idempotency-Key and no unique constraint: a retried request moves money twice", r.path, e.info.table))
		c.key = "idem"
		return
	}
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

// ---------------------------------------------------------------- rate limiting

var (
	passwordCheckRe = markers("check_password_hash(", "checkpw(", "check_password(", "verify_password(", "password_matches(",
		"compare_digest(", "bcrypt.verify(", "argon2", "pbkdf2_sha256.verify(", "sha256_crypt.verify(", "pwd_context.verify(",
		"ph.verify(", "hasher.verify(", "crypt_context.verify(", "passlib")
	throttleRe = markers("throttl", "rate_limit", "ratelimit", "limiter", "lockout", "locked_out", "too_many",
		"login_attempt", "failed_attempt", "failed_login", "login_fail", "captcha", "brute", "429")
)

func (f *fileState) checkRateLimit(r *routeInfo) {
	a := r.a
	if f.proj.globalLimiter || !f.proj.passwords() {
		return
	}
	checks := f.within(passwordCheckRe, a.def)
	for ref := range f.reach(a) {
		checks = checks || ref.f.within(passwordCheckRe, ref.def())
	}
	if !checks {
		return
	}
	if f.within(throttleRe, a.def) {
		return
	}
	for _, d := range r.r.Decorators {
		if throttleRe.has([]byte(strings.ToLower(d.Expr))) || strings.Contains(d.Name, "limit") {
			return
		}
	}
	for ref := range f.reach(a) {
		if ref.f.within(throttleRe, ref.def()) {
			return
		}
	}
	c := f.add(RateLimit, r.r.Node, a, fmt.Sprintf("%s %s checks a password and nothing limits the attempts", strings.Join(r.methods, ","), r.path))
	c.key = "rate"
}

// ---------------------------------------------------------------- helpers
