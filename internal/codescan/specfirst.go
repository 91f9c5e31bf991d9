package codescan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Spec-first routing (connexion): app.add_api("openapi.yaml") serves the
// document's operations, each by the function its operationId names
// (api.users.get_user, or x-openapi-router-controller plus a function
// name). The document is read from the tree, found relative to the
// add_api call or the app's specification_dir; each operation whose
// function is found becomes a route of that function with the document's
// method and path, its parameters and body are request data, and its
// security (the operation's, else the document's) is its authentication.
//
// The document is the user's but may be anything: it is read through
// inputfile with the spec size cap, parsed into a YAML node tree (aliases
// are not expanded), and walked with every count bounded.

const (
	maxSpecOps        = 5000 // operations read from one document
	maxSpecParams     = 256  // parameters read per operation
	maxSpecDocs       = 16   // documents read per scan
	maxSpecSearch     = 20000
	maxSpecAliasHops  = 16
	specSecurityLabel = "openapi_security"
)

// specOp is one operation of a document.
type specOp struct {
	method, path     string
	opID, controller string
	params           []specParam
	body             bool
	// security lists the schemes the operation asks for; nil when it asks
	// for none, optional when one alternative is no scheme at all.
	security []string
	scopes   []string
	optional bool
}

type specParam struct{ name, in, typ, format string }

// specDoc is what a document says about routing.
type specDoc struct {
	basePath string
	ops      []specOp
}

var errNotSpec = errors.New("not an OpenAPI or Swagger document")

func specDeref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxSpecAliasHops; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func specGet(m *yaml.Node, key string) *yaml.Node {
	m = specDeref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return specDeref(m.Content[i+1])
		}
	}
	return nil
}

func specString(m *yaml.Node, key string) string {
	if n := specGet(m, key); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "head": true, "options": true}

// parseSpecDoc reads the routing of an OpenAPI 3 or Swagger 2 document,
// YAML or JSON.
func parseSpecDoc(data []byte) (*specDoc, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errNotSpec
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, errNotSpec
		}
		root = root.Content[0]
	}
	root = specDeref(root)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, errNotSpec
	}
	swagger := specString(root, "swagger") != ""
	if !swagger && specString(root, "openapi") == "" {
		return nil, errNotSpec
	}
	d := &specDoc{}
	if swagger {
		d.basePath = specString(root, "basePath")
	} else if servers := specGet(root, "servers"); servers != nil && servers.Kind == yaml.SequenceNode && len(servers.Content) > 0 {
		if u, err := url.Parse(specString(servers.Content[0], "url")); err == nil {
			d.basePath = u.Path
		}
	}
	global, globalSet := specSecurity(specGet(root, "security"))
	paths := specGet(root, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return d, nil
	}
	for i := 0; i+1 < len(paths.Content) && len(d.ops) < maxSpecOps; i += 2 {
		path := paths.Content[i].Value
		item := specDeref(paths.Content[i+1])
		if item == nil || item.Kind != yaml.MappingNode || !strings.HasPrefix(path, "/") {
			continue
		}
		itemController := specString(item, "x-openapi-router-controller")
		shared := specParams(root, specGet(item, "parameters"))
		for j := 0; j+1 < len(item.Content) && len(d.ops) < maxSpecOps; j += 2 {
			method := strings.ToLower(item.Content[j].Value)
			op := specDeref(item.Content[j+1])
			if !httpMethods[method] || op == nil || op.Kind != yaml.MappingNode {
				continue
			}
			o := specOp{method: strings.ToUpper(method), path: path, opID: specString(op, "operationId"),
				controller: specString(op, "x-openapi-router-controller")}
			if o.controller == "" {
				o.controller = itemController
			}
			if o.opID == "" {
				continue
			}
			o.params = append(append(o.params, shared...), specParams(root, specGet(op, "parameters"))...)
			o.body = specGet(op, "requestBody") != nil
			for _, p := range o.params {
				if p.in == "body" {
					o.body = true
				}
			}
			sec, set := specSecurity(specGet(op, "security"))
			if !set {
				sec, set = global, globalSet
			}
			if set {
				o.security, o.scopes, o.optional = sec.schemes, sec.scopes, sec.optional
			}
			d.ops = append(d.ops, o)
		}
	}
	return d, nil
}

type specSec struct {
	schemes, scopes []string
	optional        bool
}

// specSecurity reads a security requirement list: set says it was given
// (an empty list turns security off).
func specSecurity(n *yaml.Node) (specSec, bool) {
	var s specSec
	if n == nil || n.Kind != yaml.SequenceNode {
		return s, false
	}
	for k, req := range n.Content {
		if k >= maxSpecParams {
			break
		}
		req = specDeref(req)
		if req == nil || req.Kind != yaml.MappingNode {
			continue
		}
		if len(req.Content) == 0 {
			s.optional = true
		}
		for i := 0; i+1 < len(req.Content) && i < 2*maxSpecParams; i += 2 {
			s.schemes = append(s.schemes, req.Content[i].Value)
			if scopes := specDeref(req.Content[i+1]); scopes != nil && scopes.Kind == yaml.SequenceNode {
				for _, sc := range scopes.Content[:min(len(scopes.Content), maxSpecParams)] {
					if sc.Kind == yaml.ScalarNode {
						s.scopes = append(s.scopes, sc.Value)
					}
				}
			}
		}
	}
	return s, true
}

// specParams reads a parameter list, following local $refs
// (#/components/parameters/x, #/parameters/x) one level.
func specParams(root, list *yaml.Node) []specParam {
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	var out []specParam
	for k, p := range list.Content {
		if k >= maxSpecParams {
			break
		}
		p = specDeref(p)
		if ref := specString(p, "$ref"); ref != "" {
			p = specLocalRef(root, ref)
		}
		if p == nil || p.Kind != yaml.MappingNode {
			continue
		}
		sp := specParam{name: specString(p, "name"), in: specString(p, "in"), typ: specString(p, "type"), format: specString(p, "format")}
		if schema := specGet(p, "schema"); schema != nil && sp.typ == "" {
			sp.typ, sp.format = specString(schema, "type"), specString(schema, "format")
		}
		if sp.name != "" {
			out = append(out, sp)
		}
	}
	return out
}

func specLocalRef(root *yaml.Node, ref string) *yaml.Node {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	n := root
	for i, part := range strings.Split(ref[2:], "/") {
		if i > 8 {
			return nil
		}
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if n = specGet(n, part); n == nil {
			return nil
		}
	}
	return n
}

var specPathParamRe = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// flaskRule turns an OpenAPI path into a Flask rule with the converters its
// parameters' types call for: /books/{id} with an integer id →
// /books/<int:id>.
func (o *specOp) flaskRule(base string) string {
	types := map[string]string{}
	for _, p := range o.params {
		if p.in != "path" {
			continue
		}
		switch {
		case p.typ == "integer":
			types[p.name] = "int:"
		case p.typ == "number":
			types[p.name] = "float:"
		case p.format == "uuid":
			types[p.name] = "uuid:"
		}
	}
	rule := specPathParamRe.ReplaceAllStringFunc(o.path, func(m string) string {
		name := m[1 : len(m)-1]
		return "<" + types[name] + name + ">"
	})
	if base != "" && base != "/" {
		rule = pyast.JoinPrefix(base, rule)
	}
	return rule
}

// inputs are the handler's parameters that receive request data besides
// the path's: query and form parameters by name, the body as `body`.
func (o *specOp) inputs() map[string]labels {
	in := map[string]labels{}
	for _, p := range o.params {
		switch p.in {
		case "query", "formData":
			l := lReq | lInj
			if p.typ == "integer" || p.typ == "number" || p.typ == "boolean" {
				l = lReq
			}
			in[p.name] = l
			in[snakeCase(p.name)] = l
		case "body":
			in[p.name] = lReq | lInj | lKey
		}
	}
	if o.body {
		in["body"] = lReq | lInj | lKey
	}
	return in
}

// snakeCase is connexion's pythonic name of a parameter: userId → user_id.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
		case r == '-':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// auth is what the operation's security asks, as a decorator.
func (o *specOp) auth(specName string) []pyast.Decorator {
	if len(o.security) == 0 {
		return nil
	}
	d := pyast.Decorator{Name: specSecurityLabel, Auth: pyast.AuthLogin, Node: pyast.None}
	for _, s := range o.scopes {
		if pyast.ClassifyAuth(s) == pyast.AuthRole {
			d.Auth = pyast.AuthRole
		}
	}
	if o.optional && d.Auth == pyast.AuthLogin {
		d.Auth = pyast.AuthOptional
	}
	schemes := strings.Join(o.security, ", ")
	if len(schemes) > 80 {
		schemes = schemes[:80] + "…"
	}
	d.Expr = fmt.Sprintf("security: %s (%s)", schemes, specName)
	return []pyast.Decorator{d}
}

// specRoutes finds the documents of every add_api call and the handlers
// of their operations.
func specRoutes(ctx context.Context, dir string, states []*fileState) ([]lateRoute, []string) {
	var proj *project
	var apis []specCall
	for _, f := range states {
		if f == nil {
			continue
		}
		proj = f.proj
		for _, a := range f.mod.SpecAPIs {
			apis = append(apis, specCall{f: f, api: a})
		}
	}
	if len(apis) == 0 {
		return nil, nil
	}
	root, ok := treeRoot(dir)
	if !ok {
		return nil, nil
	}
	var out []lateRoute
	var notes []string
	docs := map[string]*specDoc{}
	var search []string // every file of the tree, searched by name once
	for _, c := range apis {
		if ctx.Err() != nil {
			break
		}
		where := fmt.Sprintf("%s:%d", c.f.path, c.api.Line)
		path := c.find(states, root, &search)
		if path == "" {
			notes = append(notes, fmt.Sprintf("%s: add_api names a specification not found in the tree: its routes are not known", where))
			continue
		}
		d, seen := docs[path]
		if !seen {
			if len(docs) >= maxSpecDocs {
				break
			}
			d = readSpecDoc(ctx, path)
			docs[path] = d
		}
		if d == nil {
			notes = append(notes, fmt.Sprintf("%s: %s is not an OpenAPI document rampart can read (or is larger than %d bytes): its routes are not known",
				where, relTo(root, path), inputfile.MaxSpec))
			continue
		}
		base := d.basePath
		if c.api.HasBase {
			base = c.api.BasePath
		}
		name := filepath.Base(path)
		found, missing := 0, 0
		for i := range d.ops {
			o := &d.ops[i]
			h, def := proj.operationHandler(o)
			if h == nil {
				missing++
				continue
			}
			found++
			r := h.mod.SpecRoute(def, o.method, o.flaskRule(base), o.auth(name))
			out = append(out, lateRoute{f: h, r: r, inputs: o.inputs()})
		}
		note := fmt.Sprintf("%s: %d operations of %s routed to their handlers", where, found, relTo(root, path))
		if missing > 0 {
			note += fmt.Sprintf(", %d whose operationId names no function found in the tree", missing)
		}
		notes = append(notes, note)
	}
	return out, notes
}

type specCall struct {
	f   *fileState
	api pyast.SpecAPI
}

func relTo(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.Base(path)
}

// find looks for an add_api call's document: in the app's
// specification_dir, next to the call, at the top of the tree, and last
// anywhere in the tree by its name. It never leaves the tree.
func (c specCall) find(states []*fileState, root string, search *[]string) string {
	spec := filepath.FromSlash(c.api.Spec)
	var cands []string
	here := filepath.Dir(filepath.FromSlash(c.f.path))
	for _, a := range c.f.mod.SpecApps {
		if a.Var == c.api.Owner {
			cands = append(cands, filepath.Join(here, filepath.FromSlash(a.SpecDir), spec))
		}
	}
	for _, g := range states {
		if g == nil || g == c.f {
			continue
		}
		for _, a := range g.mod.SpecApps {
			if a.Var == c.api.Owner {
				cands = append(cands, filepath.Join(filepath.Dir(filepath.FromSlash(g.path)), filepath.FromSlash(a.SpecDir), spec))
			}
		}
	}
	cands = append(cands, filepath.Join(here, spec), filepath.Join(root, spec))
	for _, p := range cands {
		if p := inside(root, p); p != "" {
			return p
		}
	}
	if *search == nil {
		*search = listTree(root)
	}
	want := filepath.Base(spec)
	var hits []string
	for _, p := range *search {
		if filepath.Base(p) == want {
			hits = append(hits, p)
		}
	}
	sort.Strings(hits)
	for _, p := range hits {
		if p := inside(root, p); p != "" {
			return p
		}
	}
	return ""
}

// inside returns the real path of a regular file if it is within root.
func inside(root, p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil || !under(real, root) {
		return ""
	}
	if st, err := os.Stat(real); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	return real
}

// listTree lists the YAML and JSON files of a tree (bounded), skipping the
// directories discover skips.
func listTree(root string) []string {
	out := []string{}
	n := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		n++
		if err != nil || n > maxSpecSearch {
			if n > maxSpecSearch {
				return filepath.SkipAll
			}
			return nil
		}
		if d.IsDir() {
			if p != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			out = append(out, p)
		}
		return nil
	})
	return out
}

func readSpecDoc(ctx context.Context, path string) *specDoc {
	data, err := inputfile.ReadContext(ctx, path, inputfile.MaxSpec)
	if err != nil {
		return nil
	}
	d, err := parseSpecDoc(data)
	if err != nil {
		return nil
	}
	return d
}

// operationHandler finds the function an operation names: module.function,
// with the router controller as the module when given, or
// module.Class.method.
func (p *project) operationHandler(o *specOp) (*fileState, pyast.ID) {
	if p == nil {
		return nil, pyast.None
	}
	id := o.opID
	if o.controller != "" {
		id = o.controller + "." + id
	}
	mod, fn := splitDotted(id)
	if mod == "" {
		return nil, pyast.None
	}
	if h := p.lookupModule(mod); h != nil {
		if d, ok := h.mod.Defs[fn]; ok && h.t.Kind(d) == pyast.KindFunctionDefinition {
			return h, d
		}
	}
	mod, cls := splitDotted(mod)
	if h := p.lookupModule(mod); h != nil && mod != "" {
		if c, ok := h.mod.Defs[cls]; ok && h.t.Kind(c) == pyast.KindClassDefinition {
			body := h.t.Body(c)
			for s := h.t.First(body); s >= 0; s = h.t.Next(s) {
				if d := h.t.Definition(s); h.t.Kind(d) == pyast.KindFunctionDefinition && h.t.FuncName(d) == fn {
					return h, d
				}
			}
		}
	}
	return nil, pyast.None
}

// treeRoot is the scanned tree's absolute path with symbolic links
// resolved: documents are read only from inside it (inside).
func treeRoot(dir string) (string, bool) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	return root, true
}
