package secrets

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrLiteral is returned for a line that starts like a Python literal but
// is not one.
var ErrLiteral = errors.New("not a Python string literal")

// Line turns one wordlist line into a key. Lines that are Python string or
// bytes literals ('x', "x", b'x', r'x', rb'x', u'x') are unescaped as
// literal_eval would (Flask-Unsign's wordlist is written that way); any
// other line is the key itself. str literals are UTF-8 encoded, as
// itsdangerous does with a str SECRET_KEY.
func Line(s string) []byte {
	s = strings.TrimRight(s, "\r\n")
	if b, err := PyLiteral(s); err == nil {
		return b
	}
	return []byte(s)
}

// PyLiteral decodes a single-line Python string or bytes literal.
func PyLiteral(s string) ([]byte, error) {
	i := 0
	var isBytes, raw bool
	for i < len(s) && i < 2 {
		switch s[i] {
		case 'b', 'B':
			isBytes = true
		case 'r', 'R':
			raw = true
		case 'u', 'U':
		default:
			goto quote
		}
		i++
	}
quote:
	if i >= len(s) || (s[i] != '\'' && s[i] != '"') {
		return nil, ErrLiteral
	}
	q := s[i]
	body := s[i+1:]
	if len(body) == 0 || body[len(body)-1] != q {
		return nil, ErrLiteral
	}
	body = body[:len(body)-1]
	if strings.HasPrefix(s[i:], string([]byte{q, q, q})) {
		return nil, ErrLiteral // triple quotes do not fit on one wordlist line
	}
	var out []byte
	for j := 0; j < len(body); j++ {
		c := body[j]
		if c == q {
			return nil, ErrLiteral // an unescaped quote ends the literal early
		}
		if c != '\\' || j+1 == len(body) {
			if c == '\\' {
				return nil, ErrLiteral // a trailing backslash escapes the closing quote
			}
			out = append(out, c)
			continue
		}
		if raw {
			// In a raw literal a backslash stays, and protects the next quote.
			out = append(out, c, body[j+1])
			j++
			continue
		}
		j++
		e := body[j]
		switch e {
		case '\\', '\'', '"':
			out = append(out, e)
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, '\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			k := j
			for k < len(body) && k < j+3 && body[k] >= '0' && body[k] <= '7' {
				k++
			}
			n, _ := strconv.ParseUint(body[j:k], 8, 32)
			out = appendCode(out, rune(n), isBytes)
			j = k - 1
		case 'x':
			if j+3 > len(body) {
				return nil, ErrLiteral
			}
			n, err := strconv.ParseUint(body[j+1:j+3], 16, 8)
			if err != nil {
				return nil, ErrLiteral
			}
			out = appendCode(out, rune(n), isBytes)
			j += 2
		case 'u', 'U':
			if isBytes {
				out = append(out, '\\', e)
				continue
			}
			width := 4
			if e == 'U' {
				width = 8
			}
			if j+1+width > len(body) {
				return nil, ErrLiteral
			}
			n, err := strconv.ParseUint(body[j+1:j+1+width], 16, 32)
			if err != nil || n > utf8.MaxRune {
				return nil, ErrLiteral
			}
			out = utf8.AppendRune(out, rune(n))
			j += width
		default:
			// Python keeps unknown escapes as they are (with a warning).
			out = append(out, '\\', e)
		}
	}
	return out, nil
}

// appendCode adds a code point from an octal or \x escape: a byte in a
// bytes literal, a character (UTF-8 encoded) in a str literal.
func appendCode(out []byte, r rune, isBytes bool) []byte {
	if isBytes {
		return append(out, byte(r))
	}
	return utf8.AppendRune(out, r)
}
