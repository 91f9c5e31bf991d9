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
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"
)

// MaxSpecBytes caps every document the loader reads, the root and each
// external $ref target, so a hostile or mistaken source cannot exhaust memory.
const MaxSpecBytes = 32 << 20

// maxExternalDocs bounds how many distinct documents $refs may pull in.
const maxExternalDocs = 64

// Load reads an OpenAPI 2.0, 3.0 or 3.1 document (JSON or YAML), resolves its
// $refs and returns its attack surface. A broken document yields one
// *SpecError naming the problem and where it is.
func Load(ctx context.Context, src Source) (*Surface, error) {
	name := src.name()
	f := &fetcher{ctx: ctx, fetch: src.Fetch, cache: map[string][]byte{}}
	var data []byte
	switch {
	case src.Path != "":
		b, err := readFile(src.Path)
		if err != nil {
			return nil, fmt.Errorf("surface: %w", err)
		}
		data = b
		f.root = &url.URL{Path: filepath.ToSlash(src.Path)}
		f.local = true
	case src.Data != nil:
		if len(src.Data) > MaxSpecBytes {
			return nil, &SpecError{File: name, Msg: fmt.Sprintf("document is larger than %d bytes", MaxSpecBytes)}
		}
		data = src.Data
		if src.URL != "" {
			u, err := url.Parse(src.URL)
			if err != nil {
				return nil, fmt.Errorf("surface: source URL: %w", err)
			}
			f.root = u
		}
	default:
		return nil, errors.New("surface: Source has neither a Path nor Data")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	root, err := parseTree(name, data)
	if err != nil {
		return nil, err
	}
	kind, version, err := detect(name, root)
	if err != nil {
		return nil, err
	}
	c := &checker{name: name, kind: kind}
	if err := c.check(root); err != nil {
		return nil, err
	}
	rc := &refChecker{f: f, docs: map[string]*yaml.Node{}, walked: map[string]bool{}}
	if err := rc.walkDoc(name, f.root, root); err != nil {
		return nil, err
	}
	data = kinInput(root, data)
	// convert asks the tree one thing; keep that and let the rest go
	// before kin-openapi builds its own tree of the same document.
	root = onlyKey(root, "security")
	doc, err := kinLoad(ctx, name, kind, data, f)
	if err != nil {
		return nil, err
	}
	return convert(doc, root, version, f.root, f.local), nil
}

func readFile(p string) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, MaxSpecBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSpecBytes {
		return nil, fmt.Errorf("%s: document is larger than %d bytes", p, MaxSpecBytes)
	}
	return b, nil
}

// kinLoad hands the document to kin-openapi. A panic inside the library is
// turned into an error: the loader sees hostile input, and one bad document
// must not take a whole scan down.
func kinLoad(ctx context.Context, name string, kind specKind, data []byte, f *fetcher) (doc *openapi3.T, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, &SpecError{File: name, Msg: fmt.Sprintf("cannot load document (the OpenAPI library failed: %v)", r)}
		}
	}()
	loader := openapi3.NewLoader()
	loader.Context = ctx
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) { return f.read(u) }
	if kind == swagger2 {
		var doc2 openapi2.T
		if err := openapi2.UnmarshalFromData(data, &doc2); err != nil {
			return nil, kinError(name, err)
		}
		doc, err = openapi2conv.ToV3WithLoader(&doc2, loader, f.root)
	} else if f.root != nil {
		doc, err = loader.LoadFromDataWithPath(data, f.root)
	} else {
		doc, err = loader.LoadFromData(data)
	}
	if err != nil {
		return nil, kinError(name, err)
	}
	return doc, nil
}

// kinInput is the document as kin-openapi gets it. A JSON document is
// re-encoded as block YAML: kin-openapi parses everything as YAML first,
// and YAML's flow style (which JSON is) costs memory in proportion to the
// whole document (jsontree.go). A document whose string fields quoteScalars
// retagged is re-encoded too.
func kinInput(root *yaml.Node, data []byte) []byte {
	quoted := quoteScalars(root, 0)
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

func kinError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "failed to unmarshal data: ")
	msg = strings.ReplaceAll(msg, "yaml error: yaml: ", "yaml: ")
	msg = strings.Join(strings.Fields(msg), " ") // one line, whatever the library wrote
	return &SpecError{File: name, Msg: msg, Err: err}
}

// fetcher is the only way the loader reads documents other than the root,
// for both the reference check and kin-openapi. Refs of a local file are read
// from disk; refs of a document that came from a URL are fetched through the
// caller, never read from disk, so a remote spec cannot make Rampart open
// local files.
type fetcher struct {
	ctx   context.Context
	root  *url.URL // where the root document came from; nil when unknown
	local bool     // root is a file on disk
	fetch func(ctx context.Context, url string) ([]byte, error)
	cache map[string][]byte
}

func (f *fetcher) read(loc *url.URL) ([]byte, error) {
	if err := f.ctx.Err(); err != nil {
		return nil, err
	}
	u := *loc
	u.Fragment = ""
	var remote bool
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("URL %q has no host", u.String())
		}
		remote = true
	case "", "file":
		switch {
		case f.local && u.Host == "":
			u.Scheme = ""
		case f.root != nil && !f.local:
			// kin-openapi passes absolute paths through unchanged; for a
			// remote document they name a path on its server.
			u = *f.root.ResolveReference(&url.URL{Path: u.Path, RawQuery: u.RawQuery, Host: u.Host})
			remote = true
		default:
			return nil, fmt.Errorf("cannot read %q: the document has no location to resolve it against", u.String())
		}
	default:
		return nil, fmt.Errorf("cannot read %q: unsupported scheme %q", u.String(), u.Scheme)
	}
	key := u.String()
	if b, ok := f.cache[key]; ok {
		return b, nil
	}
	if len(f.cache) >= maxExternalDocs {
		return nil, fmt.Errorf("cannot read %q: more than %d external documents", key, maxExternalDocs)
	}
	var b []byte
	var err error
	if remote {
		if f.fetch == nil {
			return nil, fmt.Errorf("cannot fetch %q: no fetcher for external URLs", key)
		}
		b, err = f.fetch(f.ctx, key)
		if err == nil && len(b) > MaxSpecBytes {
			err = fmt.Errorf("%s: document is larger than %d bytes", key, MaxSpecBytes)
		}
	} else {
		b, err = readFile(filepath.FromSlash(path.Clean(u.Path)))
	}
	if err != nil {
		return nil, err
	}
	f.cache[key] = b
	return b, nil
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
	docs   map[string]*yaml.Node
	walked map[string]bool
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
						return err
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
		key := tl.String()
		tree, ok := rc.docs[key]
		if !ok {
			data, err := rc.f.read(tl)
			if err != nil {
				return errAt("cannot be read: %v", err)
			}
			tree, err = parseTree(key, data)
			if err != nil && !errors.Is(err, ErrNotSpec) {
				return errAt("points to a broken document: %v", err)
			}
			rc.docs[key] = tree
			if tree != nil {
				if err := rc.walkDoc(key, tl, tree); err != nil {
					return err
				}
			}
		}
		target, prefix = tree, key
	}
	frag := u.Fragment
	if !strings.HasPrefix(frag, "/") {
		return nil // the whole document, or a JSON Schema $anchor
	}
	if target == nil {
		return errAt("points into a document that is not a mapping")
	}
	if found, missing, parent := pointer(target, frag); !found {
		return errAt("points to nothing (no %q in %s%s)", missing, prefix, parent)
	}
	return nil
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

// isJSON reports whether a document is JSON rather than YAML.
func isJSON(data []byte) bool {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}
