package surface

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Bounds of the JS-object-literal reader: a docs page's init script is a
// few kilobytes, an inline spec a few megabytes at most.
const (
	maxJSInput = 4 << 20
	maxJSDepth = 64
	maxJSNodes = 200000
)

var errJSLiteral = errors.New("not a JavaScript object literal")

// readJSObject reads the JavaScript object literal at the start of src (a
// Swagger UI config, an inline spec) as a JSON value: quoted or bare keys,
// single, double or back-quoted strings, trailing commas and comments.
// Nothing is executed: a value that is not a literal (a variable, a call,
// a function) reads as null, except an expression like
// `window.location.origin + "/openapi.json"`, which reads as its last
// string literal that is a path. It returns the value and how many bytes
// it read.
func readJSObject(src string) (any, int, error) {
	if len(src) > maxJSInput {
		src = src[:maxJSInput]
	}
	r := &jsReader{s: src}
	r.space()
	if r.i >= len(r.s) || r.s[r.i] != '{' {
		return nil, 0, errJSLiteral
	}
	v, err := r.value(0)
	if err != nil {
		return nil, r.i, err
	}
	return v, r.i, nil
}

type jsReader struct {
	s     string
	i     int
	nodes int
}

func (r *jsReader) fail() error {
	return errors.Join(errJSLiteral, errors.New("at offset "+strconv.Itoa(r.i)))
}

// space skips white space and comments.
func (r *jsReader) space() {
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			r.i++
		case strings.HasPrefix(r.s[r.i:], "//"):
			if j := strings.IndexByte(r.s[r.i:], '\n'); j >= 0 {
				r.i += j + 1
			} else {
				r.i = len(r.s)
			}
		case strings.HasPrefix(r.s[r.i:], "/*"):
			if j := strings.Index(r.s[r.i+2:], "*/"); j >= 0 {
				r.i += j + 4
			} else {
				r.i = len(r.s)
			}
		default:
			return
		}
	}
}

func (r *jsReader) value(depth int) (any, error) {
	r.nodes++
	if depth > maxJSDepth || r.nodes > maxJSNodes {
		return nil, r.fail()
	}
	r.space()
	if r.i >= len(r.s) {
		return nil, r.fail()
	}
	switch c := r.s[r.i]; {
	case c == '{':
		return r.object(depth)
	case c == '[':
		return r.array(depth)
	case c == '"' || c == '\'' || c == '`':
		start := r.i
		s, err := r.str()
		if err != nil {
			return nil, err
		}
		r.space()
		if r.i < len(r.s) && r.s[r.i] == '+' {
			r.i = start
			return r.expression()
		}
		return s, nil
	case c == '-' || c == '.' || (c >= '0' && c <= '9'):
		j := r.i
		for j < len(r.s) && strings.IndexByte("+-.0123456789eExXabcdefABCDEF_", r.s[j]) >= 0 {
			j++
		}
		lit := r.s[r.i:j]
		if f, err := strconv.ParseFloat(lit, 64); err == nil {
			r.i = j
			if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
				return json.Number(strconv.FormatInt(n, 10)), nil
			}
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
		}
		return r.expression()
	}
	word := r.ident()
	r.space()
	if r.i >= len(r.s) || strings.IndexByte(",}]", r.s[r.i]) >= 0 {
		switch word {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null", "undefined", "":
			if word == "" {
				return nil, r.fail()
			}
			return nil, nil
		}
		return nil, nil // a variable: not ours to evaluate
	}
	return r.expression()
}

func (r *jsReader) ident() string {
	j := r.i
	for j < len(r.s) {
		c := r.s[j]
		if c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			j++
			continue
		}
		break
	}
	w := r.s[r.i:j]
	r.i = j
	return w
}

// expression skips whatever is not a literal, up to the comma or bracket
// that ends it, and keeps its last string literal that looks like a path.
func (r *jsReader) expression() (any, error) {
	var found any
	depth := 0
	for r.i < len(r.s) {
		r.nodes++
		if r.nodes > maxJSNodes {
			return nil, r.fail()
		}
		c := r.s[r.i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			s, err := r.str()
			if err != nil {
				return nil, err
			}
			if depth == 0 && strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
				found = s
			}
			continue
		case strings.HasPrefix(r.s[r.i:], "//") || strings.HasPrefix(r.s[r.i:], "/*"):
			r.space()
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
			if depth > maxJSDepth {
				return nil, r.fail()
			}
		case c == ')' || c == ']' || c == '}':
			if depth == 0 {
				return found, nil
			}
			depth--
		case c == ',' && depth == 0:
			return found, nil
		}
		r.i++
	}
	return nil, r.fail()
}

func (r *jsReader) str() (string, error) {
	q := r.s[r.i]
	r.i++
	var b strings.Builder
	for r.i < len(r.s) {
		c := r.s[r.i]
		switch {
		case c == q:
			r.i++
			return b.String(), nil
		case c == '\\' && r.i+1 < len(r.s):
			r.i++
			e := r.s[r.i]
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b', 'f', 'v', '0':
			case 'u':
				if r.i+4 < len(r.s) {
					if n, err := strconv.ParseUint(r.s[r.i+1:r.i+5], 16, 32); err == nil {
						b.WriteRune(rune(n))
						r.i += 4
					}
				}
			case 'x':
				if r.i+2 < len(r.s) {
					if n, err := strconv.ParseUint(r.s[r.i+1:r.i+3], 16, 8); err == nil {
						b.WriteRune(rune(n))
						r.i += 2
					}
				}
			case '\n':
			default:
				b.WriteByte(e)
			}
			r.i++
		case q == '`' && strings.HasPrefix(r.s[r.i:], "${"):
			return "", r.fail() // a template with substitutions is code
		case c == '\n' && q != '`':
			return "", r.fail()
		default:
			b.WriteByte(c)
			r.i++
		}
	}
	return "", r.fail()
}

func (r *jsReader) object(depth int) (any, error) {
	r.i++ // {
	out := map[string]any{}
	for {
		r.space()
		if r.i >= len(r.s) {
			return nil, r.fail()
		}
		if r.s[r.i] == '}' {
			r.i++
			return out, nil
		}
		var key string
		switch c := r.s[r.i]; {
		case c == '"' || c == '\'' || c == '`':
			k, err := r.str()
			if err != nil {
				return nil, err
			}
			key = k
		case c == '[' || c == '.':
			return nil, r.fail() // computed keys and spreads are code
		default:
			key = r.ident()
			if key == "" {
				j := r.i
				for j < len(r.s) && r.s[j] >= '0' && r.s[j] <= '9' {
					j++
				}
				key, r.i = r.s[r.i:j], j
			}
			if key == "" {
				return nil, r.fail()
			}
		}
		r.space()
		if r.i >= len(r.s) {
			return nil, r.fail()
		}
		var v any
		switch r.s[r.i] {
		case ':':
			r.i++
			val, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v = val
		case '(':
			// A method: onComplete() { ... }.
			if _, err := r.expression(); err != nil {
				return nil, err
			}
		case ',', '}':
			// Shorthand {url}: a variable.
		default:
			return nil, r.fail()
		}
		out[key] = v
		r.space()
		if r.i < len(r.s) && r.s[r.i] == ',' {
			r.i++
		}
	}
}

func (r *jsReader) array(depth int) (any, error) {
	r.i++ // [
	out := []any{}
	for {
		r.space()
		if r.i >= len(r.s) {
			return nil, r.fail()
		}
		if r.s[r.i] == ']' {
			r.i++
			return out, nil
		}
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		r.space()
		if r.i < len(r.s) && r.s[r.i] == ',' {
			r.i++
		} else if r.i < len(r.s) && r.s[r.i] != ']' {
			return nil, r.fail()
		}
	}
}
