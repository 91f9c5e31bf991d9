package redact

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// plainHeaders carry no credential even when an identity sends them;
// redacting "application/json" everywhere would wreck the report.
var plainHeaders = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Accept-Language": true, "Content-Type": true,
	"User-Agent": true, "Origin": true, "Referer": true, "Cache-Control": true, "Pragma": true,
	"X-Requested-With": true,
}

// HeaderSecrets returns the values to redact for a header an identity
// sends: the credential parts an API may echo. The scheme and the cookie
// names are left, for the reader (and the whole value is found anyway:
// its credential part is in it).
//
//	Authorization: Bearer T       T
//	Authorization: Basic B64      B64, "user:pass", "pass"
//	Authorization: Digest k="v"   each v
//	Authorization: T              T
//	Cookie: a=1; b=2              1, 2
//
// A header such as Accept or Content-Type is not a credential: none.
func HeaderSecrets(name, value string) []string {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil
	}
	switch h := http.CanonicalHeaderKey(name); {
	case h == "Authorization" || h == "Proxy-Authorization":
		scheme, cred, ok := strings.Cut(value, " ")
		if cred = strings.TrimSpace(cred); !ok || cred == "" {
			return []string{value}
		}
		// The credential, not the whole value: "Bearer [REDACTED]" keeps
		// the scheme a reader needs.
		if strings.EqualFold(scheme, "Basic") {
			return append([]string{cred}, basic(cred)...)
		}
		if ps := params(cred); len(ps) > 0 {
			return ps
		}
		return []string{cred}
	case h == "Cookie":
		var out []string
		for _, part := range strings.Split(value, ";") {
			if _, v, ok := strings.Cut(part, "="); ok {
				out = append(out, strings.Trim(strings.TrimSpace(v), `"`))
			}
		}
		if len(out) == 0 {
			return []string{value}
		}
		return out
	case plainHeaders[h]:
		return nil
	}
	return []string{value}
}

// basic returns the secrets of a Basic credential: the decoded user:pass
// and the password (New adds user:pass in every base64 alphabet).
func basic(cred string) []string {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		plain, err := enc.DecodeString(cred)
		if err != nil {
			continue
		}
		out := []string{string(plain)}
		if _, pass, ok := strings.Cut(string(plain), ":"); ok {
			out = append(out, pass)
		}
		return out
	}
	return nil
}

// params returns the values of an auth-param list (Digest, AWS SigV4):
// username="x", response="y" / Credential=x, Signature=y; none for a token
// (whose base64 padding is not a parameter).
func params(cred string) []string {
	var out []string
	for _, p := range strings.Split(cred, ",") {
		if k, v, ok := strings.Cut(p, "="); ok && isToken(strings.TrimSpace(k)) && strings.TrimSpace(v) != "" {
			out = append(out, strings.Trim(strings.TrimSpace(v), `"`))
		}
	}
	return out
}

// isToken reports whether k is a parameter name: letters, digits, - and _.
func isToken(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c == '-' || c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
			return false
		}
	}
	return true
}
