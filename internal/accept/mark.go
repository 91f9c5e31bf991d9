package accept

import (
	"github.com/rampart-sec/rampart"
)

// Values the scan creates must be recognisable afterwards (whoever cleans
// up a staging database looks for "rampart") and must not collide with
// the previous scan's (a user name taken by the last run makes sign-up
// answer 409). So the fields that name a thing uniquely — user names,
// e-mail addresses, slugs — carry the scan's tag; free text already says
// "Rampart".

// mark returns the scan's version of a synthesised string for a field:
// tagged when the field names something uniquely and the spec gave no
// value of its own. The tagged value must still satisfy the schema.
func (l *Learner) mark(v string, s *rampart.Schema, fromSpec bool) string {
	if fromSpec || (s != nil && (s.Example != nil || s.Default != nil || len(s.Enum) > 0)) {
		return v
	}
	var tagged string
	switch {
	case v == "rampart_user":
		tagged = "rampart_" + l.tag
	case v == "rampart@example.com":
		tagged = "rampart-" + l.tag + "@example.com"
	case v == "rampart-test":
		tagged = "rampart-" + l.tag
	default:
		return v
	}
	if s != nil {
		if s.MaxLength > 0 && len(tagged) > s.MaxLength {
			return v
		}
		if s.Pattern != "" {
			if ok, err := matchPattern(s.Pattern, tagged); err != nil || !ok {
				return v
			}
		}
	}
	return tagged
}

func (l *Learner) markAny(v any, s *rampart.Schema) any {
	if str, ok := v.(string); ok {
		return l.mark(str, s, false)
	}
	return v
}
