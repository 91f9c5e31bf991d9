package apimodel

import (
	"strings"
	"sync"

	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Names are how values meet parameters: a field and a parameter that mean
// the same thing are written differently by every API (account_number,
// accountNumber, account-no, AccountNo), and an object's own "id" or "name"
// means "<thing> id" where the thing is the collection it came from. Names
// are compared in a normal form: lower-case words, synonyms folded, joined
// without separators.

// synonyms fold words that mean the same in a field or parameter name.
var synonyms = map[string]string{
	"uuid": "id", "guid": "id", "pk": "id", "identifier": "id", "oid": "id",
	"no": "number", "num": "number", "nr": "number", "nbr": "number", "numb": "number",
	"mail": "email", "emailaddress": "email", "e": "", // e-mail → [e mail] → email
	"uname": "username", "login": "username", "handle": "username",
}

// wordCache remembers the words of names: an API repeats its field names
// in every answer, and splitting them was most of what reading an answer
// cost. Bounded: past maxWordCache names, it starts again.
var (
	wordMu    sync.RWMutex
	wordCache = map[string][]string{}
)

const maxWordCache = 8192

// words is a name as normal words: userEmail, user_email, "E-Mail" and
// emailAddress all end in [email]. The slice is shared: callers never
// write to it.
func words(name string) []string {
	wordMu.RLock()
	w, ok := wordCache[name]
	wordMu.RUnlock()
	if ok {
		return w
	}
	w = splitWords(name)
	wordMu.Lock()
	if len(wordCache) >= maxWordCache {
		clear(wordCache)
	}
	wordCache[name] = w
	wordMu.Unlock()
	return w
}

func splitWords(name string) []string {
	var out []string
	for _, w := range surface.Words(name) {
		if s, ok := synonyms[w]; ok {
			if s == "" {
				continue
			}
			w = s
		}
		// "email address" and "user name" are one word each.
		if n := len(out); n > 0 {
			switch {
			case w == "address" && out[n-1] == "email", w == "name" && out[n-1] == "user":
				out[n-1] = out[n-1] + w
				if out[n-1] == "emailaddress" {
					out[n-1] = "email"
				}
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

// norm is a name in normal form.
func norm(name string) string { return strings.Join(words(name), "") }

// genericNames are field and parameter names that say nothing without the
// thing they belong to: an object's "id", a device's "name", a page's
// "title", /loan?id=.
var genericNames = map[string]bool{
	"id": true, "name": true, "title": true, "number": true, "code": true, "key": true, "slug": true,
	"ref": true, "reference": true, "label": true, "value": true,
}

func generic(name string) bool { return genericNames[norm(name)] }

// qualify names a field of an object of thing: "id" of an employee is
// "employeeid", "number" of an account "accountnumber"; a name that is
// not generic (card_number, username) stands for itself.
func qualify(thing, field string) string {
	n := norm(field)
	if thing == "" || !genericNames[n] {
		return n
	}
	return norm(thing) + n
}

// version marks path segments that name an API version or prefix, not a
// thing: /api/v1/books.
var version = lazyre.New(`(?i)^(v\d+(\.\d+)*|api|rest|latest)$`)

// isParamSeg says whether a path segment is (or holds) a template parameter.
func isParamSeg(seg string) bool { return strings.Contains(seg, "{") }

// thingOfPath is the thing a path's answer is about: its last literal
// segment, singular (/users/{u}/orders → order, /api/v1/books → book).
func thingOfPath(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := len(segs) - 1; i >= 0; i-- {
		s := segs[i]
		if s == "" || isParamSeg(s) || version.MatchString(s) {
			continue
		}
		return singular(s)
	}
	return ""
}

// thingBefore is the thing a path parameter picks: the literal segment
// just before it (/devices/{name} → device); "" when a parameter or
// nothing comes before.
func thingBefore(path, param string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s == "{"+param+"}" {
			for j := i - 1; j >= 0; j-- {
				if isParamSeg(segs[j]) {
					return ""
				}
				if !version.MatchString(segs[j]) {
					return singular(segs[j])
				}
			}
			return ""
		}
	}
	return ""
}

// singular is a collection name's item (accounts → account, entries →
// entry, addresses → address); names that do not look plural stay.
func singular(s string) string {
	low := strings.ToLower(s)
	switch {
	case len(low) > 4 && strings.HasSuffix(low, "ies"):
		return s[:len(s)-3] + "y"
	case len(low) > 4 && (strings.HasSuffix(low, "sses") || strings.HasSuffix(low, "xes") || strings.HasSuffix(low, "ches") || strings.HasSuffix(low, "shes")):
		return s[:len(s)-2]
	case len(low) > 3 && strings.HasSuffix(low, "s") && !strings.HasSuffix(low, "ss") && !strings.HasSuffix(low, "us") && !strings.HasSuffix(low, "is"):
		return s[:len(s)-1]
	}
	return s
}

// paramName is the normal name a parameter is matched by: qualified by
// its thing when generic (/devices/{name} → devicename, /loan?id= →
// loanid).
func paramName(path, in, name string) string {
	if !generic(name) {
		return norm(name)
	}
	thing := ""
	if in == "path" {
		thing = thingBefore(path, name)
	} else {
		thing = thingOfPath(path)
	}
	return qualify(thing, name)
}

// personWords are things that are accounts of people: an object of one of
// them that carries the caller's username or e-mail is the caller's own
// record (its profile), and a parameter named after one of them picks a
// person.
var personWords = map[string]bool{
	"user": true, "me": true, "self": true, "profile": true, "account": true, "member": true, "customer": true,
	"person": true, "people": true, "patient": true, "employee": true, "staff": true, "student": true,
	"whoami": true, "identity": true, "owner": true, "author": true, "player": true, "client": true,
	"session": true, "current": true, "userinfo": true,
}

func personThing(thing string) bool {
	w := words(thing)
	return len(w) > 0 && personWords[w[len(w)-1]]
}

// userParam says whether a parameter picks a person by id, username or
// e-mail (user_id, ownerId, username, email, member): the caller's own
// value is its own identity's.
func userParam(name string) bool {
	w := words(name)
	if len(w) == 0 {
		return false
	}
	last := w[len(w)-1]
	switch last {
	case "username", "email":
		return true
	case "id", "name":
		w = w[:len(w)-1]
	}
	return len(w) > 0 && (personWords[w[len(w)-1]] || w[len(w)-1] == "uid") && w[len(w)-1] != "account"
}

// roleWords name the part a referenced object plays in a request rather
// than the object: from_account and to_account are both accounts, and so
// are a payment's funding_account and a form's my_account.
var roleWords = map[string]bool{
	"from": true, "to": true, "source": true, "src": true, "target": true, "dest": true, "destination": true,
	"dst": true, "sender": true, "recipient": true, "receiver": true, "payer": true, "payee": true,
	"origin": true, "beneficiary": true, "debit": true, "credit": true, "parent": true,
	"debtor": true, "creditor": true, "counterparty": true, "remitter": true, "originator": true,
	"sending": true, "receiving": true, "funding": true, "paying": true, "my": true, "own": true,
}

// roleRefs are the names a role-prefixed reference stands for, without its
// role: from_account → the account's keys (accountid, accountnumber...),
// target_folder_id → folderid. Nil for a name without a role word first.
func roleRefs(param string) []string {
	rest := withoutRole(param)
	if len(rest) == 0 {
		return nil
	}
	last := rest[len(rest)-1]
	if genericNames[last] {
		if len(rest) < 2 {
			return nil
		}
		return []string{strings.Join(rest, "")}
	}
	thing := strings.Join(rest, "")
	out := make([]string, len(refKeys))
	for i, k := range refKeys {
		out[i] = thing + k
	}
	return out
}

// refKeys are the generic names that key an object rather than describe
// it, in normal form: a uuid is an "id" and an account_no a "number" by
// the time a name is compared.
var refKeys = []string{"id", "number", "code", "key", "slug", "ref", "reference"}

// roleThing is the thing a role-prefixed reference names when the name
// ends in the thing rather than in one of its keys: from_account →
// "account", for answers that key it by the thing alone ({"account":
// "NL91…"}). "" for a name without a role word first or ending in a key.
func roleThing(param string) string {
	rest := withoutRole(param)
	if len(rest) == 0 || genericNames[rest[len(rest)-1]] {
		return ""
	}
	return strings.Join(rest, "")
}

// withoutRole is a name's words after its leading role words (from_account
// → [account]); nil when it has none, or nothing after them.
func withoutRole(param string) []string {
	w := words(param)
	i := 0
	for i < len(w)-1 && roleWords[w[i]] {
		i++
	}
	if i == 0 {
		return nil
	}
	return w[i:]
}
