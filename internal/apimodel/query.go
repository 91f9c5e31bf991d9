package apimodel

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Owner filters candidates by whose they are.
type Owner uint8

// Owner filters.
const (
	// Any value that fits, whoever owns it.
	Any Owner = iota
	// Mine: values the asking identity owns.
	Mine
	// Visible: values the asking identity owns or has seen.
	Visible
	// Others: values another identity owns (Query.Of narrows it to one).
	Others
)

// Query says whose values a question wants.
type Query struct {
	// As is the identity asking; nil is the anonymous caller.
	As *identity.Identity
	// Owner filters by owner; Any by default.
	Owner Owner
	// Of, with Others, keeps only values of that identity.
	Of *identity.Identity
	// Limit caps the answer; 0 means 8.
	Limit int
}

// Candidate is one value for a parameter, with why it fits and whose it is.
type Candidate struct {
	Value string `json:"value"`
	Kind  Kind   `json:"kind"`
	// Owner is the identity that owns it ("" when unknown) and Evidence
	// why (one How). Public says the anonymous caller saw it too.
	Owner    string `json:"owner,omitempty"`
	Evidence How    `json:"evidence,omitempty"`
	Public   bool   `json:"public,omitempty"`
	// Foreign says an owner field names someone the scan has no identity
	// for. Seen is how the asking identity itself saw the value (0: never;
	// seen but another's: someone else's object it was shown).
	Foreign bool `json:"foreign,omitempty"`
	Seen    How  `json:"seen,omitempty"`
	// From is the operation (or FromLogin, FromToken) whose answer or
	// request showed it, Field the path of the field there.
	From  string `json:"from"`
	Field string `json:"field"`
	// By says how it was linked to the parameter: "name", "thing",
	// "kind", "person".
	By    string `json:"by"`
	Score int    `json:"score"`
	isKey bool
	link  int // the part of Score that says how well the field means the parameter
}

// Values answers "which values can I send as this parameter of this
// operation?", best first: values whose field means the parameter (by
// normal name, by the thing an object's id or name belongs to, by kind or
// format), filtered by whose they are. param is a path, query, header or
// cookie parameter, or a body field.
func (m *Model) Values(op *rampart.Operation, param string, q Query) []Candidate {
	if m == nil || op == nil {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.valuesLocked(op, param, q, m.knownPeopleLocked())
}

func asName(id *identity.Identity) string {
	if id == nil {
		return identity.AnonymousName
	}
	return id.Name
}

func (m *Model) valuesLocked(op *rampart.Operation, param string, q Query, people map[string]Person) []Candidate {
	in, schema := "body", (*rampart.Schema)(nil)
	for i := range op.Params {
		if op.Params[i].Name == param {
			in, schema = op.Params[i].In, op.Params[i].Schema
			break
		}
	}
	limit := cmp.Or(q.Limit, 8)
	as := asName(q.As)
	best := map[string]Candidate{}
	consider := func(c Candidate) {
		if !fits(c.Value, schema) {
			return
		}
		if old, ok := best[c.Value]; !ok || c.Score > old.Score {
			c.link = max(c.link, old.link)
			best[c.Value] = c
		} else {
			old.link = max(old.link, c.link)
			best[c.Value] = old
		}
	}
	q1 := paramName(op.Path, in, param)
	for _, c := range m.linked(op.Path, in, param, schema) {
		c.link = c.Score
		e := m.values[c.Value]
		own := m.ownerLocked(e, people, q1)
		if !wanted(own.owner, as, q, e) {
			continue
		}
		c.Owner, c.Evidence, c.Public, c.Foreign = own.owner, own.evidence, own.public, own.foreign
		c.Seen = e.howSeen(as) &^ howExplored
		c.Score += strength(own.evidence)
		if own.owner == as {
			c.Score += mineBonus
		}
		if c.isKey {
			c.Score += 5
		}
		consider(c)
	}
	if userParam(param) {
		for who, p := range people {
			if !wanted(who, as, q, nil) {
				continue
			}
			pp := m.people[who]
			for _, v := range personValues(param, p, pp) {
				score := 95 + strength(strongest(v.how))
				if who == as {
					score += mineBonus
				}
				consider(Candidate{Value: v.v, Kind: subKind(v.v), Owner: who, Evidence: strongest(v.how), From: FromLogin,
					Field: "person", By: "person", Score: score, link: 95})
			}
		}
	}
	out := make([]Candidate, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return strings.Compare(a.Value, b.Value)
	})
	// A generic name alone (any "id" anywhere) is a guess: drop guesses
	// when something linked by meaning exists.
	if slices.ContainsFunc(out, func(c Candidate) bool { return c.link >= 80 }) {
		out = slices.DeleteFunc(out, func(c Candidate) bool { return c.link < 60 })
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// mineBonus puts the asker's own values before the others it has seen
// (Visible, Any): its own objects are the ones it can read.
const mineBonus = 15

// personValues are a person's values for a user parameter: its id for
// user_id, its username for username, its e-mail for email.
func personValues(param string, p Person, pp *person) []part {
	w := words(param)
	last := w[len(w)-1]
	var out []part
	switch last {
	case "email":
		out = append(out, pp.email)
	case "username", "name":
		out = append(out, pp.username)
	case "id":
		out = append(out, pp.id)
	default:
		out = append(out, pp.username, pp.id)
	}
	return slices.DeleteFunc(out, func(x part) bool { return x.v == "" })
}

// wanted applies the query's owner filter to a value owned by owner.
func wanted(owner, as string, q Query, e *entry) bool {
	switch q.Owner {
	case Mine:
		return owner == as && as != identity.AnonymousName
	case Visible:
		return owner == as || (e != nil && e.howSeen(as) != 0)
	case Others:
		if owner == "" || owner == as {
			return false
		}
		return q.Of == nil || q.Of.Name == owner
	}
	return true
}

// linked are the values whose fields mean the parameter, scored by how
// well: 100 the same qualified name (an employee's id for
// {employee_id}, an account's number for {account_number}), 90 a field
// of that very name; failing those, 40 a generic name alone (any "id" for
// /invoice?id=) and 30 the kind its format or name asks for. Guesses are
// looked for only when nothing means the parameter, and every list is
// read up to maxScan values: a question costs the same on an API of
// twenty thousand operations.
func (m *Model) linked(path, in, param string, schema *rampart.Schema) []Candidate {
	q, b := paramName(path, in, param), norm(param)
	var out []Candidate
	exact := map[string]bool{} // operations whose answers have a field named q
	add := func(e *entry, score int, by string, o origin) {
		out = append(out, Candidate{Value: e.text, Kind: e.kind, From: o.op, Field: o.path, By: by, Score: score, isKey: o.isKey})
	}
	for _, e := range head(m.byName[q]) {
		for _, o := range e.origins {
			switch {
			case o.qual == q && o.bare != q:
				add(e, 100, "thing", o)
			case o.qual == q || o.bare == q:
				if o.bare == q && q == b {
					exact[o.op] = true // the parameter's own name, not a generic one qualified
				}
				add(e, 90, "name", o)
			}
		}
	}
	// A thing's generic field that qualifies to the parameter's words (a
	// user's "name" for {username}) gives way where the same answer has a
	// field of that very name (its "username").
	for i := range out {
		if out[i].By == "thing" && exact[out[i].From] {
			out[i].Score = 80
		}
	}
	// A reference named by the part it plays (a transfer's from_account,
	// a move's target_folder_id) takes the keys of the thing it names,
	// beside the values seen under its own name: a transfer's answer shows
	// the caller's from_account, only the login answers show the accounts
	// of the others.
	for _, alt := range roleRefs(param) {
		for _, e := range head(m.byName[alt]) {
			for _, o := range e.origins {
				if o.qual == alt || (o.bare == alt && !generic(alt)) {
					add(e, 85, "thing", o)
				}
			}
		}
	}
	// ...and a field named after the thing alone, when what it holds is a
	// reference (an account number, an id), not a name.
	if thing := roleThing(param); thing != "" {
		for _, e := range head(m.byName[thing]) {
			if !referenceKind(e.kind) {
				continue
			}
			for _, o := range e.origins {
				if o.bare == thing {
					add(e, 80, "thing", o)
				}
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	if b != q {
		for _, e := range head(m.byName[b]) {
			for _, o := range e.origins {
				if o.bare == b {
					add(e, 40, "name", o)
				}
			}
		}
	}
	if k := wantKind(param, schema); k != KindOther {
		for _, e := range head(m.byKind[k]) {
			if len(e.origins) > 0 {
				add(e, 30, "kind", e.origins[0])
			}
		}
	}
	return out
}

// referenceKind says whether values of a kind can name an object: names,
// titles and tokens cannot.
func referenceKind(k Kind) bool {
	switch k {
	case KindOther, KindName, KindToken:
		return false
	}
	return true
}

// maxScan bounds how many values of one name or kind a question reads.
const maxScan = 2048

func head(es []*entry) []*entry {
	if len(es) > maxScan {
		return es[:maxScan]
	}
	return es
}

// wantKind is the kind a parameter's format or name asks for.
func wantKind(param string, s *rampart.Schema) Kind {
	if s != nil {
		switch strings.ToLower(s.Format) {
		case "uuid":
			return KindUUID
		case "email":
			return KindEmail
		}
	}
	w := words(param)
	if len(w) == 0 {
		return KindOther
	}
	switch w[len(w)-1] {
	case "email":
		return KindEmail
	case "username":
		return KindUsername
	case "iban":
		return KindAccount
	}
	if slices.Contains(w, "card") && w[len(w)-1] == "number" {
		return KindCard
	}
	return KindOther
}

// fits says whether a value satisfies what the parameter's schema says of
// it: an integer for an integer, a UUID for format uuid, one of the enum.
func fits(v string, s *rampart.Schema) bool {
	if s == nil {
		return true
	}
	switch s.Type {
	case "integer":
		if !intRe.MatchString(v) {
			return false
		}
	case "number":
		if !intRe.MatchString(v) && !floatRe.MatchString(v) {
			return false
		}
	case "boolean":
		return v == "true" || v == "false"
	}
	switch strings.ToLower(s.Format) {
	case "uuid":
		if !uuidRe.MatchString(v) {
			return false
		}
	case "email":
		if !emailRe.MatchString(v) {
			return false
		}
	}
	if len(s.Enum) > 0 {
		ok := false
		for _, e := range s.Enum {
			if surface.Format(e) == v {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if s.MaxLength > 0 && len([]rune(v)) > s.MaxLength || len([]rune(v)) < s.MinLength {
		return false
	}
	if s.Pattern != "" && len(s.Pattern) <= 512 {
		if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(v) {
			return false
		}
	}
	return true
}

var floatRe = lazyre.New(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
