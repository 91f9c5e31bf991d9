package codescan

import (
	"bytes"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// fileState is one Python file under analysis.
type fileState struct {
	envs          []map[string]val // emptied root environments for the next function (envs.go)
	waitHeld      int64            // bytes of the budget its unpacked waiting tree holds (waiting.go)
	path          string           // as reported
	t             *pyast.Tree
	mod           *pyast.Module
	proj          *project
	env           map[string]val // module-level names
	sums          map[string]*summary
	requestObj    *object
	gObjects      map[string]*object // g.db = psycopg2.connect(…)
	connCache     map[*analysis]map[string]*object
	routes        []*routeInfo
	routeOf       map[pyast.ID]*routeInfo
	roots         []*analysis
	rootOf        map[pyast.ID]*analysis
	httpExc       map[string]bool
	hooks         []hookInfo
	cands         []*candidate
	keys          []Key // signing keys written in this file
	limiter       bool  // Flask-Limiter with default limits
	reachCache    map[*analysis]map[funcRef]bool
	sqlCache      map[string]*sqlInfo
	called        map[string]bool     // names called somewhere in the file
	index         int                 // position in the scan's file list
	refs          []string            // modules it may read summaries from (moduleRefs)
	module        string              // dotted module name (app.db)
	pkg           string              // its package (app)
	next          map[string]*summary // summaries of the pass in progress
	pub           map[string]*summary // summaries other files read
	sumMu         sync.Mutex
	sumAnalyses   map[pyast.ID]*analysis // the last summary pass, reused as root analyses
	cyclicImports bool
	cycleReads    []cycleRead // what the analysis in progress read of files in an import cycle
	plan          *plan       // the first run's needsSummary, for the second (summaryPlan)
	marksMu       sync.Mutex  // other files' checks search this file's source too
	marks         map[markKey]bool
	autocommit    func() bool // the file turns autocommit on (searched on first use)
	// keyScan holds the keys other modules' signers may read, and the
	// names this file's signers read from them (keys.go).
	keyScan *keyScan

	// Set by settle (release.go).
	checked bool            // checked as soon as its analysis was final
	funcs   map[string]bool // its function names, noted before its tree is parked (park)
	// classes are the module-level classes, methodDefs their methods by
	// "Class.method" (methods.go); nil when the file has no class.
	classes    map[string]*classInfo
	methodDefs map[string]pyast.ID
	absOnce    sync.Once
	absImports map[string]string // imported names resolved by absolute (importedAs)
}

// hasWord reports whether the source between start and end holds one of
// m's words, in any case. No lower-case copy of the source is kept: the
// searches are few (routes, SQL sinks, once per project), and a copy of
// every file's source was a fifth of the live heap on library trees.
func (f *fileState) hasWord(m *markerSet, start, end uint32) bool {
	return m.hasFold(f.t.Src[start:end])
}

// sql parses a statement's text once per file.
func (f *fileState) sql(text string) *sqlInfo {
	if i, ok := f.sqlCache[text]; ok {
		return i
	}
	i := parseSQL(text)
	f.sqlCache[text] = i
	return i
}

// markerSet is a list of lower-case keywords searched in source text.
type markerSet struct{ words [][]byte }

func markers(words ...string) *markerSet {
	m := &markerSet{}
	for _, w := range words {
		m.words = append(m.words, []byte(w))
	}
	return m
}

// has reports whether a text (already lower case) holds one of the words.
func (m *markerSet) has(lower []byte) bool {
	for _, w := range m.words {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}

// hasFold reports whether text holds one of the words in any ASCII case,
// without a lower-case copy of the text: each word's first letter is found
// in either case with IndexByte, and the rest compared in place.
func (m *markerSet) hasFold(text []byte) bool {
	for _, w := range m.words {
		if containsFold(text, w) {
			return true
		}
	}
	return false
}

// containsFold reports whether s holds word (lower-case ASCII) in any ASCII
// case. It looks for the word's rarest byte (rarest), in either case, and
// compares the rest in place: a search for "check_password(" then stops at
// each k of a source, not at each c, about a fifth as often.
func containsFold(s, word []byte) bool {
	if len(word) == 0 {
		return true
	}
	at := rarest(word)
	lo, up := word[at], word[at]
	if lo >= 'a' && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	// nextLo and nextUp are the next offsets of each spelling of the
	// anchor at or after the last one tried (-1: none left); each is
	// searched again only once passed.
	nextLo, nextUp := bytes.IndexByte(s, lo), -1
	if up != lo {
		nextUp = bytes.IndexByte(s, up)
	}
	for nextLo >= 0 || nextUp >= 0 {
		i := nextLo
		if i < 0 || (nextUp >= 0 && nextUp < i) {
			i = nextUp
		}
		start := i - at
		if len(s)-start < len(word) {
			return false // later anchors start later still
		}
		if start >= 0 && asciiEqualFold(s[start:start+len(word)], word) {
			return true
		}
		if i == nextLo {
			if j := bytes.IndexByte(s[i+1:], lo); j >= 0 {
				nextLo = i + 1 + j
			} else {
				nextLo = -1
			}
		} else {
			if j := bytes.IndexByte(s[i+1:], up); j >= 0 {
				nextUp = i + 1 + j
			} else {
				nextUp = -1
			}
		}
	}
	return false
}

// byCommonness lists the bytes of Python source from the most common to
// the least (letters folded), as counted on Debian's dist-packages: a
// space is 27% of it, e 7%, c 2%, k 0.45%, q 0.15%. Bytes not listed are
// rarer still.
const byCommonness = " etsranio\nldcpf,_'umh.=\"()g:by0xvwk-#12[]`\\345qj68*9>7/z%+|{}?~<@$!^;&"

// commonness ranks a byte by byCommonness: higher is more common, 0 is
// unlisted.
var commonness = func() (r [256]uint8) {
	for i := 0; i < len(byCommonness); i++ {
		r[byCommonness[i]] = uint8(len(byCommonness) - i)
	}
	return r
}()

// rarest returns the offset of the word's least common byte (the first of
// equals).
func rarest(word []byte) int {
	at := 0
	for i, c := range word {
		if commonness[c] < commonness[word[at]] {
			at = i
		}
	}
	return at
}

// asciiEqualFold compares a text with a lower-case ASCII word, folding
// only ASCII letters of the text (as asciiLower does).
func asciiEqualFold(text, word []byte) bool {
	for i, c := range text {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// within reports whether one of the keywords occurs inside a node's text.
// Results are cached per node; other files' checks ask too, hence the lock.
func (f *fileState) within(m *markerSet, id pyast.ID) bool {
	if !f.t.Valid(id) {
		return false
	}
	key := markKey{m, id}
	f.marksMu.Lock()
	v, ok := f.marks[key]
	f.marksMu.Unlock()
	if ok {
		return v
	}
	n, _ := f.t.Span(id)
	v = f.hasWord(m, n.Start, n.End)
	f.marksMu.Lock()
	f.marks[key] = v
	f.marksMu.Unlock()
	return v
}

type markKey struct {
	m  *markerSet
	id pyast.ID
}

// routeInfo is a route as the analysis sees it.
type routeInfo struct {
	r       *pyast.Route
	file    *fileState
	methods []string
	path    string // OpenAPI template, blueprint prefix included (set at the end)
	auth    pyast.AuthKind
	a       *analysis
	// decl is the file that declares a route whose handler is defined in
	// another (add_resource of an imported class); nil: the same file.
	decl *fileState
	// inputs are handler parameters other than the path's that carry
	// request data (spec-first: query and form parameters, the body).
	inputs map[string]labels
}

// hookInfo is a before_request (or errorhandler) function and what it checks.
type hookInfo struct {
	h     *pyast.Hook
	login bool
	role  bool
}

func newFileState(path string, t *pyast.Tree, proj *project) *fileState {
	f := &fileState{
		path:      path,
		t:         t,
		mod:       pyast.Flask(t),
		proj:      proj,
		env:       map[string]val{},
		sums:      map[string]*summary{},
		gObjects:  map[string]*object{},
		connCache: map[*analysis]map[string]*object{},
		routeOf:   map[pyast.ID]*routeInfo{},
		rootOf:    map[pyast.ID]*analysis{},
		httpExc:   map[string]bool{},
	}
	f.requestObj = &object{kind: objRequest, lastEv: -1, file: f}
	for i := range f.mod.Routes {
		r := &f.mod.Routes[i]
		ri := &routeInfo{r: r, file: f, methods: r.Methods}
		f.routes = append(f.routes, ri)
		if _, dup := f.routeOf[r.Func]; !dup {
			f.routeOf[r.Func] = ri
		}
	}
	f.reachCache = map[*analysis]map[funcRef]bool{}
	f.sqlCache = map[string]*sqlInfo{}
	f.marks = map[markKey]bool{}
	f.called = map[string]bool{}
	for i := range t.Nodes {
		if t.Nodes[i].Kind == pyast.KindCall {
			if fn := t.Callee(pyast.ID(i)); t.Kind(fn) == pyast.KindIdentifier {
				if b := t.Bytes(fn); !f.called[string(b)] {
					f.called[string(b)] = true
				}
			}
		}
	}
	f.autocommit = sync.OnceValue(func() bool { return mentionsAutocommit(f.t.Src) })
	f.findHTTPExceptions()
	f.collectClasses()
	return f
}

// mentionsAutocommit reports whether source turns autocommit on
// (autocommit = True, ISOLATION_LEVEL_AUTOCOMMIT, isolation_level=
// "AUTOCOMMIT"). Every form contains the word, so the pattern is tried
// only on a lower-cased window around each occurrence: libraries that say
// "autocommit" thousands of times (SQLAlchemy) made a whole-file
// case-insensitive match one of the analysis' largest costs.
func mentionsAutocommit(src []byte) bool {
	const before, after = 40, 40
	var window [before + len("autocommit") + after]byte
	for _, spelling := range []string{"utocommit", "UTOCOMMIT", "utoCommit"} {
		word := []byte(spelling)
		for off := 0; ; {
			i := bytes.Index(src[off:], word)
			if i < 0 {
				break
			}
			i += off
			lo, hi := max(0, i-1-before), min(len(src), i+len(word)+after)
			w := window[:hi-lo]
			for k, c := range src[lo:hi] {
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				w[k] = c
			}
			if autocommitRe.Match(w) {
				return true
			}
			off = i + len(word)
		}
	}
	return false
}

func (f *fileState) isRouteFunc(def pyast.ID) bool {
	_, ok := f.routeOf[def]
	return ok
}

// findHTTPExceptions collects the module's classes that derive (directly or
// not) from an HTTP exception: their text is meant for the client.
func (f *fileState) findHTTPExceptions() {
	t := f.t
	for _, base := range httpExceptionBases {
		f.httpExc[base] = true
	}
	for round := 0; round < 3; round++ {
		for name, d := range f.mod.Defs {
			if t.Kind(d) != pyast.KindClassDefinition || f.httpExc[name] {
				continue
			}
			sup := t.Child(d, pyast.FieldSuperclasses)
			for c := t.First(sup); c >= 0; c = t.Next(c) {
				if f.httpExc[t.LastName(c)] {
					f.httpExc[name] = true
				}
			}
		}
	}
}

// httpException reports whether an except clause's type (or an
// errorhandler's argument) is an HTTP exception or a status code.
func (f *fileState) httpException(typ pyast.ID) bool {
	t := f.t
	typ = t.Unwrap(typ)
	switch t.Kind(typ) {
	case pyast.KindTuple:
		for c := t.First(typ); c >= 0; c = t.Next(c) {
			if !f.httpException(c) {
				return false
			}
		}
		return true
	case pyast.KindInteger:
		v, _ := t.Int(typ)
		return v < 500 || v >= 600
	}
	return f.httpExc[t.LastName(typ)]
}

// broadException reports whether an exception type's text may carry
// internals: Exception itself, or a database driver's or ORM's error.
func (f *fileState) broadException(typ pyast.ID) bool {
	t := f.t
	typ = t.Unwrap(typ)
	switch t.Kind(typ) {
	case pyast.KindTuple:
		for c := t.First(typ); c >= 0; c = t.Next(c) {
			if f.broadException(c) {
				return true
			}
		}
		return false
	case pyast.KindInteger:
		return false
	}
	if typ < 0 {
		return true
	}
	q := f.mod.Qualified(typ)
	for _, p := range dbErrorModules {
		if strings.HasPrefix(q, p) {
			return true
		}
	}
	return broadExceptions[t.LastName(typ)]
}

// analyse runs the whole analysis of a lone file (tests and fuzzing); a
// project runs the phases over all files at once.
func (f *fileState) analyse() {
	f.proj.setFiles([]*fileState{f})
	f.moduleEnv()
	f.summarize(false)
	f.rootAnalyses()
	f.check()
}

// maxRounds bounds the passes over a file's functions when local recursion
// keeps their summaries changing.
const maxRounds = 4

// moduleEnv walks the module's top-level statements (not function bodies).
func (f *fileState) moduleEnv() {
	t := f.t
	a := f.newAnalysis(t.Root())
	u := &unit{a: a, f: f, def: t.Root(), env: f.env, module: true}
	for c := t.First(t.Root()); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case pyast.KindFunctionDefinition, pyast.KindDecoratedDefinition, pyast.KindClassDefinition:
			continue
		}
		u.stmt(c)
	}
	for k, v := range f.env {
		if v.obj != nil && (v.obj.kind == objConn || v.obj.kind == objCursor) {
			v.obj.moduleLevel = true
			v.obj.name = k
			continue
		}
		if !v.has(lReq | lIdent | lRow) {
			v.cnst = true
			f.env[k] = v
		}
	}
	// g.db = psycopg2.connect(...) anywhere: g.db is a per-request connection.
	for i := range t.Nodes {
		id := pyast.ID(i)
		if t.Kind(id) != pyast.KindAssignment {
			continue
		}
		left := t.Child(id, pyast.FieldLeft)
		if t.Kind(left) != pyast.KindAttribute || !t.Is(t.Child(left, pyast.FieldObject), "g") {
			continue
		}
		right := t.Unwrap(t.Child(id, pyast.FieldRight))
		if t.Kind(right) == pyast.KindCall {
			q := f.mod.Qualified(t.Callee(right))
			if k, ok := connectFuncs[q]; ok && k == objConn || t.LastName(t.Callee(right)) == "getconn" || t.LastName(t.Callee(right)) == "connect" {
				attr := t.Text(t.Child(left, pyast.FieldAttribute))
				f.gObjects[attr] = &object{kind: objConn, node: id, lastEv: -1, name: "g." + attr, file: f}
			}
		}
	}
}

func (f *fileState) newAnalysis(def pyast.ID) *analysis {
	return &analysis{f: f, def: def}
}

// noteCall records a call to ref. The maps of an analysis are made on the
// first entry: most functions commit nothing, and every function and
// method of a tree gets an analysis (twice in an import cycle).
func (a *analysis) noteCall(ref funcRef) {
	if a.calls == nil {
		a.calls = map[funcRef]bool{}
	}
	a.calls[ref] = true
}

// noteCommit records a commit on the connection o.
func (a *analysis) noteCommit(o *object) {
	if a.commits == nil {
		a.commits = map[*object]int{}
	}
	a.commits[o]++
}

// same reports whether two summaries say the same to callers.
func (s *summary) same(o *summary) bool {
	return s.ret.l == o.ret.l && s.ret.p == o.ret.p && s.ret.pw == o.ret.pw && s.queryP == o.queryP &&
		s.argsP == o.argsP && s.holeP == o.holeP && s.holeIdP == o.holeIdP && s.runnerP == o.runnerP &&
		s.retry == o.retry && s.managed == o.managed && s.retConn == o.retConn && s.roleChk == o.roleChk &&
		s.identity == o.identity && s.raises == o.raises && (s.ret.ev >= 0) == (o.ret.ev >= 0) &&
		s.lookup.same(o.lookup)
}

// rootUnit starts the walk of a root function: route parameters carry the
// request; other parameters are numbered for summaries.
func (f *fileState) rootUnit(a *analysis, def pyast.ID, ri *routeInfo) *unit {
	t := f.t
	params := t.Params(def)
	u := &unit{a: a, f: f, def: def, env: f.newEnv(len(params))}
	conv := func(name string) (string, bool) {
		if ri == nil {
			return "", false
		}
		for _, p := range ri.r.Params {
			if p.Name == name {
				return p.Converter, true
			}
		}
		return "", false
	}
	fast := f.fastapiEnv(a, def) // FastAPI binds its handlers' and dependencies' parameters (fastapi.go)
	a.paramNames = append(a.paramNames, params...)
	for i, p := range params {
		v := newVal()
		if fv, ok := fast[p]; ok {
			v = fv
		} else if c, ok := conv(p); ok {
			v.l = lReq | lPath
			switch c {
			case "int", "float", "uuid":
			default:
				v.l |= lInj
			}
			v.setRouteParam(p)
		} else if l, ok := ri.input(p); ok {
			v.l = l
		} else if i < 64 {
			v.p = 1 << uint(i)
			v.pw = 1 << uint(i)
		}
		u.env[p] = v
	}
	return u
}

// summarise turns an analysis of a function into its summary.
func (f *fileState) summarise(a *analysis, u *unit, name string) {
	s := a.sum
	s.ret = u.ret
	s.identity = f.mod.IdentityHelper(name)
	s.roleChk = a.roleCheck
	s.raises = !u.hasRet && alwaysRaises(f.t, a.def)
	if u.ret.obj != nil && u.ret.obj.kind == objConn {
		s.retConn = true
	}
	for _, e := range a.events {
		// A call to a helper that runs SQL: what this function passes on
		// makes it such a helper too (find_notes(title) formats title into
		// the text that run_sql(sql) executes).
		for _, x := range e.extra {
			if x.v.p == 0 || x.v.cnst {
				continue
			}
			if x.ident {
				s.holeIdP |= x.v.p
			} else {
				s.holeP |= x.v.p
			}
			if s.sinkNode == 0 {
				s.sinkNode, s.sinkFile = x.sink, x.file
			}
		}
		qp := e.query.pw
		if e.query.str == nil || !e.query.built {
			s.queryP |= qp
		}
		s.argsP |= e.pval.p
		if value, ident := paramHoles(e.query.str); value|ident != 0 {
			s.holeP |= value
			s.holeIdP |= ident
			s.sinkNode = e.node
		}
		if qp != 0 || e.pval.p != 0 {
			if sc := e.txn(); sc != nil {
				s.managed = sc.managed
				s.retry = sc.retry
			}
			if s.sinkNode == 0 {
				s.sinkNode = e.node
			}
		}
	}
	summariseClauses(a, s)
	s.lookup = lookupOf(a, f) // helperlookup.go
	// A transaction runner: it calls one of its callable parameters inside
	// a managed transaction.
	t := f.t
	body := t.Body(a.def)
	end := t.End(body)
	for i := body; i >= 0 && i < end; i++ {
		if t.Kind(i) != pyast.KindCall {
			continue
		}
		fn := t.Callee(i)
		if t.Kind(fn) != pyast.KindIdentifier {
			continue
		}
		for pi, p := range a.paramNames {
			if pi < 64 && t.Is(fn, p) && insideManaged(f, i) {
				s.runnerP |= 1 << uint(pi)
				s.retry = s.retry || insideRetryLoop(f, i)
			}
		}
	}
}

// insideManaged reports whether a node is inside `with conn:` (or begin())
// or in a function that commits.
func insideManaged(f *fileState, id pyast.ID) bool {
	t := f.t
	for p := t.Parent(id); p >= 0; p = t.Parent(p) {
		if t.Kind(p) == pyast.KindWithStatement {
			return true
		}
		if t.Kind(p) == pyast.KindFunctionDefinition {
			body := t.Body(p)
			return f.within(commitCallRe, body)
		}
	}
	return false
}

func insideRetryLoop(f *fileState, id pyast.ID) bool {
	t := f.t
	for p := t.Parent(id); p >= 0; p = t.Parent(p) {
		switch t.Kind(p) {
		case pyast.KindForStatement, pyast.KindWhileStatement:
			u := &unit{f: f}
			if u.isRetryLoop(p) {
				return true
			}
		case pyast.KindFunctionDefinition:
			return false
		}
	}
	return false
}

// alwaysRaises reports whether a function's body ends with raise or abort on
// every path (a helper like forbidden()).
func alwaysRaises(t *pyast.Tree, def pyast.ID) bool {
	body := t.Body(def)
	last := pyast.None
	for c := t.First(body); c >= 0; c = t.Next(c) {
		last = c
	}
	if last < 0 {
		return false
	}
	switch t.Kind(last) {
	case pyast.KindRaiseStatement:
		return true
	case pyast.KindExpressionStatement:
		e := t.Unwrap(t.NamedChild(last, 0))
		if t.Kind(e) == pyast.KindCall {
			if abortCalls[t.DottedName(t.Callee(e))] {
				return true
			}
		}
	}
	return false
}

// rootAnalyses analyses every root function once more, with the final
// summaries, keeping the results for the rules.
func (f *fileState) rootAnalyses() {
	t := f.t
	var roots []pyast.ID
	seen := map[pyast.ID]bool{}
	for i := range t.Nodes {
		id := pyast.ID(i)
		if t.Kind(id) != pyast.KindFunctionDefinition {
			continue
		}
		enclosing := t.EnclosingFunc(id)
		if enclosing < 0 || f.isRouteFunc(id) {
			if !seen[id] {
				roots = append(roots, id)
				seen[id] = true
			}
		}
	}
	handlers := map[pyast.ID]*pyast.Hook{}
	for i := range f.mod.Hooks {
		if h := &f.mod.Hooks[i]; strings.HasSuffix(h.Kind, "errorhandler") {
			handlers[h.Func] = h
		}
	}
	for _, def := range roots {
		if a, ok := f.sumAnalyses[def]; ok && handlers[def] == nil && f.routeOf[def] == nil {
			f.roots = append(f.roots, a)
			f.rootOf[def] = a
			continue
		}
		a := f.newAnalysis(def)
		ri := f.routeOf[def]
		a.route = ri
		u := f.rootUnit(a, def, ri)
		if h := handlers[def]; h != nil {
			// An errorhandler's parameter is the exception.
			if ps := t.Params(def); len(ps) > 0 {
				v := newVal()
				v.exc = !f.httpException(h.Arg) && f.broadException(h.Arg)
				u.env[ps[0]] = v
			}
			a.handler = true
		}
		u.block(t.Body(def))
		a.raises = !u.hasRet && alwaysRaises(t, def)
		f.roots = append(f.roots, a)
		f.rootOf[def] = a
		for _, r := range f.routes {
			if r.r.Func == def {
				r.a = a
			}
		}
	}
	for i := range f.mod.Hooks {
		h := &f.mod.Hooks[i]
		a := f.rootOf[h.Func]
		hi := hookInfo{h: h}
		if a != nil && (h.Kind == "before_request" || h.Kind == "before_app_request") {
			hi.login = a.identUsed && hasTerminatingGuard(a)
			hi.role = a.roleCheck
		}
		f.hooks = append(f.hooks, hi)
	}
}

func hasTerminatingGuard(a *analysis) bool {
	for _, g := range a.guards {
		if g.terminates {
			return true
		}
	}
	return a.raises
}
