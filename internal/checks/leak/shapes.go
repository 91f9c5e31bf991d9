package leak

import (
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart"
)

// Handlers crash on a value of an unexpected shape far more often than on
// a quote: a lookup keyed by case (`ISBN.isupper()`, `CODES[v.lower()]`),
// int() of a word or a fraction, an integer too large for the database's
// 64 bits, an empty value, a file name longer than NAME_MAX, bytes that are
// not UTF-8. The shapes below are those, chosen by the parameter's declared
// type and format and by the value it normally takes; none is an attack, so
// each answer is read with the same oracle as the quotes.

// maxShapes bounds the shape probes of one parameter; maxShapeRequests
// those of one read operation (the quote probes aside).
const (
	maxShapes        = 5
	maxShapeRequests = 20
)

// overlong is longer than a file name may be (NAME_MAX is 255 on Linux)
// and than the VARCHAR(255) columns ORMs default to, and well under the 8
// KiB request lines servers accept.
const overlong = 1024

// shape is a value of an unexpected shape and how a finding names it.
type shape struct {
	value string
	desc  string
}

// quoted names a value by itself, as the quote probes' findings do.
func quoted(v string) shape { return shape{v, fmt.Sprintf("%q", v)} }

// paramShapes returns at most maxShapes values of an unexpected shape for a
// path or query parameter whose usual value is plain. An empty value is
// sent only in a query: in a path it would name another route.
func paramShapes(prm rampart.Param, plain any) []shape {
	var out []shape
	empty := prm.In == "query"
	switch typ := paramType(prm, plain); typ {
	case "integer", "number":
		out = append(out, shape{"rampart", `a word where a number is expected ("rampart")`})
		if typ == "integer" {
			out = append(out, shape{"1.5", `a fraction where an integer is expected ("1.5")`})
		}
		out = append(out,
			shape{"-1", `a negative number ("-1")`},
			shape{"99999999999999999999", `an integer too large for 64 bits ("99999999999999999999")`})
	case "boolean":
		out = append(out, shape{"rampart", `a word where true or false is expected ("rampart")`})
	default:
		v := fmt.Sprint(plain)
		switch format(prm) {
		case "uuid":
			out = append(out, shape{"rampart", `a value that is not a UUID ("rampart")`})
		case "date", "date-time":
			out = append(out, shape{"2023-02-30", `an impossible date ("2023-02-30")`})
		}
		out = append(out, caseShape(v))
		if empty {
			// Before the rarer shapes, so that the cap keeps it.
			out, empty = append(out, shape{"", "an empty value"}), false
		}
		out = append(out,
			shape{v + "\xc0", fmt.Sprintf("%q followed by a byte that is not UTF-8 (%%C0)", v)},
			shape{v + "ü", fmt.Sprintf("%q followed by a non-ASCII letter (%q)", v, v+"ü")},
			shape{strings.Repeat("a", overlong), fmt.Sprintf("an overlong value (%d characters)", overlong)})
	}
	if empty {
		out = append(out, shape{"", "an empty value"})
	}
	if len(out) > maxShapes {
		out = out[:maxShapes]
	}
	return out
}

// caseShape is the value in capital letters when it has small ones, in
// small letters when it is all capitals, and otherwise (digits, dashes: an
// ISBN) an unknown word in capitals, since code that branches on
// str.isupper() needs a cased letter to take the branch.
func caseShape(v string) shape {
	upper, lower := strings.ToUpper(v), strings.ToLower(v)
	switch {
	case upper != v:
		return shape{upper, fmt.Sprintf("its value in capital letters (%q)", upper)}
	case lower != v:
		return shape{lower, fmt.Sprintf("its value in small letters (%q)", lower)}
	}
	return shape{"RAMPART", `an unknown value in capital letters ("RAMPART")`}
}

// paramType is the parameter's declared type, or the type of the value it
// normally takes when the spec declares none.
func paramType(prm rampart.Param, plain any) string {
	if prm.Schema != nil && prm.Schema.Type != "" {
		return prm.Schema.Type
	}
	switch plain.(type) {
	case int, int64, int32, uint, uint64:
		return "integer"
	case float64, float32:
		return "number"
	case bool:
		return "boolean"
	}
	return "string"
}

func format(prm rampart.Param) string {
	if prm.Schema == nil {
		return ""
	}
	return prm.Schema.Format
}

// bodyShapes returns the JSON values of an unexpected shape for a body
// field whose accepted value is v: null (a NOT NULL column's constraint
// error, `None.lower()`), then the other JSON kind a handler does not
// expect there (a list for text; text for a number, a boolean, an object
// or a list).
func bodyShapes(v any) []bodyShape {
	null := bodyShape{nil, "null"}
	switch x := v.(type) {
	case nil:
		return []bodyShape{{"rampart", `text where null was accepted ("rampart")`}}
	case string:
		return []bodyShape{null, {[]any{x}, fmt.Sprintf("a list where text is expected ([%q])", x)}}
	}
	return []bodyShape{null, {"rampart", fmt.Sprintf(`text where %s is expected ("rampart")`, jsonKind(v))}}
}

// bodyShape is a JSON value of an unexpected shape for a body field.
type bodyShape struct {
	value any
	desc  string
}

func jsonKind(v any) string {
	switch v.(type) {
	case bool:
		return "true or false"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return "a number"
}
