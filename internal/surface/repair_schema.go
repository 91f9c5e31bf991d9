package surface

import (
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// Schema repairs. A schema is found by where it sits (the value of
// "schema", an entry of "definitions" or "components.schemas", and inside a
// schema the subschema keywords), in every document of a spec, so a
// referenced file gets the same repairs as the root.

// Keywords whose value is one schema, a list of schemas, or a map of them.
var (
	subSchema = map[string]bool{"items": true, "not": true, "additionalProperties": true, "additionalItems": true,
		"contains": true, "if": true, "then": true, "else": true, "propertyNames": true,
		"unevaluatedProperties": true, "unevaluatedItems": true, "contentSchema": true}
	schemaLists = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}
	schemaMaps  = map[string]bool{"properties": true, "patternProperties": true, "$defs": true, "definitions": true, "dependentSchemas": true}
)

// What a schema keyword's value must be for kin-openapi to read it.
type want int

const (
	wantBool want = iota + 1
	wantUint
	wantNumber
	wantString
)

var keywordWants = map[string]want{
	"nullable": wantBool, "readOnly": wantBool, "writeOnly": wantBool, "deprecated": wantBool, "uniqueItems": wantBool,
	"minLength": wantUint, "maxLength": wantUint, "minItems": wantUint, "maxItems": wantUint,
	"minProperties": wantUint, "maxProperties": wantUint,
	"minimum": wantNumber, "maximum": wantNumber, "multipleOf": wantNumber,
	"format": wantString, "pattern": wantString, "title": wantString, "description": wantString,
}

// looksLikeSchema reports whether a document's top node is a schema, for a
// $ref to a whole file.
func looksLikeSchema(n *yaml.Node) bool {
	for _, k := range []string{"type", "properties", "allOf", "anyOf", "oneOf", "items", "enum"} {
		if index(n, k) >= 0 {
			return true
		}
	}
	return false
}

// repairSchemas repairs every schema below n.
func (r *repairer) repairSchemas(n *yaml.Node) {
	if index(n, "openapi") < 0 && index(n, "swagger") < 0 && looksLikeSchema(n) {
		r.walkSchemas(n, "", true, 0)
		return
	}
	r.walkSchemas(n, "", false, 0)
}

func (r *repairer) walkSchemas(n *yaml.Node, path string, schema bool, depth int) {
	if n == nil || depth > MaxDepth {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		if schema {
			r.repairSchema(n, path)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || v.Kind == yaml.AliasNode || strings.HasPrefix(k.Value, "x-") || literalKeys[k.Value] {
				continue
			}
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			switch {
			case schema && subSchema[k.Value]:
				r.walkSchemas(v, p, true, depth+1)
			case schema && schemaLists[k.Value]:
				if v.Kind == yaml.SequenceNode {
					for j, c := range v.Content {
						if c.Kind != yaml.AliasNode {
							r.walkSchemas(c, fmt.Sprintf("%s[%d]", p, j), true, depth+1)
						}
					}
				}
			case schemaMaps[k.Value] && (schema || k.Value == "definitions"), !schema && k.Value == "schemas":
				if v.Kind == yaml.MappingNode {
					for j := 0; j+1 < len(v.Content); j += 2 {
						if c := v.Content[j+1]; c.Kind != yaml.AliasNode {
							r.walkSchemas(c, p+"."+v.Content[j].Value, true, depth+1)
						}
					}
				}
			case schema:
				// another keyword of a schema: data, not schemas
			case k.Value == "schema":
				r.walkSchemas(v, p, true, depth+1)
			case k.Value == "examples":
				// OpenAPI examples: data
			default:
				r.walkSchemas(v, p, false, depth+1)
			}
		}
	case yaml.SequenceNode:
		if schema {
			return
		}
		for i, c := range n.Content {
			if c.Kind != yaml.AliasNode {
				r.walkSchemas(c, fmt.Sprintf("%s[%d]", path, i), false, depth+1)
			}
		}
	}
}

// repairSchema repairs one schema's own keywords; walkSchemas then goes on
// to its subschemas.
func (r *repairer) repairSchema(s *yaml.Node, path string) {
	at := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	r.liftRequired(s, path)
	if k, req := get(s, "required"); k != nil {
		switch {
		case req != nil && req.Kind == yaml.SequenceNode:
			keep := req.Content[:0:0]
			for _, c := range req.Content {
				if c = deref(c); c != nil && c.Kind == yaml.ScalarNode && !isNull(c) {
					keep = append(keep, c)
				}
			}
			if len(keep) < len(req.Content) {
				r.warn(req, at("required"), "want a list of property names, got other values in it", "ignored those")
				req.Content = keep
			}
		case req != nil && req.ShortTag() == "!!bool":
			r.warn(req, at("required"), `"required: `+req.Value+`" on a schema that is not a property`, "ignored it")
			del(s, "required")
		case req != nil && req.Kind == yaml.ScalarNode && !isNull(req):
			r.warn(req, at("required"), "want a list of property names, got a string", "read as a list of that one name")
			set(s, "required", seqNode(req))
		default:
			r.warn(k, at("required"), fmt.Sprintf("want a list of property names, got %s", kindName(req)), "ignored it")
			del(s, "required")
		}
	}
	r.repairType(s, at)
	r.repairBounds(s, at)
	if k, v := get(s, "properties"); k != nil && !isNull(v) && v.Kind != yaml.MappingNode {
		r.warn(v, at("properties"), fmt.Sprintf("want a mapping, got %s", kindName(v)), "ignored them")
		del(s, "properties")
	} else if v != nil && v.Kind == yaml.MappingNode {
		for j := 1; j < len(v.Content); j += 2 {
			pv := deref(v.Content[j])
			if pv != nil && pv.Kind == yaml.MappingNode {
				continue
			}
			pk := v.Content[j-1]
			if pv != nil && pv.Kind == yaml.ScalarNode && jsonTypes[pv.Value] {
				r.warn(pv, at("properties."+pk.Value), "want a schema, got a type name", fmt.Sprintf("read as {type: %s}", pv.Value))
				v.Content[j] = mapNode(str("type"), str(pv.Value))
				continue
			}
			r.warn(pv, at("properties."+pk.Value), fmt.Sprintf("want a schema, got %s", kindName(pv)), "read as any value")
			v.Content[j] = mapNode()
		}
	}
	for _, kw := range []string{"patternProperties", "$defs", "dependentSchemas", "definitions"} {
		_, v := get(s, kw)
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		for j := 1; j < len(v.Content); j += 2 {
			c := deref(v.Content[j])
			if c != nil && (c.Kind == yaml.MappingNode || (c.ShortTag() == "!!bool" && r.kind == openapi31)) {
				continue
			}
			r.warn(c, at(kw+"."+v.Content[j-1].Value), fmt.Sprintf("want a schema, got %s", kindName(c)), "read as any value")
			v.Content[j] = mapNode()
		}
	}
	if k, v := get(s, "not"); k != nil && (v == nil || v.Kind != yaml.MappingNode) {
		r.warn(k, at("not"), fmt.Sprintf("want a schema, got %s", kindName(v)), "ignored it")
		del(s, "not")
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf", "prefixItems"} {
		k, v := get(s, kw)
		if k == nil || v == nil || v.Kind == yaml.SequenceNode {
			if v != nil && v.Kind == yaml.SequenceNode {
				keep := v.Content[:0:0]
				for _, c := range v.Content {
					if d := deref(c); d != nil && (d.Kind == yaml.MappingNode || (d.ShortTag() == "!!bool" && r.kind == openapi31)) {
						keep = append(keep, c)
					}
				}
				if len(keep) < len(v.Content) {
					r.warn(v, at(kw), "want a list of schemas, got other values in it", "ignored those")
					v.Content = keep
				}
			}
			continue
		}
		if v.Kind == yaml.MappingNode {
			r.warn(v, at(kw), "want a list of schemas, got a mapping", "read as a list of that one schema")
			set(s, kw, seqNode(v))
			continue
		}
		r.warn(k, at(kw), fmt.Sprintf("want a list of schemas, got %s", kindName(v)), "ignored it")
		del(s, kw)
	}
	if k, v := get(s, "items"); k != nil {
		switch {
		case v != nil && v.Kind == yaml.SequenceNode && len(v.Content) == 1:
			r.warn(v, at("items"), "a list of item schemas (tuple typing)", "read as its one schema")
			set(s, "items", v.Content[0])
		case v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 1 && r.kind != swagger2:
			r.warn(v, at("items"), "a list of item schemas (tuple typing)", "read as anyOf those schemas")
			set(s, "items", mapNode(str("anyOf"), v))
		case v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 1:
			r.warn(v, at("items"), "a list of item schemas (tuple typing)", "read as its first schema")
			set(s, "items", v.Content[0])
		case v != nil && v.Kind == yaml.MappingNode:
		case v != nil && v.ShortTag() == "!!bool" && r.kind == openapi31:
		default:
			r.warn(k, at("items"), fmt.Sprintf("want a schema, got %s", kindName(v)), "read as any value")
			set(s, "items", mapNode())
		}
	}
	if k, v := get(s, "additionalProperties"); k != nil && v != nil && v.Kind != yaml.MappingNode && v.ShortTag() != "!!bool" {
		if b, ok := asBool(v); ok {
			r.warn(v, at("additionalProperties"), fmt.Sprintf("want a schema or a boolean, got %s", kindName(v)), fmt.Sprintf("read as %t", b))
			set(s, "additionalProperties", boolNode(b))
		} else {
			r.warn(k, at("additionalProperties"), fmt.Sprintf("want a schema or a boolean, got %s", kindName(v)), "ignored it")
			del(s, "additionalProperties")
		}
	}
	if k, v := get(s, "discriminator"); k != nil && v != nil && v.Kind != yaml.MappingNode && r.kind != swagger2 {
		r.warn(k, at("discriminator"), fmt.Sprintf("want a mapping, got %s", kindName(v)), "ignored it")
		del(s, "discriminator")
	}
	for _, kw := range []string{"xml", "externalDocs"} {
		if k, v := get(s, kw); k != nil && v != nil && v.Kind != yaml.MappingNode {
			r.warn(k, at(kw), fmt.Sprintf("want a mapping, got %s", kindName(v)), "ignored it")
			del(s, kw)
		}
	}
	r.repairKeywords(s, at)
	if r.kind != openapi31 {
		r.repairNewKeywords(s, at)
	}
	r.repairExamples(s, at)
}

// liftRequired reads a Swagger habit: "required: true" on a property
// rather than the property's name in its parent's "required" list.
func (r *repairer) liftRequired(s *yaml.Node, path string) {
	_, props := get(s, "properties")
	if props == nil || props.Kind != yaml.MappingNode {
		return
	}
	var names []*yaml.Node
	for j := 1; j < len(props.Content); j += 2 {
		p := deref(props.Content[j])
		k, req := get(p, "required")
		if k == nil || req == nil || req.Kind != yaml.ScalarNode {
			continue
		}
		b, ok := asBool(req)
		if !ok && !isNull(req) {
			continue // a string: repairSchema reads it as a list of one name
		}
		name := props.Content[j-1].Value
		pp := "properties." + name
		if path != "" {
			pp = path + "." + pp
		}
		if b {
			r.warn(req, pp+".required", `"required: true" on a property`, fmt.Sprintf("read as required: [%s] on its parent", clip(name, 60)))
			names = append(names, str(name))
		} else {
			r.warn(req, pp+".required", `"required: `+req.Value+`" on a property`, "dropped it")
		}
		del(p, "required")
	}
	if len(names) == 0 {
		return
	}
	if _, list := get(s, "required"); list != nil && list.Kind == yaml.SequenceNode {
		for _, n := range names {
			if !hasScalar(list, n.Value) {
				list.Content = append(list.Content, n)
			}
		}
		return
	}
	set(s, "required", seqNode(names...))
}

func hasScalar(seq *yaml.Node, v string) bool {
	for _, c := range seq.Content {
		if c.Kind == yaml.ScalarNode && c.Value == v {
			return true
		}
	}
	return false
}

// jsonTypes are the type names of JSON Schema; typeAliases the ones
// documents write instead.
var (
	jsonTypes   = map[string]bool{"string": true, "integer": true, "number": true, "boolean": true, "object": true, "array": true, "null": true}
	typeAliases = map[string]string{"int": "integer", "int32": "integer", "int64": "integer", "long": "integer",
		"float": "number", "double": "number", "decimal": "number", "bool": "boolean", "str": "string",
		"date": "string", "datetime": "string", "date-time": "string", "dict": "object", "map": "object", "list": "array"}
)

func (r *repairer) repairType(s *yaml.Node, at func(string) string) {
	k, t := get(s, "type")
	if k == nil {
		if k, n := get(s, "nullable"); k != nil && r.kind == openapi31 && n.Value == "true" {
			r.warn(k, at("nullable"), `"nullable" is OpenAPI 3.0, not OpenAPI 3.1`, "ignored it: the schema has no type to add null to")
			del(s, "nullable")
		}
		return
	}
	if t == nil || isNull(t) {
		r.warn(k, at("type"), "want a type name, got null", "read as any type")
		del(s, "type")
		return
	}
	fix := func(name string) (string, bool) {
		if jsonTypes[name] || (name == "file" && r.kind == swagger2) {
			return name, true
		}
		if a, ok := typeAliases[strings.ToLower(name)]; ok {
			return a, true
		}
		if l := strings.ToLower(name); jsonTypes[l] {
			return l, true
		}
		return "", false
	}
	switch t.Kind {
	case yaml.ScalarNode:
		if name, ok := fix(t.Value); !ok {
			r.warn(t, at("type"), "not a JSON Schema type", "read as any type")
			del(s, "type")
			return
		} else if name != t.Value {
			r.warn(t, at("type"), fmt.Sprintf("type %q is not a JSON Schema type", clip(t.Value, 20)), fmt.Sprintf("read as %s", name))
			set(s, "type", str(name))
		}
		if r.kind == openapi31 {
			if nk, n := get(s, "nullable"); nk != nil {
				if b, _ := asBool(n); b && get2(s, "type").Value != "null" {
					r.warn(nk, at("nullable"), `"nullable" is OpenAPI 3.0, not OpenAPI 3.1`, fmt.Sprintf(`read as type: [%s, "null"]`, get2(s, "type").Value))
					set(s, "type", seqNode(str(get2(s, "type").Value), str("null")))
				} else {
					r.warn(nk, at("nullable"), `"nullable" is OpenAPI 3.0, not OpenAPI 3.1`, "dropped it")
				}
				del(s, "nullable")
			}
		} else if get2(s, "type").Value == "null" {
			r.warn(t, at("type"), `type "null" is not `+r.version(), "read as any type, nullable")
			del(s, "type")
			r.setNullable(s)
		}
	case yaml.SequenceNode:
		var types []string
		null := false
		for _, c := range t.Content {
			c = deref(c)
			if c == nil || c.Kind != yaml.ScalarNode {
				continue
			}
			name, ok := fix(c.Value)
			switch {
			case !ok:
			case name == "null":
				null = true
			default:
				types = append(types, name)
			}
		}
		if r.kind == openapi31 {
			if len(types)+btoi(null) != len(t.Content) {
				r.warn(t, at("type"), "a type list with names that are not JSON Schema types", "kept the others")
				list := seqNode()
				for _, n := range types {
					list.Content = append(list.Content, str(n))
				}
				if null {
					list.Content = append(list.Content, str("null"))
				}
				set(s, "type", list)
			}
			return
		}
		switch {
		case len(types) == 1:
			repair := "read as type: " + types[0]
			if null {
				repair += ", nullable"
			}
			r.warn(t, at("type"), "a list of types is OpenAPI 3.1, not "+r.version(), repair)
			set(s, "type", str(types[0]))
		default:
			r.warn(t, at("type"), "a list of types is OpenAPI 3.1, not "+r.version(), "read as any type")
			del(s, "type")
		}
		if null {
			r.setNullable(s)
		}
	default:
		r.warn(t, at("type"), fmt.Sprintf("want a type name, got %s", kindName(t)), "read as any type")
		del(s, "type")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (r *repairer) setNullable(s *yaml.Node) {
	if r.kind == swagger2 {
		set(s, "x-nullable", boolNode(true))
		return
	}
	set(s, "nullable", boolNode(true))
}

// version names the document's dialect after "not".
func (r *repairer) version() string {
	if r.kind == swagger2 {
		return "Swagger 2.0"
	}
	return "OpenAPI 3.0"
}

// repairBounds reads exclusiveMinimum and exclusiveMaximum in the dialect
// of the document: a boolean beside minimum up to 3.0, a number from 3.1.
func (r *repairer) repairBounds(s *yaml.Node, at func(string) string) {
	for _, b := range [][2]string{{"exclusiveMinimum", "minimum"}, {"exclusiveMaximum", "maximum"}} {
		ex, bound := b[0], b[1]
		k, v := get(s, ex)
		if k == nil || v == nil {
			continue
		}
		if v.Kind != yaml.ScalarNode || isNull(v) {
			r.warn(k, at(ex), fmt.Sprintf("want a number or a boolean, got %s", kindName(v)), "ignored it")
			del(s, ex)
			continue
		}
		if bv, ok := asBool(v); ok && v.ShortTag() != "!!int" && v.ShortTag() != "!!float" {
			if r.kind != openapi31 {
				if v.ShortTag() != "!!bool" {
					r.warn(v, at(ex), fmt.Sprintf("want a boolean, got %s", kindName(v)), fmt.Sprintf("read as %t", bv))
					set(s, ex, boolNode(bv))
				}
				continue
			}
			// 3.1: the bound itself is the number.
			if _, m := get(s, bound); bv && m != nil && isNumber(m) {
				r.warn(v, at(ex), fmt.Sprintf("a boolean %s is OpenAPI 3.0, not OpenAPI 3.1", ex), fmt.Sprintf("read as %s: %s", ex, m.Value))
				set(s, ex, m)
				del(s, bound)
			} else {
				r.warn(v, at(ex), fmt.Sprintf("a boolean %s is OpenAPI 3.0, not OpenAPI 3.1", ex), "dropped it")
				del(s, ex)
			}
			continue
		}
		if !isNumber(v) {
			r.warn(v, at(ex), fmt.Sprintf("want a number or a boolean, got %s", kindName(v)), "ignored it")
			del(s, ex)
			continue
		}
		if r.kind == openapi31 {
			continue
		}
		// Of the two bounds, the tighter one holds.
		problem := fmt.Sprintf("a number %s is OpenAPI 3.1, not %s", ex, r.version())
		if _, m := get(s, bound); m == nil || !isNumber(m) || tighter(bound, v, m) {
			r.warn(v, at(ex), problem, fmt.Sprintf("read as %s: %s, %s: true", bound, v.Value, ex))
			set(s, bound, v)
			set(s, ex, boolNode(true))
		} else {
			r.warn(v, at(ex), problem, fmt.Sprintf("dropped it: %s is tighter", bound))
			del(s, ex)
		}
	}
}

// tighter reports whether the exclusive bound ex is at least as tight as
// the inclusive bound m of the same side.
func tighter(bound string, ex, m *yaml.Node) bool {
	e, _ := strconv.ParseFloat(ex.Value, 64)
	b, _ := strconv.ParseFloat(m.Value, 64)
	if bound == "minimum" {
		return e >= b
	}
	return e <= b
}

func isNumber(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.ScalarNode {
		return false
	}
	_, err := strconv.ParseFloat(n.Value, 64)
	return err == nil && n.ShortTag() != "!!str" && n.ShortTag() != "!!bool"
}

// repairKeywords gives the scalar keywords the type kin-openapi reads them
// as: "true" becomes true, "5" becomes 5, a number in "pattern" a string.
// What cannot be read so is dropped.
func (r *repairer) repairKeywords(s *yaml.Node, at func(string) string) {
	for i := 0; i+1 < len(s.Content); i += 2 {
		k := s.Content[i]
		w, ok := keywordWants[k.Value]
		if !ok {
			continue
		}
		v := deref(s.Content[i+1])
		fixed, good := coerce(v, w)
		if good {
			continue
		}
		if fixed == nil {
			r.warn(k, at(k.Value), fmt.Sprintf("want %s, got %s", wantName(w), kindName(v)), "ignored it")
			s.Content = append(s.Content[:i:i], s.Content[i+2:]...)
			i -= 2
			continue
		}
		r.warn(v, at(k.Value), fmt.Sprintf("want %s, got %s", wantName(w), kindName(v)), "read as "+wantName(w))
		s.Content[i+1] = fixed
	}
}

func wantName(w want) string {
	switch w {
	case wantBool:
		return "a boolean"
	case wantUint:
		return "a non-negative integer"
	case wantNumber:
		return "a number"
	default:
		return "a string"
	}
}

// coerce says whether v already is what w asks; if not, the value it can be
// read as, or nil.
func coerce(v *yaml.Node, w want) (*yaml.Node, bool) {
	if v == nil || v.Kind != yaml.ScalarNode || isNull(v) {
		return nil, false
	}
	tag := v.ShortTag()
	switch w {
	case wantBool:
		if tag == "!!bool" {
			return v, true
		}
		if b, ok := asBool(v); ok {
			return boolNode(b), false
		}
	case wantUint:
		if n, err := strconv.ParseUint(strings.TrimSpace(v.Value), 10, 64); err == nil {
			if tag == "!!int" {
				return v, true
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(n, 10)}, false
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64); err == nil && f >= 0 && f < 1e15 && f == float64(uint64(f)) {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(uint64(f), 10)}, false
		}
	case wantNumber:
		if f, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64); err == nil {
			if tag == "!!int" || tag == "!!float" {
				return v, true
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'g', -1, 64)}, false
		}
	case wantString:
		if tag == "!!str" {
			return v, true
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.Value, Style: yaml.DoubleQuotedStyle}, false
	}
	return nil, false
}

// repairNewKeywords reads the JSON Schema 2020-12 keywords an OpenAPI 2.0
// or 3.0 document uses as the nearest keywords of its own dialect.
func (r *repairer) repairNewKeywords(s *yaml.Node, at func(string) string) {
	if k, _ := get(s, "const"); k != nil {
		if index(s, "enum") < 0 {
			r.warn(k, at("const"), `"const" is OpenAPI 3.1, not `+r.version(), "read as an enum of that one value")
			set(s, "enum", seqNode(s.Content[index(s, "const")+1]))
		} else {
			r.warn(k, at("const"), `"const" is OpenAPI 3.1, not `+r.version(), "ignored it beside enum")
		}
		del(s, "const")
	}
	if k, v := get(s, "prefixItems"); k != nil {
		switch {
		case index(s, "items") >= 0 || v == nil || v.Kind != yaml.SequenceNode || len(v.Content) == 0:
			r.warn(k, at("prefixItems"), `"prefixItems" is OpenAPI 3.1, not `+r.version(), "ignored it")
		case r.kind == swagger2 || len(v.Content) == 1:
			// Swagger 2 has no anyOf.
			r.warn(k, at("prefixItems"), `"prefixItems" is OpenAPI 3.1, not `+r.version(), "read as items: its first schema")
			set(s, "items", v.Content[0])
		default:
			r.warn(k, at("prefixItems"), `"prefixItems" is OpenAPI 3.1, not `+r.version(), "read as items: anyOf those schemas")
			set(s, "items", mapNode(str("anyOf"), v))
		}
		del(s, "prefixItems")
	}
	if k, v := get(s, "unevaluatedProperties"); k != nil {
		if index(s, "additionalProperties") < 0 && v != nil && (v.Kind == yaml.MappingNode || v.ShortTag() == "!!bool") {
			r.warn(k, at("unevaluatedProperties"), `"unevaluatedProperties" is OpenAPI 3.1, not `+r.version(), "read as additionalProperties")
			set(s, "additionalProperties", v)
		} else {
			r.warn(k, at("unevaluatedProperties"), `"unevaluatedProperties" is OpenAPI 3.1, not `+r.version(), "ignored it")
		}
		del(s, "unevaluatedProperties")
	}
	for _, kw := range []string{"$schema", "$id", "$anchor", "$comment", "$dynamicAnchor", "dependentRequired", "dependentSchemas", "unevaluatedItems", "$defs"} {
		k, _ := get(s, kw)
		if k == nil {
			continue
		}
		if kw == "$defs" {
			// Kept: $refs into it resolve as JSON pointers whatever the
			// dialect.
			r.warn(k, at(kw), `"$defs" is OpenAPI 3.1, not `+r.version(), "read as in 3.1")
			continue
		}
		r.warn(k, at(kw), fmt.Sprintf("%q is OpenAPI 3.1, not %s", kw, r.version()), "ignored it")
		del(s, kw)
	}
}

// repairExamples keeps a schema's example data readable and of the
// schema's type: Rampart sends examples, so one of the wrong type would be
// a request the API rejects for the wrong reason.
func (r *repairer) repairExamples(s *yaml.Node, at func(string) string) {
	if k, v := get(s, "examples"); k != nil {
		switch {
		case r.kind == openapi31 && v != nil && v.Kind == yaml.SequenceNode:
		case r.kind == openapi31:
			r.warn(k, at("examples"), fmt.Sprintf("want a list of examples, got %s", kindName(v)), "ignored it")
			del(s, "examples")
		case v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 0 && index(s, "example") < 0:
			r.warn(k, at("examples"), `a list of "examples" in a schema is OpenAPI 3.1, not `+r.version(), "read its first as example")
			set(s, "example", v.Content[0])
			del(s, "examples")
		default:
			r.warn(k, at("examples"), `"examples" in a schema is OpenAPI 3.1, not `+r.version(), "ignored it")
			del(s, "examples")
		}
	}
	t := get2(s, "type")
	if t == nil || t.Kind != yaml.ScalarNode {
		return
	}
	for _, kw := range []string{"example", "default"} {
		k, v := get(s, kw)
		if k == nil || isNull(v) {
			continue
		}
		fixed, ok := ofType(v, t.Value)
		switch {
		case ok:
		case fixed != nil:
			r.warn(v, at(kw), fmt.Sprintf("%s is %s, not %s", kw, kindName(v), typeName(t.Value)), "read as "+typeName(t.Value))
			set(s, kw, fixed)
		default:
			r.warn(v, at(kw), fmt.Sprintf("%s is %s, not %s", kw, kindName(v), typeName(t.Value)), "ignored it")
			del(s, kw)
		}
	}
	if k, v := get(s, "enum"); k != nil && v != nil && t.Value == "array" && v.Kind == yaml.SequenceNode && len(v.Content) > 0 && deref(v.Content[0]).Kind == yaml.ScalarNode {
		// A habit of Swagger 2 array parameters: the enum lists the values
		// of the items.
		if items := get2(s, "items"); items != nil && items.Kind == yaml.MappingNode && index(items, "enum") < 0 {
			r.warn(v, at("enum"), "the enum of an array lists values of its items", "read as the enum of its items")
			set(items, "enum", v)
		} else {
			r.warn(v, at("enum"), "the enum of an array lists values of its items", "ignored it")
		}
		del(s, "enum")
	}
	if k, v := get(s, "enum"); k != nil && v != nil {
		if v.Kind != yaml.SequenceNode {
			r.warn(k, at("enum"), fmt.Sprintf("want a list, got %s", kindName(v)), "read as a list of that one value")
			set(s, "enum", seqNode(v))
			v = get2(s, "enum")
		}
		keep := v.Content[:0:0]
		bad := 0
		for _, c := range v.Content {
			if isNull(deref(c)) {
				keep = append(keep, c)
				continue
			}
			if fixed, ok := ofType(deref(c), t.Value); ok {
				keep = append(keep, c)
			} else if fixed != nil {
				keep = append(keep, fixed)
				bad++
			} else {
				bad++
			}
		}
		if bad > 0 {
			problem := fmt.Sprintf("%d enum values are not %s", bad, typeName(t.Value))
			if bad == 1 {
				problem = "an enum value is not " + typeName(t.Value)
			}
			r.warn(v, at("enum"), problem, "read as "+typeName(t.Value)+" or ignored")
			v.Content = keep
			if len(keep) == 0 {
				del(s, "enum")
			}
		}
	}
}

func typeName(t string) string {
	switch t {
	case "integer", "object", "array":
		return "an " + t
	default:
		return "a " + t
	}
}

// ofType says whether v is a value of JSON type t; if not, the value it
// can be read as, or nil.
func ofType(v *yaml.Node, t string) (*yaml.Node, bool) {
	if v == nil {
		return nil, false
	}
	switch t {
	case "object":
		return nil, v.Kind == yaml.MappingNode
	case "array":
		return nil, v.Kind == yaml.SequenceNode
	}
	if v.Kind != yaml.ScalarNode {
		return nil, false
	}
	tag := v.ShortTag()
	switch t {
	case "string":
		if tag == "!!str" || tag == "!!timestamp" || tag == "!!binary" {
			return v, true
		}
		fixed, _ := coerce(v, wantString)
		return fixed, false
	case "integer":
		if tag == "!!int" {
			return v, true
		}
		if _, err := strconv.ParseInt(strings.TrimSpace(v.Value), 10, 64); err == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strings.TrimSpace(v.Value)}, false
		}
	case "number":
		if tag == "!!int" || tag == "!!float" {
			return v, true
		}
		fixed, _ := coerce(v, wantNumber)
		return fixed, false
	case "boolean":
		if tag == "!!bool" {
			return v, true
		}
		fixed, _ := coerce(v, wantBool)
		return fixed, false
	default:
		return v, true
	}
	return nil, false
}
