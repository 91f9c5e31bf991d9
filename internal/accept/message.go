package accept

import (
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// The regular expressions below read the validation messages frameworks
// document; each case names where its wording comes from.
var (
	missingRe = lazyre.New(`^(?:field required|missing|required` + // pydantic 1, Joi-ish
		`|missing data for required field` + // marshmallow
		`|this field is required|this field may not be (?:null|blank)` + // Django REST framework
		`|missing required parameter\b.*` + // flask-restful reqparse
		`|none is not an allowed value|field may not be null|may not be null|can't be blank|must not be (?:null|blank|empty)` +
		`)\.?$` +
		`|^'[^']{1,128}' is a required property` + // jsonschema
		`|\bis required\b|\bis missing\b|\brequired field\b|^missing field\b|^missing (?:required )?(?:parameter|property|key|value)\b` +
		`|^input should not be none$`)

	extraRe = lazyre.New(`extra fields not permitted|extra inputs are not permitted|^unknown field\.?$` +
		`|additional properties are not allowed|\bwas unexpected\b|^unexpected (?:field|property|key)\b` +
		`|\bis not allowed\.?$|\bnot (?:a )?(?:permitted|recogni[sz]ed|known) (?:field|property|key|parameter)`)

	// pydantic 1: "value is not a valid enumeration member; permitted: 'a', 'b'"
	pydanticEnum = lazyre.New(`(?i)permitted:\s*(.+)$`)
	// pydantic 2: "Input should be 'a', 'b' or 'c'"
	pydantic2Enum = lazyre.New(`(?i)(?:^input should be|must be|should be) ('[^']+'(?:, '[^']+')*,? or '[^']+')$`)
	// marshmallow "Invalid input type.", and the like: some other type.
	otherTypeRe = lazyre.New(`(?i)^(?:invalid (?:input |value )?type|wrong type|type mismatch|invalid type for)`)
	// DRF `"x" is not a valid choice.`, flask-restful "x is not a valid choice": no values given.
	choiceRe = lazyre.New(`(?i)is not a valid (?:choice|option)|invalid choice|not an allowed value`)
	// DRF "A valid integer is required.", "Enter a valid email address.": a type or format, not a missing field.
	validIsRequired = lazyre.New(`(?i)^(?:a )?valid .+ is required\.?$`)
	// marshmallow: "Must be one of: a, b." and plain "x must be one of a, b or c"
	oneOf = lazyre.New(`(?i)\b(?:must|should) be one of[: ]\s*(.+?)\.?$|\b(?:expected one of|allowed values?(?: are)?:?|valid values?(?: are)?:|choices?(?: are)?:|permitted values?:)\s*(.+?)\.?$`)
	// jsonschema: "'c' is not one of ['a', 'b']"
	notOneOf = lazyre.New(`(?i)is not one of \[(.+)\]$`)

	// pydantic 1: `string does not match regex "^x$"`; pydantic 2: "String should match pattern '^x$'";
	// jsonschema: "'abc' does not match '^x$'"; plain: "x must match ^x$".
	patternRes = []*lazyre.Regexp{
		lazyre.New(`(?i)does not match regex "(.+)"$`),
		lazyre.New(`(?i)should match pattern '(.+)'$`),
		lazyre.New(`(?i)does not match '(.+)'$`),
		lazyre.New(`(?i)(?:must|should) match (?:the )?(?:pattern |regex |regular expression )?(\^.+)$`),
	}

	numRe = `(-?[0-9]+(?:\.[0-9]+)?)`
	// Length bounds: pydantic 1 "ensure this value has at least 3 characters", marshmallow "Shorter than
	// minimum length 3.", DRF "Ensure this field has at least 3 characters.", pydantic 2 "String should
	// have at least 3 characters", jsonschema "'a' is too short", plain "at least 8 characters".
	shortRes = []*lazyre.Regexp{
		lazyre.New(`(?:at least|minimum length(?: of)?|min(?:imum)? length is) ` + numRe + ` (?:characters?|chars?|items?|elements?|letters?)`),
		lazyre.New(`shorter than minimum length ` + numRe),
		lazyre.New(`length must be between ` + numRe + ` and [0-9]+`),
		lazyre.New(`^` + numRe + `-[0-9]+ characters`),
	}
	longRes = []*lazyre.Regexp{
		lazyre.New(`(?:at most|no more than|maximum length(?: of)?|max(?:imum)? length is|not exceed|up to) ` + numRe + ` (?:characters?|chars?|items?|elements?|letters?)`),
		lazyre.New(`longer than maximum length ` + numRe),
	}
	// Number bounds: pydantic 1 "ensure this value is greater than or equal to 1", marshmallow "Must be
	// greater than or equal to 1.", jsonschema "0 is less than the minimum of 1", pydantic 2 "Input should
	// be greater than 0".
	geRe       = lazyre.New(`greater than or equal to ` + numRe + `|at least ` + numRe + `$|minimum (?:value )?(?:is |of )?` + numRe + `$|less than the minimum of ` + numRe)
	gtRe       = lazyre.New(`greater than ` + numRe + `|less than or equal to the minimum of ` + numRe)
	leRe       = lazyre.New(`less than or equal to ` + numRe + `|at most ` + numRe + `$|maximum (?:value )?(?:is |of )?` + numRe + `$|greater than the maximum of ` + numRe)
	ltRe       = lazyre.New(`less than ` + numRe + `|greater than or equal to the maximum of ` + numRe)
	tooShortJS = lazyre.New(`is too short$|non-empty|should be non-empty|must not be empty|may not be empty`)
	tooLongJS  = lazyre.New(`is too long$`)
)

// enumValues returns the values a message says are allowed, or nil.
func enumValues(msg string) []string {
	if m := pydanticEnum.FindStringSubmatch(msg); m != nil {
		return splitList(m[1])
	}
	if m := pydantic2Enum.FindStringSubmatch(msg); m != nil {
		return splitList(m[1])
	}
	if m := notOneOf.FindStringSubmatch(msg); m != nil {
		return splitList(m[1])
	}
	if m := oneOf.FindStringSubmatch(msg); m != nil {
		s := m[1]
		if s == "" {
			s = m[2]
		}
		return splitList(s)
	}
	return nil
}

// splitList splits "'a', 'b' or 'c'", "a, b, c", "[a|b]" and friends.
func splitList(s string) []string {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "[](){}."))
	s = strings.NewReplacer(" or ", ",", " and ", ",", "|", ",", ";", ",").Replace(s)
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		v := strings.TrimSpace(part)
		if len(v) >= 2 && strings.ContainsRune(`'"`+"`", rune(v[0])) && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if strings.ContainsAny(v, " \t") {
			// An unquoted item with spaces is prose ("13 digits starting
			// with 978"), not a list of values.
			return nil
		}
		if v == "" || len(v) > maxAllowedLen || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
		if len(out) == maxAllowed {
			break
		}
	}
	return out
}

func patternOf(msg string) (string, bool) {
	for _, re := range patternRes {
		if m := re.FindStringSubmatch(msg); m != nil && len(m[1]) <= maxAllowedLen {
			return m[1], true
		}
	}
	return "", false
}

func firstNum(m []string) (float64, bool) {
	for _, s := range m[1:] {
		if s == "" {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	return 0, false
}

// boundOf reads a length or number bound from a lower-cased message.
func boundOf(low string) (Kind, float64, bool, bool) {
	for _, re := range shortRes {
		if m := re.FindStringSubmatch(low); m != nil {
			if f, ok := firstNum(m); ok {
				return TooShort, f, false, true
			}
		}
	}
	for _, re := range longRes {
		if m := re.FindStringSubmatch(low); m != nil {
			if f, ok := firstNum(m); ok {
				return TooLong, f, false, true
			}
		}
	}
	if tooShortJS.MatchString(low) {
		return TooShort, 1, false, true
	}
	if tooLongJS.MatchString(low) {
		return TooLong, 0, false, false
	}
	// Order matters: "greater than or equal to" before "greater than".
	if m := geRe.FindStringSubmatch(low); m != nil {
		if f, ok := firstNum(m); ok {
			return TooSmall, f, false, true
		}
	}
	if m := gtRe.FindStringSubmatch(low); m != nil {
		if f, ok := firstNum(m); ok {
			return TooSmall, f, true, true
		}
	}
	if m := leRe.FindStringSubmatch(low); m != nil {
		if f, ok := firstNum(m); ok {
			return TooLarge, f, false, true
		}
	}
	if m := ltRe.FindStringSubmatch(low); m != nil {
		if f, ok := firstNum(m); ok {
			return TooLarge, f, true, true
		}
	}
	return 0, 0, false, false
}

// formats maps message words to a format the synthesiser knows.
var formats = []struct{ word, format string }{
	{"email", "email"}, {"e-mail", "email"}, {"uuid", "uuid"}, {"guid", "uuid"},
	{"datetime", "date-time"}, {"date-time", "date-time"}, {"date time", "date-time"}, {"timestamp", "date-time"},
	{"date", "date"}, {"time", "time"}, {"url", "uri"}, {"uri", "uri"}, {"url scheme", "uri"},
	{"ipv4", "ipv4"}, {"ipv6", "ipv6"}, {"ip address", "ipv4"}, {"hostname", "hostname"},
	{"phone", "phone"}, {"iban", "iban"}, {"card number", "card"}, {"credit card", "card"}, {"luhn", "card"},
}

var formatRe = lazyre.New(`(?:not a valid|a valid|invalid|must be an?|should be an?|is not an?|expected an?|enter a valid|not a|not an)\s+'?([a-z0-9 -]+)'?(?:[.:,;]|$)`)

// formatOf returns the format a message asks for, or "".
func formatOf(low string) string {
	m := formatRe.FindStringSubmatch(low)
	if m == nil {
		// pydantic: "invalid datetime format", "invalid or missing URL scheme"
		for _, f := range formats {
			if strings.Contains(low, "invalid "+f.word) || strings.Contains(low, f.word+" format") {
				return f.format
			}
		}
		return ""
	}
	w := strings.TrimPrefix(strings.TrimSpace(m[1]), "valid ")
	for _, suffix := range []string{" address", " format", " string", " value", " number"} {
		if f := strings.TrimSuffix(w, suffix); f != "" && f != w && f != "card" {
			w = f
			break
		}
	}
	for _, f := range formats {
		if w == f.word || strings.HasPrefix(w, f.word+" ") || strings.HasSuffix(w, " "+f.word) {
			return f.format
		}
	}
	return ""
}

var types = []struct{ word, typ string }{
	{"integer", "integer"}, {"int", "integer"}, {"whole number", "integer"},
	{"float", "number"}, {"number", "number"}, {"decimal", "number"}, {"numeric", "number"},
	{"boolean", "boolean"}, {"bool", "boolean"},
	{"string", "string"}, {"str", "string"}, {"text", "string"},
	{"list", "array"}, {"array", "array"}, {"sequence", "array"},
	{"dict", "object"}, {"object", "object"}, {"dictionary", "object"}, {"mapping", "object"},
}

var typeRes = []*lazyre.Regexp{
	// pydantic 1 "value is not a valid integer", marshmallow "Not a valid integer.", DRF "A valid integer is
	// required.", pydantic 2 "Input should be a valid integer, ...", plain "must be an integer".
	lazyre.New(`(?:not a valid|a valid|must be an?|should be an?|expected an?|expected)\s+([a-z ]+)(?:[.,;:]|$)`),
	// jsonschema "'x' is not of type 'integer'"
	lazyre.New(`is not of type '([a-z]+)'`),
	// pydantic 1 "str type expected", "value could not be parsed to a boolean"
	lazyre.New(`^([a-z]+) type expected`),
	lazyre.New(`could not be parsed to an? ([a-z]+)`),
	// Python's own: "invalid literal for int() with base 10"
	lazyre.New(`invalid literal for ([a-z]+)\(\)`),
	lazyre.New(`could not convert string to ([a-z]+)`),
}

// typeOf returns the JSON type a message asks for, or "".
func typeOf(low string) string {
	for _, re := range typeRes {
		m := re.FindStringSubmatch(low)
		if m == nil {
			continue
		}
		w := strings.TrimSpace(m[1])
		for _, t := range types {
			if w == t.word || strings.HasSuffix(w, " "+t.word) || strings.HasPrefix(w, t.word+" ") {
				return t.typ
			}
		}
	}
	return ""
}
