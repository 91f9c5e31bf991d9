package advice

import (
	"strings"
	"unicode"

	"github.com/rampart-sec/rampart"
)

// Names are the words an example in a fix borrows from the finding's own
// operation, so that the example reads as the user's code rather than
// another API's (a `notes` query on an `/account` finding helps nobody).
type Names struct {
	Table string // the collection the path names: "notes" for /notes/{note_id}
	ID    string // the parameter that picks the object: "note_id"
	Model string // the ORM class of a row: "Note"
}

// Generic names, for a finding whose operation names nothing usable.
const (
	genericTable = "items"
	genericID    = "item_id"
)

// NamesOf derives the example names from a finding's location: the id is
// the finding's parameter when the path has it, else the path's last
// template; the table is the literal segment that the id follows (or the
// path's last literal segment).
func NamesOf(l rampart.Location) Names {
	var segs []string
	for _, s := range strings.Split(l.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	idAt := -1
	for i, s := range segs {
		if name, ok := template(s); ok {
			idAt = i
			if name == l.Param {
				break
			}
		}
	}
	n := Names{}
	end := len(segs)
	if l.Param != "" && (idAt < 0 || segs[idAt] != "{"+l.Param+"}") {
		// A query or body parameter: it names the value, the path's last
		// collection the table.
		idAt = -1
		n.ID = l.Param
	}
	if idAt >= 0 {
		n.ID, _ = template(segs[idAt])
		end = idAt
	}
	for i := end - 1; i >= 0; i-- {
		if _, ok := template(segs[i]); ok || versionLike(segs[i]) {
			continue
		}
		n.Table = identifier(segs[i])
		break
	}
	n.ID = identifier(n.ID)
	if n.Table == "" {
		n.Table = genericTable
	}
	if n.ID == "" {
		n.ID = genericID
	}
	n.Model = model(n.Table)
	return n
}

func template(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// versionLike is a path prefix that names no collection: /api, /v2.
func versionLike(s string) bool {
	s = strings.ToLower(s)
	if s == "api" || s == "rest" {
		return true
	}
	return len(s) > 1 && s[0] == 'v' && strings.Trim(s[1:], "0123456789") == ""
}

// identifier keeps what may appear in a SQL or Python name; anything else
// (an unexpected character in a spec's path) becomes an underscore, so an
// example can never carry markup or quotes from the target.
func identifier(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)), r == '_':
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	out := strings.Trim(b.String(), "_")
	if out == "" || unicode.IsDigit(rune(out[0])) {
		return ""
	}
	return out
}

// model is the ORM class of one row: "notes" → "Note", "order_items" → "OrderItem".
func model(table string) string {
	parts := strings.Split(table, "_")
	last := parts[len(parts)-1]
	switch {
	case strings.HasSuffix(last, "ies") && len(last) > 4:
		last = last[:len(last)-3] + "y"
	case strings.HasSuffix(last, "ss"):
	case strings.HasSuffix(last, "s") && len(last) > 3:
		last = last[:len(last)-1]
	}
	parts[len(parts)-1] = last
	var b strings.Builder
	for _, p := range parts {
		if p != "" {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

// fill puts the names into a knowledge-base text's {table}, {id} and {Model}.
func (n Names) fill(s string) string {
	if !strings.Contains(s, "{") {
		return s // nothing to name (most advice): no replacer made
	}
	return strings.NewReplacer("{table}", n.Table, "{id}", n.ID, "{Model}", n.Model).Replace(s)
}
