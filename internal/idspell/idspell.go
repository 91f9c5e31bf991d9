// Package idspell reads object identifiers written in a spelling other
// than their plain text — base64 (standard or URL alphabet, padded or not)
// or hex of an integer's or a UUID's text — and writes other values in the
// same spelling. An API that takes /exams/MQ== (base64 of "1") answers
// /exams/2 with 404 and /exams/Mg== with exam 2: a scanner that steps ids
// must decode, step and encode again exactly as the API spells them.
package idspell

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Encoding is how an id's text is wrapped.
type Encoding uint8

// Encodings.
const (
	Plain  Encoding = iota // the text itself: 42, 7c0e8f4e-…
	Base64                 // base64 of the text: NDI=
	Hex                    // hex of the text's bytes: 3432
)

// Spelling is everything needed to write another value as the API wrote
// this one.
type Spelling struct {
	Enc    Encoding
	URL    bool // base64: the URL alphabet (- and _)
	Padded bool // base64: '=' padding
	Upper  bool // hex: upper-case digits
}

// ID is one identifier: an integer or a UUID, and its spelling.
type ID struct {
	Spelling
	UUID bool
	// hi and lo are a UUID's 128 bits; lo alone is an integer's value.
	hi, lo uint64
	// width is the zero-padded width of an integer written with leading
	// zeros (007), 0 otherwise; upper says a UUID's letters are upper-case.
	width int
	upper bool
}

// maxLen bounds what Parse reads: an id longer than this is no id it
// can step.
const maxLen = 128

// Parse reads an id in any spelling it knows. The plain decimal reading
// wins: "3132" is the integer 3132, not hex of "12".
func Parse(s string) (ID, bool) {
	if s == "" || len(s) > maxLen {
		return ID{}, false
	}
	if id, ok := parseText(s); ok {
		return id, true
	}
	if id, ok := parseHex(s); ok {
		return id, true
	}
	return parseBase64(s)
}

// parseText reads an integer (decimal, leading zeros kept as a width) or
// a UUID whose letters are of one case.
func parseText(s string) (ID, bool) {
	if len(s) <= 19 && allDigits(s) {
		n, err := strconv.ParseUint(s, 10, 63)
		if err != nil {
			return ID{}, false
		}
		id := ID{lo: n}
		if len(s) > 1 && s[0] == '0' {
			id.width = len(s)
		}
		return id, true
	}
	if len(s) != 36 {
		return ID{}, false
	}
	var raw [16]byte
	j := 0
	lower, upper := false, false
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return ID{}, false
			}
			continue
		}
		v, ok := hexVal(c)
		if !ok {
			return ID{}, false
		}
		lower = lower || (c >= 'a' && c <= 'f')
		upper = upper || (c >= 'A' && c <= 'F')
		if j%2 == 0 {
			raw[j/2] = v << 4
		} else {
			raw[j/2] |= v
		}
		j++
	}
	if lower && upper {
		return ID{}, false // no one case to write neighbours in
	}
	id := ID{UUID: true, upper: upper}
	for i := 0; i < 8; i++ {
		id.hi = id.hi<<8 | uint64(raw[i])
		id.lo = id.lo<<8 | uint64(raw[8+i])
	}
	return id, true
}

func parseHex(s string) (ID, bool) {
	if len(s)%2 != 0 {
		return ID{}, false
	}
	lower, upper := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if _, ok := hexVal(c); !ok {
			return ID{}, false
		}
		lower = lower || (c >= 'a' && c <= 'f')
		upper = upper || (c >= 'A' && c <= 'F')
	}
	if lower && upper {
		return ID{}, false
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return ID{}, false
	}
	id, ok := parseText(string(b))
	if !ok {
		return ID{}, false
	}
	id.Spelling = Spelling{Enc: Hex, Upper: upper}
	return id, true
}

func parseBase64(s string) (ID, bool) {
	body := strings.TrimRight(s, "=")
	pad := len(s) - len(body)
	if pad > 2 || (pad > 0 && len(s)%4 != 0) || body == "" {
		return ID{}, false
	}
	std, url := false, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '+' || c == '/':
			std = true
		case c == '-' || c == '_':
			url = true
		default:
			return ID{}, false // Go's decoder skips newlines; an id has none
		}
	}
	if std && url {
		return ID{}, false
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	b, err := enc.Strict().DecodeString(body)
	if err != nil {
		return ID{}, false
	}
	id, ok := parseText(string(b))
	if !ok {
		return ID{}, false
	}
	// Without '=' a length that is a multiple of four says nothing of
	// padding: such APIs pad (it is the standard), so neighbours are padded.
	id.Spelling = Spelling{Enc: Base64, URL: url, Padded: pad > 0 || len(s)%4 == 0}
	return id, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// text is the id's own text, before its spelling wraps it.
func (id ID) text() string {
	if !id.UUID {
		s := strconv.FormatUint(id.lo, 10)
		if len(s) < id.width {
			s = strings.Repeat("0", id.width-len(s)) + s
		}
		return s
	}
	var raw [16]byte
	for i := 0; i < 8; i++ {
		raw[7-i] = byte(id.hi >> (8 * i))
		raw[15-i] = byte(id.lo >> (8 * i))
	}
	h := hex.EncodeToString(raw[:])
	s := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	if id.upper {
		s = strings.ToUpper(s)
	}
	return s
}

// String writes the id in its spelling.
func (id ID) String() string {
	t := id.text()
	switch id.Enc {
	case Hex:
		s := hex.EncodeToString([]byte(t))
		if id.Upper {
			s = strings.ToUpper(s)
		}
		return s
	case Base64:
		enc := base64.RawStdEncoding
		switch {
		case id.URL && id.Padded:
			enc = base64.URLEncoding
		case id.URL:
			enc = base64.RawURLEncoding
		case id.Padded:
			enc = base64.StdEncoding
		}
		return enc.EncodeToString([]byte(t))
	}
	return t
}

// Describe says what the id is, for messages: "1", "base64 of 1".
func (id ID) Describe() string {
	switch id.Enc {
	case Base64:
		return "base64 of " + id.text()
	case Hex:
		return "hex of " + id.text()
	}
	return id.text()
}

// Int is an integer id's value; false for a UUID.
func (id ID) Int() (uint64, bool) { return id.lo, !id.UUID }

// Steppable says whether the ids next to this one may exist: always for
// an integer; for a UUID only when it carries no RFC 9562 version (a
// counter written as a UUID, 00000000-…-000000000007). A random (v4) or
// time-ordered (v1, v6, v7) UUID's neighbours are never issued.
func (id ID) Steppable() bool {
	return !id.UUID || (id.hi>>12)&0xF == 0
}

// maxInt is the largest integer id: what a signed 64-bit column holds.
const maxInt = 1<<63 - 1

// Step is the id d away in the same spelling: an integer's value plus d,
// a UUID's last 64 bits plus d (sequential UUIDs count there). False when
// that leaves the range (below 0, or past 64 bits).
func (id ID) Step(d int64) (ID, bool) {
	switch {
	case d >= 0:
		u := uint64(d)
		if id.UUID {
			if id.lo > ^uint64(0)-u {
				return ID{}, false
			}
		} else if id.lo > maxInt-u {
			return ID{}, false
		}
		id.lo += u
	default:
		u := uint64(-(d + 1)) + 1 // |d| without overflowing on MinInt64
		if id.lo < u {
			return ID{}, false
		}
		id.lo -= u
	}
	return id, true
}

// At is the integer n in the id's spelling (a UUID's spelling gives a
// plain-text UUID whose last 64 bits are n).
func (id ID) At(n uint64) ID {
	if !id.UUID && n > maxInt {
		n = maxInt
	}
	id.lo = n
	return id
}

// Walk lists ids outward from the seeds — each seed, then ±1, ±2 … of
// every seed in turn — in each seed's own spelling, without repeats and
// without integers below 1 or UUIDs below …0001, at most max of them.
func Walk(seeds []ID, max int) []ID {
	var out []ID
	seen := map[string]bool{}
	add := func(id ID) {
		if len(out) >= max || id.lo < 1 {
			return
		}
		if s := id.String(); !seen[s] {
			seen[s] = true
			out = append(out, id)
		}
	}
	// One seed walking up alone gives a new id for every d, so max steps
	// fill the list unless every seed is at its range's end.
	for d := int64(0); len(out) < max && d <= int64(max); d++ {
		for _, s := range seeds {
			if next, ok := s.Step(d); ok {
				add(next)
			}
			if next, ok := s.Step(-d); ok && d > 0 {
				add(next)
			}
		}
	}
	return out
}

// GoString helps test failures read.
func (id ID) GoString() string { return fmt.Sprintf("idspell.ID(%q = %s)", id.String(), id.Describe()) }
