package surface

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
)

// Synthesised values have to get a request past input validation so that a
// check tests the logic behind it, and they have to be the same on every run
// so that findings and evidence are reproducible. Hence: the document's own
// example first, then its constraints, then what the field's name suggests,
// and never randomness.

const (
	maxValueDepth = 8
	// maxStringLen bounds what a hostile minLength can make us allocate.
	maxStringLen = 4096
	// multipartBoundary is fixed so that bodies are byte-for-byte stable.
	multipartBoundary = "rampart-boundary-7f3a9c"
)

// Value returns a plausible value for a field called name with schema s: an
// example, default or enum value when the schema has one, otherwise a value
// built from its type, format, bounds, pattern and what the name suggests.
// s may be nil. The result is deterministic.
func Value(s *rampart.Schema, name string) any {
	return value(s, name, 0)
}

func value(s *rampart.Schema, name string, depth int) any {
	if s == nil {
		if isIDName(name) {
			return int64(1)
		}
		if v := stringHint(name); v != "" {
			return v
		}
		return "rampart"
	}
	if s.Example != nil {
		return s.Example
	}
	if s.Default != nil {
		return s.Default
	}
	for _, e := range s.Enum {
		if e != nil {
			return e
		}
	}
	switch inferType(s, name) {
	case "object":
		obj := map[string]any{}
		if depth >= maxValueDepth {
			return obj
		}
		for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
			p := s.Properties[k]
			if p == nil || p.ReadOnly {
				continue
			}
			obj[k] = value(p, k, depth+1)
		}
		return obj
	case "array":
		if depth >= maxValueDepth {
			return []any{}
		}
		return []any{value(s.Items, Singular(name), depth+1)}
	case "integer":
		return intValue(s, name)
	case "number":
		return numberValue(s, name)
	case "boolean":
		// false: a synthesised is_admin=true would be a mass-assignment
		// probe, which is a check's decision, not the synthesiser's.
		return false
	case "null":
		return nil
	default:
		return stringValue(s, name)
	}
}

func inferType(s *rampart.Schema, name string) string {
	if s.Type != "" {
		return s.Type
	}
	switch {
	case len(s.Properties) > 0:
		return "object"
	case s.Items != nil:
		return "array"
	case s.Format == "int32" || s.Format == "int64":
		return "integer"
	case s.Format == "float" || s.Format == "double":
		return "number"
	case s.Minimum != nil || s.Maximum != nil:
		return "number"
	case s.Format == "" && s.Pattern == "" && isIDName(name):
		return "integer"
	}
	return "string"
}

// Words splits a field or parameter name into lower-case words:
// userEmail, user_email, user-email, "User Email" all give [user email], and
// userID gives [user id]. Checks use it to read intent from names.
func Words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

func isIDName(name string) bool {
	w := Words(name)
	if len(w) == 0 {
		return false
	}
	last := w[len(w)-1]
	return last == "id" || last == "pk"
}

func has(w []string, any ...string) bool {
	for _, x := range w {
		for _, a := range any {
			if x == a {
				return true
			}
		}
	}
	return false
}

func last(w []string) string {
	if len(w) == 0 {
		return ""
	}
	return w[len(w)-1]
}

// titleWords and proseWords are the words of fields that hold what a
// person wrote: a title, a description, a memo.
var (
	titleWords = []string{"title", "subject", "headline", "label", "caption"}
	proseWords = []string{"body", "content", "text", "message", "description", "comment", "comments", "note", "notes",
		"summary", "bio", "details", "memo", "info", "remark", "remarks", "narrative"}
)

// Prose says whether a field's name ends in a word for what a person
// wrote (a title, a description, a memo): such a field never names an
// object, however its values are spelt.
func Prose(name string) bool {
	l := last(Words(name))
	return slices.Contains(titleWords, l) || slices.Contains(proseWords, l)
}

// stringHint is what a string field's name suggests, or "".
func stringHint(name string) string {
	w := Words(name)
	l := last(w)
	switch {
	case len(w) == 0:
		return ""
	case has(w, "email", "mail") || l == "emailaddress":
		return "rampart@example.com"
	case has(w, "password", "passwd", "pwd", "passphrase") || l == "secret":
		return "Rampart-Passw0rd!"
	case l == "username" || l == "login" || l == "handle" || (l == "name" && has(w, "user", "login", "screen")):
		return "rampart_user"
	case l == "uuid" || l == "guid":
		return formatValue("uuid")
	case l == "id" || l == "pk":
		return "1"
	case has(w, "url", "uri", "href", "link", "website", "homepage", "callback", "redirect", "avatar"):
		return "https://example.com/"
	case has(w, "card", "cc", "pan") && (l == "number" || l == "no" || l == "num" || l == "card" || l == "pan") ||
		l == "cardnumber" || l == "ccnumber":
		return cardNumber
	case l == "cvv" || l == "cvc" || l == "cvv2" || l == "csc" || (l == "code" && has(w, "security", "card")):
		return "123"
	case has(w, "expiry", "expiration", "exp") && !has(w, "date", "at", "time"):
		return "12/30"
	case l == "iban":
		return iban
	case l == "version" || l == "ver" || (l == "v" && len(w) == 1):
		return "1"
	case has(w, "phone", "mobile", "tel", "telephone", "fax", "msisdn"):
		return "+15555550123"
	case l == "currency" || (l == "code" && has(w, "currency")):
		return "USD"
	case has(w, "country") && (l == "code" || l == "country"):
		return "US"
	case has(w, "zip", "zipcode", "postcode", "postal"):
		return "94105"
	case has(w, "amount", "price", "total", "balance", "cost", "fee", "subtotal"):
		return "10.00"
	case has(w, "coupon", "promo", "voucher"):
		return "RAMPART10"
	case l == "code" || l == "otp" || l == "pin":
		return "123456"
	case slices.Contains(titleWords, l):
		return "Rampart test title"
	case has(w, proseWords...):
		return "Rampart test content"
	case has(w, "first", "given", "firstname", "givenname", "forename") && (l == "name" || len(w) == 1):
		return "Ada"
	case has(w, "last", "family", "lastname", "surname", "familyname") && (l == "name" || len(w) == 1):
		return "Lovelace"
	case l == "name" || l == "fullname" || l == "nickname":
		return "Rampart Test"
	case l == "date" || has(w, "birthday", "dob", "birthdate"):
		return formatValue("date")
	case l == "at" || l == "time" || l == "timestamp" || l == "datetime" || l == "since" || l == "until":
		return formatValue("date-time")
	case l == "ip" || (has(w, "ip") && has(w, "address", "addr")):
		return formatValue("ipv4")
	case l == "host" || l == "hostname" || l == "domain":
		return "example.com"
	case l == "country":
		return "US"
	case l == "city" || l == "town":
		return "Springfield"
	case has(w, "address", "street"):
		return "1 Main Street"
	case l == "lang" || l == "language" || l == "locale":
		return "en"
	case l == "timezone" || l == "tz":
		return "UTC"
	case l == "color" || l == "colour":
		return "#336699"
	case l == "token" || l == "nonce":
		return "rampart-token"
	case l == "slug":
		return "rampart-test"
	case l == "role":
		return "user"
	case l == "status" || l == "state":
		return "active"
	case l == "sort" || l == "order" || (l == "by" && has(w, "order", "sort")):
		return "id"
	case l == "q" || l == "query" || l == "search" || l == "filter" || l == "keyword":
		return "rampart"
	}
	return ""
}

// formatValue is a valid value for a string format, or "" when the format is
// unknown.
func formatValue(format string) string {
	switch strings.ToLower(format) {
	case "email", "idn-email":
		return "rampart@example.com"
	case "uuid":
		return "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	case "date":
		return "2024-01-15"
	case "date-time":
		return "2024-01-15T10:00:00Z"
	case "time":
		return "10:00:00"
	case "duration":
		return "P1D"
	case "uri", "url", "iri":
		return "https://example.com/"
	case "uri-reference", "iri-reference", "uri-template":
		return "/rampart"
	case "json-pointer", "relative-json-pointer":
		return "/rampart"
	case "hostname", "idn-hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.10"
	case "ipv6":
		return "2001:db8::10"
	case "password":
		return "Rampart-Passw0rd!"
	case "byte", "base64":
		return "cmFtcGFydA=="
	case "binary":
		return "rampart"
	case "int32", "int64", "integer":
		return "1"
	case "float", "double", "decimal", "number":
		return "1.5"
	case "phone", "tel":
		return "+15555550123"
	case "regex":
		return "^rampart$"
	case "color":
		return "#336699"
	case "card", "credit-card", "pan":
		return cardNumber
	case "iban":
		return iban
	}
	return ""
}

const (
	// cardNumber is a test card number that passes the Luhn check (the
	// payment networks' documented test number), so a card field's
	// validation takes it while no issuer ever charges it.
	cardNumber = "4242424242424242"
	// iban is the ISO 13616 example IBAN: its check digits are valid.
	iban = "GB82WEST12345698765432"
)

func stringValue(s *rampart.Schema, name string) string {
	v := formatValue(s.Format)
	if v == "" {
		v = stringHint(name)
	}
	if v == "" {
		v = "rampart"
	}
	if s.Pattern != "" {
		if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(v) {
			if g, ok := fromPattern(re, s.Pattern); ok {
				v = g
			}
		}
	}
	return fitLength(v, s.MinLength, s.MaxLength)
}

func fitLength(v string, minLen, maxLen int) string {
	minLen = min(minLen, maxStringLen)
	if n := utf8.RuneCountInString(v); n < minLen {
		v += strings.Repeat("x", minLen-n)
	}
	if maxLen > 0 && utf8.RuneCountInString(v) > maxLen {
		v = string([]rune(v)[:maxLen])
	}
	return v
}

// FromPattern builds a short string the regular expression accepts (see
// fromPattern), or false when it cannot.
func FromPattern(pattern string) (string, bool) {
	if len(pattern) > maxStringLen {
		return "", false
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return "", false
	}
	return fromPattern(re, pattern)
}

// FormatValue is a valid value for a string format (email, uuid, date,
// date-time, uri, ipv4, phone, card, iban, ...), or "" for an unknown one.
func FormatValue(format string) string { return formatValue(format) }

// fromPattern builds the shortest simple string a regular expression
// accepts: first alternatives, minimum repetitions, letters and digits from
// character classes. It gives up (false) when the result does not match,
// e.g. with lookarounds the Go engine does not support anyway.
func fromPattern(re *regexp.Regexp, pattern string) (string, bool) {
	p, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	gen(p.Simplify(), &b, 0)
	out := b.String()
	if len(out) > maxStringLen || !re.MatchString(out) {
		return "", false
	}
	return out, true
}

func gen(re *syntax.Regexp, b *strings.Builder, depth int) {
	if depth > 100 || b.Len() > maxStringLen {
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		b.WriteRune(pickRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('a')
	case syntax.OpCapture:
		for _, s := range re.Sub {
			gen(s, b, depth+1)
		}
	case syntax.OpPlus:
		gen(re.Sub[0], b, depth+1)
	case syntax.OpRepeat:
		// Stop as soon as the value is long enough: nested repeats would
		// otherwise multiply into millions of calls.
		for i := 0; i < re.Min && i < 64 && b.Len() <= maxStringLen; i++ {
			gen(re.Sub[0], b, depth+1)
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if b.Len() > maxStringLen {
				return
			}
			gen(s, b, depth+1)
		}
	case syntax.OpAlternate:
		if len(re.Sub) > 0 {
			gen(re.Sub[0], b, depth+1)
		}
	}
	// Star, quest, empty match, anchors and boundaries add nothing.
}

// pickRune prefers a lower-case letter, then a digit, then an upper-case
// letter from a character class (given as lo-hi pairs), so generated values
// stay readable and URL-safe.
func pickRune(ranges []rune) rune {
	for _, want := range []rune{'a', '0', 'A', '-', '_'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want
			}
		}
	}
	for _, lohi := range [][2]rune{{'a', 'z'}, {'0', '9'}, {'A', 'Z'}} {
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := max(ranges[i], lohi[0]), min(ranges[i+1], lohi[1])
			if lo <= hi {
				return lo
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}

func intValue(s *rampart.Schema, name string) any {
	w := Words(name)
	l := last(w)
	v := 1.0
	switch {
	case l == "id" || l == "pk" || l == "page":
		v = 1
	case has(w, "limit", "size", "count", "per", "pagesize", "perpage", "top", "first"):
		v = 10
	case has(w, "amount", "price", "total", "balance", "cost", "fee"):
		v = 10
	case l == "offset" || l == "skip":
		v = 0
	case l == "age":
		v = 30
	case l == "year":
		v = 2024
	case l == "month":
		v = 1
	case l == "day":
		v = 15
	case l == "port":
		v = 8080
	}
	v = clampNum(v, s, true)
	return int64(v)
}

func numberValue(s *rampart.Schema, name string) any {
	w := Words(name)
	l := last(w)
	v := 1.5
	switch {
	case has(w, "amount", "price", "total", "balance", "cost", "fee", "subtotal"):
		v = 10
	case l == "lat" || l == "latitude":
		v = 37.7749
	case l == "lon" || l == "lng" || l == "longitude":
		v = -122.4194
	case has(w, "rate", "ratio", "percent", "percentage"):
		v = 0.5
	}
	return clampNum(v, s, false)
}

func clampNum(v float64, s *rampart.Schema, integer bool) float64 {
	if s.Minimum != nil && !math.IsNaN(*s.Minimum) && v < *s.Minimum {
		v = *s.Minimum
		if integer {
			v = math.Ceil(v)
		}
	}
	if s.Maximum != nil && !math.IsNaN(*s.Maximum) && v > *s.Maximum {
		v = *s.Maximum
		if integer {
			v = math.Floor(v)
		}
	}
	if integer && (v > math.MaxInt64/2 || v < math.MinInt64/2) {
		v = 1
	}
	return v
}

// Singular is a crude English singular, good enough to turn an array called
// "tags" into items called "tag" for name hints.
func Singular(name string) string {
	switch {
	case strings.HasSuffix(name, "ies") && len(name) > 3:
		return name[:len(name)-3] + "y"
	case strings.HasSuffix(name, "ses") || strings.HasSuffix(name, "xes"):
		return name[:len(name)-2]
	case strings.HasSuffix(name, "s") && !strings.HasSuffix(name, "ss") && len(name) > 1:
		return name[:len(name)-1]
	}
	return name
}

// Format renders a synthesised or example value the way it goes into a
// path, query string, header or form field.
func Format(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case json.Number:
		return x.String()
	case fmt.Stringer:
		return x.String()
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// PathValue is the value to send for parameter p of op (any location, not
// only path): its example, else a value synthesised from its schema and
// name. A bare "id" in /notes/{id} is hinted as "note_id".
func PathValue(op *rampart.Operation, p *rampart.Param) string {
	if p == nil {
		return "1"
	}
	if p.Example != nil {
		return Format(scalar(p.Example))
	}
	name := p.Name
	if op != nil && p.In == "path" && strings.EqualFold(name, "id") {
		if seg := segmentBefore(op.Path, "{"+p.Name+"}"); seg != "" {
			name = Singular(seg) + "_id"
		}
	}
	v := Format(scalar(Value(p.Schema, name)))
	if op != nil && p.In == "path" && isVersionName(p.Name) && versionSegment(op.Path, p.Name) && isDigits(v) &&
		(p.Schema == nil || (p.Schema.Example == nil && p.Schema.Default == nil && len(p.Schema.Enum) == 0 &&
			p.Schema.Type != "integer" && p.Schema.Type != "number")) {
		// /api/{version}/users: a version segment alone reads "v1"; in
		// /api/v{version}/ the template already writes the "v".
		v = "v" + v
	}
	return v
}

func isVersionName(n string) bool {
	w := Words(n)
	return len(w) > 0 && (w[len(w)-1] == "version" || w[len(w)-1] == "ver" || n == "v")
}

// versionSegment reports whether {name} is a whole path segment.
func versionSegment(path, name string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "{"+name+"}" {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// scalar reduces an array value to its first item, since one path segment
// or query value carries one item.
func scalar(v any) any {
	if a, ok := v.([]any); ok {
		if len(a) == 0 {
			return ""
		}
		return a[0]
	}
	return v
}

func segmentBefore(path, placeholder string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s == placeholder && i > 0 && !strings.Contains(segs[i-1], "{") {
			return segs[i-1]
		}
	}
	return ""
}

// URL fills op's path template and query string against base. base is where
// operation paths hang off (see Surface.BaseURL); its path is kept as a
// prefix and its query is kept. values name path or query parameters and
// win over synthesised ones; a value whose name is no path, header or cookie
// parameter of op goes into the query. Required query parameters are always
// sent, optional ones only when the document gives an example. Values are
// escaped, so a value can never add a path segment.
func URL(base *url.URL, op *rampart.Operation, values map[string]string) string {
	var pathBuf strings.Builder
	pathBuf.WriteString(strings.TrimSuffix(base.EscapedPath(), "/"))
	tmpl := op.Path
	if !strings.HasPrefix(tmpl, "/") {
		tmpl = "/" + tmpl
	}
	used := map[string]bool{}
	for len(tmpl) > 0 {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			pathBuf.WriteString(escapeLiteral(tmpl))
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			pathBuf.WriteString(escapeLiteral(tmpl))
			break
		}
		pathBuf.WriteString(escapeLiteral(tmpl[:open]))
		name := tmpl[open+1 : open+end]
		v, ok := values[name]
		if !ok {
			v = PathValue(op, op.Param("path", name))
		}
		used[name] = true
		pathBuf.WriteString(url.PathEscape(v))
		tmpl = tmpl[open+end+1:]
	}

	q := base.Query()
	for _, p := range op.Params {
		if p.In != "query" {
			continue
		}
		if v, ok := values[p.Name]; ok {
			q.Set(p.Name, v)
			used[p.Name] = true
			continue
		}
		if p.Required || p.Example != nil || (p.Schema != nil && p.Schema.Example != nil) {
			addQuery(q, p.Name, op, &p)
		}
	}
	for _, p := range op.Params {
		if p.In == "header" || p.In == "cookie" {
			used[p.Name] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if !used[k] && !q.Has(k) {
			q.Set(k, values[k])
		}
	}

	out := url.URL{Scheme: base.Scheme, Host: base.Host, RawQuery: q.Encode()}
	escaped := pathBuf.String()
	if unescaped, err := url.PathUnescape(escaped); err == nil {
		out.Path = unescaped
		out.RawPath = escaped
	} else {
		out.Path = escaped
	}
	return out.String()
}

// addQuery sends an array example as repeated keys (OpenAPI's default
// form/explode style), anything else as one value.
func addQuery(q url.Values, name string, op *rampart.Operation, p *rampart.Param) {
	v := p.Example
	if v == nil {
		v = Value(p.Schema, p.Name)
	}
	if a, ok := v.([]any); ok {
		for _, x := range a {
			q.Add(name, Format(x))
		}
		if len(a) > 0 {
			return
		}
	}
	q.Set(name, PathValue(op, p))
}

// escapeLiteral escapes the fixed parts of a template, keeping slashes.
func escapeLiteral(s string) string {
	return (&url.URL{Path: s}).EscapedPath()
}

// Body builds op's request body: the document's body example when there is
// one, else a value from the body schema with required and optional
// writable properties (readOnly ones left out). JSON for JSON media types,
// url-encoded or multipart for forms. A nil body means op takes none.
func Body(op *rampart.Operation) ([]byte, string) {
	if op == nil || op.Body == nil {
		return nil, ""
	}
	return EncodeBody(BodyValue(op), op.Body.ContentType, op.Body.Schema)
}

// BodyValue is the value Body encodes: the document's example, else one
// synthesised from the body schema (an empty object without one).
func BodyValue(op *rampart.Operation) any {
	if op == nil || op.Body == nil {
		return nil
	}
	if op.Body.Example != nil {
		return op.Body.Example
	}
	if op.Body.Schema == nil {
		return map[string]any{}
	}
	return Value(op.Body.Schema, "")
}

// EncodeBody serialises a body value for a media type (JSON when ct is
// empty): JSON, url-encoded or multipart form (s tells which multipart
// fields are files), text. It returns the bytes and the Content-Type to
// send, which for multipart carries the boundary.
func EncodeBody(v any, ct string, s *rampart.Schema) ([]byte, string) {
	if ct == "" {
		ct = "application/json"
	}
	base := strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	switch {
	case base == "application/x-www-form-urlencoded":
		if s, ok := v.(string); ok {
			return []byte(s), ct
		}
		return []byte(formValues(v).Encode()), ct
	case base == "multipart/form-data":
		return multipartBody(v, s)
	case strings.HasSuffix(base, "json"):
		return jsonBytes(v), ct
	case strings.HasPrefix(base, "text/"):
		if s, ok := v.(string); ok {
			return []byte(s), ct
		}
		return []byte(Format(v)), ct
	default:
		if s, ok := v.(string); ok {
			return []byte(s), ct
		}
		// No serialiser for this media type: JSON, declared as such, is
		// more useful than bytes the server cannot parse either way.
		return jsonBytes(v), "application/json"
	}
}

func jsonBytes(v any) []byte {
	if s, ok := v.(string); ok && json.Valid([]byte(s)) {
		t := strings.TrimSpace(s)
		if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			return []byte(s) // an example written as a JSON string
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}

func formValues(v any) url.Values {
	out := url.Values{}
	obj, ok := v.(map[string]any)
	if !ok {
		return out
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		switch x := obj[k].(type) {
		case []any:
			for _, it := range x {
				out.Add(k, Format(it))
			}
		default:
			out.Set(k, Format(x))
		}
	}
	return out
}

func multipartBody(v any, s *rampart.Schema) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.SetBoundary(multipartBoundary)
	obj, _ := v.(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		var field *rampart.Schema
		if s != nil {
			field = s.Properties[k]
		}
		vals := []any{obj[k]}
		if a, ok := obj[k].([]any); ok {
			vals = a
		}
		for _, x := range vals {
			if field != nil && (field.Format == "binary" || (field.Items != nil && field.Items.Format == "binary")) {
				h := textproto.MIMEHeader{}
				h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="rampart.txt"`, k))
				h.Set("Content-Type", "text/plain")
				pw, err := w.CreatePart(h)
				if err == nil {
					_, _ = pw.Write([]byte(Format(x)))
				}
				continue
			}
			_ = w.WriteField(k, Format(x))
		}
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}
