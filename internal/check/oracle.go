package check

import (
	"bytes"
	"encoding/json"
	"strings"
)

// errorWords mark a body that answers with a refusal or an error even when
// the status is 200, so such a body never counts as "data".
var errorWords = []string{
	"unauthorized", "unauthorised", "forbidden", "not authorized", "not authorised",
	"access denied", "permission denied", "login required", "authentication required",
	"not logged in", "invalid token", "missing token", "token required", "missing authorization",
	"not found", "no such", "does not exist", "invalid credentials", "sign in", "log in to",
}

// LooksLikeError reports whether a body reads as an error or a refusal.
func LooksLikeError(body []byte) bool {
	var doc any
	if err := json.Unmarshal(body, &doc); err == nil {
		if m, ok := doc.(map[string]any); ok {
			// {"error": ...}, {"errors": [...]}, {"message": "..."} alone,
			// {"msg": ...} (Flask-JWT-Extended), {"detail": ...} (RFC 7807).
			small := len(m) <= 3
			for _, k := range []string{"error", "errors", "msg", "detail", "fault"} {
				if _, ok := m[k]; ok && small {
					return true
				}
			}
			if v, ok := m["message"].(string); ok && small && containsAny(strings.ToLower(v), errorWords) {
				return true
			}
			if v, ok := m["status"].(string); ok && small && strings.EqualFold(v, "error") {
				return true
			}
			return false
		}
		return false
	}
	low := strings.ToLower(string(body))
	return containsAny(low, errorWords)
}

// HasData reports whether a body carries content worth protecting: a JSON
// object or array with at least one value that is not an error, or a
// non-trivial non-error text.
func HasData(body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return false
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err == nil {
		switch v := doc.(type) {
		case map[string]any:
			return len(v) > 0 && !LooksLikeError(b) && !allEmpty(v)
		case []any:
			return len(v) > 0
		default:
			return false
		}
	}
	return len(b) > 32 && !LooksLikeError(b)
}

func allEmpty(m map[string]any) bool {
	for _, v := range m {
		switch x := v.(type) {
		case nil:
		case []any:
			if len(x) > 0 {
				return false
			}
		case map[string]any:
			if !allEmpty(x) {
				return false
			}
		case string:
			if x != "" {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// JSONKeys returns the set of object keys at any depth, a cheap shape
// signature to compare two answers of the same operation.
func JSONKeys(body []byte) map[string]bool {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	keys := map[string]bool{}
	var walk func(any, int)
	walk = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				keys[k] = true
				walk(c, depth+1)
			}
		case []any:
			for i, c := range x {
				if i >= 20 {
					break
				}
				walk(c, depth+1)
			}
		}
	}
	walk(doc, 0)
	return keys
}

// SameShape reports whether two JSON bodies have mostly the same keys.
func SameShape(a, b []byte) bool {
	ka, kb := JSONKeys(a), JSONKeys(b)
	if len(ka) == 0 || len(kb) == 0 {
		return false
	}
	common := 0
	for k := range ka {
		if kb[k] {
			common++
		}
	}
	larger := len(ka)
	if len(kb) > larger {
		larger = len(kb)
	}
	return common*10 >= larger*7
}
