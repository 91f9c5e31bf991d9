package accept

import (
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Plain messages: what hand-written handlers, jsonschema, connexion, Go's
// validator and serde answer. A field name in quotes is taken as it is; an
// unquoted one only when the request or the spec knows it.
const (
	q    = "[`'\"]"
	name = `[A-Za-z_$][A-Za-z0-9_.$\-]{0,127}`
)

var (
	jsRequired   = lazyre.New(`^'(` + name + `)' is a required property(?: - '([^']{1,256})')?`)
	connexionRe  = lazyre.New(`^(.+) - '([A-Za-z0-9_.\-\[\]]{1,256})'$`)
	jsAdditional = lazyre.New(`(?i)additional properties are not allowed \((.+) (?:was|were) unexpected\)`)
	goValidator  = lazyre.New(`Key: '(?:[A-Za-z0-9_]+\.)*([A-Za-z0-9_]+)' Error:Field validation for '([A-Za-z0-9_]+)' failed on the '([a-z0-9_]+)' tag`)
	missingField = lazyre.New(`(?i)\bmissing field ` + q + `?(` + name + `)` + q + `?`)
	missingList  = lazyre.New(`(?i)\b(?:missing (?:required )?(?:parameters?|fields?|propert(?:y|ies)|keys?|values?|arguments?)|required (?:parameters?|fields?|propert(?:y|ies)|keys?)(?: (?:are |is )?missing)?)\s*:?\s+(.+)$`)
	isRequired   = lazyre.New(`(?i)^(?:the )?(` + q + `?)(` + name + `)` + q + `?(?: field| parameter| property| header| key| value| attribute)? (?:is required|is missing|is mandatory|must be (?:provided|present|set|given|specified)|cannot be (?:empty|blank|null|missing)|can't be (?:empty|blank|null)|may not be (?:empty|blank|null)|required)\b`)
	mustBe       = lazyre.New(`(?i)^(?:the )?(` + q + `?)(` + name + `)` + q + `?(?: field| parameter| property| header| value)?:? ((?:must|should|has to|needs to|cannot|can't|may not) .+|is (?:not |in)?valid.*|is too .+|is not (?:a|an|one of) .+|expected .+|invalid.*|not a valid .+|does not match.*)$`)
	colonMsg     = lazyre.New(`^(` + q + `?)(` + name + `)` + q + `?\s*:\s*(.+)$`)
	invalidFor   = lazyre.New(`(?i)\binvalid (?:value )?(?:for |of )?(?:the )?(?:field |parameter |property )?` + q + `(` + name + `)` + q)
	choiceFor    = lazyre.New(`(?i)is not a valid (?:choice|option|value) for ` + q + `?(` + name + `)` + q + `?`)
	quotedName   = lazyre.New(q + `(` + name + `)` + q)
	pydLocLine   = lazyre.New(`^(` + name + `(?: -> ` + name + `)*)$`)
	pydTypeTail  = lazyre.New(`\s*\(type=([a-z_.]+)(?:;[^)]*)?\)\s*$`)
	htmlTag      = lazyre.New(`<[^>]{0,512}>`)
)

// fromText reads plain messages, one per line.
func fromText(s string, known Known) []Problem {
	if len(s) > maxParseInput {
		s = s[:maxParseInput]
	}
	if strings.Contains(s, "<") && strings.Contains(s, ">") {
		s = htmlTag.ReplaceAllString(s, "\n")
	}
	lines := strings.Split(s, "\n")
	var out []Problem
	for i := 0; i < len(lines) && len(out) < maxProblems; i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			continue
		}
		// pydantic's own ValidationError text: a location line, then the
		// indented message "field required (type=value_error.missing)".
		if m := pydLocLine.FindStringSubmatch(line); m != nil && i+1 < len(lines) &&
			strings.HasPrefix(lines[i+1], "  ") && pydTypeTail.MatchString(lines[i+1]) {
			next := lines[i+1]
			t := pydTypeTail.FindStringSubmatch(next)
			p := byType(t[1], nil)
			if p.Kind == Invalid {
				p = classify(pydTypeTail.ReplaceAllString(next, ""))
			}
			p.Field = strings.Split(m[1], " -> ")
			if len(p.Field) > 1 {
				if l, ok := locations[p.Field[0]]; ok {
					p.In, p.Field = l, p.Field[1:]
				}
			}
			out = append(out, p)
			i++
			continue
		}
		out = append(out, fromLine(line, known)...)
	}
	return out
}

func fromLine(line string, known Known) []Problem {
	if len(line) > maxMessageLen {
		line = line[:maxMessageLen]
	}
	line = strings.TrimRight(line, ". ")
	if m := jsRequired.FindStringSubmatch(line); m != nil {
		path := []string{m[1]}
		if m[2] != "" {
			path = append(splitDotted(m[2]), m[1])
		}
		return []Problem{{Field: path, Kind: Missing}}
	}
	if m := connexionRe.FindStringSubmatch(line); m != nil {
		p := classify(m[1])
		p.Field = splitDotted(strings.NewReplacer("[", ".", "]", "").Replace(m[2]))
		return []Problem{p}
	}
	if m := jsAdditional.FindStringSubmatch(line); m != nil {
		var out []Problem
		for _, n := range quotedName.FindAllStringSubmatch(m[1], maxProblems) {
			out = append(out, Problem{Field: []string{n[1]}, Kind: Unknown})
		}
		return out
	}
	if m := goValidator.FindStringSubmatch(line); m != nil {
		p := Problem{Field: []string{known.resolve(m[2])}}
		switch m[3] {
		case "required", "required_if", "required_with", "required_without":
			p.Kind = Missing
		case "email":
			p.Kind, p.Want = Format, "email"
		case "uuid", "uuid4":
			p.Kind, p.Want = Format, "uuid"
		case "url", "uri":
			p.Kind, p.Want = Format, "uri"
		case "oneof":
			p.Kind = Enum
		case "numeric", "number":
			p.Kind, p.Want = Type, "number"
		}
		return []Problem{p}
	}
	if m := missingField.FindStringSubmatch(line); m != nil {
		return []Problem{{Field: []string{known.resolve(m[1])}, Kind: Missing}}
	}
	if m := missingList.FindStringSubmatch(line); m != nil {
		var out []Problem
		for _, n := range namesIn(m[1], known) {
			out = append(out, Problem{Field: []string{n}, Kind: Missing})
		}
		if len(out) > 0 {
			return out
		}
	}
	if m := isRequired.FindStringSubmatch(line); m != nil && (m[1] != "" || known.has(m[2])) {
		return []Problem{{Field: splitDotted(known.resolve(m[2])), Kind: Missing}}
	}
	if m := choiceFor.FindStringSubmatch(line); m != nil && known.has(m[1]) {
		return []Problem{{Field: []string{known.resolve(m[1])}, Kind: Enum}}
	}
	if m := mustBe.FindStringSubmatch(line); m != nil && (m[1] != "" || known.has(m[2])) {
		p := classify(m[3])
		p.Field = splitDotted(known.resolve(m[2]))
		return []Problem{p}
	}
	if m := colonMsg.FindStringSubmatch(line); m != nil && known.has(m[2]) {
		p := classify(m[3])
		if p.Kind == Invalid {
			// "branch: central, north or south": a bare list of values.
			if vals := splitList(m[3]); len(vals) >= 2 {
				p.Kind, p.Allowed = Enum, vals
			}
		}
		p.Field = splitDotted(known.resolve(m[2]))
		return []Problem{p}
	}
	if m := colonMsg.FindStringSubmatch(line); m != nil && !proseNames[strings.ToLower(m[2])] {
		// "branch: central, north or south" for a name nothing knows: a
		// bare list of values after a field-like name is a message about
		// that field, whatever the name.
		if vals := splitList(m[3]); len(vals) >= 2 && allTokens(vals) {
			return []Problem{{Field: splitDotted(m[2]), Kind: Enum, Allowed: vals}}
		}
	}
	if m := invalidFor.FindStringSubmatch(line); m != nil {
		p := classify(line)
		p.Field = []string{known.resolve(m[1])}
		return []Problem{p}
	}
	return nil
}

// proseNames start messages that are not about a field ("error: a or b").
var proseNames = map[string]bool{"error": true, "errors": true, "message": true, "detail": true, "details": true,
	"reason": true, "status": true, "code": true, "description": true, "hint": true, "warning": true, "info": true}

var valueToken = lazyre.New(`^[A-Za-z0-9_.+-]{1,32}$`)

func allTokens(vals []string) bool {
	for _, v := range vals {
		if !valueToken.MatchString(v) {
			return false
		}
	}
	return true
}

// namesIn reads "'a', 'b'" or "a, b and c" after "missing fields:": quoted
// names always, bare ones when known.
func namesIn(s string, known Known) []string {
	var out []string
	if qs := quotedName.FindAllStringSubmatch(s, maxProblems); len(qs) > 0 {
		for _, m := range qs {
			out = append(out, known.resolve(m[1]))
		}
		return out
	}
	s = strings.NewReplacer(" and ", ",", " or ", ",", ";", ",").Replace(s)
	for _, part := range strings.Split(s, ",") {
		n := strings.TrimSpace(strings.Trim(strings.TrimSpace(part), "[](){}."))
		if n != "" && known.has(n) {
			out = append(out, known.resolve(n))
		}
	}
	return out
}

// resolve returns the known spelling of a field named in another case or
// style (Go's validator says "Email" for "email").
func (k Known) resolve(n string) string {
	if k.Body[n] {
		return n
	}
	if _, ok := k.Params[n]; ok {
		return n
	}
	nn := normName(n)
	for b := range k.Body {
		if normName(b) == nn {
			return b
		}
	}
	for p := range k.Params {
		if normName(p) == nn {
			return p
		}
	}
	return n
}
