package surface

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// jsonTree builds the node tree of a JSON document with a streaming JSON
// decoder. The YAML parser reads JSON as one flow collection and keeps every
// token of an open flow collection queued until it closes: a minified
// 9 MB document of 20,000 operations took 2 GB and 6 s to parse, where this
// takes a fraction of both. The tree is the one the YAML parser would
// build (document order, lines and columns, tags), except that collections
// are in block style, so that re-encoding it (kinLoad) gives YAML that
// parses in linear memory. A key repeated in one object keeps its last
// value, as encoding/json does.
func jsonTree(data []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := &posTracker{data: data, line: 1}
	n, err := p.value(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON: data after the top-level value")
	}
	return n, nil
}

// maxJSONDepth matches encoding/json's own nesting limit.
const maxJSONDepth = 10000

// posTracker turns decoder offsets into lines and columns, moving forward
// only, so the whole document costs one pass.
type posTracker struct {
	data []byte
	off  int // bytes already counted
	line int
	col  int // characters (not bytes, as in the YAML parser) before off on its line
}

// at returns the line and column of the token that starts at or after off,
// skipping whitespace and the separators the decoder consumes itself.
func (p *posTracker) at(off int64) (int, int) {
	i := int(off)
	for i < len(p.data) {
		switch p.data[i] {
		case ' ', '\t', '\r', '\n', ':', ',':
			i++
			continue
		}
		break
	}
	for ; p.off < i; p.off++ {
		switch c := p.data[p.off]; {
		case c == '\n', c == '\r' && (p.off+1 == len(p.data) || p.data[p.off+1] != '\n'):
			// a line break, as the YAML parser counts them: a lone CR is one
			// (a file with classic Mac line endings), CR LF one in all
			p.line, p.col = p.line+1, 0
		case c&0xc0 != 0x80: // not a UTF-8 continuation byte
			p.col++
		}
	}
	return p.line, p.col + 1
}

func (p *posTracker) value(dec *json.Decoder, depth int) (*yaml.Node, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("invalid JSON: nested too deeply")
	}
	line, col := p.at(dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Line: line, Column: col}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			index := map[string]int{}
			for dec.More() {
				kl, kc := p.at(dec.InputOffset())
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("invalid JSON: object key %v is not a string", kt)
				}
				v, err := p.value(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if i, dup := index[key]; dup {
					n.Content[i+1] = v
					continue
				}
				index[key] = len(n.Content)
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Style: yaml.DoubleQuotedStyle, Line: kl, Column: kc}, v)
			}
		case '[':
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for dec.More() {
				v, err := p.value(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
		default:
			return nil, fmt.Errorf("invalid JSON: unexpected %q", string(t))
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value, n.Style = yaml.ScalarNode, "!!str", t, yaml.DoubleQuotedStyle
	case json.Number:
		n.Kind, n.Value = yaml.ScalarNode, t.String()
		n.Tag = numberTag(n.Value)
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", fmt.Sprint(t)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}

// numberTag is the tag the YAML parser gives a JSON number written as a
// plain scalar: an integer when it fits 64 bits, a float otherwise (-0
// included), and a string when it is out of a float's range.
func numberTag(v string) string {
	if v == "-0" {
		return "!!float"
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(v, 10, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return "!!float"
	}
	return "!!str"
}

// blockYAML writes a tree built by jsonTree as block-style YAML, for
// kin-openapi, which parses every document as YAML first. yaml.Marshal would
// do, but its emitter keeps every event of a document queued until the
// document ends (400 MB for a 1.3 MB specification); this writes as it
// walks. It reports false for a node jsonTree does not make, and for a tree
// nested deeper than maxBlockDepth.
func blockYAML(n *yaml.Node) ([]byte, bool) {
	var b bytes.Buffer
	b.Grow(1 << 16)
	if !writeBlock(&b, n, 0) {
		return nil, false
	}
	return b.Bytes(), true
}

// maxBlockDepth bounds the nesting blockYAML writes: indentation makes
// block YAML grow with the square of the depth, and no real document nests
// this deep.
const maxBlockDepth = 100

func writeBlock(b *bytes.Buffer, n *yaml.Node, indent int) bool {
	if indent > 2*maxBlockDepth {
		return false
	}
	pad := strings.Repeat(" ", indent)
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			b.WriteString(pad + "{}\n")
			return true
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return false
			}
			key := quoteYAML(k.Value)
			if len(key) > 1000 {
				// An implicit key is at most 1024 characters long.
				b.WriteString(pad + "? " + key + "\n" + pad + ":")
			} else {
				b.WriteString(pad + key + ":")
			}
			if !writeValue(b, v, indent) {
				return false
			}
		}
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			b.WriteString(pad + "[]\n")
			return true
		}
		for _, v := range n.Content {
			b.WriteString(pad + "-")
			if !writeValue(b, v, indent) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

// writeValue writes what follows "key:" or "-": a scalar or an empty
// collection on the same line, anything else on the next lines.
func writeValue(b *bytes.Buffer, v *yaml.Node, indent int) bool {
	if v.Anchor != "" || v.Alias != nil {
		return false
	}
	switch {
	case v.Kind == yaml.ScalarNode:
		b.WriteByte(' ')
		if !writeScalar(b, v) {
			return false
		}
		b.WriteByte('\n')
		return true
	case (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) && len(v.Content) == 0:
		if v.Kind == yaml.MappingNode {
			b.WriteString(" {}\n")
		} else {
			b.WriteString(" []\n")
		}
		return true
	}
	b.WriteByte('\n')
	return writeBlock(b, v, indent+2)
}

func writeScalar(b *bytes.Buffer, v *yaml.Node) bool {
	switch v.Tag {
	case "!!str":
		b.WriteString(quoteYAML(v.Value))
	case "!!int", "!!float", "!!bool", "!!null":
		b.WriteString(v.Value)
	default:
		return false
	}
	return true
}

// quoteYAML writes a string as a YAML double-quoted scalar. Characters YAML
// does not allow raw in a stream, and those it reads as line breaks, are
// escaped.
func quoteYAML(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xd7ff && r != 0x2028 && r != 0x2029, r >= 0xe000 && r <= 0xfffd && r != 0xfeff, r >= 0x10000 && r <= 0x10ffff:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
