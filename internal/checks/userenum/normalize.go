package userenum

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// maxBody bounds what is compared of an answer: a failed login's message
// is short, a huge page is compared by its start.
const maxBody = 16 << 10

// volatile parts of an answer that differ between identical requests:
// timestamps, UUIDs, long hex or base64 runs (request ids, nonces, CSRF
// tokens), long numbers.
var volatile = lazyre.New(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?` +
	`|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}` +
	`|\b[0-9a-fA-F]{16,}\b|\b[A-Za-z0-9_\-+/]{24,}={0,2}|\b\d{5,}\b`)

// normalize is an answer as the comparison sees it: its status and its
// body with the values the request sent (as typed, JSON-escaped or
// URL-encoded, in any case) and the volatile parts replaced by
// placeholders, so that an answer echoing "no account for x@example.com"
// compares equal for every x.
func normalize(status int, body []byte, user, pass string) string {
	if len(body) > maxBody {
		body = body[:maxBody]
	}
	s := string(body)
	for _, v := range []struct{ value, mark string }{{user, "\x00user"}, {pass, "\x00pass"}} {
		if v.value == "" {
			continue
		}
		forms := []string{v.value, url.QueryEscape(v.value)}
		if b, err := json.Marshal(v.value); err == nil {
			forms = append(forms, strings.Trim(string(b), `"`))
		}
		if local, _, ok := strings.Cut(v.value, "@"); ok && len(local) >= 4 {
			forms = append(forms, local) // "hello, alice": the address's name part
		}
		for _, f := range forms {
			s = replaceFold(s, f, v.mark)
		}
	}
	s = volatile.ReplaceAllString(s, "\x00v")
	return strconv.Itoa(status) + " " + strings.Join(strings.Fields(s), " ")
}

// replaceFold replaces every occurrence of old in s, ignoring ASCII case.
func replaceFold(s, old, repl string) string {
	if old == "" {
		return s
	}
	lo, lold := strings.ToLower(s), strings.ToLower(old)
	if len(lo) != len(s) {
		return strings.ReplaceAll(s, old, repl) // non-ASCII case changes lengths
	}
	var b strings.Builder
	for {
		i := strings.Index(lo, lold)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lo = s[i+len(old):], lo[i+len(old):]
	}
}
