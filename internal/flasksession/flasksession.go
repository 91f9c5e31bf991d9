// Package flasksession reads, verifies and signs Flask session cookies.
//
// Flask's default session is client-side: the whole session dictionary is
// serialised as JSON (with Flask's tags for tuples, bytes, markup, UUIDs and
// dates), optionally zlib-compressed, base64url-encoded and signed with
// itsdangerous's TimestampSigner:
//
//	[.]payload.timestamp.signature
//
// A leading '.' means the payload is compressed. The signature is
// HMAC-SHA1(key=HMAC-SHA1(SECRET_KEY, "cookie-session"), msg="[.]payload.timestamp"),
// so the cookie is readable by anyone and forgeable by whoever knows the key.
// Everything here works on hostile input: a cookie comes from the network.
package flasksession

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // itsdangerous signs Flask sessions with HMAC-SHA1; we must match it
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Salt is the itsdangerous salt Flask's SecureCookieSessionInterface uses.
const Salt = "cookie-session"

// MaxPayload caps what a compressed payload may inflate to, so a hostile
// cookie cannot make the scanner allocate gigabytes.
const MaxPayload = 1 << 20

// oldEpoch is the epoch itsdangerous < 1.0 subtracted from timestamps
// (2011-01-01); cookies of such apps decode to dates in the 1970s.
const oldEpoch = 1293840000

// shape matches a value that has the form of a Flask session cookie: an
// optional '.', then payload, timestamp (4-8 base64 characters for a
// 3-6 byte big-endian integer) and a 27-character HMAC-SHA1 signature.
var shape = regexp.MustCompile(`^\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{4,8}\.[A-Za-z0-9_-]{27}$`)

// Looks reports whether a cookie value has the shape of a Flask session.
func Looks(v string) bool { return len(v) < 64<<10 && shape.MatchString(v) }

// Errors for values that are not (valid) session cookies.
var (
	ErrShape   = errors.New("not a Flask session cookie")
	ErrPayload = errors.New("session payload does not decode")
)

// Cookie is a parsed session cookie.
type Cookie struct {
	Raw        string
	Compressed bool
	// JSON is the serialised session (decompressed), exactly as signed.
	JSON []byte
	// Time is when the cookie was signed (itsdangerous's timestamp).
	Time time.Time
	// signed is what the signature covers: "[.]payload.timestamp".
	signed []byte
	sig    []byte
}

// Parse decodes a cookie value. It checks the shape and that the payload
// is JSON; it does not verify the signature (that needs the key).
func Parse(v string) (*Cookie, error) {
	v = strings.TrimSpace(strings.Trim(v, `"`))
	if !Looks(v) {
		return nil, ErrShape
	}
	i := strings.LastIndexByte(v, '.')
	signed, sigB64 := v[:i], v[i+1:]
	j := strings.LastIndexByte(signed, '.')
	payloadB64, tsB64 := signed[:j], signed[j+1:]
	c := &Cookie{Raw: v, signed: []byte(signed)}
	var err error
	if c.sig, err = b64(sigB64); err != nil || len(c.sig) != sha1.Size {
		return nil, fmt.Errorf("%w: signature: %v", ErrShape, err)
	}
	ts, err := b64(tsB64)
	if err != nil || len(ts) == 0 || len(ts) > 8 {
		return nil, fmt.Errorf("%w: timestamp", ErrShape)
	}
	var buf [8]byte
	copy(buf[8-len(ts):], ts)
	secs := int64(binary.BigEndian.Uint64(buf[:]) & (1<<62 - 1))
	if secs < oldEpoch {
		secs += oldEpoch // itsdangerous before 1.0
	}
	c.Time = time.Unix(secs, 0).UTC()
	if strings.HasPrefix(payloadB64, ".") {
		c.Compressed = true
		payloadB64 = payloadB64[1:]
	}
	raw, err := b64(payloadB64)
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %v", ErrPayload, err)
	}
	if c.Compressed {
		if raw, err = inflate(raw); err != nil {
			return nil, fmt.Errorf("%w: zlib: %v", ErrPayload, err)
		}
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("%w: not JSON", ErrPayload)
	}
	c.JSON = raw
	return c, nil
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func inflate(b []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, MaxPayload+1))
	if err != nil {
		return nil, err
	}
	if len(out) > MaxPayload {
		return nil, fmt.Errorf("inflates beyond %d bytes", MaxPayload)
	}
	return out, nil
}

// Data returns the session with Flask's tags resolved (see Untag).
func (c *Cookie) Data() (map[string]any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(c.JSON))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	m, ok := Untag(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: not an object", ErrPayload)
	}
	return m, nil
}

// Fields returns the top-level entries as raw JSON, tags untouched, for
// forging a cookie that keeps everything the application put there.
func (c *Cookie) Fields() (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(c.JSON, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	return m, nil
}

// Verify reports whether the cookie was signed with secret.
func (c *Cookie) Verify(secret []byte) bool {
	return hmac.Equal(signature(secret, c.signed), c.sig)
}

// Tester returns a function that verifies candidate keys against this
// cookie without allocating: one per goroutine of a cracker.
func (c *Cookie) Tester() func(key []byte) bool {
	h := newHMAC()
	salt := []byte(Salt)
	var dk [sha1.Size]byte
	var mac [sha1.Size]byte
	want := c.sig
	msg := c.signed
	return func(key []byte) bool {
		h.sum(dk[:0], key, salt)
		h.sum(mac[:0], dk[:], msg)
		return bytes.Equal(mac[:], want)
	}
}

// DeriveKey is itsdangerous's "hmac" key derivation with Flask's salt.
func DeriveKey(secret []byte) []byte {
	m := hmac.New(sha1.New, secret)
	m.Write([]byte(Salt))
	return m.Sum(nil)
}

func signature(secret, signed []byte) []byte {
	m := hmac.New(sha1.New, DeriveKey(secret))
	m.Write(signed)
	return m.Sum(nil)
}

// Sign serialises a session payload (JSON bytes) into a cookie value signed
// with secret at time t. It never compresses: Flask accepts both forms.
func Sign(payload []byte, secret []byte, t time.Time) string {
	ts := make([]byte, 8)
	binary.BigEndian.PutUint64(ts, uint64(t.Unix()))
	ts = bytes.TrimLeft(ts, "\x00")
	signed := base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(ts)
	return signed + "." + base64.RawURLEncoding.EncodeToString(signature(secret, []byte(signed)))
}

// Encode serialises top-level fields compactly with sorted keys, as Flask's
// TaggedJSONSerializer does.
func Encode(fields map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return out.Bytes(), nil
}
