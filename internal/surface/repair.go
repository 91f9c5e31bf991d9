package surface

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Real documents are sloppy: Swagger habits in OpenAPI 3 documents, JSON
// Schema keywords of the wrong draft, booleans where lists belong. A scanner
// that refuses them is not used, so the loader repairs on its YAML node tree
// whatever does not stop it from understanding an operation, before
// kin-openapi sees the document (the tree still has the line numbers), and
// records each repair as a warning. Limits that protect Rampart (sizes,
// aliases, $refs leaving the spec's folder, time) are never repaired: they
// stay errors.

// repairer holds the warnings of one load.
type repairer struct {
	file    string // the document being repaired, as warnings name it
	kind    specKind
	warns   []rampart.InputWarning
	changed map[*yaml.Node]bool // top nodes of the documents that were changed
	top     *yaml.Node          // the document being repaired
	emptied map[*yaml.Node]bool // $ref holders emptied because the ref is broken
	opIDs   map[string]int
	causes  map[rampart.InputWarning]error // the errors behind dropped $refs
	params  map[*yaml.Node]bool            // parameters repaired: whether each is kept
	paramAt map[*yaml.Node]string          // and where they were first met
}

func newRepairer(file string, kind specKind) *repairer {
	return &repairer{file: file, kind: kind, changed: map[*yaml.Node]bool{}, emptied: map[*yaml.Node]bool{}, opIDs: map[string]int{}, causes: map[rampart.InputWarning]error{}, params: map[*yaml.Node]bool{}, paramAt: map[*yaml.Node]string{}}
}

// in sets the document the next warnings are about.
func (r *repairer) in(file string, top *yaml.Node) *repairer {
	r.file, r.top = file, top
	return r
}

// warn records a repair of the current document at n.
func (r *repairer) warn(n *yaml.Node, path, problem, repair string) {
	r.warns = append(r.warns, rampart.InputWarning{File: r.file, Line: lineOf(n), Path: path, Problem: problem, Repair: repair})
	r.changed[r.top] = true
}

// maxWarnings bounds the warnings one document gives: a generated spec can
// repeat one mistake thousands of times, and the report must stay readable.
const maxWarnings = 500

// warnings are the repairs in document order, the root document's first;
// past maxWarnings, one more says how many are not listed.
func (r *repairer) warnings(root string) []rampart.InputWarning {
	out := append([]rampart.InputWarning(nil), r.warns...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.File == root) != (b.File == root) {
			return a.File == root
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	if n := len(out) - maxWarnings; n > 0 {
		out = append(out[:maxWarnings], rampart.InputWarning{File: root,
			Problem: fmt.Sprintf("%d more problems are not listed", n), Repair: "repaired like those above"})
	}
	return out
}

// index is the position of key's key node in mapping m's Content, or -1.
func index(m *yaml.Node, key string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// del removes key from mapping m.
func del(m *yaml.Node, key string) {
	if i := index(m, key); i >= 0 {
		m.Content = append(m.Content[:i:i], m.Content[i+2:]...)
	}
}

// set gives key the value v in mapping m, adding the key if needed.
func set(m *yaml.Node, key string, v *yaml.Node) {
	if i := index(m, key); i >= 0 {
		m.Content[i+1] = v
		return
	}
	m.Content = append(m.Content, str(key), v)
}

func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func mapNode(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kv}
}

func seqNode(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

// textFields are the prose fields kin-openapi reads as strings. Tools such
// as Redocly let a $ref stand for one (description: {$ref: intro.md}); the
// text means nothing to a scanner, so it is dropped before the $refs are
// followed, which also spares reading the files they name.
var textFields = map[string]bool{"description": true, "summary": true, "title": true}

// repairText drops prose fields that are not text, below n.
func (r *repairer) repairText(n *yaml.Node, path string, names bool, depth int) {
	if n == nil || depth > MaxDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		out := n.Content[:0:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || v.Kind == yaml.AliasNode {
				out = append(out, k, v)
				continue
			}
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if !names {
				if strings.HasPrefix(k.Value, "x-") || literalKeys[k.Value] || (k.Value == "examples" && v.Kind == yaml.SequenceNode) {
					out = append(out, k, v)
					continue
				}
				if textFields[k.Value] && (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) {
					r.warn(k, p, fmt.Sprintf("want text, got %s", kindName(v)), "ignored it")
					continue
				}
			}
			r.repairText(v, p, !names && nameMaps[k.Value], depth+1)
			out = append(out, k, v)
		}
		n.Content = out
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if c.Kind != yaml.AliasNode {
				r.repairText(c, fmt.Sprintf("%s[%d]", path, i), false, depth+1)
			}
		}
	}
}

// repairDoc repairs the structure of the root document: servers, paths,
// operations, parameters and components.
func (r *repairer) repairDoc(root *yaml.Node) {
	r.top = root
	if k, v := get(root, "info"); k != nil && !isNull(v) && v.Kind != yaml.MappingNode {
		r.warn(k, "info", fmt.Sprintf("want a mapping, got %s", kindName(v)), "ignored it")
		del(root, "info")
	}
	if r.kind == swagger2 {
		r.repairHost(root)
	} else {
		r.repairServers(root)
	}
	if k, paths := get(root, "paths"); k != nil && paths != nil && paths.Kind == yaml.MappingNode {
		r.repairPaths(paths)
	}
	r.repairSecurity(root, "security")
	if r.kind == swagger2 {
		r.repairNamed(root, "parameters", "parameters")
		r.repairNamed(root, "securityDefinitions", "securityDefinitions")
		r.repairNamed(root, "definitions", "definitions")
		r.repairNamed(root, "responses", "responses")
		if _, ps := get(root, "parameters"); ps != nil && ps.Kind == yaml.MappingNode {
			r.eachNamed(ps, "parameters", func(p *yaml.Node, path string) bool { return r.param(p, path, "") })
		}
		r.repairSchemes(root, "securityDefinitions", "securityDefinitions")
	} else if ck, comps := get(root, "components"); ck != nil && !isNull(comps) {
		if comps.Kind != yaml.MappingNode {
			r.warn(ck, "components", fmt.Sprintf("want a mapping, got %s", kindName(comps)), "ignored it")
			del(root, "components")
		} else {
			for _, sect := range []string{"schemas", "parameters", "securitySchemes", "requestBodies", "responses", "headers", "examples", "links", "callbacks", "pathItems"} {
				r.repairNamed(comps, sect, "components."+sect)
			}
			if _, ps := get(comps, "parameters"); ps != nil && ps.Kind == yaml.MappingNode {
				r.eachNamed(ps, "components.parameters", func(p *yaml.Node, path string) bool { return r.param(p, path, "") })
			}
			r.repairSchemes(comps, "securitySchemes", "components.securitySchemes")
		}
	}
	r.repairSchemas(root)
}

// repairNamed drops the entries of a name → object section that are not
// objects: nothing can be read from them, and a $ref to them then says so.
func (r *repairer) repairNamed(m *yaml.Node, section, path string) {
	k, v := get(m, section)
	if k == nil || isNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		r.warn(k, path, fmt.Sprintf("want a mapping, got %s", kindName(v)), "ignored it")
		del(m, section)
		return
	}
	r.eachNamed(v, path, func(item *yaml.Node, p string) bool {
		if item == nil || item.Kind != yaml.MappingNode {
			r.warn(item, p, fmt.Sprintf("want a mapping, got %s", kindName(item)), "ignored it")
			return false
		}
		return true
	})
}

// eachNamed calls fn for each entry of mapping m but x- extensions, and
// drops the entries for which it returns false.
func (r *repairer) eachNamed(m *yaml.Node, path string, fn func(v *yaml.Node, path string) bool) {
	out := m.Content[:0:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || strings.HasPrefix(k.Value, "x-") || fn(deref(v), path+"."+k.Value) {
			out = append(out, k, v)
		}
	}
	m.Content = out
}

func (r *repairer) repairSchemes(m *yaml.Node, section, path string) {
	_, v := get(m, section)
	if v == nil || v.Kind != yaml.MappingNode {
		return
	}
	r.eachNamed(v, path, func(s *yaml.Node, p string) bool {
		if k, _ := get(s, "$ref"); k != nil {
			return true
		}
		if k, t := get(s, "type"); k == nil || t == nil || t.Kind != yaml.ScalarNode {
			r.warn(s, p, `security scheme without "type"`, "ignored it")
			return false
		}
		return true
	})
}

// repairHost keeps a Swagger 2 document's host and basePath usable.
func (r *repairer) repairHost(root *yaml.Node) {
	if k, h := get(root, "host"); k != nil && h != nil {
		if h.Kind != yaml.ScalarNode || strings.ContainsAny(h.Value, "/ ") || h.Value == "" {
			r.warn(k, "host", "not a host name", "ignored it: requests go to the target")
			del(root, "host")
		}
	}
	if k, b := get(root, "basePath"); k != nil && b != nil {
		switch {
		case b.Kind != yaml.ScalarNode || isNull(b):
			r.warn(k, "basePath", fmt.Sprintf("want a path, got %s", kindName(b)), "ignored it")
			del(root, "basePath")
		case !strings.HasPrefix(b.Value, "/"):
			r.warn(b, "basePath", `does not start with "/"`, `read with a leading "/"`)
			set(root, "basePath", str("/"+b.Value))
		}
	}
}

var serverVar = lazyre.New(`\{([^{}]*)\}`)

// repairServers drops server entries nothing can be made of, and gives
// every variable a server URL uses a value.
func (r *repairer) repairServers(root *yaml.Node) {
	k, v := get(root, "servers")
	if k == nil || isNull(v) {
		return
	}
	if v.Kind != yaml.SequenceNode {
		r.warn(k, "servers", fmt.Sprintf("want a list, got %s", kindName(v)), "ignored it: requests go to the target")
		del(root, "servers")
		return
	}
	out := v.Content[:0:0]
	for i, s := range v.Content {
		s = deref(s)
		p := fmt.Sprintf("servers[%d]", i)
		uk, u := get(s, "url")
		if s == nil || s.Kind != yaml.MappingNode || uk == nil || u == nil || u.Kind != yaml.ScalarNode || isNull(u) {
			r.warn(s, p, `server without "url"`, "ignored it")
			continue
		}
		_, vars := get(s, "variables")
		fixed := serverVar.ReplaceAllStringFunc(u.Value, func(m string) string {
			name := m[1 : len(m)-1]
			_, sv := get(vars, name)
			if _, d := get(sv, "default"); d != nil && d.Kind == yaml.ScalarNode && !isNull(d) {
				return m
			}
			if _, enum := get(sv, "enum"); enum != nil && enum.Kind == yaml.SequenceNode && len(enum.Content) > 0 && deref(enum.Content[0]).Kind == yaml.ScalarNode {
				r.warn(u, p+".url", fmt.Sprintf("variable %q has no default", clip(name, 60)), "used its first enum value")
				if sv.Kind == yaml.MappingNode {
					set(sv, "default", str(deref(enum.Content[0]).Value))
				}
				return m
			}
			r.warn(u, p+".url", fmt.Sprintf("variable %q has no value", clip(name, 60)), "left it out of the URL")
			return ""
		})
		fixed = strings.ReplaceAll(fixed, "//", "/")
		fixed = strings.Replace(fixed, ":/", "://", 1)
		if fixed != u.Value {
			set(s, "url", str(fixed))
		}
		if _, err := url.Parse(serverVar.ReplaceAllString(fixed, "x")); err != nil {
			r.warn(u, p+".url", "not a URL", "ignored it")
			continue
		}
		out = append(out, v.Content[i])
	}
	v.Content = out
}

// repairPaths fixes path keys, path items, operations and their parameters,
// and gives duplicate operationIds new names.
func (r *repairer) repairPaths(paths *yaml.Node) {
	out := paths.Content[:0:0]
	for i := 0; i+1 < len(paths.Content); i += 2 {
		k, item := paths.Content[i], paths.Content[i+1]
		if k.Kind != yaml.ScalarNode || strings.HasPrefix(k.Value, "x-") {
			out = append(out, k, item)
			continue
		}
		p := "paths." + k.Value
		if !strings.HasPrefix(k.Value, "/") {
			r.warn(k, p, `path does not start with "/"`, `read with a leading "/"`)
			k = str("/" + k.Value)
			k.Line = paths.Content[i].Line
		}
		it := deref(item)
		if !isNull(it) && it.Kind != yaml.MappingNode {
			r.warn(it, p, fmt.Sprintf("want a mapping, got %s", kindName(it)), "ignored this path")
			continue
		}
		if !isNull(it) && item.Kind != yaml.AliasNode {
			r.repairPathItem(it, p, k.Value)
		}
		out = append(out, k, item)
	}
	paths.Content = out
}

func (r *repairer) repairPathItem(item *yaml.Node, path, tmpl string) {
	// Body and form parameters of a whole path belong to each operation.
	var shared []*yaml.Node
	if r.kind != swagger2 {
		if _, ps := get(item, "parameters"); ps != nil && ps.Kind == yaml.SequenceNode {
			keep := ps.Content[:0:0]
			for _, p := range ps.Content {
				if _, in := get(p, "in"); in != nil && (in.Value == "body" || in.Value == "formData") {
					shared = append(shared, p)
					continue
				}
				keep = append(keep, p)
			}
			ps.Content = keep
		}
	}
	r.repairParams(item, path, tmpl)
	for _, m := range httpMethods {
		i := index(item, m)
		if i < 0 {
			continue
		}
		op := deref(item.Content[i+1])
		p := path + "." + m
		if isNull(op) {
			continue
		}
		if op.Kind != yaml.MappingNode {
			r.warn(op, p, fmt.Sprintf("want a mapping, got %s", kindName(op)), "ignored this operation")
			del(item, m)
			continue
		}
		if len(shared) > 0 {
			ps := deref(opParams(op))
			ps.Content = append(append([]*yaml.Node(nil), shared...), ps.Content...)
		}
		r.repairOperation(op, p, tmpl)
	}
}

// opParams is op's parameter list, created when missing.
func opParams(op *yaml.Node) *yaml.Node {
	if _, ps := get(op, "parameters"); ps != nil && ps.Kind == yaml.SequenceNode {
		return ps
	}
	ps := seqNode()
	set(op, "parameters", ps)
	return ps
}

func (r *repairer) repairOperation(op *yaml.Node, path, tmpl string) {
	if k, id := get(op, "operationId"); k != nil && id != nil && id.Kind == yaml.ScalarNode && !isNull(id) {
		r.opIDs[id.Value]++
		if n := r.opIDs[id.Value]; n > 1 {
			name := fmt.Sprintf("%s_%d", id.Value, n)
			for r.opIDs[name] > 0 {
				n++
				name = fmt.Sprintf("%s_%d", id.Value, n)
			}
			r.opIDs[name]++
			r.warn(id, path+".operationId", "another operation has the same operationId", fmt.Sprintf("added _%d to it", n))
			set(op, "operationId", str(name))
		}
	}
	r.repairParams(op, path, tmpl)
	if r.kind != swagger2 {
		r.moveBodyParams(op, path)
	}
	if k, rb := get(op, "requestBody"); k != nil && !isNull(rb) {
		p := path + ".requestBody"
		if rb.Kind != yaml.MappingNode {
			r.warn(rb, p, fmt.Sprintf("want a mapping, got %s", kindName(rb)), "ignored it")
			del(op, "requestBody")
		} else if ck, c := get(rb, "content"); ck != nil && !isNull(c) && c.Kind != yaml.MappingNode {
			r.warn(c, p+".content", fmt.Sprintf("want a mapping, got %s", kindName(c)), "ignored it")
			del(rb, "content")
		}
	}
	if k, rs := get(op, "responses"); k != nil && !isNull(rs) {
		p := path + ".responses"
		if rs.Kind != yaml.MappingNode {
			r.warn(rs, p, fmt.Sprintf("want a mapping, got %s", kindName(rs)), "ignored them")
			del(op, "responses")
		} else {
			r.eachNamed(rs, p, func(resp *yaml.Node, rp string) bool {
				if resp == nil || resp.Kind != yaml.MappingNode {
					r.warn(resp, rp, fmt.Sprintf("want a mapping, got %s", kindName(resp)), "ignored this response")
					return false
				}
				return true
			})
		}
	}
	r.repairSecurity(op, path+".security")
}

// repairSecurity drops security requirements of the wrong shape. A
// requirement that is not a list of alternatives is ignored whole, so the
// operation falls back to the document's, or to none.
func (r *repairer) repairSecurity(m *yaml.Node, path string) {
	k, sec := get(m, "security")
	if k == nil || isNull(sec) {
		return
	}
	if sec.Kind != yaml.SequenceNode {
		if sec.Kind == yaml.MappingNode {
			r.warn(sec, path, "want a list of requirements, got a mapping", "read as a list of that one requirement")
			set(m, "security", seqNode(sec))
			sec = deref(get2(m, "security"))
		} else {
			r.warn(sec, path, fmt.Sprintf("want a list, got %s", kindName(sec)), "ignored it")
			del(m, "security")
			return
		}
	}
	out := sec.Content[:0:0]
	for i, req := range sec.Content {
		req := deref(req)
		p := fmt.Sprintf("%s[%d]", path, i)
		if req == nil || req.Kind != yaml.MappingNode {
			r.warn(req, p, fmt.Sprintf("want a mapping, got %s", kindName(req)), "ignored this requirement")
			continue
		}
		for j := 1; j < len(req.Content); j += 2 {
			if s := deref(req.Content[j]); !isNull(s) && s.Kind != yaml.SequenceNode {
				r.warn(s, p+"."+req.Content[j-1].Value, fmt.Sprintf("want a list of scopes, got %s", kindName(s)), "read as no scopes")
				req.Content[j] = seqNode()
			}
		}
		out = append(out, sec.Content[i])
	}
	sec.Content = out
}

func get2(m *yaml.Node, key string) *yaml.Node {
	_, v := get(m, key)
	return v
}

// repairParams repairs the parameter list of a path item or operation:
// entries nothing can be read from are dropped, the rest repaired, and of
// two with the same name and location the first is kept.
func (r *repairer) repairParams(m *yaml.Node, path, tmpl string) {
	k, ps := get(m, "parameters")
	if k == nil || isNull(ps) {
		return
	}
	path += ".parameters"
	if ps.Kind != yaml.SequenceNode {
		if ps.Kind == yaml.MappingNode && index(ps, "name") >= 0 {
			r.warn(ps, path, "want a list, got a mapping", "read as a list of that one parameter")
			set(m, "parameters", seqNode(ps))
			ps = get2(m, "parameters")
		} else {
			r.warn(ps, path, fmt.Sprintf("want a list, got %s", kindName(ps)), "ignored them")
			del(m, "parameters")
			return
		}
	}
	seen := map[string]bool{}
	out := ps.Content[:0:0]
	for i, raw := range ps.Content {
		p := deref(raw)
		pp := fmt.Sprintf("%s[%d]", path, i)
		if r.emptied[p] {
			continue // its broken $ref has a warning already
		}
		if !r.param(p, pp, tmpl) {
			continue
		}
		key := paramKey(p)
		if key != "" && seen[key] {
			r.warn(p, pp, "the same parameter is listed twice", "kept the first")
			continue
		}
		seen[key] = key != ""
		out = append(out, raw)
	}
	ps.Content = out
}

// param repairs parameter p once, where it is first met: one shared
// through a YAML alias is kept or dropped alike everywhere, with one warning.
func (r *repairer) param(p *yaml.Node, path, tmpl string) bool {
	ok, done := r.params[p]
	if !done {
		ok = r.repairParam(p, path, tmpl)
		r.params[p] = ok
		r.paramAt[p] = path
	}
	return ok
}

// paramKey says which parameter p is: its $ref, or its location and name.
func paramKey(p *yaml.Node) string {
	if _, ref := get(p, "$ref"); ref != nil {
		return "$ref " + ref.Value
	}
	_, name := get(p, "name")
	_, in := get(p, "in")
	if name == nil || in == nil {
		return ""
	}
	return in.Value + " " + name.Value
}

// paramIns are the locations each dialect allows.
var (
	paramIns2 = []string{"path", "query", "header", "body", "formData"}
	paramIns3 = []string{"path", "query", "header", "cookie"}
)

// schemaKeys are the keywords a Swagger 2 parameter carries inline and an
// OpenAPI 3 parameter in its schema.
var schemaKeys = []string{"type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "multipleOf", "collectionFormat"}

// repairParam repairs one parameter; false means it is dropped. tmpl is
// the path template it belongs to, empty for a shared one.
func (r *repairer) repairParam(p *yaml.Node, path, tmpl string) bool {
	if p == nil || p.Kind != yaml.MappingNode {
		r.warn(p, path, fmt.Sprintf("want a mapping, got %s", kindName(p)), "ignored this parameter")
		return false
	}
	if k, _ := get(p, "$ref"); k != nil {
		return true
	}
	nk, name := get(p, "name")
	_, in := get(p, "in")
	if name == nil || name.Kind != yaml.ScalarNode || isNull(name) || name.Value == "" {
		if in != nil && in.Value == "body" {
			r.warn(p, path, `body parameter without "name"`, `named it "body"`)
			set(p, "name", str("body"))
			name = get2(p, "name")
		} else {
			line := p
			if nk != nil {
				line = nk
			}
			r.warn(line, path, `parameter without "name"`, "ignored this parameter")
			return false
		}
	}
	allowed := paramIns3
	if r.kind == swagger2 {
		allowed = paramIns2
	}
	ik, _ := get(p, "in")
	switch {
	case in != nil && in.Kind == yaml.ScalarNode && contains(allowed, in.Value):
	case r.kind == swagger2 && in != nil && in.Value == "cookie":
		// openapi2conv reads it as an OpenAPI 3 cookie parameter.
		r.warn(in, path+".in", `"in: cookie" is OpenAPI 3, not Swagger 2.0`, "read as a cookie parameter")
	case r.kind != swagger2 && in != nil && (in.Value == "body" || in.Value == "formData"):
		// moveBodyParams makes a request body of it.
	default:
		where := "query"
		if strings.Contains(tmpl, "{"+name.Value+"}") {
			where = "path"
		}
		at := p
		problem := `parameter without "in"`
		if ik != nil {
			at, problem = ik, `"in" is not one of `+strings.Join(allowed, ", ")
		}
		r.warn(at, path, problem, fmt.Sprintf("read as a %s parameter", where))
		set(p, "in", str(where))
		in = get2(p, "in")
	}
	if rk, req := get(p, "required"); rk != nil && req != nil && req.ShortTag() != "!!bool" {
		b, ok := asBool(req)
		r.warn(req, path+".required", fmt.Sprintf("want a boolean, got %s", kindName(req)), fmt.Sprintf("read as %t", b && ok))
		set(p, "required", boolNode(b && ok))
	}
	if r.kind == swagger2 {
		switch in.Value {
		case "body":
			if k, s := get(p, "schema"); k == nil || isNull(s) {
				r.warn(p, path, `body parameter without "schema"`, "read as any JSON object")
				set(p, "schema", mapNode(str("type"), str("object")))
			}
		default:
			if k, t := get(p, "type"); k == nil || isNull(t) {
				if _, s := get(p, "schema"); s != nil && s.Kind == yaml.MappingNode {
					// An OpenAPI 3 habit: the schema holds what Swagger 2
					// writes inline.
					r.warn(p, path, `parameter with "schema" instead of "type"`, "read its schema's type")
					for _, key := range schemaKeys {
						if _, v := get(s, key); v != nil && index(p, key) < 0 {
							set(p, key, v)
						}
					}
					del(p, "schema")
				}
				if k, _ := get(p, "type"); k == nil {
					r.warn(p, path, `parameter without "type"`, "read as a string")
					set(p, "type", str("string"))
				}
			} else if t.Value == "file" && in.Value != "formData" {
				r.warn(t, path+".type", `"type: file" outside a form`, "read as a string")
				set(p, "type", str("string"))
			}
			// The parameter is its own schema: the schema repairs apply.
			at := func(key string) string { return path + "." + key }
			r.repairType(p, at)
			r.repairBounds(p, at)
			r.repairKeywords(p, at)
			r.repairExamples(p, at)
			if _, items := get(p, "items"); items != nil && items.Kind == yaml.MappingNode {
				r.walkSchemas(items, path+".items", true, 0)
			}
		}
		return true
	}
	if in.Value == "body" || in.Value == "formData" {
		return true
	}
	sk, s := get(p, "schema")
	ck, _ := get(p, "content")
	if (sk == nil || isNull(s)) && ck == nil {
		schema := mapNode()
		moved := false
		for _, key := range schemaKeys {
			if key == "collectionFormat" {
				continue
			}
			if i := index(p, key); i >= 0 {
				schema.Content = append(schema.Content, p.Content[i], p.Content[i+1])
				del(p, key)
				moved = true
			}
		}
		if moved {
			r.warn(p, path, `Swagger 2 style parameter: "type" without "schema"`, "moved them into its schema")
		} else {
			r.warn(p, path, `parameter without "schema"`, "read as a string")
			schema.Content = []*yaml.Node{str("type"), str("string")}
		}
		set(p, "schema", schema)
	}
	return true
}

// moveBodyParams turns the Swagger 2 body and form parameters an OpenAPI 3
// document still has into the operation's request body.
func (r *repairer) moveBodyParams(op *yaml.Node, path string) {
	_, ps := get(op, "parameters")
	if ps == nil || ps.Kind != yaml.SequenceNode {
		return
	}
	var body *yaml.Node
	form := mapNode()
	var required []*yaml.Node
	multipart := false
	keep := ps.Content[:0:0]
	for i, raw := range ps.Content {
		p := deref(raw)
		_, in := get(p, "in")
		if in == nil || (in.Value != "body" && in.Value != "formData") {
			keep = append(keep, raw)
			continue
		}
		pp, ok := r.paramAt[p]
		if !ok {
			pp = fmt.Sprintf("%s.parameters[%d]", path, i)
		}
		_, name := get(p, "name")
		if name == nil || name.Kind != yaml.ScalarNode {
			// An alias the repairs did not visit: nothing to name it by.
			keep = append(keep, raw)
			continue
		}
		if in.Value == "body" {
			r.warn(in, pp, `"in: body" is Swagger 2, not OpenAPI 3`, "read as the request body")
			if body == nil {
				body = get2(p, "schema")
				if body == nil {
					body = mapNode()
				}
			}
			continue
		}
		r.warn(in, pp, `"in: formData" is Swagger 2, not OpenAPI 3`, "read as a field of a form request body")
		schema := get2(p, "schema")
		if schema == nil {
			schema = mapNode()
			for _, key := range schemaKeys {
				if v := get2(p, key); v != nil && key != "collectionFormat" {
					schema.Content = append(schema.Content, str(key), v)
				}
			}
		}
		if t := get2(schema, "type"); t != nil && t.Value == "file" {
			multipart = true
			set(schema, "type", str("string"))
			set(schema, "format", str("binary"))
		}
		set(form, name.Value, schema)
		if req := get2(p, "required"); req != nil && req.Value == "true" {
			required = append(required, str(name.Value))
		}
	}
	if len(keep) == len(ps.Content) {
		return
	}
	ps.Content = keep
	if k, _ := get(op, "requestBody"); k != nil {
		return // the document's own body wins; the warnings say what was ignored
	}
	content := mapNode()
	if body != nil {
		content.Content = append(content.Content, str("application/json"), mapNode(str("schema"), body))
	}
	if len(form.Content) > 0 {
		schema := mapNode(str("type"), str("object"), str("properties"), form)
		if len(required) > 0 {
			schema.Content = append(schema.Content, str("required"), seqNode(required...))
		}
		ct := "application/x-www-form-urlencoded"
		if multipart {
			ct = "multipart/form-data"
		}
		content.Content = append(content.Content, str(ct), mapNode(str("schema"), schema))
	}
	set(op, "requestBody", mapNode(str("content"), content))
}

// asBool reads a scalar as a boolean: true/false in any case, yes/no, 1/0.
func asBool(n *yaml.Node) (bool, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(n.Value)) {
	case "true", "yes", "y", "on", "1":
		return true, true
	case "false", "no", "n", "off", "0":
		return false, true
	}
	return false, false
}
