package accept

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Headers the API asks for. Some APIs refuse a request until it carries a
// header they name in their answer ("X-Api-Version header must be 2",
// "IsAdmin header missing"), at any status: a 400, a 403, or a 200 whose
// body is the refusal. HeaderProblems reads those answers; the learner
// (headerlearn.go) turns them into header values its requests carry.

// HeaderProblem is one header an answer says is missing or wrong.
type HeaderProblem struct {
	// Name is the header as the answer wrote it; "" when the answer names
	// none ("Invalid header value"): it is then about a header the
	// request carried.
	Name string
	// Kind is Missing, Invalid or Enum (Allowed lists the values).
	Kind    Kind
	Allowed []string
}

// Bounds: a refusal is a short answer; a data answer that merely mentions
// a header in passing must not teach anything.
const (
	maxComplaintBody  = 4 << 10
	maxComplaintTexts = 32
	maxComplaintKeys  = 8
	maxHeaderProblems = 8
	maxHeaderNameLen  = 64
)

const (
	hq    = "[`'\"]?"
	hname = `[A-Za-z][A-Za-z0-9_-]{0,63}`
	// before keeps a name from starting inside a word.
	before = `(?:^|[^A-Za-z0-9_-])`
	absent = `(?:missing|required|mandatory|absent|expected|needed|not\s+(?:found|present|set|provided|given|sent|specified|supplied|included)|must\s+be\s+(?:provided|present|set|given|specified|sent|included|supplied)(?:\s*$|[.,;!]))`
	wrong  = `(?:invalid|not\s+valid|incorrect|wrong|malformed|bad|an\s+invalid\s+value|not\s+supported|unsupported|not\s+allowed|not\s+recogni[sz]ed|unknown|rejected)`
	must   = `(?:must|should|has\s+to|needs\s+to|is\s+required\s+to)\s+(?:be|equal|match)\s+(.+)$`
)

var (
	// "IsAdmin header missing", "X-Tenant header is required".
	nameHeaderAbsent = lazyre.New(`(?i)` + before + hq + `(` + hname + `)` + hq + `\s+(?:request\s+|http\s+)?header\s+(?:is\s+|was\s+|has\s+not\s+been\s+)?` + absent)
	// "header 'X-Tenant' required", "header X-Tenant is missing".
	headerNameAbsent = lazyre.New(`(?i)\bheader\s*:?\s*` + hq + `(` + hname + `)` + hq + `\s+(?:is\s+|was\s+|has\s+not\s+been\s+)?` + absent)
	// "missing header X-Tenant", "missing required header: 'X-Tenant'",
	// "No IsAdmin header", "requires the X-Tenant header".
	absentHeader = lazyre.New(`(?i)\b(?:missing|required|no|expected|absent|needs?|requires?|please\s+(?:provide|set|include|send|add)|you\s+must\s+(?:provide|set|include|send|add))\s+(?:(?:a|an|the|required|mandatory|request|http|valid|custom)\s+)*(?:headers?\s*:?\s*` + hq + `(` + hname + `)` + hq + `|` + hq + `(` + hname + `)` + hq + `\s+header)`)
	// "X-Api-Version header must be 2", "IsAdmin header value should be one of true, false".
	nameHeaderMust = lazyre.New(`(?i)` + before + hq + `(` + hname + `)` + hq + `\s+header(?:'s)?(?:\s+value)?\s+` + must)
	// "header X-Api-Version must be one of 1, 2".
	headerNameMust = lazyre.New(`(?i)\bheader\s*:?\s*` + hq + `(` + hname + `)` + hq + `(?:\s+value)?\s+` + must)
	// "X-Api-Version header is invalid", "header 'X-Mode' not supported".
	nameHeaderWrong = lazyre.New(`(?i)` + before + hq + `(` + hname + `)` + hq + `\s+header(?:\s+value)?\s+(?:is\s+|has\s+|was\s+)?` + wrong)
	headerNameWrong = lazyre.New(`(?i)\bheader\s*:?\s*` + hq + `(` + hname + `)` + hq + `(?:\s+value)?\s+(?:is\s+|has\s+|was\s+)?` + wrong)
	// "invalid X-Mode header", "Invalid value for header X-Mode", "unsupported 'X-Api-Version' header value".
	wrongHeader = lazyre.New(`(?i)\b(?:invalid|bad|wrong|unsupported|unexpected|malformed|incorrect|unknown|unrecogni[sz]ed)\s+(?:value\s+(?:for|of|in)\s+)?(?:the\s+)?(?:header\s*:?\s*` + hq + `(` + hname + `)` + hq + `|` + hq + `(` + hname + `)` + hq + `\s+header)`)
	// "Invalid header value", "bad header", "header value is invalid": no name.
	wrongUnnamed = lazyre.New(`(?i)\b(?:invalid|bad|wrong|incorrect|unexpected|malformed)\s+(?:request\s+)?header(?:\s+values?)?\b|\bheader\s+values?\s+(?:is\s+|was\s+)?(?:invalid|incorrect|wrong|not\s+valid)`)
	complaintTag = lazyre.New(`<[^>]{0,512}>`)
)

// headerStopwords are words the patterns can catch where a name goes
// ("missing request header", "invalid header value"): never header names.
var headerStopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or not no is was be been must should in on of for to with from by your this that
		these those any some each every one such same request required requires missing invalid value values http valid
		custom mandatory expected following given provided found present set sent specified supplied included header headers
		empty bad wrong correct proper response content data field fields parameter parameters param params body query key`) {
		headerStopwords[w] = true
	}
}

// HeaderProblems reads an answer for headers it says are missing or
// wrong: a JSON string (also one encoded twice, as Django REST framework
// answers json.dumps(...)), the message/detail/error fields of a small JSON
// object, or plain text. Credentials ("Authorization header missing") and
// headers the transport sets (Content-Type) are no such header: they are
// never returned. At most maxHeaderProblems; an answer longer than a
// refusal is ever taken for data and yields nothing.
func HeaderProblems(body []byte) []HeaderProblem {
	if !MayNameHeader(body) {
		return nil
	}
	var out []HeaderProblem
	seen := map[string]bool{}
	for _, text := range complaintTexts(body) {
		p, ok := headerProblem(text)
		if !ok {
			continue
		}
		k := strings.ToLower(p.Name) + "|" + p.Kind.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
		if len(out) == maxHeaderProblems {
			break
		}
	}
	return out
}

// MayNameHeader is HeaderProblems' cheap first look: a short answer that
// says "header" somewhere.
func MayNameHeader(body []byte) bool {
	if len(body) == 0 || len(body) > maxComplaintBody {
		return false
	}
	return bytes.Contains(body, []byte("header")) || bytes.Contains(body, []byte("Header")) || bytes.Contains(body, []byte("HEADER"))
}

// headerProblem reads one message.
func headerProblem(text string) (HeaderProblem, bool) {
	line := strings.TrimSpace(text)
	if len(line) > maxMessageLen {
		line = line[:maxMessageLen]
	}
	line = strings.TrimRight(line, ".!; ")
	if line == "" {
		return HeaderProblem{}, false
	}
	// A value the answer asks for first: "X header must be set to 2" is
	// worth more than "X header must be set".
	for _, re := range []*lazyre.Regexp{nameHeaderMust, headerNameMust} {
		if m := re.FindStringSubmatch(line); m != nil {
			if n, ok := headerName(m[1]); ok {
				return mustProblem(n, m[2]), true
			} else if n != "" {
				return HeaderProblem{}, false // a credential: not ours to learn
			}
		}
	}
	for _, re := range []*lazyre.Regexp{nameHeaderAbsent, headerNameAbsent, absentHeader} {
		if m := re.FindStringSubmatch(line); m != nil {
			if n, ok := headerName(firstOf(m[1:])); ok {
				return HeaderProblem{Name: n, Kind: Missing}, true
			} else if n != "" {
				return HeaderProblem{}, false
			}
		}
	}
	for _, re := range []*lazyre.Regexp{nameHeaderWrong, headerNameWrong, wrongHeader} {
		if m := re.FindStringSubmatch(line); m != nil {
			if n, ok := headerName(firstOf(m[1:])); ok {
				p := HeaderProblem{Name: n, Kind: Invalid}
				if vals := enumValues(line); len(vals) > 0 {
					p.Kind, p.Allowed = Enum, vals
				}
				return p, true
			} else if n != "" {
				return HeaderProblem{}, false
			}
		}
	}
	if wrongUnnamed.MatchString(line) {
		return HeaderProblem{Kind: Invalid}, true
	}
	return HeaderProblem{}, false
}

func firstOf(ms []string) string {
	for _, m := range ms {
		if m != "" {
			return m
		}
	}
	return ""
}

// headerName vets a name a pattern caught: ok is false for an English
// word (returned as "") and for a credential or transport header
// (returned as itself, so that the caller stops there).
func headerName(n string) (string, bool) {
	n = strings.Trim(n, "-_")
	if n == "" || len(n) > maxHeaderNameLen || headerStopwords[strings.ToLower(n)] {
		return "", false
	}
	if !Learnable(n) {
		return n, false
	}
	return n, true
}

// mustProblem reads what follows "must be": values ("2", "one of v1,
// v2", "set to True"), or words that mean it is missing.
func mustProblem(name, tail string) HeaderProblem {
	t := strings.TrimSpace(tail)
	low := strings.ToLower(t)
	for _, w := range []string{"provided", "present", "set", "given", "specified", "sent", "included", "supplied", "non-empty", "not empty"} {
		if low == w {
			return HeaderProblem{Name: name, Kind: Missing}
		}
	}
	for _, pre := range []string{"one of ", "either ", "set to ", "equal to ", "exactly ", "any of ", "among "} {
		if strings.HasPrefix(strings.ToLower(t), pre) {
			t = t[len(pre):]
		}
	}
	t = strings.TrimRight(t, ".!; ")
	vals := splitList(t)
	if len(vals) == 0 || !allTokens(vals) {
		return HeaderProblem{Name: name, Kind: Invalid}
	}
	return HeaderProblem{Name: name, Kind: Enum, Allowed: vals}
}

// complaintTexts are the messages of an answer: a JSON string (decoded
// again when it is itself JSON), the message-like fields of a small
// object, a list of either, or the lines of a plain answer.
func complaintTexts(body []byte) []string {
	var out []string
	add := func(s string) {
		for _, line := range strings.Split(s, "\n") {
			if len(out) == maxComplaintTexts {
				return
			}
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 4 || len(out) >= maxComplaintTexts {
			return
		}
		switch x := v.(type) {
		case string:
			if inner, ok := decodeJSON([]byte(strings.TrimSpace(x))); ok {
				if _, isStr := inner.(string); isStr || depth < 2 {
					walk(inner, depth+1)
					return
				}
			}
			add(x)
		case []any:
			for i, it := range x {
				if i == maxComplaintTexts {
					break
				}
				walk(it, depth+1)
			}
		case map[string]any:
			if len(x) > maxComplaintKeys {
				return // an object with this many keys is data, not a refusal
			}
			for k := range x {
				if lk := strings.ToLower(k); lk == "id" || lk == "uuid" || strings.HasSuffix(lk, "_id") {
					return // an object with a key is data
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				switch strings.ToLower(k) {
				case "message", "msg", "detail", "details", "error", "errors", "error_description", "description",
					"reason", "status_message", "errormessage", "error_message", "non_field_errors", "headers", "header":
					walk(x[k], depth+1)
				}
			}
		}
	}
	if doc, ok := decodeJSON(body); ok {
		walk(doc, 0)
		return out
	}
	s := string(body)
	if strings.Contains(s, "<") && strings.Contains(s, ">") {
		s = complaintTag.ReplaceAllString(s, "\n")
	}
	add(s)
	return out
}

func decodeJSON(b []byte) (any, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || !strings.ContainsRune(`"{[`, rune(b[0])) {
		return nil, false
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	return v, true
}

// Learnable reports whether a header may be learned from the API's
// answers: not a credential (identities carry those: a missing
// Authorization header is about authentication, not about the request's
// shape) and not one the transport or the body encoding sets.
func Learnable(name string) bool {
	if credentialHeader(name) {
		return false
	}
	switch http.CanonicalHeaderKey(name) {
	case "Content-Encoding", "Transfer-Encoding", "Connection", "Te", "Upgrade", "Expect", "Origin", "Referer", "Set-Cookie":
		return false
	}
	low := normName(name)
	for _, w := range []string{"auth", "token", "cookie", "session", "csrf", "xsrf", "password", "passwd", "secret",
		"signature", "credential", "bearer", "jwt", "apikey", "accesskey", "clientkey", "privatekey", "otp", "totp"} {
		if strings.Contains(low, w) {
			return false
		}
	}
	return true
}

// Privileged reports whether a header's name says it grants privilege
// (IsAdmin, X-Role, X-Superuser, X-Staff...): an API that decides
// authorization by it lets every client decide.
func Privileged(name string) bool {
	low := normName(name)
	for _, w := range []string{"admin", "superuser", "sudo", "privilege", "elevat", "moderator", "isstaff", "staff"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	for _, w := range surface.Words(name) {
		switch w {
		case "role", "roles", "root", "su", "permission", "permissions":
			return true
		}
	}
	return false
}

// booleanName says a header's name reads as a yes/no (IsAdmin, Has-Access,
// X-Debug, X-Feature-Enabled).
func booleanName(name string) bool {
	w := surface.Words(name)
	if len(w) > 1 && w[0] == "x" {
		w = w[1:]
	}
	if len(w) > 1 {
		switch w[0] {
		case "is", "has", "can", "allow", "enable", "use":
			return true
		}
	}
	n := normName(name)
	for _, s := range []string{"admin", "enabled", "debug", "superuser", "staff", "sudo"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
