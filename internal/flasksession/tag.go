package flasksession

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// Flask's TaggedJSONSerializer marks values JSON cannot hold with a
// one-key object whose key is a tag (flask/json/tag.py).
const (
	tagDict   = " di" // a dict whose only key looks like a tag: {"<key>__": value}
	tagTuple  = " t"
	tagBytes  = " b" // standard base64
	tagMarkup = " m"
	tagUUID   = " u" // 32 hex digits
	tagDate   = " d" // HTTP date
)

// Untag resolves Flask's tags in a decoded JSON value: tuples become
// []any, bytes []byte, UUIDs their canonical string, dates time.Time (or
// the text when it does not parse) and markup its string.
func Untag(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, val := range x {
				if out, ok := untagOne(k, val); ok {
					return out
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = Untag(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Untag(e)
		}
		return out
	default:
		return v
	}
}

func untagOne(tag string, val any) (any, bool) {
	switch tag {
	case tagDict:
		m, ok := val.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, false
		}
		for k, inner := range m {
			return map[string]any{strings.TrimSuffix(k, "__"): Untag(inner)}, true
		}
	case tagTuple:
		l, ok := val.([]any)
		if !ok {
			return nil, false
		}
		return Untag(l), true
	case tagBytes:
		s, ok := val.(string)
		if !ok {
			return nil, false
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return s, true
		}
		return b, true
	case tagMarkup:
		s, ok := val.(string)
		return s, ok
	case tagUUID:
		s, ok := val.(string)
		if !ok {
			return nil, false
		}
		if len(s) == 32 {
			if _, err := hex.DecodeString(s); err == nil {
				return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:], true
			}
		}
		return s, true
	case tagDate:
		s, ok := val.(string)
		if !ok {
			return nil, false
		}
		if t, err := http.ParseTime(s); err == nil {
			return t, true
		}
		return s, true
	}
	return nil, false
}

// Raw marshals a plain Go value for a forged session field.
func Raw(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// RememberToken forges Flask-Login's remember cookie for a user id:
// "<id>|hex(HMAC-SHA512(SECRET_KEY, id))" (flask_login.utils.encode_cookie).
func RememberToken(userID string, secret []byte) string {
	m := hmac.New(sha512.New, secret)
	m.Write([]byte(userID))
	return userID + "|" + hex.EncodeToString(m.Sum(nil))
}
