package apimodel

import (
	"maps"
	"slices"
	"strings"
)

// found is one value the walker met in a document.
type found struct {
	text  string
	kind  Kind
	path  string // where in the document: data.accounts[].number
	field string // the key it was under
	thing string // what its object is: account, order, user
	// key is the key of the object it is in (its id, number or name), and
	// isKey says the value is that key.
	key   string
	isKey bool
	// owners are what the object's owner fields say (owner, user_id,
	// username, author): whose object it is, as the API writes it.
	owners []string
	// top says the value is a field of the payload's top object (not of an
	// object nested in it).
	top bool
}

// maxFound bounds the values taken from one document.
const maxFound = 2048

// harvest walks a decoded payload. thing is what the payload is about
// (from its collection key or its path), prefix its path in the answer.
func harvest(payload any, thing, prefix string) []found {
	w := &walker{}
	switch x := payload.(type) {
	case map[string]any:
		w.object(x, thing, prefix, 0, true)
	case []any:
		w.array(x, "", thing, prefix+"[]", 0)
	}
	return w.out
}

type walker struct{ out []found }

func (w *walker) emit(f found) {
	if len(w.out) < maxFound {
		w.out = append(w.out, f)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// childThing is what an object or list under key is about: the key's
// singular (accounts → account), or the parent's thing under an envelope
// key (data, items).
func childThing(key, parent string) string {
	if payloadKeys[strings.ToLower(key)] || key == "" {
		return parent
	}
	return singular(key)
}

func (w *walker) object(m map[string]any, thing, path string, depth int, top bool) {
	if depth > maxDepth || len(w.out) >= maxFound {
		return
	}
	key := objectKey(m, thing)
	owners := ownerRefs(m)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p := join(path, k)
		switch x := m[k].(type) {
		case map[string]any:
			w.object(x, childThing(k, thing), p, depth+1, false)
		case []any:
			w.array(x, k, childThing(k, thing), p+"[]", depth+1)
		default:
			text, kind, ok := classify(k, x)
			if !ok {
				continue
			}
			w.emit(found{text: text, kind: kind, path: p, field: k, thing: thing, key: key,
				isKey: key != "" && text == key && keyField(k, thing), owners: owners, top: top})
		}
	}
}

func (w *walker) array(a []any, key, thing, path string, depth int) {
	if depth > maxDepth {
		return
	}
	for _, it := range a {
		if len(w.out) >= maxFound {
			return
		}
		switch x := it.(type) {
		case map[string]any:
			w.object(x, thing, path, depth+1, false)
		case []any:
			w.array(x, key, thing, path+"[]", depth+1)
		default:
			// A list of keys: "accounts": ["NL91…", …] are account keys.
			field := key
			if field == "" {
				continue
			}
			text, kind, ok := classify(singular(field), x)
			if !ok {
				// A list of bare ids; a list of words (roles, scopes) is
				// no list of keys.
				if text, kind, ok = classify(thing+" id", x); !ok || (kind != KindNumber && kind != KindUUID) {
					continue
				}
			}
			w.emit(found{text: text, kind: kind, path: path, field: field, thing: thing, key: text, isKey: true})
		}
	}
}

// keyOrder is the generic names an object's key goes by, best first.
var keyOrder = []string{"id", "number", "slug", "code", "key", "isbn", "name", "title"}

// objectKey is the value that identifies an object: its id, else its
// number, slug, code, key, name or title (bare or prefixed by its thing:
// card_number in a card); "" when it has none.
func objectKey(m map[string]any, thing string) string {
	byNorm := map[string]string{}
	for k, v := range m {
		if s := scalarText(v); s != "" {
			n := norm(k)
			if _, dup := byNorm[n]; !dup || k < byNorm[n] {
				byNorm[n] = k
			}
		}
	}
	t := norm(thing)
	for _, g := range keyOrder {
		for _, n := range []string{g, t + g} {
			if k, ok := byNorm[n]; ok && n != "" {
				return scalarText(m[k])
			}
		}
	}
	return ""
}

// keyField says whether a field is one objectKey reads.
func keyField(field, thing string) bool {
	n, t := norm(field), norm(thing)
	for _, g := range keyOrder {
		if n == g || n == t+g {
			return true
		}
	}
	return false
}

// ownerWords are the last words of fields that say whose an object is.
var ownerWords = map[string]bool{
	"owner": true, "user": true, "username": true, "author": true, "creator": true, "createdby": true,
	"ownedby": true, "member": true, "customer": true, "email": true, "patient": true, "employee": true,
}

// maxOwners bounds the owner references kept per object.
const maxOwners = 3

// ownerRefs are the values of an object's owner fields, following
// {"owner": {"id": 7, "username": "bob"}}.
func ownerRefs(m map[string]any) []string {
	var out []string
	add := func(s string) {
		if s != "" && len(s) <= 256 && len(out) < maxOwners && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		w := words(k)
		if len(w) > 1 && w[len(w)-1] == "id" {
			w = w[:len(w)-1]
		}
		if len(w) == 0 || !ownerWords[strings.Join(w, "")] && !ownerWords[w[len(w)-1]] {
			continue
		}
		if len(w) > 2 {
			continue // "previous_owner_email" is no owner of this object
		}
		switch x := m[k].(type) {
		case map[string]any:
			for _, sub := range []string{"id", "username", "email", "name"} {
				for kk, vv := range x {
					if norm(kk) == sub {
						add(scalarText(vv))
					}
				}
			}
		default:
			add(scalarText(x))
		}
	}
	return out
}
