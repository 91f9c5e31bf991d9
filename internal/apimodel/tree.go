package apimodel

import (
	"encoding/json"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Answers are hostile input and the model reads every one a scan gets, so
// a body is read into a bounded tree: at most maxParse bytes, maxDepth
// levels, maxKeys keys per object, maxItems items per array and maxNodes
// values in all. What lies beyond is skipped, not kept; a body cut short
// (by the engine's --max-body, or by maxParse) gives what came before the
// cut. The reader is a plain scan of the bytes: it allocates only for what
// it keeps, which matters because every answer of a scan goes through it.
const (
	maxParse  = 256 << 10
	maxDepth  = 12
	maxKeys   = 128
	maxItems  = 64
	maxNodes  = 8192
	maxString = 4096 // longer strings are left out (a value key is shorter)
	maxKeyLen = 128
)

// decode reads a JSON document into maps, slices, json.Number, string and
// bool values (nulls are left out). ok is false when the body does not
// start like a JSON object or array.
func decode(body []byte) (doc any, ok bool) {
	if len(body) > maxParse {
		body = body[:maxParse]
	}
	p := &parser{b: body}
	p.space()
	if p.i >= len(p.b) || (p.b[p.i] != '{' && p.b[p.i] != '[') {
		return nil, false
	}
	v, _ := p.value(0, true)
	return v, v != nil
}

type parser struct {
	b     []byte
	i     int
	nodes int
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

// value reads one value; keep false reads past it and returns nil. ok is
// false when the body ends or breaks inside it: what was read is returned
// and the caller stops too.
func (p *parser) value(depth int, keep bool) (any, bool) {
	p.space()
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		if !keep || depth >= maxDepth {
			return nil, p.skip()
		}
		if c == '{' {
			return p.object(depth)
		}
		return p.array(depth)
	case c == '"':
		s, ok := p.str(keep)
		if !ok || !keep || len(s) > maxString {
			return nil, ok
		}
		return s, true
	case c == 't':
		return p.literal("true", true, keep)
	case c == 'f':
		return p.literal("false", false, keep)
	case c == 'n':
		_, ok := p.literal("null", nil, false)
		return nil, ok
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.b) && strings.IndexByte("0123456789+-.eE", p.b[p.i]) >= 0 {
			p.i++
		}
		if p.i >= len(p.b) {
			return nil, false // a number cut short is no number
		}
		if !number(p.b[start:p.i]) {
			return nil, false
		}
		n := json.Number(p.b[start:p.i])
		if !keep {
			return nil, true
		}
		return n, true
	}
	return nil, false
}

// number says whether b is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func number(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

func (p *parser) literal(word string, v any, keep bool) (any, bool) {
	if !strings.HasPrefix(string(p.b[p.i:min(p.i+len(word), len(p.b))]), word) || p.i+len(word) > len(p.b) {
		return nil, false
	}
	p.i += len(word)
	if !keep {
		return nil, true
	}
	return v, true
}

func (p *parser) object(depth int) (any, bool) {
	m := map[string]any{}
	p.i++ // {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return m, false
		}
		k, ok := p.str(true)
		if !ok {
			return m, false
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return m, false
		}
		p.i++
		_, dup := m[k]
		keep := (dup || len(m) < maxKeys) && p.nodes < maxNodes && len(k) <= maxKeyLen
		v, ok := p.value(depth+1, keep)
		if keep && v != nil {
			if !dup {
				p.nodes++
			}
			m[k] = v
		}
		if !ok {
			return m, false
		}
		p.space()
		if p.i >= len(p.b) {
			return m, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, true
		default:
			return m, false
		}
	}
}

func (p *parser) array(depth int) (any, bool) {
	a := []any{}
	p.i++ // [
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		keep := len(a) < maxItems && p.nodes < maxNodes
		v, ok := p.value(depth+1, keep)
		if keep && v != nil {
			a = append(a, v)
			p.nodes++
		}
		if !ok {
			return a, false
		}
		p.space()
		if p.i >= len(p.b) {
			return a, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, true
		default:
			return a, false
		}
	}
}

// skip reads past a container without recursion (hostile nesting costs no
// stack) and without looking at what it holds beyond its strings.
func (p *parser) skip() bool {
	level := 0
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '{', '[':
			level++
		case '}', ']':
			level--
			if level == 0 {
				p.i++
				return true
			}
		case '"':
			if _, ok := p.str(false); !ok {
				return false
			}
			continue
		}
		p.i++
	}
	return false
}

// str reads a string at p.i (its opening quote); keep false reads past it.
func (p *parser) str(keep bool) (string, bool) {
	p.i++ // "
	start := p.i
	escaped := false
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			raw := p.b[start:p.i]
			p.i++
			if !keep {
				return "", true
			}
			if !escaped {
				if utf8.Valid(raw) {
					return string(raw), true
				}
				return unescape(raw), true // each invalid byte becomes U+FFFD, as in encoding/json
			}
			return unescape(raw), true
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", false // a control character: not JSON
		default:
			p.i++
		}
	}
	return "", false
}

// unescape decodes a JSON string's escapes (the quotes already off);
// broken escapes and lone surrogates become U+FFFD, as encoding/json does.
func unescape(raw []byte) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			r, n := utf8.DecodeRune(raw[i:])
			b.WriteRune(r)
			i += n
			continue
		}
		switch e := raw[i+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := hex4(raw[i+2:])
			i += n
			if utf16.IsSurrogate(r) {
				if len(raw) >= i+2+6 && raw[i+2] == '\\' && raw[i+3] == 'u' {
					if r2, n2 := hex4(raw[i+4:]); n2 == 4 {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b.WriteRune(d)
							i += 2 + 4 + 2
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			b.WriteRune(utf8.RuneError)
		}
		i += 2
	}
	return b.String()
}

// hex4 reads four hex digits; n is how many bytes it used (0 when broken).
func hex4(b []byte) (rune, int) {
	if len(b) < 4 {
		return utf8.RuneError, 0
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return utf8.RuneError, 0
		}
	}
	return r, 4
}
