package exposure

import (
	"strings"
	"unicode"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// keyWords splits a JSON key into lower-case words: password_hash,
// passwordHash and password-hash are [password hash].
func keyWords(key string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r):
			if i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
				flush()
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return words
}

// Words around a password-like key that make it describe the password
// rather than hold it: password_changed_at, has_password, password_policy.
var passwordMeta = map[string]bool{
	"at": true, "date": true, "time": true, "expires": true, "expiry": true, "expired": true, "changed": true,
	"updated": true, "reset": true, "required": true, "policy": true, "length": true, "min": true, "max": true,
	"strength": true, "hint": true, "set": true, "has": true, "is": true, "needs": true, "must": true,
	"rule": true, "rules": true, "count": true, "attempts": true, "last": true, "age": true, "enabled": true,
	"hash": true, "hashed": true, "digest": true, "salt": true, "algorithm": true, "algo": true, "type": true,
	"format": true, "version": true, "ok": true, "valid": true, "status": true, "url": true, "link": true,
	"label": true, "field": true, "error": true, "errors": true, "message": true, "token": true,
}

// plaintextKey says whether a key holds a password as typed (or the answer
// to a security question, which is one), and names it; "" otherwise.
func plaintextKey(key string) string {
	ws := keyWords(key)
	pw, answer := false, false
	for i, w := range ws {
		switch {
		case w == "password" || w == "passwd" || w == "pwd" || w == "passphrase" || w == "pass" && len(ws) == 1:
			pw = true
		case w == "answer" && i > 0 && (ws[i-1] == "security" || ws[i-1] == "secret" || ws[i-1] == "recovery"):
			answer = true
		case passwordMeta[w]:
			return ""
		}
	}
	switch {
	case pw:
		return "plaintext password"
	case answer:
		return "security answer"
	}
	return ""
}

// placeholders are values an API puts where it hides a password.
var placeholders = lazyre.New(`(?i)^(?:\**|x{3,}|•+|[*•]+\w{0,4}|<?(?:hidden|redacted|secret|masked|removed|omitted|protected)>?|\[(?:hidden|redacted|filtered|masked)\]|null|none|n/?a|true|false|yes|no|set|unset|-+)$`)

// plaintext says whether a value under a password key is the password
// itself: not a hash (scanValue tried those first), not a placeholder, of
// a length a password has, without line breaks.
func plaintext(v string) bool {
	t := strings.TrimSpace(v)
	if len(t) < 4 || len(t) > 128 || strings.ContainsAny(t, "\r\n") || placeholders.MatchString(t) {
		return false
	}
	return !hashLike(t)
}

var (
	longRun  = lazyre.New(`[A-Za-z0-9+/=._-]{16,}`)
	hexOnly  = lazyre.New(`^[0-9a-fA-F]{32,}$`)
	ldapHash = lazyre.New(`^\{[A-Z0-9-]{2,12}\}`)
)

// hashLike recognises hashes of formats scanValue does not name: anything
// in a crypt-like `$`-separated layout with a long digest run (zoo apps'
// `pbkdf2-sha256$100000$salt$digest`, unknown `$id$…`), bare hex digests,
// LDAP's {SSHA}.
func hashLike(v string) bool {
	return strings.HasPrefix(v, "$") || hexOnly.MatchString(v) || ldapHash.MatchString(v) ||
		strings.Count(v, "$") >= 2 && longRun.MatchString(v)
}

// tokenKey says whether a key holds a credential of its own (an API key, a
// session or access token, a client or OTP secret), and names it.
func tokenKey(key string) string {
	ws := keyWords(key)
	if len(ws) == 0 {
		return ""
	}
	for _, w := range ws {
		switch w {
		case "csrf", "xsrf", "next", "page", "cursor", "continuation", "type", "expires", "expiry", "ttl",
			"url", "uri", "endpoint", "public", "id", "name", "count", "length", "hint", "prefix", "last", "at":
			return "" // pagination cursors, token metadata, public keys
		}
	}
	j := strings.Join(ws, "_")
	switch {
	case j == "api_key" || j == "apikey" || strings.HasSuffix(j, "_api_key") || j == "x_api_key":
		return "API key"
	case j == "token" || j == "access_token" || j == "auth_token" || j == "session_token" || j == "bearer_token" ||
		j == "id_token" || j == "jwt" || strings.HasSuffix(j, "_access_token") || strings.HasSuffix(j, "_auth_token"):
		return "access token"
	case j == "refresh_token" || strings.HasSuffix(j, "_refresh_token"):
		return "refresh token"
	case j == "session" || j == "session_id" || j == "sessionid" || j == "sid":
		return "session id"
	case j == "reset_token" || j == "password_reset_token" || j == "reset_code" || j == "verification_token" ||
		j == "confirmation_token" || j == "invite_token" || j == "magic_link_token":
		return "one-time token"
	case j == "secret" || j == "client_secret" || j == "secret_key" || j == "api_secret" || j == "otp_secret" ||
		j == "totp_secret" || j == "mfa_secret" || j == "private_key" || j == "signing_key" || j == "webhook_secret":
		return "secret key"
	}
	return ""
}

var credentialShape = lazyre.New(`^[A-Za-z0-9_\-.=+/:~]{16,}$`)

// credential says whether a value can be a credential: long enough, one
// token of credential characters, not a sentence or a placeholder, with
// letters and digits both (a word or a counter is not a secret).
func credential(v string) bool {
	if len(v) > 4096 || !credentialShape.MatchString(v) || placeholders.MatchString(v) {
		return false
	}
	letters, digits := false, false
	for _, r := range v {
		letters = letters || unicode.IsLetter(r)
		digits = digits || unicode.IsDigit(r)
	}
	return letters && digits
}
