package accept

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// An answer that refuses a create because a value is taken ("Book Already
// exists!", "A user with that username already exists.", 409 "duplicate
// key value violates unique constraint") is not about the request's shape:
// the value the learner chose, often one the API itself showed, names
// something that is there already, and every later create with it is
// refused the same way. The fields it is about get a new value on every
// request from then on.

// takenRe reads the wordings of Django, DRF, Rails, SQLAlchemy and
// PostgreSQL errors, and plain ones.
var takenRe = lazyre.New(`(?i)\balready (?:exists?|taken|registered|in use|used|present|been (?:taken|used|registered))\b` +
	`|\bexists? already\b|\bduplicate (?:key|entry|value|name|title|record)\b|\b(?:must|should) be unique\b` +
	`|\bnot unique\b|\bis (?:already )?taken\b|\bunique constraint\b|\bunique violation\b|\buniqueviolation\b`)

// takenWords are the words of the texts of an answer that says a value is
// taken, and whether it says so. Keys are left out: {"message": …} names
// no field.
func takenWords(body []byte) ([]string, bool) {
	var texts []string
	if body, doc, ok := decodeAnswer(body); ok {
		collectStrings(doc, 0, &texts)
	} else {
		texts = []string{string(body)}
	}
	// Only the lines that say so: a traceback around a unique violation
	// names every field of the handler's code.
	taken := false
	var words []string
	for _, t := range texts {
		for line := range strings.Lines(t) {
			if takenRe.MatchString(line) {
				taken = true
				words = append(words, mailWords(surface.Words(line))...)
			}
		}
	}
	return words, taken
}

// mailWords reads "e-mail" and "mail" as the field name "email".
func mailWords(w []string) []string {
	out := w[:0:0]
	for i := 0; i < len(w); i++ {
		switch {
		case w[i] == "e" && i+1 < len(w) && w[i+1] == "mail":
			i++
			fallthrough
		case w[i] == "mail":
			out = append(out, "email")
		default:
			out = append(out, w[i])
		}
	}
	return out
}

func collectStrings(v any, depth int, out *[]string) {
	if depth > maxPathDepth || len(*out) >= maxProblems {
		return
	}
	switch x := v.(type) {
	case string:
		if len(x) <= maxMessageLen {
			*out = append(*out, x)
		}
	case []any:
		for _, e := range x {
			collectStrings(e, depth+1, out)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			collectStrings(x[k], depth+1, out)
		}
	}
}

// identifyingWords end the names of fields whose value a create keeps
// unique: a book's title, a user's name or e-mail, a product's SKU.
var identifyingWords = []string{"name", "title", "username", "email", "slug", "handle", "login", "label", "isbn", "sku"}

// takenFields are the body fields a "taken" answer is about: those it names
// (problems), else the string fields whose name shares a word with its
// text ("Book already exists" → book_title), else those that identify what
// a create makes (a title, a name, an e-mail).
func takenFields(op *rampart.Operation, req *Request, problems []Problem, words []string) [][]string {
	var named, sharing, identifying [][]string
	for _, p := range problems {
		if (p.In == "" || p.In == "body") && len(p.Field) > 0 && uniqueable(op, req, p.Field) {
			named = append(named, p.Field)
		}
	}
	if len(named) > 0 {
		return named
	}
	said := map[string]bool{}
	for _, w := range words {
		said[surface.Singular(w)] = true
	}
	leaves(req.Body, nil, 0, func(path []string, _ any) {
		if !uniqueable(op, req, path) {
			return
		}
		w := mailWords(surface.Words(path[len(path)-1]))
		if slices.ContainsFunc(w, func(x string) bool { return said[surface.Singular(x)] }) {
			sharing = append(sharing, slices.Clone(path))
		}
		if slices.Contains(identifyingWords, w[len(w)-1]) {
			identifying = append(identifying, slices.Clone(path))
		}
	})
	if len(sharing) > 0 {
		return sharing
	}
	return identifying
}

// uniqueable says whether a body field can take a value of the scan's own
// making: a string whose schema allows any text (no enum, no format other
// than an e-mail), not a secret, not one that is fresh already.
func uniqueable(op *rampart.Operation, req *Request, path []string) bool {
	cur, has := current(req, "body", path)
	if _, ok := cur.(string); !has || !ok {
		return false
	}
	name := path[len(path)-1]
	w := surface.Words(name)
	if len(w) == 0 || freshName(name) || secretField(name) {
		return false
	}
	if op.Body != nil {
		if s := schemaAt(op.Body.Schema, path); s != nil && (len(s.Enum) > 0 || (s.Format != "" && s.Format != "email")) {
			return false
		}
	}
	return true
}

// untake makes the fields a "taken" answer is about unique. It reports
// whether the next request differs. st.mu is held.
func (l *Learner) untake(st *opState, op *rampart.Operation, req *Request, problems []Problem, words []string) bool {
	changed := false
	for _, path := range takenFields(op, req, problems, words) {
		key := "body:" + dotted(path)
		f, known := st.fixes[key]
		switch {
		case known && (f.unique || f.drop):
			continue // unique already, and still taken: something else is
		case !known && len(st.fixes) >= maxFixes:
			return changed
		}
		st.fixes[key] = fix{v: f.v, unique: true} // a learned value stays the base
		changed = true
	}
	return changed
}

// unique is a value of base's kind that no other request of the scan
// carries and the field's schema still takes; base itself when none fits.
func (l *Learner) unique(base string, s *rampart.Schema) string {
	suffix := fmt.Sprintf("%s%04d", l.tag, l.seq.Add(1))
	var tries []string
	if strings.Contains(base, "@") || (s != nil && s.Format == "email") {
		tries = append(tries, "rampart-"+suffix+"@example.com")
	} else {
		tries = append(tries, base+"-"+suffix, "rampart"+suffix, suffix)
	}
	for _, v := range tries {
		if s != nil && s.MaxLength > 0 && len(v) > s.MaxLength {
			if v == base+"-"+suffix && s.MaxLength > len(suffix)+1 {
				v = strings.ToValidUTF8(base[:s.MaxLength-len(suffix)-1], "") + "-" + suffix
			} else {
				continue
			}
		}
		if s != nil && s.Pattern != "" {
			if ok, err := matchPattern(s.Pattern, v); err != nil || !ok {
				continue
			}
		}
		return v
	}
	return base
}

// untakeAnswer is untake for an answer whose status says only that the
// request conflicts (409), or that the server failed (a database's unique
// violation in a 500): the fields come from its text alone.
func (l *Learner) untakeAnswer(st *opState, op *rampart.Operation, req *Request, resp *engine.Response) bool {
	words, taken := takenWords(resp.Body)
	if !taken {
		return false
	}
	return l.untake(st, op, req, Parse(resp.Body, knownOf(op, req)), words)
}

// takenSent learns from the answer to any request a check sent for op
// (Observe) once the learner is done with it: the first create went
// through, and every later one with the same title is refused as taken,
// in answers the learner never reads otherwise. The fields are read in the
// body that was sent. st.mu is held.
func (l *Learner) takenSent(st *opState, op *rampart.Operation, resp *engine.Response) {
	if st.status != Accepted && st.status != Passed {
		return // still learning: Learn reads the answer
	}
	if resp.Request == nil || len(resp.Request.Body) == 0 || op.Body == nil || !refusedStatus(resp.Status) {
		return
	}
	if !mayBeTaken(resp.Body) {
		return
	}
	var body any
	switch {
	case json.Unmarshal(resp.Request.Body, &body) == nil:
	default:
		form, err := url.ParseQuery(string(resp.Request.Body))
		if err != nil || len(form) == 0 {
			return
		}
		m := map[string]any{}
		for k := range form {
			m[k] = form.Get(k)
		}
		body = m
	}
	l.untakeAnswer(st, op, &Request{Op: op, Body: body}, resp)
}

// refusedStatus: the answers that may say a value is taken.
func refusedStatus(status int) bool {
	return status == http.StatusBadRequest || status == http.StatusConflict || status == http.StatusUnprocessableEntity ||
		status >= http.StatusInternalServerError
}

// mayBeTaken is a cheap test before takenRe: every wording it reads has one
// of these words.
func mayBeTaken(body []byte) bool {
	if len(body) > maxParseInput {
		body = body[:maxParseInput]
	}
	low := bytes.ToLower(body)
	for _, w := range [][]byte{[]byte("already"), []byte("duplicate"), []byte("unique"), []byte("taken"), []byte("exists")} {
		if bytes.Contains(low, w) {
			return true
		}
	}
	return false
}

// Taken reports whether an answer says a value the request sent is taken
// (already exists, duplicate key, must be unique).
func Taken(body []byte) bool {
	if !mayBeTaken(body) {
		return false
	}
	_, taken := takenWords(body)
	return taken
}

// UniqueValue is a new value for a body field of op that an answer said
// was taken, made from base; ok is false for any other field. A check that
// builds its own requests from one accepted request (a probe per field)
// gives every field it does not probe such a value, so that the create it
// sends is not refused for a value the one before it took.
func (l *Learner) UniqueValue(op *rampart.Operation, path []string, base string) (string, bool) {
	st := l.state(op)
	st.mu.Lock()
	f, ok := st.fixes["body:"+dotted(path)]
	st.mu.Unlock()
	if !ok || !f.unique || base == "" {
		return "", false
	}
	var s *rampart.Schema
	if op.Body != nil {
		s = schemaAt(op.Body.Schema, path)
	}
	return l.unique(base, s), true
}
