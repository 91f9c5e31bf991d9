package accept

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
)

// Field paths inside a decoded body: object keys, and array indexes in
// decimal.

// SchemaAt is the schema of the body field at path (object keys, array
// indexes in decimal), or nil.
func SchemaAt(s *rampart.Schema, path []string) *rampart.Schema { return schemaAt(s, path) }

// Leaves calls fn for every scalar of a decoded JSON body, in key order,
// with its path (arrays: their first items).
func Leaves(doc any, fn func(path []string, v any)) { leaves(doc, nil, 0, fn) }

// ValueAt is the value at path (object keys, array indexes in decimal) in a
// decoded JSON body: what a check that edits a learned request reads back.
func ValueAt(doc any, path []string) (any, bool) { return getAt(doc, path) }

func getAt(doc any, path []string) (any, bool) {
	cur := doc
	for _, k := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[k]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// setAt sets the value at path, creating objects (and arrays for decimal
// keys) on the way; it returns the new document.
func setAt(doc any, path []string, v any) any {
	if len(path) == 0 {
		return v
	}
	k := path[0]
	if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < maxArrayFill {
		arr, _ := doc.([]any)
		for len(arr) <= i {
			arr = append(arr, nil)
		}
		arr[i] = setAt(arr[i], path[1:], v)
		return arr
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		obj = map[string]any{}
	}
	obj[k] = setAt(obj[k], path[1:], v)
	return obj
}

// maxArrayFill bounds the array a decimal key in a hostile answer can make
// us build.
const maxArrayFill = 16

func deleteAt(doc any, path []string) {
	if len(path) == 0 {
		return
	}
	parent, ok := getAt(doc, path[:len(path)-1])
	if !ok {
		return
	}
	if m, ok := parent.(map[string]any); ok {
		delete(m, path[len(path)-1])
	}
}

// schemaAt is the schema of the field at path, or nil.
func schemaAt(s *rampart.Schema, path []string) *rampart.Schema {
	for _, k := range path {
		if s == nil {
			return nil
		}
		if _, err := strconv.Atoi(k); err == nil && s.Items != nil {
			s = s.Items
			continue
		}
		s = s.Properties[k]
	}
	return s
}

// leaves calls fn for every scalar in a document, in key order, with its
// path (arrays: every item, to a small bound).
func leaves(doc any, path []string, depth int, fn func(path []string, v any)) {
	if depth > maxPathDepth {
		return
	}
	switch x := doc.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			leaves(x[k], append(slices.Clip(path), k), depth+1, fn)
		}
	case []any:
		for i, it := range x {
			if i == maxArrayFill {
				break
			}
			leaves(it, append(slices.Clip(path), strconv.Itoa(i)), depth+1, fn)
		}
	default:
		if len(path) > 0 {
			fn(path, x)
		}
	}
}

func dotted(path []string) string { return strings.Join(path, ".") }

func undotted(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ".")
}
