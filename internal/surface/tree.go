package surface

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// The loader reads every document twice: once into a YAML node tree, which
// keeps line numbers, and once through kin-openapi, which keeps none. The
// tree is what lets a broken document be reported as "line 12: paths./x.get:
// ..." instead of a Go unmarshalling error about struct fields.

// specKind says which dialect a document speaks.
type specKind int

const (
	swagger2 specKind = iota + 1
	openapi30
	openapi31 // 3.1 and later: JSON Schema 2020-12 schemas
)

const maxAliasHops = 16

// deref follows YAML aliases, so `paths: *common` reads like the anchor.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliasHops; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// get returns the key and value nodes of key in mapping m, or nils.
func get(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], deref(m.Content[i+1])
		}
	}
	return nil, nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName says what a node is, never what it holds: errors must not echo
// a document's content (a mistaken --spec may be a credentials file).
func kindName(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "null"
	case n.Kind == yaml.ScalarNode:
		switch t := strings.TrimPrefix(n.ShortTag(), "!!"); t {
		case "str", "":
			return "a string"
		case "int":
			return "an integer"
		case "bool":
			return "a boolean"
		case "float":
			return "a number"
		default:
			return "a scalar tagged " + clip(t, 20)
		}
	default:
		return "something else"
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

var yamlErrLine = lazyre.New(`^(?:yaml: )?(?:line (\d+): )?(.*)$`)

// parseTree turns a spec's root document into its top-level mapping. Errors
// carry the line where the parser gave up.
func parseTree(name string, data []byte, budget *aliasBudget) (*yaml.Node, error) {
	root, err := parseDoc(name, data, budget)
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, &SpecError{File: name, Line: lineOf(root), Msg: fmt.Sprintf("%s (the top level is %s, not a mapping)", ErrNotSpec, kindName(root)), Err: ErrNotSpec}
	}
	return root, nil
}

// parseDoc turns a JSON or YAML document into its top node, of any kind,
// and refuses it if its aliases expand it past the limits (see
// checkExpansion): nothing may decode it before that check.
func parseDoc(name string, data []byte, budget *aliasBudget) (*yaml.Node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, &SpecError{File: name, Msg: ErrNotSpec.Error() + " (empty document)", Err: ErrNotSpec}
	}
	looksJSON := trimmed[0] == '{' || trimmed[0] == '['
	// encoding/json explains JSON mistakes better than a YAML parser that
	// sees them as odd YAML; Valid allocates nothing and gives up past
	// 10,000 levels, so a hostile nesting costs one linear scan.
	if looksJSON {
		// A JSON document has no aliases; its tree comes from a streaming
		// decoder (jsontree.go), which parses it in linear memory.
		if n, err := jsonTree(data); err == nil {
			if err := checkExpansion(name, n, budget); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	if looksJSON && !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se.Offset-1) // Offset is just past the offending byte
			return nil, &SpecError{File: name, Line: line, Msg: fmt.Sprintf("column %d: invalid JSON: %s", col, withoutContent(se.Error(), nil)), Err: err}
		}
		return nil, &SpecError{File: name, Msg: "invalid JSON", Err: err}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if looksJSON {
			// Valid JSON that YAML refuses (duplicate keys, odd escapes):
			// keep going without line numbers rather than reject it.
			var v any
			if jerr := json.Unmarshal(data, &v); jerr == nil {
				var n yaml.Node
				if eerr := n.Encode(v); eerr == nil {
					if err := checkExpansion(name, &n, budget); err != nil {
						return nil, err
					}
					return &n, nil
				}
			}
		}
		m := yamlErrLine.FindStringSubmatch(strings.SplitN(err.Error(), "\n", 2)[0])
		line := 0
		msg := err.Error()
		if m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		return nil, &SpecError{File: name, Line: line, Msg: withoutContent(msg, nil), Err: err}
	}
	if err := checkExpansion(name, &doc, budget); err != nil {
		return nil, err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, &SpecError{File: name, Msg: ErrNotSpec.Error() + " (empty document)", Err: ErrNotSpec}
		}
		root = root.Content[0]
	}
	root = deref(root)
	if root == nil {
		return nil, &SpecError{File: name, Msg: ErrNotSpec.Error() + " (the top level is an alias to nothing)", Err: ErrNotSpec}
	}
	return root, nil
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// detect reads the version key. A document with neither key is not a spec,
// which discovery needs to tell apart from a broken one.
func detect(name string, root *yaml.Node) (specKind, string, error) {
	if k, v := get(root, "swagger"); k != nil {
		if v == nil || v.Kind != yaml.ScalarNode {
			return 0, "", &SpecError{File: name, Line: k.Line, Path: "swagger", Msg: fmt.Sprintf("want a version string, got %s", kindName(v))}
		}
		if !strings.HasPrefix(v.Value, "2") {
			return 0, "", &SpecError{File: name, Line: v.Line, Path: "swagger", Msg: fmt.Sprintf("unsupported Swagger version%s (want 2.0)", versionName(v.Value))}
		}
		return swagger2, v.Value, nil
	}
	if k, v := get(root, "openapi"); k != nil {
		if v == nil || v.Kind != yaml.ScalarNode {
			return 0, "", &SpecError{File: name, Line: k.Line, Path: "openapi", Msg: fmt.Sprintf("want a version string, got %s", kindName(v))}
		}
		ver := v.Value
		switch {
		case ver == "3" || ver == "3.0" || strings.HasPrefix(ver, "3.0."):
			return openapi30, ver, nil
		case strings.HasPrefix(ver, "3."):
			return openapi31, ver, nil
		default:
			return 0, "", &SpecError{File: name, Line: v.Line, Path: "openapi", Msg: fmt.Sprintf("unsupported OpenAPI version%s (want 3.0 or 3.1)", versionName(ver))}
		}
	}
	return 0, "", &SpecError{File: name, Msg: ErrNotSpec.Error() + ` (no "openapi" or "swagger" key)`, Err: ErrNotSpec}
}

var versionLike = lazyre.New(`^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$`)

// versionName quotes a version that looks like one; anything else is
// content that an error must not echo.
func versionName(v string) string {
	if versionLike.MatchString(v) {
		return " " + strconv.Quote(v)
	}
	return ": not a version number"
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"}

// checker finds the structural mistakes that would otherwise surface as
// kin-openapi's unlocated errors, or silently as a wrong surface. It is not a
// validator: a scanner must accept specs that are sloppy but usable.
type checker struct {
	name string
	kind specKind
}

func (c *checker) errAt(n *yaml.Node, path, format string, args ...any) error {
	return &SpecError{File: c.name, Line: lineOf(n), Path: path, Msg: fmt.Sprintf(format, args...)}
}

func (c *checker) mapping(n *yaml.Node, path string) error {
	if n == nil || n.Kind != yaml.MappingNode {
		return c.errAt(n, path, "want a mapping, got %s", kindName(n))
	}
	return nil
}

// pairs calls fn for each key/value of mapping m, skipping x- extensions.
func pairs(m *yaml.Node, fn func(k, v *yaml.Node) error) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind == yaml.ScalarNode && strings.HasPrefix(k.Value, "x-") {
			continue
		}
		if err := fn(k, deref(m.Content[i+1])); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) check(root *yaml.Node) error {
	if k, v := get(root, "info"); k != nil && !isNull(v) {
		if err := c.mapping(v, "info"); err != nil {
			return err
		}
	}
	if err := c.checkServers(root); err != nil {
		return err
	}
	pk, paths := get(root, "paths")
	if pk == nil {
		wk, _ := get(root, "webhooks")
		ck, _ := get(root, "components")
		if c.kind != openapi31 || (wk == nil && ck == nil) {
			return &SpecError{File: c.name, Msg: `missing "paths"`}
		}
	} else {
		if err := c.mapping(paths, "paths"); err != nil {
			return err
		}
		if err := pairs(paths, func(k, item *yaml.Node) error {
			p := "paths." + k.Value
			if !strings.HasPrefix(k.Value, "/") {
				return c.errAt(k, p, `path must start with "/"`)
			}
			if isNull(item) {
				return nil
			}
			return c.checkPathItem(item, p)
		}); err != nil {
			return err
		}
	}
	if err := c.checkSecurity(root, "security"); err != nil {
		return err
	}
	if c.kind == swagger2 {
		if err := c.checkNamed(root, "parameters", "parameters", c.checkParam); err != nil {
			return err
		}
		if err := c.checkNamed(root, "securityDefinitions", "securityDefinitions", c.checkScheme); err != nil {
			return err
		}
		return c.checkNamed(root, "definitions", "definitions", nil)
	}
	ck, comps := get(root, "components")
	if ck == nil || isNull(comps) {
		return nil
	}
	if err := c.mapping(comps, "components"); err != nil {
		return err
	}
	if err := c.checkNamed(comps, "parameters", "components.parameters", c.checkParam); err != nil {
		return err
	}
	if err := c.checkNamed(comps, "securitySchemes", "components.securitySchemes", c.checkScheme); err != nil {
		return err
	}
	for _, sect := range []string{"requestBodies", "responses", "headers", "examples", "links", "callbacks", "pathItems"} {
		if err := c.checkNamed(comps, sect, "components."+sect, nil); err != nil {
			return err
		}
	}
	if c.kind == openapi30 {
		return c.checkNamed(comps, "schemas", "components.schemas", nil)
	}
	return nil
}

func (c *checker) checkServers(root *yaml.Node) error {
	k, v := get(root, "servers")
	if k == nil || isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		return c.errAt(v, "servers", "want a list, got %s", kindName(v))
	}
	for i, s := range v.Content {
		s = deref(s)
		p := fmt.Sprintf("servers[%d]", i)
		if err := c.mapping(s, p); err != nil {
			return err
		}
		if uk, u := get(s, "url"); uk == nil || u == nil || u.Kind != yaml.ScalarNode {
			return c.errAt(s, p, `missing "url"`)
		}
	}
	return nil
}

// checkNamed checks that section of m maps names to mappings (or $refs),
// then hands each to fn.
func (c *checker) checkNamed(m *yaml.Node, section, path string, fn func(n *yaml.Node, path string) error) error {
	k, v := get(m, section)
	if k == nil || isNull(v) {
		return nil
	}
	if err := c.mapping(v, path); err != nil {
		return err
	}
	return pairs(v, func(k, item *yaml.Node) error {
		p := path + "." + k.Value
		if err := c.mapping(item, p); err != nil {
			return err
		}
		if fn == nil {
			return nil
		}
		return fn(item, p)
	})
}

func (c *checker) checkPathItem(item *yaml.Node, path string) error {
	if err := c.mapping(item, path); err != nil {
		return err
	}
	if err := c.checkParams(item, path); err != nil {
		return err
	}
	for _, m := range httpMethods {
		k, op := get(item, m)
		if k == nil || isNull(op) {
			continue
		}
		if err := c.checkOperation(op, path+"."+m); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) checkOperation(op *yaml.Node, path string) error {
	if err := c.mapping(op, path); err != nil {
		return err
	}
	if err := c.checkParams(op, path); err != nil {
		return err
	}
	if k, rb := get(op, "requestBody"); k != nil && !isNull(rb) {
		p := path + ".requestBody"
		if err := c.mapping(rb, p); err != nil {
			return err
		}
		if ck, content := get(rb, "content"); ck != nil && !isNull(content) {
			if err := c.mapping(content, p+".content"); err != nil {
				return err
			}
		}
	}
	if k, rs := get(op, "responses"); k != nil && !isNull(rs) {
		p := path + ".responses"
		if err := c.mapping(rs, p); err != nil {
			return err
		}
		if err := pairs(rs, func(k, r *yaml.Node) error {
			return c.mapping(r, p+"."+k.Value)
		}); err != nil {
			return err
		}
	}
	return c.checkSecurity(op, path+".security")
}

func (c *checker) checkParams(m *yaml.Node, path string) error {
	k, ps := get(m, "parameters")
	if k == nil || isNull(ps) {
		return nil
	}
	path += ".parameters"
	if ps.Kind != yaml.SequenceNode {
		return c.errAt(ps, path, "want a list, got %s", kindName(ps))
	}
	for i, p := range ps.Content {
		if err := c.checkParam(deref(p), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) checkParam(p *yaml.Node, path string) error {
	if err := c.mapping(p, path); err != nil {
		return err
	}
	if k, _ := get(p, "$ref"); k != nil {
		return nil
	}
	nk, name := get(p, "name")
	if nk == nil {
		return c.errAt(p, path, `missing "name"`)
	}
	if name == nil || name.Kind != yaml.ScalarNode || isNull(name) {
		return c.errAt(nk, path+".name", "want a string, got %s", kindName(name))
	}
	ik, in := get(p, "in")
	if ik == nil {
		return c.errAt(p, path, `missing "in"`)
	}
	allowed := []string{"path", "query", "header", "cookie"}
	if c.kind == swagger2 {
		// cookie is OpenAPI 3; the repairs let it through with a warning.
		allowed = []string{"path", "query", "header", "body", "formData", "cookie"}
	}
	if in == nil || in.Kind != yaml.ScalarNode || !contains(allowed, in.Value) {
		got := kindName(in)
		if in != nil && in.Kind == yaml.ScalarNode {
			// Only a location of the other dialect is worth naming: the
			// value is the document's content.
			got = "another value"
			if contains([]string{"path", "query", "header", "cookie", "body", "formData"}, in.Value) {
				got = strconv.Quote(in.Value)
			}
		}
		return c.errAt(ik, path+".in", `"in" must be one of %s, got %s`, strings.Join(allowed, ", "), got)
	}
	return nil
}

func (c *checker) checkScheme(s *yaml.Node, path string) error {
	if k, _ := get(s, "$ref"); k != nil {
		return nil
	}
	if k, t := get(s, "type"); k == nil || t == nil || t.Kind != yaml.ScalarNode {
		return c.errAt(s, path, `missing "type"`)
	}
	return nil
}

func (c *checker) checkSecurity(m *yaml.Node, path string) error {
	k, sec := get(m, "security")
	if k == nil || isNull(sec) {
		return nil
	}
	if sec.Kind != yaml.SequenceNode {
		return c.errAt(sec, path, "want a list, got %s", kindName(sec))
	}
	for i, req := range sec.Content {
		req = deref(req)
		p := fmt.Sprintf("%s[%d]", path, i)
		if err := c.mapping(req, p); err != nil {
			return err
		}
		if err := pairs(req, func(k, scopes *yaml.Node) error {
			if !isNull(scopes) && scopes.Kind != yaml.SequenceNode {
				return c.errAt(scopes, p+"."+k.Value, "want a list of scopes, got %s", kindName(scopes))
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pointer resolves a JSON pointer (RFC 6901, already percent-decoded) in a
// tree. It returns the deepest node it reached and the token it could not
// follow, so the error can say what is missing.
func pointer(root *yaml.Node, ptr string) (found bool, missing string, parent string) {
	n := root
	if ptr == "" {
		return true, "", ""
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	walked := "#"
	for _, t := range toks {
		t = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
		n = deref(n)
		switch {
		case n == nil:
			return false, t, walked
		case n.Kind == yaml.MappingNode:
			k, v := get(n, t)
			if k == nil {
				return false, t, walked
			}
			n = v
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n.Content) {
				return false, t, walked
			}
			n = n.Content[i]
		default:
			return false, t, walked
		}
		walked += "/" + t
	}
	return true, "", ""
}
