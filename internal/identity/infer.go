package identity

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

// tokenKeys rank the body fields that carry a credential, best first;
// refresh tokens are never the credential a request sends.
var tokenKeys = []string{"accesstoken", "token", "jwt", "idtoken", "authtoken", "sessiontoken", "apikey", "bearer", "sessionid", "session", "key", "auth"}

// maxInferDepth and maxInferNodes bound the walk over a login answer,
// which is hostile input like any other.
const (
	maxInferDepth = 8
	maxInferNodes = 2000
)

// Infer finds the credential in a login answer: a body field named like a
// token (at any depth: data.access_token, auth.jwt) or any string that is a
// JWT, a response header named like a token (X-Session-Token,
// Authorization), or the cookies it sets. how says how the spec sends it;
// a cookie the spec names wins over a token in the body. It returns where
// the credential is, as a login flow would say it.
func Infer(resp *engine.Response, how Sending) (*rampart.TokenSource, []string, error) {
	set := setCookies(resp)
	if how.Cookie != "" {
		if slices.Contains(set, how.Cookie) {
			return nil, []string{how.Cookie}, nil
		}
		if path := bodyToken(resp.Body); path != "" {
			// The cookie carries the token the body answered.
			return &rampart.TokenSource{From: "body", Path: path, Header: "Cookie", Prefix: how.Cookie + "="}, nil, nil
		}
		return nil, nil, errors.New("the answer set no " + how.Cookie + " cookie and carries no token")
	}
	send := func(t *rampart.TokenSource) *rampart.TokenSource {
		if how.Header != "" {
			t.Header, t.Scheme = how.Header, how.Scheme
		} else if how.Scheme != nil {
			t.Scheme = how.Scheme
		}
		return t
	}
	if path := bodyToken(resp.Body); path != "" {
		return send(&rampart.TokenSource{From: "body", Path: path}), nil, nil
	}
	if name := headerToken(resp.Header); name != "" {
		t := &rampart.TokenSource{From: "header", Path: name}
		if how.Header == "" && !strings.EqualFold(name, "Authorization") {
			t.Header = name // sent back where it came from, unless the spec says otherwise
		}
		return send(t), nil, nil
	}
	if len(set) > 0 {
		return nil, []string{"*"}, nil
	}
	return nil, nil, errors.New("no token in its body or headers and no cookie: say where the credential is with token: or cookies:")
}

// setCookies names the cookies an answer sets with a value (not the ones
// it clears).
func setCookies(resp *engine.Response) []string {
	var out []string
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		if c.Value != "" && c.MaxAge >= 0 && !slices.Contains(out, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// bodyToken returns the dotted path of the best credential in a JSON
// answer, or "".
func bodyToken(body []byte) string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	best, bestRank, nodes := "", len(tokenKeys)+1, 0
	var walk func(v any, path string, depth int)
	walk = func(v any, path string, depth int) {
		nodes++
		if depth > maxInferDepth || nodes > maxInferNodes {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if s, ok := x[k].(string); ok {
					if r := tokenRank(k, s); r < bestRank {
						best, bestRank = p, r
					}
					continue
				}
				walk(x[k], p, depth+1)
			}
		case []any:
			for i, e := range x {
				if i >= 20 {
					break
				}
				walk(e, path+"."+strconv.Itoa(i), depth+1)
			}
		}
	}
	walk(doc, "", 0)
	return best
}

// tokenRank ranks a string field as a credential (lower is better), or
// len(tokenKeys)+1 when it is none: a field named like a token with a value
// long enough to be one, or any JWT.
func tokenRank(key, v string) int {
	k := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	if strings.Contains(k, "refresh") || strings.Contains(k, "type") || strings.Contains(k, "expires") || strings.ContainsAny(v, " \t\n") {
		return len(tokenKeys) + 1
	}
	for i, t := range tokenKeys {
		if k == t && len(v) >= 16 {
			return i
		}
	}
	if looksLikeJWT(v) {
		return len(tokenKeys)
	}
	return len(tokenKeys) + 1
}

// looksLikeJWT reports whether s is header.payload.signature with a JSON
// header that names an algorithm.
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) < 10 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	if err != nil {
		return false
	}
	var h map[string]any
	if json.Unmarshal(b, &h) != nil {
		return false
	}
	_, ok := h["alg"]
	return ok
}

// headerToken names the response header that carries a credential, or "".
func headerToken(h http.Header) string {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		low := strings.ToLower(name)
		if low == "set-cookie" || low == "www-authenticate" || strings.HasPrefix(low, "access-control-") || low == "content-type" {
			continue
		}
		if low == "authorization" || strings.Contains(low, "token") || strings.Contains(low, "jwt") ||
			strings.Contains(low, "api-key") || strings.Contains(low, "apikey") || strings.HasSuffix(low, "-session") {
			if v := strings.TrimSpace(h.Get(name)); len(v) >= 16 {
				return name
			}
		}
	}
	return ""
}
