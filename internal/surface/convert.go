package surface

import (
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"

	"github.com/rampart-sec/rampart"
)

// Recursive schemas come out of kin-openapi as cyclic pointer graphs, and
// shared components as DAGs that can blow up when expanded into trees. Both
// bounds keep every converted schema a small finite tree.
const (
	maxSchemaDepth = 10
	maxSchemaNodes = 2000
)

// methodOrder is the order operations of one path are listed in: reads
// first, then writes, the way people read an API.
var methodOrder = map[string]int{"GET": 0, "HEAD": 1, "POST": 2, "PUT": 3, "PATCH": 4, "DELETE": 5, "OPTIONS": 6}

func methodRank(m string) int {
	if r, ok := methodOrder[m]; ok {
		return r
	}
	return len(methodOrder)
}

// sortOperations orders by path, then method (GET, HEAD, POST, PUT, PATCH,
// DELETE, OPTIONS, then others alphabetically), so runs are reproducible.
func sortOperations(ops []*rampart.Operation) {
	sort.SliceStable(ops, func(i, j int) bool {
		a, b := ops[i], ops[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		ra, rb := methodRank(a.Method), methodRank(b.Method)
		if ra != rb {
			return ra < rb
		}
		return a.Method < b.Method
	})
}

func convert(doc *openapi3.T, root *yaml.Node, version string, loc *url.URL, local bool) *Surface {
	s := &Surface{SpecVersion: version, SecuritySchemes: map[string]Scheme{}}
	if doc.Info != nil {
		s.Title, s.Version = doc.Info.Title, doc.Info.Version
	}
	var remote *url.URL
	if loc != nil && !local && loc.Scheme != "" {
		remote = loc
	}
	s.Servers = servers(doc.Servers, remote)
	if len(s.Servers) > 0 {
		if u, err := url.Parse(s.Servers[0]); err == nil {
			s.BasePath = strings.TrimSuffix(u.Path, "/")
		}
	}
	if doc.Components != nil {
		for name, ref := range doc.Components.SecuritySchemes {
			if ref == nil || ref.Value == nil {
				continue
			}
			v := ref.Value
			s.SecuritySchemes[name] = Scheme{Type: v.Type, Scheme: strings.ToLower(v.Scheme), In: v.In, Name: v.Name, BearerFormat: v.BearerFormat}
		}
	}

	// kin-openapi cannot tell a missing top-level "security" from an empty
	// one, and the difference is whether the API says it is public.
	var global [][]string
	if k, _ := get(root, "security"); k != nil {
		global = security(doc.Security)
	}

	sc := schemaCache{}
	for path, item := range doc.Paths.Map() {
		if item == nil {
			continue
		}
		for method, op := range item.Operations() {
			if op == nil {
				continue
			}
			o := &rampart.Operation{
				ID:          op.OperationID,
				Method:      strings.ToUpper(method),
				Path:        path,
				Summary:     op.Summary,
				Description: op.Description,
				Tags:        append([]string(nil), op.Tags...),
				Params:      params(sc, item.Parameters, op.Parameters),
				Body:        body(sc, op.RequestBody),
				Responses:   responses(sc, op.Responses),
				Security:    copySecurity(global),
				Source:      rampart.SourceSpec,
			}
			if op.Security != nil {
				o.Security = security(*op.Security)
			}
			s.Operations = append(s.Operations, o)
		}
	}
	sortOperations(s.Operations)
	return s
}

// servers substitutes variable defaults and resolves relative URLs against
// the document's URL, which is what OpenAPI says they are relative to. With
// no servers the default is "/".
func servers(list openapi3.Servers, remote *url.URL) []string {
	var out []string
	for _, sv := range list {
		if sv == nil {
			continue
		}
		u := sv.URL
		names := slices.Sorted(maps.Keys(sv.Variables))
		for _, n := range names {
			if v := sv.Variables[n]; v != nil {
				u = strings.ReplaceAll(u, "{"+n+"}", v.Default)
			}
		}
		out = append(out, resolveServer(u, remote))
	}
	if len(out) == 0 {
		out = []string{resolveServer("/", remote)}
	}
	return out
}

func resolveServer(s string, remote *url.URL) string {
	if remote == nil {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.IsAbs() {
		return s
	}
	return remote.ResolveReference(u).String()
}

// security turns requirements into scheme names per alternative. The
// result is never nil: an empty list, or an empty alternative, means the
// document explicitly lets anonymous callers in.
func security(reqs openapi3.SecurityRequirements) [][]string {
	out := make([][]string, 0, len(reqs))
	for _, req := range reqs {
		// Never nil: an empty requirement ({}) is how a spec says "public".
		alt := slices.AppendSeq(make([]string, 0, len(req)), maps.Keys(req))
		slices.Sort(alt)
		out = append(out, alt)
	}
	return out
}

// params merges path-level and operation-level parameters; an operation's
// parameter replaces the path's one with the same name and location.
func params(sc schemaCache, pathLevel, opLevel openapi3.Parameters) []rampart.Param {
	var out []rampart.Param
	add := func(ref *openapi3.ParameterRef) {
		if ref == nil || ref.Value == nil {
			return
		}
		p := param(sc, ref.Value)
		for i := range out {
			if out[i].In == p.In && out[i].Name == p.Name {
				out[i] = p
				return
			}
		}
		out = append(out, p)
	}
	for _, r := range pathLevel {
		add(r)
	}
	for _, r := range opLevel {
		add(r)
	}
	return out
}

func param(sc schemaCache, p *openapi3.Parameter) rampart.Param {
	out := rampart.Param{Name: p.Name, In: strings.ToLower(p.In), Required: p.Required || p.In == "path", Example: p.Example}
	if p.Schema != nil {
		out.Schema = sc.schema(p.Schema)
	} else if _, mt := pickMedia(p.Content); mt != nil {
		out.Schema = sc.schema(mt.Schema)
	}
	if out.Example == nil {
		out.Example = firstExample(p.Examples)
	}
	return out
}

func firstExample(ex openapi3.Examples) any {
	names := slices.Sorted(maps.Keys(ex))
	for _, n := range names {
		if r := ex[n]; r != nil && r.Value != nil && r.Value.Value != nil {
			return r.Value.Value
		}
	}
	return nil
}

// pickMedia chooses the media type Rampart will speak: JSON when offered,
// then forms, then whatever sorts first.
func pickMedia(c openapi3.Content) (string, *openapi3.MediaType) {
	if len(c) == 0 {
		return "", nil
	}
	keys := slices.Sorted(maps.Keys(c))
	rank := func(k string) int {
		base := strings.ToLower(strings.TrimSpace(strings.SplitN(k, ";", 2)[0]))
		switch {
		case base == "application/json":
			return 0
		case strings.HasSuffix(base, "+json") || strings.HasSuffix(base, "/json"):
			return 1
		case base == "application/x-www-form-urlencoded":
			return 2
		case base == "multipart/form-data":
			return 3
		default:
			return 4
		}
	}
	best := keys[0]
	for _, k := range keys[1:] {
		if rank(k) < rank(best) {
			best = k
		}
	}
	return best, c[best]
}

func body(sc schemaCache, ref *openapi3.RequestBodyRef) *rampart.Body {
	if ref == nil || ref.Value == nil {
		return nil
	}
	ct, mt := pickMedia(ref.Value.Content)
	if mt == nil {
		return nil
	}
	b := &rampart.Body{ContentType: ct, Required: ref.Value.Required, Schema: sc.schema(mt.Schema), Example: mt.Example}
	if b.Example == nil {
		b.Example = firstExample(mt.Examples)
	}
	return b
}

func responses(sc schemaCache, rs *openapi3.Responses) []rampart.Response {
	m := rs.Map()
	codes := slices.Sorted(maps.Keys(m))
	var out []rampart.Response
	for _, c := range codes {
		ref := m[c]
		if ref == nil || ref.Value == nil {
			continue
		}
		r := rampart.Response{Status: c}
		if ref.Value.Description != nil {
			r.Description = *ref.Value.Description
		}
		if ct, mt := pickMedia(ref.Value.Content); mt != nil {
			r.ContentType = ct
			r.Schema = sc.schema(mt.Schema)
		}
		out = append(out, r)
	}
	return out
}

// schemaCache holds the schemas converted for one document, by the
// kin-openapi schema they come from. Operations that refer to the same
// component get the same tree (a conversion depends only on its root), so
// a spec of 20,000 operations sharing a few models does not hold 20,000
// copies of each (40 MB). Nothing changes a tree once converted.
type schemaCache map[*openapi3.Schema]*rampart.Schema

// schema converts one kin-openapi schema into a finite rampart.Schema tree.
func (sc schemaCache) schema(ref *openapi3.SchemaRef) *rampart.Schema {
	if ref == nil || ref.Value == nil {
		return nil
	}
	if s, ok := sc[ref.Value]; ok {
		return s
	}
	c := &schemaConv{budget: maxSchemaNodes, onStack: map[*openapi3.Schema]bool{}}
	s := c.conv(ref, 0)
	sc[ref.Value] = s
	return s
}

type schemaConv struct {
	budget  int
	onStack map[*openapi3.Schema]bool
}

func (c *schemaConv) conv(ref *openapi3.SchemaRef, depth int) *rampart.Schema {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	out := &rampart.Schema{
		Type:        pickType(s),
		Format:      s.Format,
		Default:     s.Default,
		Example:     s.Example,
		Pattern:     s.Pattern,
		Nullable:    s.Nullable || s.Type.IncludesNull(),
		ReadOnly:    s.ReadOnly,
		WriteOnly:   s.WriteOnly,
		Description: s.Description,
		MinLength:   clampInt(s.MinLength),
		Minimum:     copyFloat(s.Min),
		Maximum:     copyFloat(s.Max),
	}
	if s.MaxLength != nil {
		out.MaxLength = clampInt(*s.MaxLength)
	}
	if out.Example == nil && len(s.Examples) > 0 {
		out.Example = s.Examples[0]
	}
	if len(s.Enum) > 0 {
		out.Enum = append([]any(nil), s.Enum...)
	} else if s.Const != nil {
		out.Enum = []any{s.Const}
	}
	exclusive(out, s)
	c.budget--
	// A revisit is a recursive schema: keep its shape, drop its children.
	if c.onStack[s] || depth >= maxSchemaDepth || c.budget <= 0 {
		return out
	}
	c.onStack[s] = true
	defer delete(c.onStack, s)

	if len(s.Properties) > 0 {
		out.Properties = make(map[string]*rampart.Schema, len(s.Properties))
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if p := c.conv(s.Properties[name], depth+1); p != nil {
				out.Properties[name] = p
			}
		}
	}
	out.Required = append([]string(nil), s.Required...)
	if len(out.Required) == 0 {
		out.Required = nil
	}
	if s.Items != nil {
		out.Items = c.conv(s.Items, depth+1)
	} else if len(s.PrefixItems) > 0 {
		out.Items = c.conv(s.PrefixItems[0], depth+1)
	}
	for _, sub := range s.AllOf {
		merge(out, c.conv(sub, depth+1))
	}
	// oneOf/anyOf: one alternative is enough to build a plausible value;
	// the first that is not just "null" is what most APIs mean by default.
	if alts := append(append(openapi3.SchemaRefs(nil), s.OneOf...), s.AnyOf...); len(alts) > 0 {
		for _, a := range alts {
			if a == nil || a.Value == nil || a.Value.Type.Is("null") {
				out.Nullable = true
				continue
			}
			merge(out, c.conv(a, depth+1))
			break
		}
	}
	if out.Type == "" {
		switch {
		case len(out.Properties) > 0:
			out.Type = "object"
		case out.Items != nil:
			out.Type = "array"
		}
	}
	return out
}

// pickType reads a 3.0 type or a 3.1 type list: ["string", "null"] is a
// nullable string.
func pickType(s *openapi3.Schema) string {
	for _, t := range s.Type.Slice() {
		if t != "null" {
			return t
		}
	}
	if s.Type.Is("null") {
		return "null"
	}
	return ""
}

// exclusive folds exclusive bounds into inclusive ones, since
// rampart.Schema has no exclusive flag: a value strictly inside is all
// synthesis needs.
func exclusive(out *rampart.Schema, s *openapi3.Schema) {
	step := 1.0
	if out.Type == "number" {
		step = 0.5
	}
	if v := s.ExclusiveMin.Value; v != nil {
		m := *v + step
		out.Minimum = &m
	} else if b := s.ExclusiveMin.Bool; b != nil && *b && out.Minimum != nil {
		m := *out.Minimum + step
		out.Minimum = &m
	}
	if v := s.ExclusiveMax.Value; v != nil {
		m := *v - step
		out.Maximum = &m
	} else if b := s.ExclusiveMax.Bool; b != nil && *b && out.Maximum != nil {
		m := *out.Maximum - step
		out.Maximum = &m
	}
	if out.Minimum != nil && out.Maximum != nil && *out.Minimum > *out.Maximum {
		// A narrow exclusive range: the midpoint of the original bounds.
		mid := (*out.Minimum + *out.Maximum) / 2
		out.Minimum, out.Maximum = &mid, &mid
	}
}

// merge folds an allOf member (or the chosen oneOf alternative) into dst:
// dst's own keywords win, properties and required fields add up.
func merge(dst, src *rampart.Schema) {
	if src == nil {
		return
	}
	if dst.Type == "" {
		dst.Type = src.Type
	}
	if dst.Format == "" {
		dst.Format = src.Format
	}
	if dst.Enum == nil {
		dst.Enum = src.Enum
	}
	if dst.Default == nil {
		dst.Default = src.Default
	}
	if dst.Example == nil {
		dst.Example = src.Example
	}
	if dst.Items == nil {
		dst.Items = src.Items
	}
	if dst.Minimum == nil {
		dst.Minimum = src.Minimum
	}
	if dst.Maximum == nil {
		dst.Maximum = src.Maximum
	}
	if dst.MinLength == 0 {
		dst.MinLength = src.MinLength
	}
	if dst.MaxLength == 0 {
		dst.MaxLength = src.MaxLength
	}
	if dst.Pattern == "" {
		dst.Pattern = src.Pattern
	}
	if dst.Description == "" {
		dst.Description = src.Description
	}
	dst.Nullable = dst.Nullable || src.Nullable
	dst.ReadOnly = dst.ReadOnly || src.ReadOnly
	dst.WriteOnly = dst.WriteOnly || src.WriteOnly
	if len(src.Properties) > 0 {
		if dst.Properties == nil {
			dst.Properties = make(map[string]*rampart.Schema, len(src.Properties))
		}
		for k, v := range src.Properties {
			if _, ok := dst.Properties[k]; !ok {
				dst.Properties[k] = v
			}
		}
	}
	for _, r := range src.Required {
		if !contains(dst.Required, r) {
			dst.Required = append(dst.Required, r)
		}
	}
}

func clampInt(v uint64) int {
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(v)
}

func copyFloat(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// copySecurity gives each operation its own slices, so a check that edits
// one operation's requirements cannot change another's.
func copySecurity(sec [][]string) [][]string {
	if sec == nil {
		return nil
	}
	out := make([][]string, len(sec))
	for i, alt := range sec {
		out[i] = append([]string{}, alt...)
	}
	return out
}
