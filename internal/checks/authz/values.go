package authz

import (
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// maxModelValues bounds what the API model adds to the inventory's values
// for one parameter and identity.
const maxModelValues = 3

// sharedWith reports whether the API lists other identities' objects of
// this parameter to who (a forum's threads, a team's documents): the
// collection is shared by design, and reading one of them is not a
// finding.
func sharedWith(p *check.Pass, op *rampart.Operation, prm rampart.Param, who *identity.Identity) bool {
	for _, c := range p.Model.Values(op, prm.Name, apimodel.Query{As: who, Owner: apimodel.Others, Limit: 16}) {
		if c.Seen&apimodel.HowListing != 0 && c.Owner != "" && c.Owner != who.Name && !c.Public {
			return true
		}
	}
	return false
}

// ownsToo reports whether who legitimately writes the object a value
// names: the model says it is its own or, when the model knows no owner,
// the inventory says it sees it as its own. A value merely listed for it (a
// directory of every employee) is readable, not writable: writes are
// judged by the owner's read-back.
func ownsToo(p *check.Pass, inv *holdings.Inventory, op *rampart.Operation, prm rampart.Param, who *identity.Identity, id string) bool {
	if c, ok := modelKnown(p, op, prm)[id]; ok && c.Owner != "" {
		return c.Owner == who.Name
	}
	return inv.Sees(op, prm, who, id)
}

// modelKnown is what the API model knows of a parameter's values, whoever
// asks: its owner, whether anonymous callers see it.
func modelKnown(p *check.Pass, op *rampart.Operation, prm rampart.Param) map[string]apimodel.Candidate {
	out := map[string]apimodel.Candidate{}
	for _, c := range p.Model.Values(op, prm.Name, apimodel.Query{Limit: 32}) {
		prev, dup := out[c.Value]
		switch {
		case !dup:
			out[c.Value] = c
		case prev.Owner == "" && c.Owner != "":
			c.Public = c.Public || prev.Public
			out[c.Value] = c
		default:
			prev.Public = prev.Public || c.Public
			out[c.Value] = prev
		}
	}
	return out
}

// candidates are the values of an operation's parameter that who owns:
// the API model's first (an account number in its login answer, a title
// it sent in a create, its username, an id its token claims), whose
// evidence of ownership is stronger than being listed for who, which a
// directory of everyone's records also is; then the inventory's (ids in its
// own lists) that the model does not give to someone else.
func candidates(p *check.Pass, inv *holdings.Inventory, op *rampart.Operation, prm rampart.Param, who *identity.Identity) []string {
	var out []string
	for _, c := range p.Model.Values(op, prm.Name, apimodel.Query{As: who, Owner: apimodel.Mine, Limit: maxModelValues}) {
		if c.Value != "" && !slices.Contains(out, c.Value) {
			out = append(out, c.Value)
		}
	}
	known := modelKnown(p, op, prm)
	for _, v := range inv.Candidates(op, prm, who) {
		if owner := known[v].Owner; (owner == "" || owner == who.Name) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// sees reports whether who legitimately sees the object a value names:
// the inventory says so, or the model saw it in one of who's own listings
// or owned by who. A public index (anonymous callers are shown it too)
// lists everyone's keys: being listed there is not access to an object
// another identity owns.
func sees(p *check.Pass, inv *holdings.Inventory, op *rampart.Operation, prm rampart.Param, who *identity.Identity, id string) bool {
	if c, ok := modelKnown(p, op, prm)[id]; ok && c.Public && c.Owner != "" && c.Owner != who.Name {
		return false
	}
	if inv.Sees(op, prm, who, id) {
		return true
	}
	for _, c := range p.Model.Values(op, prm.Name, apimodel.Query{As: who, Owner: apimodel.Visible, Limit: 32}) {
		if c.Value == id && (c.Owner == who.Name || c.Seen&apimodel.HowListing != 0) {
			return true
		}
	}
	return false
}

// profileTail names what follows a person's key in a path that reads the
// person itself: /users/{username}, /users/{username}/profile.
var profileTail = lazyre.New(`(?i)^/?(profile|public|card|summary|about|avatar)?/?$`)

// sensitiveWords name fields whose value is private to a person, whatever
// the API's design: contact details, identity documents, money, health,
// credentials, messages.
var sensitiveWords = map[string]bool{
	"email": true, "mail": true, "phone": true, "mobile": true, "address": true, "street": true, "city": true,
	"zip": true, "postal": true, "postcode": true, "ssn": true, "birth": true, "birthday": true, "dob": true,
	"passport": true, "national": true, "tax": true, "iban": true, "account": true, "card": true, "cvv": true,
	"cvc": true, "pan": true, "balance": true, "salary": true, "income": true, "credit": true, "password": true,
	"passwd": true, "hash": true, "token": true, "secret": true, "key": true, "diagnosis": true, "medical": true,
	"health": true, "record": true, "records": true, "prescription": true, "private": true, "message": true,
	"messages": true, "order": true, "orders": true, "payment": true, "payments": true, "invoice": true,
	"transaction": true, "transactions": true, "location": true, "latitude": true, "longitude": true, "ip": true,
}

func sensitiveKey(k string) bool {
	for _, w := range surface.Words(k) {
		if sensitiveWords[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// personRead reports whether an operation reads a person by a person's key
// (username, e-mail, user id): a profile, which many APIs show every
// member by design.
func personRead(op *rampart.Operation, prm rampart.Param) bool {
	if prm.In != "path" || !(holdings.Userish(prm.Name) || strings.Contains(strings.ToLower(prm.Name), "mail") || strings.EqualFold(prm.Name, "username")) {
		return false
	}
	i := strings.Index(op.Path, "{"+prm.Name+"}")
	if i < 0 {
		return false
	}
	return profileTail.MatchString(op.Path[i+len(prm.Name)+2:])
}

// privateHits reports whether a read of another person's record shows
// something private: on a profile, the name, bio and role another member
// sees by design are not a finding; an e-mail address, a phone number or
// a balance is.
func privateHits(hits map[string]string) bool {
	for _, k := range hits {
		if sensitiveKey(k) {
			return true
		}
	}
	return false
}
