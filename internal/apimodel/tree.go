package apimodel

import (
	"bytes"
	"encoding/json"
	"io"
)

// Answers are hostile input and the model reads every one a scan gets, so
// a body is read into a bounded tree: at most maxParse bytes, maxDepth
// levels, maxKeys keys per object, maxItems items per array and maxNodes
// values in all. What lies beyond is skipped, not kept; a body cut short
// (by the engine's --max-body, or by maxParse) gives what came before the
// cut.
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
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return nil, false
	}
	if len(b) > maxParse {
		b = b[:maxParse]
	}
	p := &parser{dec: json.NewDecoder(bytes.NewReader(b))}
	p.dec.UseNumber()
	v, _ := p.value(0, true)
	return v, v != nil
}

type parser struct {
	dec   *json.Decoder
	nodes int
}

// value reads one value. keep false reads and drops it. The error is the
// decoder's (a cut or broken body): what was read is returned with it.
func (p *parser) value(depth int, keep bool) (any, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if !keep || depth >= maxDepth {
			return nil, p.skip()
		}
		if t == '{' {
			return p.object(depth)
		}
		return p.array(depth)
	case string:
		if keep && len(t) <= maxString {
			return t, nil
		}
	case json.Number, bool:
		if keep {
			return t, nil
		}
	}
	return nil, nil
}

func (p *parser) object(depth int) (any, error) {
	m := map[string]any{}
	for p.dec.More() {
		kt, err := p.dec.Token()
		if err != nil {
			return m, err
		}
		k, _ := kt.(string)
		keep := len(m) < maxKeys && p.nodes < maxNodes && len(k) <= maxKeyLen
		v, err := p.value(depth+1, keep)
		if keep && v != nil {
			m[k] = v
			p.nodes++
		}
		if err != nil {
			return m, err
		}
	}
	_, err := p.dec.Token()
	return m, err
}

func (p *parser) array(depth int) (any, error) {
	a := []any{}
	for p.dec.More() {
		keep := len(a) < maxItems && p.nodes < maxNodes
		v, err := p.value(depth+1, keep)
		if keep && v != nil {
			a = append(a, v)
			p.nodes++
		}
		if err != nil {
			return a, err
		}
	}
	_, err := p.dec.Token()
	return a, err
}

// skip reads the rest of a container whose opening delimiter was just
// read, without recursion: hostile nesting costs no stack.
func (p *parser) skip() error {
	level := 1
	for level > 0 {
		tok, err := p.dec.Token()
		if err != nil {
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				level++
			} else {
				level--
			}
		}
	}
	return nil
}
