// Package codescan is Rampart's white-box side: it reads a Flask
// application's Python source (parsed by internal/pyast with tree-sitter),
// models its routes, follows request data through each function and the
// same-module helpers it calls, and reports the insecure designs of
// docs/whitebox.md as rampart.Findings with a file, a line, and the route
// (method and path template) they belong to, so that they line up with the
// black-box scanner's findings.
//
// It has no cgo of its own: pyast hands it plain Go trees.
package codescan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Options tune an analysis. The zero value is ready to use.
type Options struct {
	// Workers is how many files are parsed and analysed at once
	// (default: GOMAXPROCS).
	Workers int
	// MaxFileSize skips larger files (default 2 MiB).
	MaxFileSize int64
	// Exclude lists slash-separated globs, relative to the scanned
	// directory, of files and directories to skip (e.g. "tests/*").
	Exclude []string
	// IncludeGenerated analyses files that say they are generated.
	IncludeGenerated bool
	// FollowSymlinks follows symbolic links whose target is outside the
	// scanned directory (never into /proc, /sys or /dev). Links inside it
	// are always followed.
	FollowSymlinks bool
	// ParseTimeout skips a file whose parse takes longer (default 10s).
	ParseTimeout time.Duration
	// Trace, if set, receives the wall-clock time of each phase.
	Trace func(phase string, d time.Duration)
	// waitBudget replaces defaultWaitBudget (tests; negative: pack every
	// waiting tree).
	waitBudget int64
}

// DefaultMaxFileSize is the size above which files are skipped.
const DefaultMaxFileSize = 2 << 20

// Result is what an analysis found.
type Result struct {
	Dir      string
	Findings []rampart.Finding
	// Routes is the application's attack surface as the source declares it.
	Routes []Route
	// Files lists every file looked at, parsed or skipped, with the reason.
	Files []File
	// Notes say what Files does not: how many more symbolic links were
	// skipped than Files lists.
	Notes []string
	// Fingerprint is the stack the imports and settings name.
	Fingerprint rampart.Fingerprint
	// Keys are the signing keys written in the source (SECRET_KEY,
	// JWT_SECRET_KEY, jwt.encode's key, literal defaults of environment
	// lookups, and every literal that can reach a signer: keys.go): a
	// runtime scan tries them first when it cracks a session or token key.
	// They are never written into a report.
	Keys     []Key
	Duration time.Duration
}

// Route is one method on one path of the application.
type Route struct {
	Method string `json:"method"`
	// Path is the OpenAPI path template, blueprint prefix included:
	// /notes/<int:note_id> → /notes/{note_id}.
	Path string `json:"path"`
	// Rule is the Flask rule, blueprint prefix included.
	Rule string `json:"rule"`
	File string `json:"file"`
	Line int    `json:"line"`
	Func string `json:"func"`
	// AuthDecorators are the view's decorators that demand something of the
	// caller (login_required, jwt_required(), roles_required("admin")…).
	AuthDecorators []string `json:"authDecorators,omitempty"`
	// Auth is what they demand: none, login or role.
	Auth   string       `json:"auth"`
	Params []RouteParam `json:"params,omitempty"`
}

// RouteParam is a variable part of a route's path.
type RouteParam struct {
	Name      string `json:"name"`
	Converter string `json:"converter"` // Flask converter: string, int, float, path, uuid, any
	Type      string `json:"type"`      // OpenAPI type: string, integer, number
}

// File statuses.
const (
	FileParsed  = "parsed"
	FileSkipped = "skipped"
	FileError   = "error"
)

// File is one file the analysis looked at.
type File struct {
	Path   string `json:"path"`
	Status string `json:"status"`
	// Reason says why a file was skipped, or what was odd about it
	// (syntax errors, invalid UTF-8).
	Reason       string `json:"reason,omitempty"`
	Bytes        int64  `json:"bytes"`
	Lines        int    `json:"lines,omitempty"`
	SyntaxErrors int    `json:"syntaxErrors,omitempty"`
}

// Counts returns how many files were parsed and skipped, and the bytes and
// lines parsed.
func (r *Result) Counts() (parsed, skipped int, bytes int64, lines int) {
	for _, f := range r.Files {
		if f.Status == FileParsed {
			parsed++
			bytes += f.Bytes
			lines += f.Lines
		} else {
			skipped++
		}
	}
	return
}

// Outcome says, for a report, what the analysis could not do: a note per
// file skipped or odd (a link out of the tree, a FIFO, syntax errors), the
// result's own notes, and an error per file that could not be read. Both
// `rampart code` and `rampart scan --source` report them this way.
func (r *Result) Outcome() (notes []string, errs []rampart.CheckError) {
	for _, fl := range r.Files {
		switch {
		case fl.Status == FileError:
			errs = append(errs, rampart.CheckError{Check: "code", Operation: fl.Path, Error: fl.Reason})
		case fl.Status == FileSkipped:
			notes = append(notes, fmt.Sprintf("skipped %s: %s", fl.Path, fl.Reason))
		case fl.Reason != "":
			notes = append(notes, fmt.Sprintf("%s: %s", fl.Path, fl.Reason))
		}
	}
	return append(notes, r.Notes...), errs
}

// project is what all files share.
type project struct {
	schema        *schema
	globalLimiter bool
	modules       *modules
	files         []*fileState // nil for files that were not parsed
	// Searches of every file's source, made on first use and only if
	// asked: on a library tree without routes, never.
	crdb      func() bool     // some file mentions CockroachDB (cockroach, crdb, 26257)
	passwords func() bool     // some file verifies passwords (else PY-RATE-001 has nothing to look for)
	shared    map[string]bool // tables a non-admin route lists whole (shared.go)
	waiting   *waitBudget     // how many waiting trees stay unpacked (waiting.go)
	workers   int             // for the searches of every file
}

func newProject() *project {
	p := &project{schema: newSchema(), waiting: newWaitBudget(defaultWaitBudget)}
	p.crdb = sync.OnceValue(func() bool { return p.anyFileHas(crdbMarkers) })
	p.passwords = sync.OnceValue(func() bool { return p.anyFileHas(passwordCheckRe) })
	return p
}

// anyFileHas reports whether a parsed file's source holds one of m's
// words. Call it once every file is parsed. The files are searched on the
// workers: the search reads every source of a tree that has none of the
// words, and the report waits for it.
func (p *project) anyFileHas(m *markerSet) bool {
	var found atomic.Bool
	parallel(context.Background(), max(p.workers, 1), len(p.files), func(i int) {
		if f := p.files[i]; f != nil && !found.Load() && m.hasFold(f.t.Src) {
			found.Store(true)
		}
	})
	return found.Load()
}

// Analyze reads every Python file under dir and returns the findings, the
// routes and the list of files. It fails only when dir cannot be read at
// all; unreadable, huge, generated or broken files are listed in
// Result.Files. A cancelled context returns what was done and ctx.Err().
func Analyze(ctx context.Context, dir string, opt Options) (*Result, error) {
	start := time.Now()
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if opt.MaxFileSize <= 0 {
		opt.MaxFileSize = DefaultMaxFileSize
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.ParseTimeout <= 0 {
		opt.ParseTimeout = 10 * time.Second
	}
	res := &Result{Dir: dir}
	mark := time.Now()
	trace := func(phase string) {
		if opt.Trace != nil {
			now := time.Now()
			opt.Trace(phase, now.Sub(mark))
			mark = now
		}
	}
	found := discover(dir, opt)
	files, others := found.py, found.others
	trace("discover")
	res.Files = append(res.Files, found.notes...)
	if found.moreLinks > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d more symbolic links skipped (first %d listed)", found.moreLinks, maxLinkNotes))
	}

	proj := newProject()
	proj.workers = opt.Workers
	if opt.waitBudget != 0 {
		proj.waiting = newWaitBudget(max(opt.waitBudget, 0))
	}
	var envCands []envFinding
	for _, o := range others {
		max := opt.MaxFileSize
		if o.kind == "env" {
			max = maxEnvFile
		}
		src, err := inputfile.ReadContext(ctx, o.abs, max)
		if err != nil {
			res.Files = append(res.Files, readFailure(o.path, err))
			continue
		}
		switch o.kind {
		case "sql":
			proj.schema.add(string(src))
		case "env":
			envCands = append(envCands, scanEnvFile(o.path, src)...)
		}
	}

	// Parse every Python file and analyse it (module-level names, then its
	// functions' summaries and analyses) as soon as the files it may read
	// summaries from are analysed: callees' modules before callers'.
	names := make([]string, len(files))
	for i, s := range files {
		names[i], _ = moduleName(s.rel)
	}
	proj.modules = newModules(names)
	states := make([]*fileState, len(files))
	infos := make([]File, len(files))
	settled := make([]atomic.Bool, len(files)) // analysed, or not parsed
	analysed := runPipeline(ctx, opt.Workers, len(files), largestFirst(files), func(p *pyast.Parser, i int) ([]int, bool) {
		p.SetTimeout(opt.ParseTimeout)
		states[i], infos[i] = load(p, files[i], i, opt, proj)
		f := states[i]
		if f == nil {
			settled[i].Store(true)
			return nil, false
		}
		f.moduleEnv() // needs nothing from other files
		f.limiter = (bytes.Contains(f.t.Src, []byte("default_limits")) || bytes.Contains(f.t.Src, []byte("RATELIMIT_DEFAULT"))) &&
			limiterRe.Match(f.t.Src)
		deps := f.depIndexes(i)
		f.park(deps, settled)
		proj.modules.loaded[i].Store(f)
		return deps, true
	}, func(i int) {
		proj.waiting.end(states[i], false)
		states[i].summarize(false)
		states[i].rootAnalyses()
		states[i].settle()
		settled[i].Store(true)
	})
	trace("parse and analyse")
	for _, f := range states {
		if f != nil {
			proj.globalLimiter = proj.globalLimiter || f.limiter
		}
	}
	proj.files = states

	// Files in an import cycle, and the files that import them, were left.
	// They are analysed in import order with the imports that close a
	// cycle set aside; then the files of a cycle once more, now that the
	// files they import have summaries.
	var left, cyclic []*fileState
	for i, f := range states {
		if f != nil && !analysed[i] {
			left = append(left, f)
		}
	}
	wait := importCycles(left)
	runGraph(ctx, opt.Workers, left, wait, func(f *fileState) {
		proj.waiting.end(f, f.cyclicImports) // a cyclic file waits again below: no need to pack it twice
		f.summarize(false)
		if !f.cyclicImports {
			f.rootAnalyses()
			f.settle()
		} else {
			proj.waiting.wait(f) // until the second run
		}
	})
	// The second run follows the same order, so that each file reads the
	// second-run summaries of the files it imports, and first-run summaries
	// across the import that closes its cycle.
	runGraph(ctx, opt.Workers, left, wait, func(f *fileState) {
		if f.cyclicImports {
			proj.waiting.end(f, false)
			f.summarize(true)
			f.rootAnalyses()
			f.settle()
		}
	})
	for _, f := range left {
		if f.cyclicImports {
			cyclic = append(cyclic, f)
		}
	}
	for _, f := range left {
		proj.waiting.end(f, false) // analysis was cancelled before it came to the file
	}
	trace(fmt.Sprintf("import cycles (%d files, %d in cycles)", len(left), len(cyclic)))
	if wholeTreesNeeded(states) {
		restoreTrees(ctx, opt.Workers, states)
	}
	late := pendingRoutes(states)
	spec, specNotes := specRoutes(ctx, dir, states)
	res.Notes = append(res.Notes, specNotes...)
	dyn, dynNotes := runtimeSpecRoutes(ctx, dir, states)
	restoreTrees(ctx, opt.Workers, lateFiles(dyn)) // a module that routes itself may have been released
	spec = append(spec, dyn...)
	res.Notes = append(res.Notes, dynNotes...)
	attachLateRoutes(ctx, opt.Workers, states, append(late, spec...))
	inheritDecorators(states)
	resolvePaths(states)
	restoreTrees(ctx, opt.Workers, routeImports(states))
	proj.shared = sharedTables(states)
	parallel(ctx, opt.Workers, len(states), func(i int) {
		if states[i] != nil && !states[i].checked {
			states[i].check()
		}
	})
	trace("rules")
	res.Files = append(res.Files, infos...)
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Path < res.Files[j].Path })

	res.Findings = finalize(states, proj, envCands)
	res.Routes = routesOf(states)
	if n := routesNote(ctx, opt.Workers, states, len(res.Routes)); n != "" && len(files) > 0 {
		res.Notes = append(res.Notes, n)
	}
	linkKeys(proj, states)
	res.Keys = keysOf(states)
	res.Fingerprint = fingerprint(states, proj)
	if inspectStates != nil {
		inspectStates(states)
	}
	trace("findings")
	res.Duration = time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// analyzeSource runs the whole analysis on one file's bytes (for fuzzing).
func analyzeSource(p *pyast.Parser, path string, src []byte) ([]rampart.Finding, []Route, error) {
	if !utf8.Valid(src) {
		src, _ = sanitizeUTF8(src)
	}
	tree, err := p.Parse(src)
	if err != nil {
		return nil, nil, err
	}
	proj := newProject()
	f := newFileState(path, tree, proj)
	f.module, f.pkg = moduleName(path)
	states := []*fileState{f}
	proj.files = states
	resolvePaths(states)
	f.analyse()
	return finalize(states, proj, nil), routesOf(states), nil
}

var limiterRe = regexp.MustCompile(`Limiter\([^)]*default_limits|RATELIMIT_DEFAULT`)

var generatedRe = regexp.MustCompile(`(?i)generated by|do not edit|@generated|auto-?generated|automatically generated`)

// load reads and parses one file.
func load(p *pyast.Parser, s source, index int, opt Options, proj *project) (*fileState, File) {
	info := File{Path: s.path, Bytes: s.size}
	if s.size > opt.MaxFileSize {
		info.Status, info.Reason = FileSkipped, fmt.Sprintf("larger than %d bytes", opt.MaxFileSize)
		return nil, info
	}
	src, err := readSource(s.abs, s.size, opt.MaxFileSize)
	if err != nil {
		f := readFailure(s.path, err)
		info.Status, info.Reason = f.Status, f.Reason
		return nil, info
	}
	info.Bytes = int64(len(src))
	if bytes.IndexByte(src, 0) >= 0 {
		info.Status, info.Reason = FileSkipped, "binary (NUL bytes)"
		return nil, info
	}
	if !opt.IncludeGenerated && (strings.HasSuffix(s.path, "_pb2.py") || strings.HasSuffix(s.path, "_pb2_grpc.py") ||
		generatedRe.Match(head(src, 5))) {
		info.Status, info.Reason = FileSkipped, "generated"
		return nil, info
	}
	var notes []string
	if !utf8.Valid(src) {
		var n int
		src, n = sanitizeUTF8(src)
		notes = append(notes, fmt.Sprintf("%d bytes of invalid UTF-8 read as '?'", n))
	}
	tree, err := p.Parse(src)
	if errors.Is(err, pyast.ErrNoTree) {
		info.Status, info.Reason = FileSkipped, fmt.Sprintf("parsing took longer than %v", opt.ParseTimeout)
		return nil, info
	}
	if err != nil {
		info.Status, info.Reason = FileError, err.Error()
		return nil, info
	}
	info.Status = FileParsed
	info.Lines = bytes.Count(src, []byte{'\n'}) + 1
	if errs := tree.SyntaxErrors(); len(errs) > 0 {
		info.SyntaxErrors = len(errs)
		notes = append(notes, fmt.Sprintf("syntax errors from line %d (analysed what parses)", errs[0].Line))
	}
	if n, line := tree.Deep(); n > 0 {
		notes = append(notes, fmt.Sprintf("code nested more than %d levels deep from line %d (%d places): not analysed below that depth", pyast.MaxDepth, line, n))
	}
	info.Reason = strings.Join(notes, "; ")
	f := newFileState(s.path, tree, proj)
	f.module, f.pkg = moduleName(s.rel)
	f.index = index
	return f, info
}

// readSource reads a regular file of at most max bytes (inputfile's rules)
// into one buffer of the size the walk saw: a tree of thousands of files is
// read without a buffer per read, nor room to spare per file. A file that
// changed size since the walk is read as it is now.
func readSource(path string, size, max int64) ([]byte, error) {
	f, err := inputfile.Open(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, min(size, max))
	n, err := io.ReadFull(f, buf)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return buf[:n], nil // shrank
	case err != nil:
		return nil, err
	}
	var one [1]byte
	m, err := f.Read(one[:])
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if m == 0 && err != nil {
		return buf, nil // the size the walk saw
	}
	return readRest(f, append(buf, one[:m]...)) // grew
}

// readRest appends what is left of f to buf.
func readRest(f io.Reader, buf []byte) ([]byte, error) {
	b := bytes.NewBuffer(buf)
	if _, err := b.ReadFrom(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// readFailure is the entry of a file that could not be read: one that
// grew past the cap or was swapped for a FIFO or a device since the walk
// is skipped, anything else is an error. The reason never quotes the file.
func readFailure(path string, err error) File {
	switch {
	case errors.Is(err, inputfile.ErrTooLarge):
		return File{Path: path, Status: FileSkipped, Reason: "larger than the size limit"}
	case errors.Is(err, inputfile.ErrNotRegular):
		return File{Path: path, Status: FileSkipped, Reason: "not a regular file"}
	}
	return File{Path: path, Status: FileError, Reason: err.Error()}
}

func head(b []byte, lines int) []byte {
	end := 0
	for i := 0; i < lines && end < len(b); i++ {
		j := bytes.IndexByte(b[end:], '\n')
		if j < 0 {
			return b
		}
		end += j + 1
	}
	return b[:end]
}

// sanitizeUTF8 replaces each byte of an invalid UTF-8 sequence with '?', so
// that offsets and line numbers stay those of the file.
func sanitizeUTF8(b []byte) ([]byte, int) {
	out := make([]byte, len(b))
	copy(out, b)
	n := 0
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRune(out[i:])
		if r == utf8.RuneError && size <= 1 {
			out[i] = '?'
			n++
			i++
			continue
		}
		i += size
	}
	return out, n
}

// resolvePaths sets each route's path template, with every prefix it is
// served under (mounts.go): blueprints' url_prefix from Blueprint(...) or
// register_blueprint(..., url_prefix), nested blueprints, Apis and
// namespaces.
func resolvePaths(states []*fileState) {
	g := newMountGraph(states)
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, r := range f.routes {
			r.path = g.routePath(r)
		}
	}
	resolveFastAPI(states) // routers' prefixes and dependencies (fastapi.go)
}

// Key is a signing key written in the source, and where.
type Key struct {
	Value string
	File  string
	Line  int
	// Family says what it signs: session-secret (Flask's SECRET_KEY) or
	// jwt.
	Family rampart.Family
}

// Where is "app.py:12".
func (k Key) Where() string { return fmt.Sprintf("%s:%d", k.File, k.Line) }

// keysOf gathers the keys of every file, each value once (the first place
// it is written).
func keysOf(states []*fileState) []Key {
	var out []Key
	seen := map[string]bool{}
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, k := range f.keys {
			if !seen[k.Value] {
				seen[k.Value] = true
				out = append(out, k)
			}
		}
	}
	return out
}

func routesOf(states []*fileState) []Route {
	var out []Route
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, r := range f.routes {
			// Node texts share the file's memory: copy what leaves the package.
			var decs []string
			for _, d := range r.r.Decorators {
				if d.Auth != pyast.AuthNone {
					decs = append(decs, strings.Clone(d.Expr))
				}
			}
			var params []RouteParam
			for _, p := range r.r.Params {
				typ := "string"
				switch p.Converter {
				case "int":
					typ = "integer"
				case "float":
					typ = "number"
				}
				params = append(params, RouteParam{Name: p.Name, Converter: p.Converter, Type: typ})
			}
			auth := r.auth
			if auth == pyast.AuthNone && r.a != nil && r.a.identUsed {
				auth = pyast.AuthLogin
			}
			for _, m := range r.methods {
				out = append(out, Route{Method: m, Path: strings.Clone(r.path), Rule: strings.Clone(r.r.Rule), File: f.path,
					Line: f.t.Line(r.r.Node), Func: strings.Clone(r.r.Name), AuthDecorators: decs, Auth: auth.String(), Params: params})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// envFinding is a finding in a file that is not Python.
type envFinding struct {
	rule            *Rule
	path, msg, code string
	line            int
	sev             rampart.Severity
	key             string
}

var ignoreRe = regexp.MustCompile(`rampart:\s*ignore(?:\[([A-Za-z0-9_,\- ]+)\])?`)

// finalize turns candidates into findings: hooks in other files are taken
// into account, helpers' findings go to the routes that call them, and the
// `# rampart: ignore` comments are honoured.
func finalize(states []*fileState, proj *project, envs []envFinding) []rampart.Finding {
	type hook struct {
		f     *fileState
		owner string
		app   bool
		login bool
		role  bool
	}
	var hooks []hook
	for _, f := range states {
		if f == nil {
			continue
		}
		apps := map[string]bool{}
		for _, a := range f.mod.Apps {
			apps[a.Var] = true
		}
		for _, h := range f.hooks {
			if h.login || h.role {
				hooks = append(hooks, hook{f: f, owner: h.h.Owner, app: apps[h.h.Owner] || h.h.Owner == "app", login: h.login || h.role, role: h.role})
			}
		}
	}
	covered := func(r *routeInfo, role bool) bool {
		for _, h := range hooks {
			if role && !h.role {
				continue
			}
			if h.app || (h.f == r.file || h.f == r.decl) && h.owner == r.r.Owner {
				return true
			}
		}
		return false
	}
	// Each file's findings are built in parallel (route reachability was
	// computed with the rules, so nothing here writes shared state), then
	// merged, deduplicated and sorted.
	sinks := coveredSinks(states)
	perFile := make([][]rampart.Finding, len(states))
	parallel(context.Background(), runtime.GOMAXPROCS(0), len(states), func(i int) {
		f := states[i]
		if f == nil {
			return
		}
		out := make([]rampart.Finding, 0, len(f.cands)) // a Finding is large: grown by copies otherwise
		emit := func(fnd rampart.Finding) {
			fnd.ID = fnd.Fingerprint()
			out = append(out, fnd)
		}
		var lines [][]byte // only files with findings and a suppression comment need them
		if len(f.cands) > 0 && bytes.Contains(f.t.Src, []byte("rampart:")) {
			lines = bytes.Split(f.t.Src, []byte{'\n'})
		}
		keys := map[string]int{}
		for _, c := range f.cands {
			line := f.t.Line(c.node)
			if suppressed(lines, line, c.rule.ID) || sinkCovered(sinks, f, c) {
				continue
			}
			if c.crdbSeverity && !proj.crdb() {
				c.sev = rampart.Low
				c.msg += " (no CockroachDB marker found: on PostgreSQL at READ COMMITTED this matters less)"
			}
			routes := []*routeInfo{c.route}
			if c.route == nil && c.root != nil {
				routes = f.callers(c.root, states)
				if len(routes) == 0 {
					routes = []*routeInfo{nil}
				}
			}
			var at *occurrenceAt // the same for each of the candidate's routes
			for _, r := range routes {
				if r != nil && (c.unlessAuthHook && covered(r, false) || c.unlessRoleHook && covered(r, true)) {
					continue
				}
				loc := rampart.Location{File: f.path, Line: line, Column: f.t.Column(c.node)}
				fnd := c.rule.Meta.NewFinding(loc, c.msg)
				fnd.Severity, fnd.Confidence = c.sev, c.conf
				if at == nil {
					at = f.occurrenceOf(c)
				}
				fnd.Key = at.key(c, r, keys)
				fnd.Related = append(fnd.Related, c.related...)
				if r != nil {
					fnd.Location.Path = r.path
					fnd.Location.Method = routeMethod(r, c)
					if c.route == nil {
						fnd.Related = append(fnd.Related, rampart.Related{
							Location: rampart.Location{Method: fnd.Location.Method, Path: r.path, File: f.path, Line: f.t.Line(r.r.Node)},
							Note:     "route " + r.r.Name + " calls the code above",
						})
					}
				}
				emit(fnd)
			}
		}
		perFile[i] = out
	})
	total := 0
	for _, fs := range perFile {
		total += len(fs)
	}
	out := make([]rampart.Finding, 0, total)
	seen := map[string]bool{}
	emit := func(fnd rampart.Finding) {
		if fnd.ID == "" {
			fnd.ID = fnd.Fingerprint()
		}
		if !seen[fnd.ID] {
			seen[fnd.ID] = true
			out = append(out, fnd)
		}
	}
	for _, fs := range perFile {
		for _, fnd := range fs {
			emit(fnd)
		}
	}
	for _, e := range envs {
		fnd := e.rule.Meta.NewFinding(rampart.Location{File: e.path, Line: e.line, Column: 1}, e.msg)
		fnd.Severity, fnd.Key = e.sev, e.key+"|"+e.code
		emit(fnd)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j] // a Finding is large: compared in place
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Location.File != b.Location.File {
			return a.Location.File < b.Location.File
		}
		if a.Location.Line != b.Location.Line {
			return a.Location.Line < b.Location.Line
		}
		return a.Check < b.Check
	})
	return out
}

// A finding's Key is the offending code and where it sits (the enclosing
// functions), not its line, so that the fingerprint survives edits
// elsewhere in the file. Identical code twice in one function gets an
// ordinal.

// occurrenceAt is what a finding's key takes from where its candidate
// sits: the enclosing definitions (a.b) and the statement's code, with
// comments and spacing removed. It is worked out once per candidate, for
// all the routes that reach it.
type occurrenceAt struct{ scope, code string }

func (f *fileState) occurrenceOf(c *candidate) *occurrenceAt {
	t := f.t
	var scope []string
	for p := t.Parent(c.node); p >= 0; p = t.Parent(p) {
		if k := t.Kind(p); k == pyast.KindFunctionDefinition || k == pyast.KindClassDefinition {
			scope = append(scope, t.FuncName(p))
		}
	}
	slices.Reverse(scope)
	code := strings.Join(strings.Fields(stripComments(t.Text(c.node))), " ")
	return &occurrenceAt{strings.Join(scope, "."), code}
}

// key is the Key of the candidate's finding on route r (nil: none); seen
// counts the keys the file has given.
func (at *occurrenceAt) key(c *candidate, r *routeInfo, seen map[string]int) string {
	key := c.rule.ID + "|" + c.key + "|" + at.scope + "|" + at.code
	if r != nil {
		key += "|" + strings.Join(r.methods, ",") + " " + r.path
	}
	n := seen[key]
	seen[key] = n + 1
	if n > 0 {
		return fmt.Sprintf("%s|%s#%d", at.scope, at.code, n)
	}
	return c.key + "|" + at.scope + "|" + at.code
}

// routeMethod picks the method a finding belongs to: for a write, the
// route's first state-changing method.
func routeMethod(r *routeInfo, c *candidate) string {
	if len(r.methods) == 1 {
		return r.methods[0]
	}
	switch c.rule.Family {
	case rampart.FamilyBOLA, rampart.FamilyMassAssignment, rampart.FamilyRace, rampart.FamilyIdempotency, rampart.FamilyTxnBoundary:
		for _, m := range r.methods {
			if m != "GET" && m != "HEAD" && m != "OPTIONS" {
				return m
			}
		}
	}
	return r.methods[0]
}

// callers returns the routes of the file whose handlers reach a helper.
func (f *fileState) callers(a *analysis, states []*fileState) []*routeInfo {
	ref, ok := f.refOf(a.def)
	if !ok {
		return nil
	}
	var out []*routeInfo
	for _, g := range states {
		if g == nil {
			continue
		}
		for _, r := range g.routes {
			if r.a != nil && g.reach(r.a)[ref] {
				out = append(out, r)
			}
		}
	}
	return out
}

func suppressed(lines [][]byte, line int, id string) bool {
	for _, l := range []int{line, line - 1} {
		if l < 1 || l > len(lines) {
			continue
		}
		m := ignoreRe.FindSubmatch(lines[l-1])
		if m == nil {
			continue
		}
		if len(m[1]) == 0 {
			return true
		}
		for _, x := range strings.Split(string(m[1]), ",") {
			if strings.EqualFold(strings.TrimSpace(x), id) {
				return true
			}
		}
	}
	return false
}

// fingerprint names the stack from what the files import.
func fingerprint(states []*fileState, proj *project) rampart.Fingerprint {
	var fp rampart.Fingerprint
	seen := map[string]bool{}
	note := func(s string) {
		if !seen[s] {
			seen[s] = true
			fp.Evidence = append(fp.Evidence, s)
		}
	}
	for _, f := range states {
		if f == nil {
			continue
		}
		fp.Language = "Python"
		for local, q := range f.mod.Imports {
			root := strings.SplitN(strings.TrimLeft(q, "."), ".", 2)[0]
			switch root {
			case "flask":
				fp.Framework = "Flask"
				note("imports flask (" + f.path + ")")
			case "fastapi":
				if fp.Framework == "" {
					fp.Framework = "FastAPI"
				}
				note("imports fastapi (" + f.path + ")")
			case "psycopg2", "psycopg", "asyncpg", "pg8000":
				if fp.Driver == "" || root == "psycopg2" {
					fp.Driver = root
				}
				note("imports " + root + " (" + f.path + ")")
			case "sqlalchemy", "flask_sqlalchemy":
				fp.ORM = "SQLAlchemy"
				note("imports " + root + " (" + f.path + ")")
			case "sqlalchemy_cockroachdb":
				fp.Database = "CockroachDB"
				note("imports sqlalchemy_cockroachdb (" + f.path + ")")
			}
			_ = local
		}
	}
	if fp.Database == "" && proj.crdb() {
		fp.Database = "CockroachDB"
		note("the source mentions CockroachDB (cockroach, crdb or port 26257)")
	} else if fp.Database == "" && (fp.Driver == "psycopg2" || fp.Driver == "psycopg" || fp.Driver == "asyncpg" || fp.Driver == "pg8000") {
		fp.Database = "PostgreSQL"
	}
	sort.Strings(fp.Evidence)
	return fp
}
