package exposure

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/rampart-sec/rampart/internal/jwt"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/luhn"
)

// class groups what a detector finds; each class is one check.
type class int

const (
	classHash class = iota
	classSecret
	classPII
	classPlaintext // a password (or secret answer) as the user typed it
	classCard      // a card number with its CVV or expiry
	classToken     // a credential under a token-like key, judged by whose it is
)

// hit is one sensitive value found in a body.
type hit struct {
	class  class
	kind   string // "Werkzeug PBKDF2 hash", "e-mail address", …
	high   bool   // high rather than medium severity (PII)
	path   string // JSON path, "" in text
	value  string
	record map[string]any // the object that holds it (JSON only)
	// parts are the other values a hit names (a card's CVV and expiry),
	// masked in evidence like the value.
	parts []string
	jwt   bool // found in the payload of a JWT the answer carries
}

// Password hashes in their standard encodings. They are unambiguous, so
// they are matched anywhere; bare hex digests only under a password-like key.
var hashRes = []struct {
	kind string
	re   *lazyre.Regexp
}{
	{"bcrypt hash", lazyre.New(`\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}`)},
	{"Argon2 hash", lazyre.New(`\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+`)},
	{"Werkzeug PBKDF2 hash", lazyre.New(`pbkdf2:sha(?:1|224|256|384|512):\d+\$[A-Za-z0-9./+]+\$[0-9a-f]{40,128}`)},
	{"Werkzeug scrypt hash", lazyre.New(`scrypt:\d+:\d+:\d+\$[A-Za-z0-9./+]+\$[0-9a-f]{64,256}`)},
	{"Django password hash", lazyre.New(`(?:pbkdf2_sha(?:1|256)\$\d+|argon2\$argon2(?:id|i|d)|bcrypt_sha256\$\$2[aby]|scrypt\$\d+)\$[A-Za-z0-9./+=$,]{20,}`)},
	{"passlib PBKDF2 hash", lazyre.New(`\$pbkdf2(?:-sha(?:1|256|512))?\$\d+\$[./A-Za-z0-9]+\$[./A-Za-z0-9]{20,}`)},
	{"scrypt hash", lazyre.New(`\$scrypt\$ln=\d+,r=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+`)},
	{"SHA-crypt hash", lazyre.New(`\$[56]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,86}`)},
	{"MD5-crypt hash", lazyre.New(`\$1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}`)},
}

var (
	hexDigest  = lazyre.New(`^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$`)
	passwordKy = lazyre.New(`(?i)pass(?:word|wd)?|pwd|passphrase`)
)

// Secrets of well-known formats: the prefixes are assigned by the issuers,
// so a match is very unlikely to be anything else.
var secretRes = []struct {
	kind string
	re   *lazyre.Regexp
}{
	{"private key", lazyre.New(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----`)},
	{"AWS access key id", lazyre.New(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"GitHub token", lazyre.New(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b`)},
	{"Slack token", lazyre.New(`\bxox[abprs]-[A-Za-z0-9-]{10,}`)},
	{"Stripe live key", lazyre.New(`\b(?:sk|rk)_live_[A-Za-z0-9]{20,}`)},
	{"Google API key", lazyre.New(`\bAIza[0-9A-Za-z_-]{35}\b`)},
	{"SendGrid API key", lazyre.New(`\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b`)},
	{"OpenAI API key", lazyre.New(`\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}`)},
}

var (
	emailRe   = lazyre.New(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)
	phoneKey  = lazyre.New(`(?i)(phone|mobile|msisdn|tel$|^tel|fax|cell)`)
	phoneRe   = lazyre.New(`^\+?[0-9 ().-]{7,20}$`)
	cardKey   = lazyre.New(`(?i)(card|^pan$|_pan$|^cc_?n|credit)`)
	cardText  = lazyre.New(`^[0-9][0-9 -]{11,22}[0-9]$`)
	natKey    = lazyre.New(`(?i)(ssn|social_?security|national_?id|nino|passport|tax_?id|^sin$|personal_?(?:number|id)|bsn|aadhaar|nric)`)
	ssnRe     = lazyre.New(`^\d{3}-?\d{2}-?\d{4}$`)
	ninoRe    = lazyre.New(`^[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]$`)
	genericID = lazyre.New(`^[A-Z0-9-]{6,20}$`)
	personKey = lazyre.New(`(?i)^(id|user_?id|uid|username|user_?name|name|display_?name|first_?name|last_?name|full_?name|login|owner_?id|customer_?id|account_?id)$`)
)

// cardBrand recognises the issuer ranges of the common card networks.
func cardBrand(d string) bool {
	switch {
	case len(d) < 13 || len(d) > 19:
		return false
	case d[0] == '4':
		return true // Visa
	case d[:2] >= "51" && d[:2] <= "55", d[:4] >= "2221" && d[:4] <= "2720":
		return true // Mastercard
	case d[:2] == "34" || d[:2] == "37":
		return true // Amex
	case strings.HasPrefix(d, "6011") || strings.HasPrefix(d, "65"):
		return true // Discover
	case d[:2] == "35" || d[:2] == "36" || d[:2] == "38":
		return true // JCB, Diners
	}
	return false
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isCard: a Luhn-valid number of an issuer's range, under a card-like
// key, or written in groups of four (a formatted PAN).
func isCard(key, v string) bool {
	if !cardText.MatchString(v) {
		return false
	}
	d := digitsOnly(v)
	if !cardBrand(d) || !luhn.Valid(d) {
		return false
	}
	grouped := strings.Count(v, " ") == 3 || strings.Count(v, "-") == 3
	return cardKey.MatchString(key) || grouped
}

// isSpec says whether a document is an OpenAPI or Swagger description:
// its contact e-mail and examples are documentation, not exposure.
func isSpec(doc any) bool {
	m, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	_, paths := m["paths"]
	_, oa := m["openapi"]
	_, sw := m["swagger"]
	return paths && (oa || sw)
}

// Bounds of one body's walk: a hostile answer cannot make it expensive.
const (
	maxDepth   = 32
	maxHits    = 200
	maxItems   = 500
	maxJWTs    = 8
	maxValueSz = 64 << 10
)

// scanner walks one body.
type scanner struct {
	out  []hit
	jwts int
}

// scan finds sensitive values in a body: in JSON with the key and the
// record around each value (and in the payloads of the JWTs it carries),
// in other text by the unambiguous patterns only.
func scan(body []byte) []hit {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return scanText(string(body))
	}
	if isSpec(doc) {
		return nil
	}
	sc := &scanner{}
	sc.walk(doc, "", "", nil, 0, false)
	return sc.out
}

func (sc *scanner) walk(v any, path, key string, rec map[string]any, depth int, inJWT bool) {
	if depth > maxDepth || len(sc.out) > maxHits {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if h, ok := cardRecord(x); ok {
			h.path, h.record, h.jwt = join(path, h.path), x, inJWT
			sc.out = append(sc.out, h)
		}
		for k, c := range x {
			sc.walk(c, join(path, k), k, x, depth+1, inJWT)
		}
	case []any:
		for i, c := range x {
			if i >= maxItems {
				break
			}
			sc.walk(c, path+"[]", key, rec, depth+1, inJWT)
		}
	case string:
		if sc.jwts < maxJWTs && jwt.Looks(x) {
			if t, err := jwt.Parse(x); err == nil {
				// What a token carries is readable by anyone who holds it.
				sc.jwts++
				sc.walk(t.Claims, path+"<jwt>", "", nil, depth+1, true)
			}
		}
		sc.add(key, x, path, rec, inJWT)
	case json.Number:
		sc.add(key, x.String(), path, rec, inJWT)
	}
}

func (sc *scanner) add(key, v, path string, rec map[string]any, inJWT bool) {
	for _, h := range scanValue(key, v) {
		h.path, h.record, h.jwt = path, rec, inJWT
		sc.out = append(sc.out, h)
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	if k == "" {
		return path
	}
	return path + "." + k
}

func scanValue(key, v string) []hit {
	var out []hit
	if len(v) > 64<<10 {
		v = v[:64<<10]
	}
	for _, d := range hashRes {
		if m := d.re.FindString(v); m != "" {
			out = append(out, hit{class: classHash, kind: d.kind, value: m})
			return out
		}
	}
	if passwordKy.MatchString(key) && hexDigest.MatchString(v) {
		return append(out, hit{class: classHash, kind: "unsalted hex digest", value: v})
	}
	if kind := plaintextKey(key); kind != "" && plaintext(v) {
		return append(out, hit{class: classPlaintext, kind: kind, high: true, value: v})
	}
	if kind := tokenKey(key); kind != "" && credential(v) {
		out = append(out, hit{class: classToken, kind: kind, high: true, value: v})
	}
	for _, d := range secretRes {
		if m := d.re.FindString(v); m != "" {
			if d.kind == "private key" {
				m = v // the whole PEM block is the secret
			}
			out = append(out, hit{class: classSecret, kind: d.kind, value: m})
		}
	}
	switch {
	case emailRe.MatchString(v):
		out = append(out, hit{class: classPII, kind: "e-mail address", value: v})
	case phoneKey.MatchString(key) && phoneRe.MatchString(v) && len(digitsOnly(v)) >= 7 && len(digitsOnly(v)) <= 15:
		out = append(out, hit{class: classPII, kind: "phone number", value: v})
	case isCard(key, v):
		out = append(out, hit{class: classPII, kind: "card number", high: true, value: v})
	case natKey.MatchString(key) && (ssnRe.MatchString(v) || ninoRe.MatchString(v) || genericID.MatchString(v)):
		out = append(out, hit{class: classPII, kind: "national id", high: true, value: v})
	}
	return out
}

func scanText(s string) []hit {
	var out []hit
	if len(s) > 1<<20 {
		s = s[:1<<20]
	}
	for _, d := range hashRes {
		for _, m := range d.re.FindAllString(s, 5) {
			out = append(out, hit{class: classHash, kind: d.kind, value: m})
		}
	}
	for _, d := range secretRes {
		for _, m := range d.re.FindAllString(s, 5) {
			out = append(out, hit{class: classSecret, kind: d.kind, value: m})
		}
	}
	return out
}

// isPerson says whether a record describes a person (has an id or a
// name next to the personal data), as opposed to, say, a support contact.
func isPerson(rec map[string]any) bool {
	for k := range rec {
		if personKey.MatchString(k) {
			return true
		}
	}
	return false
}

// mask keeps enough to recognise a value and hides the rest.
func mask(h hit) string {
	v := h.value
	switch {
	case h.kind == "e-mail address":
		at := strings.IndexByte(v, '@')
		return v[:1] + "***" + v[at:]
	case h.kind == "private key":
		return "-----BEGIN … PRIVATE KEY----- [masked]"
	case h.class == classHash:
		// Keep the algorithm and cost, hide salt and digest.
		if i := strings.IndexByte(v, '$'); i > 0 && i < 40 {
			return v[:i] + "$…[masked]"
		}
		if strings.HasPrefix(v, "$") {
			parts := strings.SplitN(v, "$", 4)
			if len(parts) >= 3 {
				return "$" + parts[1] + "$" + parts[2] + "$…[masked]"
			}
		}
		return v[:4] + "…[masked]"
	case h.kind == "card number" || h.class == classCard:
		d := digitsOnly(v)
		return "****" + d[len(d)-4:]
	case h.class == classPlaintext:
		return "[masked]"
	default:
		r := []rune(v)
		if len(r) <= 4 {
			return "****"
		}
		return string(r[:min(4, len(r)/4)]) + "…[masked]"
	}
}
