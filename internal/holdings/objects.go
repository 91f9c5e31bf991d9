package holdings

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Responses are hostile input: every walk below is bounded in depth and in
// the number of values it keeps, so a deeply nested or huge body cannot make
// a check slow or hungry.
const (
	MaxDepth  = 16
	MaxItems  = 200  // array items looked at per array
	MaxLeaves = 4000 // values kept per document
)

// DecodeJSON parses a body keeping numbers as written, so that 2450.0 in
// one answer and 2450.0 in another compare equal as text.
func DecodeJSON(b []byte) (any, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// Scalar renders a JSON scalar as text; false for objects, arrays and null.
func Scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// NormKey folds a field name so that ownerId, owner_id and Owner-ID compare
// equal.
func NormKey(k string) string {
	var b strings.Builder
	for _, r := range k {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// IsIDKey says whether a field holds an identifier (id, note_id, noteId,
// uuid): such values are references that a request echoes, never data.
func IsIDKey(k string) bool {
	n := NormKey(k)
	switch n {
	case "id", "uuid", "guid", "pk", "uid", "sub":
		return true
	}
	low := strings.ToLower(k)
	for _, suf := range []string{"_id", "-id", "_uuid", "-uuid", "_pk", " id"} {
		if strings.HasSuffix(low, suf) {
			return true
		}
	}
	// camelCase: noteId, ownerID.
	if strings.HasSuffix(k, "Id") || strings.HasSuffix(k, "ID") || strings.HasSuffix(k, "Uuid") {
		r, _ := utf8.DecodeLastRuneInString(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(k, "Id"), "ID"), "Uuid"))
		return unicode.IsLower(r) || unicode.IsDigit(r)
	}
	return false
}

// ownerKeys name the fields that say who an object belongs to.
var ownerKeys = map[string]bool{
	"ownerid": true, "owner": true, "userid": true, "user": true, "createdby": true, "createdbyid": true,
	"authorid": true, "author": true, "creatorid": true, "creator": true, "ownedby": true, "accountownerid": true,
}

// OwnerOf returns the value of an object's owner field, following
// {"owner": {"id": 7}}.
func OwnerOf(m map[string]any) (string, bool) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !ownerKeys[NormKey(k)] {
			continue
		}
		switch v := m[k].(type) {
		case map[string]any:
			if id, ok := IDOf(v); ok {
				return id, true
			}
		default:
			if s, ok := Scalar(v); ok && s != "" {
				return s, true
			}
		}
	}
	return "", false
}

// IDOf returns an object's own identifier.
func IDOf(m map[string]any) (string, bool) {
	for _, k := range []string{"id", "uuid", "guid", "pk", "ID", "Id", "_id"} {
		if v, ok := m[k]; ok {
			if s, ok := Scalar(v); ok && s != "" {
				return s, true
			}
		}
	}
	return "", false
}

// leaves collects the distinctive values of a document: the values that can
// tell one user's data from another's. Keys name where each was seen, for
// messages. skip prunes objects (for example objects another user owns).
func Leaves(doc any, skip func(map[string]any) bool) map[string]string {
	out := map[string]string{}
	var walk func(v any, key string, depth int)
	walk = func(v any, key string, depth int) {
		if depth > MaxDepth || len(out) >= MaxLeaves {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if skip != nil && skip(x) {
				return
			}
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], k, depth+1)
			}
		case []any:
			for i, c := range x {
				if i >= MaxItems {
					break
				}
				walk(c, key, depth+1)
			}
		default:
			if IsIDKey(key) {
				return
			}
			if s, ok := distinctive(x); ok {
				if _, dup := out[s]; !dup {
					out[s] = key
				}
			}
		}
	}
	walk(doc, "", 0)
	return out
}

// distinctive keeps strings of at least four characters and numbers of at
// least three digits: booleans, nulls, small counters and one-letter codes
// are shared by everyone and prove nothing.
func distinctive(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		s := strings.TrimSpace(x)
		if utf8.RuneCountInString(s) < 4 {
			return "", false
		}
		switch strings.ToLower(s) {
		case "true", "false", "null", "none", "nil", "undefined":
			return "", false
		}
		return s, true
	case json.Number:
		s := x.String()
		digits := 0
		nonzero := false
		for _, r := range s {
			if r >= '0' && r <= '9' {
				digits++
				if r != '0' {
					nonzero = true
				}
			}
			if r == 'e' || r == 'E' {
				break
			}
		}
		if digits < 3 || !nonzero {
			return "", false
		}
		return s, true
	}
	return "", false
}

// Strong says whether one value alone is enough to recognise an owner's
// data: long, or mixing letters with digits, spaces or punctuation (an
// e-mail address, an IBAN, a sentence), unlike an enum word such as "active".
func Strong(v string) bool {
	if utf8.RuneCountInString(v) >= 8 {
		return true
	}
	if utf8.RuneCountInString(v) < 5 {
		return false
	}
	letters, others := false, false
	for _, r := range v {
		if unicode.IsLetter(r) {
			letters = true
		} else {
			others = true
		}
	}
	return letters && others
}

// Mask shows enough of a value for a reader to recognise it without
// copying personal data into the finding's message.
func Mask(v string) string {
	r := []rune(v)
	if len(r) <= 4 {
		return strings.Repeat("•", len(r))
	}
	keep := 2
	if len(r) >= 12 {
		keep = 3
	}
	return string(r[:keep]) + "…" + string(r[len(r)-keep:])
}

// ObjectIn returns the object a single-object answer carries: the body
// itself, or the one object it wraps ({"data": {...}}, {"note": {...}}).
func ObjectIn(doc any) map[string]any {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil
	}
	if _, ok := IDOf(m); ok || len(m) != 1 {
		return m
	}
	for _, v := range m {
		if inner, ok := v.(map[string]any); ok {
			return inner
		}
	}
	return m
}

// ContainsFold reports whether body carries s, ignoring case: a canary may
// come back upper-cased by a pattern or a normaliser.
func ContainsFold(body []byte, s string) bool {
	if s == "" {
		return false
	}
	return bytes.Contains(bytes.ToLower(body), []byte(strings.ToLower(s)))
}

// ownedLeaves is leaves(doc, others) before "others" is known: the values in
// the order leaves walks them, each with the owners named by the objects
// around it. Leaves(doc, skip) where skip prunes objects owned by anyone but
// self is then a replay (ownedLeaves.leaves).
type ownedLeaves []ownedLeaf

type ownedLeaf struct {
	value  string
	owners []string
}

// maxOwnedLeaves bounds what is kept of one document. The replay is exact
// while the document has fewer owned values than this before its
// MaxLeaves-th unowned one; past that, values of the caller's own objects
// beyond the bound are left out.
const maxOwnedLeaves = 4 * MaxLeaves

func ownedLeavesOf(doc any) ownedLeaves {
	var out ownedLeaves
	seen := map[string]bool{} // (value, owners) already recorded
	unowned := map[string]bool{}
	var owners []string
	var walk func(v any, key string, depth int)
	walk = func(v any, key string, depth int) {
		// Past MaxLeaves distinct unowned values every replay has stopped.
		if depth > MaxDepth || len(unowned) >= MaxLeaves || len(out) >= maxOwnedLeaves {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			o, ok := OwnerOf(x)
			if ok {
				owners = append(owners, o)
			}
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], k, depth+1)
			}
			if ok {
				owners = owners[:len(owners)-1]
			}
		case []any:
			for i, c := range x {
				if i >= MaxItems {
					break
				}
				walk(c, key, depth+1)
			}
		default:
			if IsIDKey(key) {
				return
			}
			s, ok := distinctive(x)
			if !ok {
				return
			}
			k := s + "\x00" + strings.Join(owners, "\x00")
			if seen[k] {
				return
			}
			seen[k] = true
			if len(owners) == 0 {
				unowned[s] = true
			}
			out = append(out, ownedLeaf{value: s, owners: slices.Clone(owners)})
		}
	}
	walk(doc, "", 0)
	return out
}

// leaves replays leaves(doc, others) for the caller self ("" when unknown:
// nothing is pruned).
func (ls ownedLeaves) leaves(self string) map[string]bool {
	out := map[string]bool{}
	for _, l := range ls {
		if len(out) >= MaxLeaves {
			break
		}
		mine := true
		for _, o := range l.owners {
			mine = mine && (self == "" || o == self)
		}
		if mine {
			out[l.value] = true
		}
	}
	return out
}
