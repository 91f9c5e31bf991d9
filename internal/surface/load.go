package surface

// Library choice: github.com/getkin/kin-openapi (openapi3, openapi2,
// openapi2conv).
//
//   - It reads 2.0, 3.0 and 3.1 into one model: openapi2conv turns Swagger 2
//     into OpenAPI 3, and since v0.13x the openapi3 model carries 3.1 natively
//     (type arrays, numeric exclusiveMinimum, const, examples, $defs), so no
//     pre-normalisation of 3.1 documents is needed.
//   - Its loader resolves recursive $refs into cyclic pointer graphs instead
//     of looping, and lets us own every read of an external document
//     (ReadFromURIFunc), so the loader never opens a connection or a file we
//     did not decide to open.
//   - It is widely used (oapi-codegen, oasdiff, fuego), fuzzed upstream, MIT
//     licensed, and small in dependencies (a YAML parser and a JSON pointer).
//
// libopenapi was the alternative; it is larger, builds its own low-level
// model with a document index we would not use, and its 3.1 advantage no
// longer holds. Neither library gives located errors for the mistakes users
// make most, so the loader checks structure on its own YAML node tree first
// (tree.go) and only then hands the bytes to kin-openapi.

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// MaxSpecBytes caps every document the loader reads, the root and each
// external $ref target, so a hostile or mistaken source cannot exhaust memory.
const MaxSpecBytes = inputfile.MaxSpec

// maxExternalDocs bounds how many distinct documents $refs may pull in, and
// maxTotalBytes how many bytes all the documents of one spec may have. A
// spec on disk may be split much further (a vendor's document over 1,500
// files, one per schema and path): its files are the user's own, and the
// byte cap bounds them all the same; a spec from a URL costs a request per
// document.
const (
	maxExternalDocs      = 64
	maxLocalExternalDocs = 4096
	maxTotalBytes        = 2 * MaxSpecBytes
)

// LoadTimeout is how long Load may take when Source.Timeout is zero. A
// spec of the largest size loads in a few seconds; the rest of the minute
// is for $refs fetched from a slow server.
const LoadTimeout = 60 * time.Second

// ErrRefOutside is wrapped by the error for a local $ref that leads out of
// the folder holding the spec (symbolic links followed) when the Source
// does not allow it.
var ErrRefOutside = errors.New("outside the spec's folder")

// Load reads an OpenAPI 2.0, 3.0 or 3.1 document (JSON or YAML), resolves its
// $refs and returns its attack surface. A broken document yields one
// *SpecError naming the problem and where it is, never the document's
// content.
//
// Load returns as soon as ctx is done, or when the Source's timeout
// passes, even if the OpenAPI library is still busy: that work goes on in
// the background until its next read fails or it finishes, and its result
// is dropped.
func Load(ctx context.Context, src Source) (*Surface, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timeout := src.Timeout
	if timeout <= 0 {
		timeout = LoadTimeout
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		s   *Surface
		err error
	}
	done := make(chan result, 1) // the goroutine never blocks on a Load that has returned
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: &SpecError{File: src.name(), Msg: "cannot load document: the loader failed on it (" + withoutContent(fmt.Sprint(p), nil) + ")"}}
			}
			done <- r
		}()
		r.s, r.err = loadSpec(lctx, src)
	}()
	select {
	case r := <-done:
		if r.err != nil && lctx.Err() != nil {
			return nil, interrupted(ctx, src, timeout)
		}
		return r.s, r.err
	case <-lctx.Done():
		return nil, interrupted(ctx, src, timeout)
	}
}

// interrupted is Load's error once its context is done: the caller's own
// error when the caller gave up, else the timeout's.
func interrupted(ctx context.Context, src Source, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return &SpecError{File: src.name(), Msg: fmt.Sprintf("loading took longer than %s, the limit for a spec", timeout), Err: context.DeadlineExceeded}
}

func loadSpec(ctx context.Context, src Source) (*Surface, error) {
	name := src.name()
	f, data, root, err := openSpec(ctx, src)
	if err != nil {
		return nil, err
	}
	kind, version, err := detect(name, root)
	if err != nil {
		return nil, err
	}
	written := countOperations(root)
	r := newRepairer(name, kind)
	r.top = root
	r.repairText(root, "", false, 0)
	rc := &refChecker{f: f, walked: map[string]bool{}, r: r}
	if err := rc.walkDoc(name, f.root, root); err != nil {
		return nil, err
	}
	r.file = name
	r.repairDoc(root)
	for key, d := range f.docs {
		if d.top != nil && d.top != root {
			r.file, r.top = key, d.top
			r.repairSchemas(d.top)
		}
	}
	r.file = name
	c := &checker{name: name, kind: kind}
	if err := c.check(root); err != nil {
		return nil, err
	}
	warnings := r.warnings(name)
	if src.Strict && len(warnings) > 0 {
		w := warnings[0]
		return nil, &SpecError{File: w.File, Line: w.Line, Path: w.Path, Msg: w.Problem, Err: errors.Join(ErrStrict, r.causes[w])}
	}
	for _, d := range f.docs {
		if d.top != nil && d.top != root && r.changed[d.top] {
			if b, err := yaml.Marshal(d.top); err == nil {
				d.data = b
			}
		}
	}
	data = kinInput(root, data, r.changed[root])
	// kin-openapi builds its own tree of the document: let this one go
	// first but for what convert and error messages ask of it.
	names := specNames(root)
	server := serverNode(kind, root)
	root = onlyKey(root, "security")
	for _, d := range f.docs {
		d.top = nil // the reference check was their last reader
	}
	doc, err := kinLoad(ctx, name, kind, data, names, f)
	if err != nil {
		return nil, err
	}
	s := convert(doc, root, version, f.root, f.local)
	for _, op := range s.Operations {
		op.Origin = name
	}
	if len(s.Operations) == 0 && written > 0 && len(warnings) > 0 {
		// Every operation was beyond repair: there is nothing to scan.
		w := warnings[0]
		return nil, &SpecError{File: w.File, Line: w.Line, Path: w.Path, Msg: fmt.Sprintf("no operation can be read: %d written, none usable; the first problem: %s", written, w.Problem)}
	}
	s.Warnings = warnings
	s.file = name
	if server != nil {
		s.serverLine = server.Line
	}
	return s, nil
}

// countOperations is how many operations the document writes under paths,
// usable or not.
func countOperations(root *yaml.Node) int {
	_, paths := get(root, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return 0
	}
	n := 0
	for i := 1; i < len(paths.Content); i += 2 {
		for _, m := range httpMethods {
			if k, op := get(paths.Content[i], m); k != nil && !isNull(op) {
				n++
			}
		}
	}
	return n
}

// serverNode is where the document names the host it is served from: the
// first server's url, or Swagger 2's host.
func serverNode(kind specKind, root *yaml.Node) *yaml.Node {
	if kind == swagger2 {
		k, _ := get(root, "host")
		return k
	}
	_, list := get(root, "servers")
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil
	}
	k, _ := get(list.Content[0], "url")
	return k
}

// openSpec reads and parses the root document of src, and sets up the
// fetcher for the documents its $refs name.
func openSpec(ctx context.Context, src Source) (*fetcher, []byte, *yaml.Node, error) {
	name := src.name()
	f := &fetcher{ctx: ctx, fetch: src.Fetch, docs: map[string]*document{}, budget: newAliasBudget(), outside: src.RefsOutside}
	var data []byte
	switch {
	case src.Path != "":
		b, err := inputfile.ReadContext(ctx, src.Path, MaxSpecBytes)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("surface: %w", err)
		}
		data = b
		f.root = &url.URL{Path: filepath.ToSlash(src.Path)}
		f.local = true
		f.folder = folderOf(src.Path)
	case src.Data != nil:
		if len(src.Data) > MaxSpecBytes {
			return nil, nil, nil, &SpecError{File: name, Msg: fmt.Sprintf("document is larger than %d bytes", MaxSpecBytes)}
		}
		data = src.Data
		if src.URL != "" {
			u, err := url.Parse(src.URL)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("surface: source URL: %w", err)
			}
			f.root = u
		}
	default:
		return nil, nil, nil, errors.New("surface: Source has neither a Path nor Data")
	}
	f.total = len(data)
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	root, err := parseTree(name, data, f.budget)
	if err != nil {
		return nil, nil, nil, err
	}
	if f.root != nil {
		// A $ref back into the root reads it from here: its aliases are
		// counted once, and it is not read again.
		key := *f.root
		if f.local {
			key.Path = path.Clean(key.Path)
		}
		f.docs[locKey(&key)] = &document{data: data, top: root}
	}
	return f, data, root, nil
}

// folderOf is the folder a local spec's $refs must stay in: the one holding
// the path as given (it is what relative $refs resolve against), with its
// symbolic links resolved.
func folderOf(spec string) string {
	dir, err := filepath.Abs(filepath.Dir(spec))
	if err != nil {
		return filepath.Dir(spec)
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return real
	}
	return dir
}

// within reports whether p is folder or below it.
func within(folder, p string) bool {
	rel, err := filepath.Rel(folder, p)
	return err == nil && !filepath.IsAbs(rel) && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// kinLoad hands the document to kin-openapi. A panic inside the library is
// turned into an error: the loader sees hostile input, and one bad document
// must not take a whole scan down.
func kinLoad(ctx context.Context, name string, kind specKind, data []byte, names func(string) bool, f *fetcher) (doc *openapi3.T, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, &SpecError{File: name, Msg: fmt.Sprintf("cannot load document (the OpenAPI library failed: %s)", withoutContent(fmt.Sprint(r), names))}
		}
	}()
	loader := openapi3.NewLoader()
	loader.Context = ctx
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) { return f.read(u) }
	if kind == swagger2 {
		var doc2 openapi2.T
		if err := openapi2.UnmarshalFromData(data, &doc2); err != nil {
			return nil, kinError(name, names, err)
		}
		doc, err = openapi2conv.ToV3WithLoader(&doc2, loader, f.root)
	} else if f.root != nil {
		doc, err = loader.LoadFromDataWithPath(data, f.root)
	} else {
		doc, err = loader.LoadFromData(data)
	}
	if err != nil {
		return nil, kinError(name, names, err)
	}
	return doc, nil
}

// kinInput is the document as kin-openapi gets it. A JSON document is
// re-encoded as block YAML: kin-openapi parses everything as YAML first,
// and YAML's flow style (which JSON is) costs memory in proportion to the
// whole document (jsontree.go). A document whose string fields quoteScalars
// retagged is re-encoded too.
func kinInput(root *yaml.Node, data []byte, repaired bool) []byte {
	quoted := quoteScalars(root, 0) || repaired
	if isJSON(data) {
		if b, ok := blockYAML(root); ok {
			return b
		}
	}
	if quoted {
		if b, err := yaml.Marshal(root); err == nil {
			return b
		}
	}
	return data
}

// onlyKey returns a mapping that holds only one key of m (or nothing).
func onlyKey(m *yaml.Node, key string) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if k, v := get(m, key); k != nil {
		out.Content = []*yaml.Node{k, v}
	}
	return out
}

// isJSON reports whether a document is JSON rather than YAML.
func isJSON(data []byte) bool {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

var (
	kinLine = lazyre.New(`^(yaml: construct errors: )line (\d+): (.*)$`)
	kinMark = lazyre.New(`^(.*)go-yaml load error in \w+ at L(\d+)\.C\d+: (.*)$`)
)

// kinError words kin-openapi's error as one line that quotes nothing of the
// document but its keys and $refs.
func kinError(name string, names func(string) bool, err error) error {
	msg := strings.TrimPrefix(err.Error(), "failed to unmarshal data: ")
	msg = strings.ReplaceAll(msg, "yaml error: yaml: ", "yaml: ")
	msg = strings.Join(strings.Fields(msg), " ") // one line, whatever the library wrote
	line := 0
	if m := kinLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[2])
		msg = m[1] + m[3]
	}
	if m := kinMark.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[2])
		msg = m[1] + m[3]
	}
	return &SpecError{File: name, Line: line, Msg: withoutContent(msg, names), Err: err}
}

// fetcher is the only way the loader reads documents other than the root,
// for both the reference check and kin-openapi. Refs of a local file are read
// from disk, only regular files, only inside the spec's folder unless
// allowed; refs of a document that came from a URL are fetched through the
// caller, never read from disk, so a remote spec cannot make Rampart open
// local files. Every document is parsed and bounded (see checkExpansion)
// before anything else sees its bytes.
type fetcher struct {
	ctx     context.Context
	root    *url.URL // where the root document came from; nil when unknown
	local   bool     // root is a file on disk
	folder  string   // for a local root: the folder its refs must stay in
	outside bool     // local refs may leave folder
	fetch   func(ctx context.Context, url string) ([]byte, error)
	docs    map[string]*document
	budget  *aliasBudget
	total   int // bytes read, root included
}

// errOverLimit is wrapped by the errors of the limits that protect Rampart
// from a document (sizes, counts, alias expansion): the loader never
// repairs around them.
var errOverLimit = errors.New("over a limit for a spec")

// limitError is a limit's error, worded for the user.
type limitError struct{ msg string }

func (e *limitError) Error() string        { return e.msg }
func (e *limitError) Is(target error) bool { return target == errOverLimit }

// ErrStrict is wrapped by the error of a document refused under
// Source.Strict for a mistake the loader would have repaired.
var ErrStrict = errors.New("refused by --strict-spec")

// document is one external document, read and parsed once.
type document struct {
	data []byte
	top  *yaml.Node // its top node, nil when it does not parse
	err  error      // why it does not parse, or is refused
}

// read is kin-openapi's way in: the bytes of a document that parsed within
// the limits, or why not.
func (f *fetcher) read(loc *url.URL) ([]byte, error) {
	d, _, err := f.load(loc)
	if err != nil {
		return nil, err
	}
	if d.err != nil {
		return nil, d.err
	}
	return d.data, nil
}

// load reads, parses and bounds the document at loc. An error means it
// could not be read; a document that was read but does not parse, or is
// refused, has its reason in document.err.
func (f *fetcher) load(loc *url.URL) (*document, string, error) {
	if err := f.ctx.Err(); err != nil {
		return nil, "", err
	}
	u := *loc
	u.Fragment = ""
	var remote bool
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, "", fmt.Errorf("URL %q has no host", u.String())
		}
		remote = true
	case "", "file":
		switch {
		case f.local && u.Host == "":
			u.Scheme = ""
			u.Path = path.Clean(u.Path)
		case f.root != nil && !f.local:
			// kin-openapi passes absolute paths through unchanged; for a
			// remote document they name a path on its server.
			u = *f.root.ResolveReference(&url.URL{Path: u.Path, RawQuery: u.RawQuery, Host: u.Host})
			remote = true
		default:
			return nil, "", fmt.Errorf("cannot read %q: the document has no location to resolve it against", u.String())
		}
	default:
		return nil, "", fmt.Errorf("cannot read %q: unsupported scheme %q", u.String(), u.Scheme)
	}
	key := u.String()
	if d, ok := f.docs[key]; ok {
		return d, key, nil
	}
	limit := maxExternalDocs
	if f.local {
		limit = maxLocalExternalDocs
	}
	if len(f.docs) >= limit {
		return nil, "", &limitError{fmt.Sprintf("cannot read %q: more than %d external documents", key, limit)}
	}
	var b []byte
	var err error
	if remote {
		if f.fetch == nil {
			return nil, "", fmt.Errorf("cannot fetch %q: no fetcher for external URLs", key)
		}
		b, err = f.fetch(f.ctx, key)
		if err == nil && len(b) > MaxSpecBytes {
			err = &limitError{fmt.Sprintf("%s: document is larger than %d bytes", key, MaxSpecBytes)}
		}
	} else {
		b, err = f.readLocal(filepath.FromSlash(path.Clean(u.Path)))
	}
	if err != nil {
		return nil, "", err
	}
	if f.total += len(b); f.total > maxTotalBytes {
		return nil, "", &limitError{fmt.Sprintf("cannot read %q: the spec's documents have more than %d bytes in all", key, maxTotalBytes)}
	}
	d := &document{data: b}
	d.top, d.err = parseDoc(key, b, f.budget)
	f.docs[key] = d
	return d, key, nil
}

// readLocal reads a local $ref's file: a regular file, inside the spec's
// folder once symbolic links are resolved unless refs may leave it.
func (f *fetcher) readLocal(p string) ([]byte, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	if real, err = filepath.Abs(real); err != nil {
		return nil, err
	}
	if !f.outside && !within(f.folder, real) {
		if abs, err := filepath.Abs(p); err == nil && abs != real {
			return nil, fmt.Errorf("%s leads to %s, %w %s", p, real, ErrRefOutside, f.folder)
		}
		return nil, fmt.Errorf("%s is %w %s", p, ErrRefOutside, f.folder)
	}
	return inputfile.ReadContext(f.ctx, real, MaxSpecBytes)
}

// resolveRef is where a $ref's document lives, relative to the document that
// holds it; the same rule kin-openapi applies.
func resolveRef(base, ref *url.URL) *url.URL {
	u := *ref
	u.Fragment = ""
	if u.Scheme != "" || base == nil {
		return &u
	}
	if base.Scheme != "" {
		return base.ResolveReference(&u)
	}
	if u.Host != "" || path.IsAbs(u.Path) {
		return &u
	}
	out := *base
	out.Fragment = ""
	out.Path = path.Join(path.Dir(base.Path), u.Path)
	return &out
}

// refChecker follows every $ref of the root document, and of the documents
// those pull in, so that a dangling one is reported with its line rather than
// as kin-openapi's "failed to resolve" with no location.
type refChecker struct {
	f      *fetcher
	walked map[string]bool
	r      *repairer // takes the $refs that can be dropped instead of refused
}

func locKey(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.Fragment = ""
	return c.String()
}

func (rc *refChecker) walkDoc(name string, loc *url.URL, root *yaml.Node) error {
	key := locKey(loc)
	if rc.walked[key] {
		return nil
	}
	rc.walked[key] = true
	return rc.walk(name, loc, root, root, "", false)
}

// literalKeys hold example data, never $refs, even when that data looks like
// one.
var literalKeys = map[string]bool{"example": true, "default": true, "enum": true, "const": true, "value": true}

// nameMaps hold user-chosen names as keys, which must never be mistaken for
// the keywords above (a property may well be called "default").
var nameMaps = map[string]bool{
	"properties": true, "patternProperties": true, "$defs": true, "definitions": true,
	"schemas": true, "parameters": true, "responses": true, "paths": true,
	"securitySchemes": true, "securityDefinitions": true, "examples": true, "headers": true,
	"links": true, "callbacks": true, "requestBodies": true, "content": true, "encoding": true,
	"variables": true, "dependentSchemas": true, "webhooks": true, "pathItems": true,
}

func (rc *refChecker) walk(name string, loc *url.URL, root, n *yaml.Node, p string, names bool) error {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			kp := k.Value
			if p != "" {
				kp = p + "." + k.Value
			}
			if !names {
				if strings.HasPrefix(k.Value, "x-") || literalKeys[k.Value] {
					continue
				}
				if k.Value == "$ref" {
					if err := rc.check(name, loc, root, k, v, p); err != nil {
						if hard(err) {
							return err
						}
						rc.drop(name, root, n, err, p)
						return nil
					}
					continue
				}
				if k.Value == "examples" && v.Kind == yaml.SequenceNode {
					continue // JSON Schema examples: a list of literal values
				}
			}
			if err := rc.walk(name, loc, root, v, kp, !names && nameMaps[k.Value]); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := rc.walk(name, loc, root, c, fmt.Sprintf("%s[%d]", p, i), false); err != nil {
				return err
			}
		}
	}
	// Aliases are walked where their anchor is defined; following them here
	// would make a few lines of YAML cost exponential time.
	return nil
}

func (rc *refChecker) check(name string, loc *url.URL, root, k, v *yaml.Node, p string) error {
	if v.Kind != yaml.ScalarNode || isNull(v) {
		return &SpecError{File: name, Line: k.Line, Path: p, Msg: fmt.Sprintf("$ref must be a string, got %s", kindName(v))}
	}
	ref := v.Value
	errAt := func(format string, args ...any) error {
		return &SpecError{File: name, Line: v.Line, Path: p, Msg: fmt.Sprintf("$ref %q ", clip(ref, 200)) + fmt.Sprintf(format, args...)}
	}
	if ref == "" {
		return &SpecError{File: name, Line: v.Line, Path: p, Msg: "empty $ref"}
	}
	u, err := url.Parse(ref)
	if err != nil {
		return errAt("is not a valid reference: %v", err)
	}
	target, prefix := root, ""
	if u.Scheme != "" || u.Host != "" || u.Path != "" || u.Opaque != "" {
		tl := resolveRef(loc, u)
		d, key, err := rc.f.load(tl)
		if err != nil {
			return because(errAt("cannot be read: %v", err), err)
		}
		switch {
		case errors.Is(d.err, ErrNotSpec):
			return errAt("points to an empty document")
		case d.err != nil:
			return because(errAt("points to a broken document: %v", d.err), d.err)
		case d.top.Kind == yaml.MappingNode:
			if err := rc.walkDoc(key, tl, d.top); err != nil {
				return err
			}
		case !strings.HasPrefix(u.Fragment, "/"):
			return errAt("points to a document whose top level is %s, not a mapping", kindName(d.top))
		}
		target, prefix = d.top, key
	}
	frag := u.Fragment
	if frag != "" && !strings.HasPrefix(frag, "/") {
		// A JSON Schema $anchor, which kin-openapi does not resolve:
		// point at the schema that declares it instead.
		ptr, ok := findAnchor(target, frag, "", 0)
		if !ok {
			return errAt("names no $anchor %q in %s", clip(frag, 60), cmp.Or(prefix, "#"))
		}
		u.Fragment = ptr
		rc.r.in(name, root).warn(v, p, fmt.Sprintf("$ref %q names a JSON Schema $anchor", clip(ref, 200)), "read as a $ref to #"+clip(ptr, 200))
		v.Value, v.Tag, v.Style = u.String(), "!!str", yaml.DoubleQuotedStyle
		return nil
	}
	if frag == "" {
		return nil // the whole document
	}
	if found, missing, parent := pointer(target, frag); !found {
		return errAt("points to nothing (no %q in %s%s)", missing, prefix, parent)
	}
	return nil
}

// hard reports whether a $ref's error must refuse the spec: a limit that
// protects Rampart, or the caller giving up. Anything else drops only what
// the $ref stands for.
func hard(err error) bool {
	return errors.Is(err, ErrRefOutside) || errors.Is(err, errOverLimit) ||
		errors.Is(err, inputfile.ErrTooLarge) || errors.Is(err, inputfile.ErrNotRegular) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// drop empties the mapping holding a broken $ref: an empty schema accepts
// anything, an empty parameter is then left out, an empty response or path
// item says nothing.
func (rc *refChecker) drop(name string, root, holder *yaml.Node, err error, p string) {
	var se *SpecError
	w := rampart.InputWarning{File: name, Problem: withoutContent(err.Error(), nil), Path: p}
	if errors.As(err, &se) {
		w.Line, w.Path, w.Problem = se.Line, se.Path, se.Msg
	}
	switch {
	case strings.HasSuffix(p, "]") && strings.Contains(p[strings.LastIndex(p, ".")+1:], "parameters["):
		w.Repair = "ignored this parameter"
	case strings.Contains(p, "schema") || strings.Contains(p, "properties") || strings.Contains(p, "definitions") || strings.Contains(p, "items"):
		w.Repair = "read this schema as any value"
	default:
		w.Repair = "read it as empty"
	}
	rc.r.warns = append(rc.r.warns, w)
	rc.r.causes[w] = err
	rc.r.changed[root] = true
	rc.r.emptied[holder] = true
	holder.Content = nil
}

// findAnchor is the JSON pointer of the mapping below n whose $anchor is
// name.
func findAnchor(n *yaml.Node, name, at string, depth int) (string, bool) {
	if n == nil || depth > MaxDepth {
		return "", false
	}
	switch n.Kind {
	case yaml.MappingNode:
		if _, a := get(n, "$anchor"); a != nil && a.Value == name {
			return at, true
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || literalKeys[k.Value] || n.Content[i+1].Kind == yaml.AliasNode {
				continue
			}
			tok := strings.ReplaceAll(strings.ReplaceAll(k.Value, "~", "~0"), "/", "~1")
			if p, ok := findAnchor(n.Content[i+1], name, at+"/"+tok, depth+1); ok {
				return p, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if c.Kind == yaml.AliasNode {
				continue
			}
			if p, ok := findAnchor(c, name, fmt.Sprintf("%s/%d", at, i), depth+1); ok {
				return p, true
			}
		}
	}
	return "", false
}

// because records cause as the underlying error of a SpecError.
func because(err, cause error) error {
	var se *SpecError
	if errors.As(err, &se) {
		se.Err = cause
	}
	return err
}

// stringFields are OpenAPI fields typed as strings that hand-written YAML
// often leaves unquoted (version: 1.0, swagger: 2.0). kin-openapi rejects
// them; a scanner should not.
var stringFields = map[string]bool{
	"openapi": true, "swagger": true, "version": true, "title": true,
	"description": true, "summary": true, "operationId": true,
}

// quoteScalars retags numbers and booleans in stringFields as strings, and
// reports whether it changed anything. Example data is left alone.
func quoteScalars(n *yaml.Node, depth int) bool {
	if n == nil || depth > 256 {
		return false
	}
	changed := false
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && (literalKeys[k.Value] || k.Value == "examples" || strings.HasPrefix(k.Value, "x-")) {
				continue
			}
			if k.Kind == yaml.ScalarNode && stringFields[k.Value] && v.Kind == yaml.ScalarNode {
				switch v.ShortTag() {
				case "!!int", "!!float", "!!bool":
					v.Tag, v.Style = "!!str", yaml.DoubleQuotedStyle
					changed = true
				}
				continue
			}
			changed = quoteScalars(v, depth+1) || changed
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			changed = quoteScalars(c, depth+1) || changed
		}
	}
	return changed
}
