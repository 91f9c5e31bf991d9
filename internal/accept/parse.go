package accept

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Known is what a request used or its operation documents: field paths of
// the body (dotted, any depth) and parameter names, by where they travel.
// Plain messages and bare field maps are read only for names it holds, so
// that "authentication is required" is never taken for a field called
// "authentication".
type Known struct {
	Body   map[string]bool // dotted paths, and each path's last name alone
	Params map[string]string
	// Seen reports a name the API has shown values under elsewhere (an
	// API model's harvest): a body field nothing documents, named by the
	// API's own message ("isbn: 13 digits…"). Nil: none.
	Seen func(name string) bool
}

func (k Known) has(name string) bool {
	if k.Body[name] || k.Body[strings.ToLower(name)] {
		return true
	}
	if _, ok := k.param(name); ok {
		return true
	}
	return k.Seen != nil && k.Seen(name)
}

// param finds a parameter by name, case-insensitively (headers arrive
// lower-cased, "Idempotency-Key" as "idempotency_key" in pydantic's loc).
func (k Known) param(name string) (string, bool) {
	if in, ok := k.Params[name]; ok {
		return in, true
	}
	n := normName(name)
	for p, in := range k.Params {
		if normName(p) == n {
			return in, true
		}
	}
	return "", false
}

func normName(s string) string {
	return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
}

// locations are the keys under which webargs, flask-smorest and pydantic
// file a field by where it travels.
var locations = map[string]string{
	"body": "body", "json": "body", "form": "body", "data": "body", "files": "body", "payload": "body",
	"query": "query", "querystring": "query", "args": "query", "params": "query",
	"path": "path", "view_args": "path", "match_info": "path",
	"header": "header", "headers": "header", "cookie": "cookie", "cookies": "cookie",
}

// Parse reads a validation answer (the body of a 400 or 422) and returns
// the fields it names and what is wrong with each. It understands
// FastAPI/pydantic (`detail[].loc/msg/type/ctx`, pydantic 1 and 2),
// marshmallow/webargs/flask-smorest (`{"messages"|"errors": {"json": {...}}}`),
// Flask-RESTX (`{"errors": {"a.b": msg}}`), flask-restful
// (`{"message": {"f": msg}}`), Django REST framework (`{"f": [msg]}`),
// jsonschema and connexion messages, Joi/express-validator lists, and
// plain messages ("missing field 'x'", "x is required", "x must be one of
// a, b"). At most maxProblems problems; nothing of the body is kept beyond
// the bounded names and values in them.
func Parse(body []byte, known Known) []Problem {
	var out []Problem
	if body, doc, ok := decodeAnswer(body); ok {
		out = fromJSON(doc, known)
	} else {
		out = fromText(string(body), known)
	}
	return dedupe(out)
}

// decodeAnswer bounds an answer and decodes it when it is JSON as a whole,
// numbers as written. Valid first: a plain page that starts with its
// status ("400 Bad Request\n\nmissing field …") decodes as the number 400.
func decodeAnswer(body []byte) ([]byte, any, bool) {
	if len(body) > maxParseInput {
		body = body[:maxParseInput]
	}
	if !json.Valid(body) {
		return body, nil, false
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return body, nil, false
	}
	return body, doc, true
}

func dedupe(ps []Problem) []Problem {
	seen := map[string]bool{}
	var out []Problem
	for _, p := range ps {
		if !p.valid() {
			continue
		}
		k := p.key() + "|" + p.Kind.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
		if len(out) == maxProblems {
			break
		}
	}
	return out
}

func fromJSON(doc any, known Known) []Problem {
	switch d := doc.(type) {
	case []any:
		return fromList(d, "", nil, known)
	case string:
		return fromText(d, known)
	case map[string]any:
		var out []Problem
		// The keys frameworks put their field errors under, most specific
		// first. Each is read by its shape, not by its name alone.
		for _, k := range []string{"detail", "details", "errors", "messages", "message", "error", "fields",
			"field_errors", "fieldErrors", "invalid_params", "invalid-params", "violations", "validation_errors",
			"validationErrors", "description", "msg", "reason", "data"} {
			v, ok := d[k]
			if !ok {
				continue
			}
			switch x := v.(type) {
			case []any:
				out = append(out, fromList(x, "", nil, known)...)
			case map[string]any:
				out = append(out, fromFieldMap(x, "", nil, known, 0)...)
			case string:
				out = append(out, fromText(x, known)...)
			}
		}
		if len(out) > 0 {
			return out
		}
		// Django REST framework and Rails answer the field map itself;
		// envelope words are no field names.
		top := map[string]any{}
		for k, v := range d {
			if !envelopeWords[strings.ToLower(k)] || known.has(k) {
				top[k] = v
			}
		}
		return fromFieldMap(top, "", nil, known, 0)
	}
	return nil
}

var envelopeWords = map[string]bool{"error": true, "errors": true, "message": true, "messages": true, "detail": true,
	"details": true, "status": true, "code": true, "title": true, "type": true, "description": true, "success": true,
	"ok": true, "timestamp": true, "path": true, "request_id": true, "requestid": true, "trace_id": true, "msg": true,
	"reason": true, "statuscode": true, "status_code": true, "instance": true, "help": true, "documentation": true}

// fromFieldMap reads {"field": "msg" | ["msg", ...] | {nested}}, with
// location keys (json, query, headers) and dotted keys (Flask-RESTX).
// Keys that are neither known nor followed by a recognised message are
// skipped: an error envelope has keys too ("code", "status").
func fromFieldMap(m map[string]any, in string, prefix []string, known Known, depth int) []Problem {
	if depth > maxPathDepth {
		return nil
	}
	var out []Problem
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if loc, ok := locations[strings.ToLower(k)]; ok && len(prefix) == 0 && in == "" {
			if sub, isMap := v.(map[string]any); isMap {
				out = append(out, fromFieldMap(sub, loc, nil, known, depth+1)...)
				continue
			}
		}
		if k == "_schema" || k == "non_field_errors" || k == "__all__" || k == "" {
			// Errors of the whole object: messages that may name a field
			// of it, or say the object itself is wrong (marshmallow's
			// "Invalid input type." for a nested field sent as a string).
			for _, msg := range messages(v) {
				if ps := fromText(msg, known); len(ps) > 0 {
					out = append(out, withPrefix(ps, prefix)...)
				} else if len(prefix) > 0 {
					p := classify(msg)
					p.In, p.Field = in, prefix
					out = append(out, p)
				}
			}
			continue
		}
		path := append(append([]string(nil), prefix...), splitDotted(k)...)
		switch x := v.(type) {
		case map[string]any:
			out = append(out, fromFieldMap(x, in, path, known, depth+1)...)
		case []any:
			if len(x) > 0 {
				if _, isMap := x[0].(map[string]any); isMap {
					// DRF: a list field's errors, one object per item.
					for i, it := range x {
						if sub, ok := it.(map[string]any); ok && len(sub) > 0 {
							out = append(out, fromFieldMap(sub, in, append(append([]string(nil), path...), strconv.Itoa(i)), known, depth+1)...)
						}
					}
					continue
				}
			}
			for _, msg := range messages(x) {
				out = append(out, fieldProblem(in, path, msg, known)...)
			}
		case string:
			out = append(out, fieldProblem(in, path, x, known)...)
		}
	}
	return out
}

// fieldProblem classifies a message filed under a field name; the message
// itself may name a deeper field (jsonschema's "'city' is a required
// property" under "address").
func fieldProblem(in string, path []string, msg string, known Known) []Problem {
	p := classify(msg)
	if p.Kind == Invalid && !known.has(strings.Join(path, ".")) && !known.has(path[len(path)-1]) {
		return nil
	}
	if name, ok := jsonschemaRequired(msg); ok && path[len(path)-1] != name {
		path = append(append([]string(nil), path...), name)
	}
	p.In, p.Field = in, path
	return []Problem{p}
}

var reqProp = lazyre.New(`^'([^']{1,128})' is a required property`)

func jsonschemaRequired(msg string) (string, bool) {
	m := reqProp.FindStringSubmatch(strings.TrimSpace(msg))
	if m == nil {
		return "", false
	}
	return m[1], true
}

func withPrefix(ps []Problem, prefix []string) []Problem {
	for i := range ps {
		ps[i].Field = append(append([]string(nil), prefix...), ps[i].Field...)
	}
	return ps
}

func splitDotted(k string) []string {
	if !strings.Contains(k, ".") {
		return []string{k}
	}
	var out []string
	for _, s := range strings.Split(k, ".") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func messages(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			}
			if len(out) == maxProblems {
				break
			}
		}
		return out
	}
	return nil
}

// fromList reads a list of error objects: pydantic's detail[] (loc, msg,
// type, ctx), Joi's details[] (path, message, type, context.valids),
// express-validator's errors[] (param or path, msg, location), RFC 7807
// invalid-params (name, reason), and lists of plain messages.
func fromList(items []any, in string, prefix []string, known Known) []Problem {
	var out []Problem
	for i, it := range items {
		if i == maxProblems {
			break
		}
		switch x := it.(type) {
		case string:
			out = append(out, fromText(x, known)...)
		case map[string]any:
			if p, ok := fromErrorObject(x, known); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

func fromErrorObject(o map[string]any, known Known) (Problem, bool) {
	msg := firstString(o, "msg", "message", "reason", "detail", "title", "error", "description")
	typ := firstString(o, "type", "code", "rule", "kind", "keyword")
	in, path := locate(o, known)
	if len(path) == 0 {
		// No field in the object: its message may name one.
		if ps := fromText(msg, known); len(ps) > 0 {
			return ps[0], true
		}
		return Problem{}, false
	}
	p := byType(typ, o)
	if p.Kind == Invalid {
		p = classify(msg)
	} else if c := classify(msg); c.Kind == p.Kind {
		// The type names the kind; the message may carry the details
		// (pydantic 1's "permitted: 'a', 'b'" without ctx).
		if len(p.Allowed) == 0 {
			p.Allowed = c.Allowed
		}
		if p.Pattern == "" {
			p.Pattern = c.Pattern
		}
		if !p.HasLimit {
			p.Limit, p.HasLimit, p.Exclusive = c.Limit, c.HasLimit, c.Exclusive
		}
	}
	if p.Kind == Enum && len(p.Allowed) == 0 || p.Kind == Invalid {
		if vals := ctxValues(o); len(vals) > 0 {
			p.Kind, p.Allowed = Enum, vals
		}
	}
	p.In, p.Field = in, path
	return p, true
}

// locate finds where an error object's field is: pydantic's loc
// (["body", "amount", "currency"]), Joi's path, express-validator's param
// or path with location, a JSON pointer, JSON:API's source.pointer.
func locate(o map[string]any, known Known) (string, []string) {
	in := strings.ToLower(firstString(o, "location", "in"))
	if l, ok := locations[in]; ok {
		in = l
	} else {
		in = ""
	}
	var raw []any
	switch v := o["loc"].(type) {
	case []any:
		raw = v
	case string:
		raw = []any{v}
	}
	if raw == nil {
		switch v := o["path"].(type) {
		case []any:
			raw = v
		case string:
			raw = pathOf(v)
		}
	}
	if raw == nil {
		if s := firstString(o, "param", "field", "name", "property", "key", "pointer", "parameter", "attribute"); s != "" {
			raw = pathOf(s)
		}
	}
	if raw == nil {
		if src, ok := o["source"].(map[string]any); ok {
			if s := firstString(src, "pointer", "parameter"); s != "" {
				raw = pathOf(s)
			}
		}
	}
	var path []string
	for i, x := range raw {
		s := fmt.Sprint(x)
		if n, ok := x.(json.Number); ok {
			s = n.String()
		}
		if i == 0 && len(raw) > 1 {
			if l, ok := locations[strings.ToLower(s)]; ok {
				in = l
				continue
			}
		}
		if i == 0 && len(raw) == 1 && in == "" {
			if l, ok := locations[strings.ToLower(s)]; ok && l == "body" {
				return "body", nil // the body as a whole (not JSON at all)
			}
		}
		if i == len(raw)-1 && len(path) == 0 && in == "body" {
			if _, err := strconv.Atoi(s); err == nil {
				return "body", nil // pydantic's ["body", 0]: the body is no JSON at all
			}
		}
		path = append(path, s)
		if len(path) > maxPathDepth {
			return "", nil
		}
	}
	// JSON:API and some wrappers put the body under data/attributes.
	if len(path) > 2 && path[0] == "data" && path[1] == "attributes" {
		path = path[2:]
	}
	if in == "" {
		if len(path) == 1 {
			if pin, ok := known.param(path[0]); ok && !known.Body[path[0]] {
				in = pin
			}
		}
	}
	return in, path
}

// pathOf splits "a.b[0].c", "/a/b/0/c" and "a -> b" into segments.
func pathOf(s string) []any {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "/") {
		s = strings.ReplaceAll(strings.TrimPrefix(s, "/"), "/", ".")
	}
	s = strings.ReplaceAll(s, " -> ", ".")
	s = strings.NewReplacer("[", ".", "]", "").Replace(s)
	var out []any
	for _, p := range strings.Split(s, ".") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func firstString(o map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := o[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// ctxValues reads the allowed values pydantic 1 (ctx.enum_values,
// ctx.permitted), pydantic 2 (ctx.expected) and Joi (context.valids) give.
func ctxValues(o map[string]any) []string {
	for _, ck := range []string{"ctx", "context"} {
		c, ok := o[ck].(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"enum_values", "permitted", "valids", "allowed_values", "choices"} {
			if vs, ok := c[k].([]any); ok {
				var out []string
				for _, v := range vs {
					s := fmt.Sprint(v)
					if n, ok := v.(json.Number); ok {
						s = n.String()
					}
					if len(s) <= maxAllowedLen {
						out = append(out, s)
					}
					if len(out) == maxAllowed {
						break
					}
				}
				return out
			}
		}
		if s, ok := c["expected"].(string); ok {
			return splitList(s)
		}
	}
	return nil
}

// byType reads pydantic's error types (1: value_error.missing,
// type_error.enum; 2: missing, enum, int_parsing), Joi's (any.required,
// any.only) and a few common codes.
func byType(typ string, o map[string]any) Problem {
	t := strings.ToLower(typ)
	var p Problem
	limit := func(keys ...string) {
		c, _ := o["ctx"].(map[string]any)
		if c == nil {
			c, _ = o["context"].(map[string]any)
		}
		for _, k := range keys {
			switch v := c[k].(type) {
			case json.Number:
				if f, err := v.Float64(); err == nil {
					p.Limit, p.HasLimit = f, true
					return
				}
			case float64:
				p.Limit, p.HasLimit = v, true
				return
			case string:
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					p.Limit, p.HasLimit = f, true
					return
				}
			}
		}
	}
	switch {
	case t == "":
		p.Kind = Invalid
	case t == "value_error.missing" || t == "missing" || t == "any.required" || t == "required" ||
		t == "type_error.none.not_allowed" || t == "none_required" || t == "null" || t == "blank":
		p.Kind = Missing
	case t == "type_error.enum" || t == "enum" || t == "literal_error" || t == "any.only" || t == "invalid_choice" ||
		t == "value_error.const":
		p.Kind = Enum
	case t == "value_error.extra" || t == "extra_forbidden" || t == "object.unknown" || t == "additionalproperties":
		p.Kind = Unknown
	case t == "value_error.str.regex" || t == "string_pattern_mismatch" || t == "string.pattern.base" || t == "pattern":
		p.Kind = Pattern
		if c, ok := o["ctx"].(map[string]any); ok {
			p.Pattern, _ = c["pattern"].(string)
		}
	case strings.HasSuffix(t, "min_length") || strings.HasSuffix(t, "min_items") || t == "string_too_short" ||
		t == "too_short" || t == "string.min" || t == "array.min" || t == "string.empty" || t == "minlength" || t == "minitems":
		p.Kind = TooShort
		limit("limit_value", "min_length", "limit")
	case strings.HasSuffix(t, "max_length") || strings.HasSuffix(t, "max_items") || t == "string_too_long" ||
		t == "too_long" || t == "string.max" || t == "array.max" || t == "maxlength" || t == "maxitems":
		p.Kind = TooLong
		limit("limit_value", "max_length", "limit")
	case t == "value_error.number.not_ge" || t == "greater_than_equal" || t == "number.min" || t == "minimum":
		p.Kind = TooSmall
		limit("limit_value", "ge", "limit")
	case t == "value_error.number.not_gt" || t == "greater_than" || t == "number.greater" || t == "exclusiveminimum":
		p.Kind, p.Exclusive = TooSmall, true
		limit("limit_value", "gt", "limit")
	case t == "value_error.number.not_le" || t == "less_than_equal" || t == "number.max" || t == "maximum":
		p.Kind = TooLarge
		limit("limit_value", "le", "limit")
	case t == "value_error.number.not_lt" || t == "less_than" || t == "number.less" || t == "exclusivemaximum":
		p.Kind, p.Exclusive = TooLarge, true
		limit("limit_value", "lt", "limit")
	case t == "value_error.email" || t == "string.email":
		p.Kind, p.Want = Format, "email"
	case t == "type_error.uuid" || t == "uuid_parsing" || t == "uuid_type" || t == "string.guid":
		p.Kind, p.Want = Format, "uuid"
	case strings.HasPrefix(t, "value_error.url") || t == "url_parsing" || t == "url_scheme" || t == "string.uri":
		p.Kind, p.Want = Format, "uri"
	case strings.Contains(t, "datetime"):
		p.Kind, p.Want = Format, "date-time"
	case strings.Contains(t, "date"):
		p.Kind, p.Want = Format, "date"
	case strings.Contains(t, "ipv4"):
		p.Kind, p.Want = Format, "ipv4"
	default:
		for _, tw := range []struct{ sub, typ string }{{"int", "integer"}, {"float", "number"}, {"decimal", "number"},
			{"number", "number"}, {"bool", "boolean"}, {"str", "string"}, {"list", "array"}, {"array", "array"},
			{"dict", "object"}, {"object", "object"}, {"model", "object"}} {
			if strings.Contains(t, tw.sub) && (strings.Contains(t, "type") || strings.Contains(t, "parsing") || strings.Contains(t, "base")) {
				p.Kind, p.Want = Type, tw.typ
				return p
			}
		}
		p.Kind = Invalid
	}
	return p
}
