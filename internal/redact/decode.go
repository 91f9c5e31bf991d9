package redact

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// level is one decoded form of a text, with where each of its bytes came
// from in the original: byte i of text comes from original[start[i]:end[i]].
// nil start and end mean the text is the original.
type level struct {
	text       string
	start, end []int32
	// escaped says that decoding undid at least one escape (not only
	// folded white space): only then can decoding again change anything.
	escaped bool
	buf     []byte // text's bytes, kept for reuse
}

// orig maps the byte range [a, b) of the level back to the original text.
func (lv *level) orig(a, b int) span {
	if lv.start == nil {
		return span{a, b}
	}
	return span{int(lv.start[a]), int(lv.end[b-1])}
}

// decode returns the next form of lv: escapes undone, white space folded.
func decode(lv *level) *level {
	next := &level{}
	transform(next, lv, true)
	return next
}

// fold returns lv with white space folded and no escape undone.
func fold(lv *level) *level {
	next := &level{}
	transform(next, lv, false)
	return next
}

// transform writes into dst, reusing its buffers, the next form of lv: one
// level of the escapes an echoing server or a writer produces undone (when
// escapes is set), and every white space byte and '+' (a space in a query
// string) folded to a space, whether written as it is or escaped. Runs are
// not collapsed, so that folding keeps a secret's length. A sequence that
// only looks like an escape is decoded too: the worst that does is redact a
// little more.
func transform(dst, lv *level, escapes bool) {
	src := lv.text
	out, start, end := dst.buf[:0], dst.start[:0], dst.end[:0]
	escaped := false
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(src); {
		b, n := buf[:1], 1
		buf[0] = src[i]
		if escapes {
			if d, m := unescape(src[i:], buf[:0]); m > 0 {
				b, n, escaped = d, m, true
			}
		}
		o := lv.orig(i, i+n)
		for _, c := range b {
			if isSpace(c) || c == '+' {
				c = ' '
			}
			out = append(out, c)
			start = append(start, int32(o.from))
			end = append(end, int32(o.to))
		}
		i += n
	}
	dst.text, dst.buf, dst.start, dst.end, dst.escaped = string(out), out, start, end, escaped
}

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

// unescape decodes the escape at the start of s into dst and returns the
// decoded bytes and how many bytes of s it took; 0 when s does not start
// with one.
func unescape(s string, dst []byte) ([]byte, int) {
	if len(s) < 2 {
		return nil, 0
	}
	switch s[0] {
	case '%':
		if len(s) >= 3 && isHex(s[1]) && isHex(s[2]) {
			return append(dst, unhex(s[1])<<4|unhex(s[2])), 3
		}
		if len(s) >= 6 && (s[1] == 'u' || s[1] == 'U') && allHex(s[2:6]) {
			// JavaScript's legacy escape(): %uXXXX.
			return utf8.AppendRune(dst, rune(hexVal(s[2:6]))), 6
		}
	case '\\':
		return backslash(s, dst)
	case '&':
		return entity(s, dst)
	}
	return nil, 0
}

// backslash decodes JSON, JavaScript and Python string escapes, and a
// backslash before punctuation.
func backslash(s string, dst []byte) ([]byte, int) {
	switch c := s[1]; c {
	case '/', '"', '\\', '\'', '`':
		return append(dst, c), 2
	case 'n':
		return append(dst, '\n'), 2
	case 't':
		return append(dst, '\t'), 2
	case 'r':
		return append(dst, '\r'), 2
	case 'b':
		return append(dst, '\b'), 2
	case 'f':
		return append(dst, '\f'), 2
	case 'x':
		if len(s) >= 4 && isHex(s[2]) && isHex(s[3]) {
			return append(dst, unhex(s[2])<<4|unhex(s[3])), 4
		}
	case 'u':
		if len(s) < 6 || !allHex(s[2:6]) {
			break
		}
		r := rune(hexVal(s[2:6]))
		if utf16.IsSurrogate(r) && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' && allHex(s[8:12]) {
			if pair := utf16.DecodeRune(r, rune(hexVal(s[8:12]))); pair != utf8.RuneError {
				return utf8.AppendRune(dst, pair), 12
			}
		}
		return utf8.AppendRune(dst, r), 6
	case 'U':
		if len(s) >= 10 && allHex(s[2:10]) {
			return utf8.AppendRune(dst, rune(hexVal(s[2:10]))), 10
		}
	default:
		// Markdown, shells and regular expressions escape punctuation.
		if c < utf8.RuneSelf && isPunct(c) {
			return append(dst, c), 2
		}
	}
	return nil, 0
}

func isPunct(c byte) bool {
	return ('!' <= c && c <= '/') || (':' <= c && c <= '@') || ('[' <= c && c <= '`') || ('{' <= c && c <= '~')
}

// entities are the named HTML character references that stand for ASCII
// (and the non-breaking space), which is what credentials are made of.
var entities = map[string]byte{
	"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\'', "sol": '/', "bsol": '\\',
	"plus": '+', "equals": '=', "colon": ':', "semi": ';', "comma": ',', "period": '.',
	"lowbar": '_', "num": '#', "percnt": '%', "quest": '?', "excl": '!', "commat": '@',
	"lsqb": '[', "rsqb": ']', "lbrack": '[', "rbrack": ']', "lcub": '{', "rcub": '}',
	"lbrace": '{', "rbrace": '}', "verbar": '|', "vert": '|', "Hat": '^', "grave": '`',
	"ast": '*', "midast": '*', "dollar": '$', "lpar": '(', "rpar": ')', "nbsp": ' ',
	"Tab": '\t', "NewLine": '\n',
}

// entity decodes an HTML character reference: &#47; &#x2F; &sol;.
func entity(s string, dst []byte) ([]byte, int) {
	semi := -1
	for i := 1; i < len(s) && i < 12; i++ {
		if s[i] == ';' {
			semi = i
			break
		}
	}
	if semi < 2 {
		return nil, 0
	}
	body := s[1:semi]
	if body[0] == '#' {
		var v uint64
		var err error
		if len(body) > 1 && (body[1] == 'x' || body[1] == 'X') {
			v, err = strconv.ParseUint(body[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(body[1:], 10, 32)
		}
		if err != nil || v > utf8.MaxRune {
			return nil, 0
		}
		return utf8.AppendRune(dst, rune(v)), semi + 1
	}
	if c, ok := entities[body]; ok {
		return append(dst, c), semi + 1
	}
	return nil, 0
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func hexVal(s string) uint32 {
	var v uint32
	for i := 0; i < len(s); i++ {
		v = v<<4 | uint32(unhex(s[i]))
	}
	return v
}
