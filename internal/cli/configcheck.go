package cli

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkNode checks a YAML node against the Go type it will be decoded
// into, so that a config error names the key and its line in the user's
// terms ("want an integer, got a string") instead of yaml's Go types
// ("cannot unmarshal !!str into int"), and never quotes the file.
func checkNode(key string, n *yaml.Node, t reflect.Type) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if t.Kind() == reflect.Pointer {
		if isNull(n) {
			return nil
		}
		t = t.Elem()
	}
	bad := func(want string) error { return checkNodeErr(key, n, want) }
	if t == reflect.TypeFor[stringList]() {
		switch {
		case isNull(n):
			return nil
		case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
			return nil
		case n.Kind == yaml.SequenceNode:
			for i, item := range n.Content {
				if item.Kind != yaml.ScalarNode || isNull(item) || item.Tag == "!!bool" {
					return checkNodeErr(fmt.Sprintf("%s[%d]", key, i), item, "a string")
				}
			}
			return nil
		}
		return bad("a list of strings or a comma-separated string")
	}
	switch t.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return bad("a string")
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			return bad("true or false")
		}
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			return bad("an integer")
		}
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			return bad("a number")
		}
	case reflect.Interface:
		return nil
	case reflect.Slice:
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return bad("a list")
		}
		for i, item := range n.Content {
			if err := checkNode(fmt.Sprintf("%s[%d]", key, i), item, t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Map:
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return bad("a mapping")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return checkNodeErr(key, k, "a name")
			}
			if err := checkNode(key+"."+k.Value, n.Content[i+1], t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return bad("a mapping")
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			name := k.Value
			path := name
			if key != "" {
				path = key + "." + name
			}
			f, ok := fields[name]
			if !ok || k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: unknown key %s%s", k.Line, keyName(path), suggestKey(name, fields))
			}
			if err := checkNode(path, n.Content[i+1], f); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkNodeErr(key string, n *yaml.Node, want string) error {
	if key == "" {
		key = "the file"
	}
	return fmt.Errorf("line %d: %s: want %s, got %s", n.Line, key, want, nodeKind(n))
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// nodeKind names what a node holds, never its text.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.Tag {
	case "!!bool":
		return "true or false"
	case "!!int", "!!float":
		return "a number"
	case "!!null":
		return "nothing"
	case "!!timestamp":
		return "a date"
	}
	return "a string"
}

// yamlFields maps a struct's YAML keys to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out[name] = f.Type
		}
	}
	return out
}

// suggestKey names the closest known key, or lists them when none is close.
func suggestKey(name string, fields map[string]reflect.Type) string {
	known := slices.Sorted(maps.Keys(fields))
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return " (known keys: " + strings.Join(known, ", ") + ")"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_.\[\]-]{1,80}$`)

// keyName quotes a key the file gave, unless it is not a plain name: an
// error message never carries arbitrary file content.
func keyName(k string) string {
	if plainKey.MatchString(k) {
		return strconv.Quote(k)
	}
	return "(not a plain name)"
}
