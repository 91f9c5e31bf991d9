package accept

import (
	"strconv"
	"strings"
)

// Kind is what a validation answer says is wrong with one field.
type Kind int

const (
	// Invalid: the field is named, the reason is not understood.
	Invalid Kind = iota
	// Missing: a required field was not sent (or was null).
	Missing
	// Enum: the value must be one of Problem.Allowed.
	Enum
	// Type: the value must be of JSON type Problem.Want (integer, number,
	// boolean, string, array, object).
	Type
	// Format: the value must have format Problem.Want (email, uuid, date,
	// date-time, uri, ipv4, ...).
	Format
	// Pattern: the value must match Problem.Pattern (a regular expression,
	// empty when the answer does not give it).
	Pattern
	// TooShort and TooLong: a string (or array) length bound, Problem.Limit.
	TooShort
	TooLong
	// TooSmall and TooLarge: a number bound, Problem.Limit; Exclusive when
	// the bound itself is refused (greater than, not greater or equal).
	TooSmall
	TooLarge
	// Unknown: the field is not expected and must not be sent.
	Unknown
)

var kindNames = [...]string{"invalid", "missing", "enum", "type", "format", "pattern", "too short", "too long",
	"too small", "too large", "unknown"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Problem is one field a validation answer names.
type Problem struct {
	// In is where the field travels: body, query, path, header, cookie, or
	// "" when the answer does not say.
	In string
	// Field is the field's path: object keys, and array indexes written in
	// decimal. A parameter has a path of one element.
	Field []string
	Kind  Kind
	// Allowed are the values an Enum problem lists, as the answer wrote
	// them.
	Allowed []string
	// Want is the type or format a Type or Format problem asks for.
	Want string
	// Pattern is the regular expression a Pattern problem gives.
	Pattern string
	// Limit is the bound of a length or number problem.
	Limit     float64
	HasLimit  bool
	Exclusive bool
}

// Bounds on what one answer may make us keep: a hostile or broken API can
// answer anything to a validation probe.
const (
	maxProblems   = 64
	maxPathDepth  = 16
	maxNameLen    = 128
	maxAllowed    = 32
	maxAllowedLen = 256
	maxParseInput = 64 << 10
	maxMessageLen = 1024
)

func (p *Problem) key() string { return p.In + ":" + strings.Join(p.Field, ".") }

// valid keeps problems whose field path is usable and bounded.
func (p *Problem) valid() bool {
	if len(p.Field) == 0 || len(p.Field) > maxPathDepth {
		return false
	}
	for _, f := range p.Field {
		if f == "" || len(f) > maxNameLen {
			return false
		}
	}
	return true
}

// classify reads one validation message (of any framework) for what it
// says about its field. The patterns are the messages the frameworks
// document: pydantic 1 and 2 (FastAPI), marshmallow and webargs, Django
// REST framework, flask-restful's reqparse, jsonschema (Flask-RESTX,
// connexion), Joi and plain hand-written ones ("x is required").
func classify(msg string) Problem {
	m := strings.TrimSpace(msg)
	if len(m) > maxMessageLen {
		m = m[:maxMessageLen]
	}
	low := strings.ToLower(m)
	var p Problem
	switch {
	case validIsRequired.MatchString(low):
		if f := formatOf(low); f != "" {
			p.Kind, p.Want = Format, f
		} else if t := typeOf(low); t != "" {
			p.Kind, p.Want = Type, t
		}
	case missingRe.MatchString(low):
		p.Kind = Missing
	case choiceRe.MatchString(low):
		p.Kind = Enum
	case otherTypeRe.MatchString(low):
		p.Kind = Type
	case extraRe.MatchString(low):
		p.Kind = Unknown
	default:
		if allowed := enumValues(m); len(allowed) > 0 {
			p.Kind, p.Allowed = Enum, allowed
			return p
		}
		if pat, ok := patternOf(m); ok {
			p.Kind, p.Pattern = Pattern, pat
			return p
		}
		if k, lim, excl, ok := boundOf(low); ok {
			p.Kind, p.Limit, p.HasLimit, p.Exclusive = k, lim, true, excl
			return p
		}
		if f := formatOf(low); f != "" {
			p.Kind, p.Want = Format, f
			return p
		}
		if t := typeOf(low); t != "" {
			p.Kind, p.Want = Type, t
			return p
		}
		if strings.Contains(low, "does not match") || strings.Contains(low, "match pattern") ||
			strings.Contains(low, "invalid format") || strings.Contains(low, "wrong format") {
			p.Kind = Pattern
			return p
		}
		p.Kind = Invalid
	}
	return p
}

// String renders a problem for logs and tests: `body:amount.currency enum [EUR USD]`.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.In + ":" + strings.Join(p.Field, ".") + " " + p.Kind.String())
	switch {
	case len(p.Allowed) > 0:
		b.WriteString(" [" + strings.Join(p.Allowed, " ") + "]")
	case p.Want != "":
		b.WriteString(" " + p.Want)
	case p.Pattern != "":
		b.WriteString(" " + p.Pattern)
	case p.HasLimit:
		b.WriteString(" " + strconv.FormatFloat(p.Limit, 'f', -1, 64))
		if p.Exclusive {
			b.WriteString(" exclusive")
		}
	}
	return b.String()
}
