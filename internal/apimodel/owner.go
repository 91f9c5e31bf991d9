package apimodel

import (
	"github.com/rampart-sec/rampart/internal/identity"
)

// Ownership is concluded from evidence, strongest first:
//
//  1. the identity's own: in its login answer or token claims, sent to log
//     in, in its own record, in the answer to a create it made, or chosen
//     by it in a create (HowLogin … HowSent);
//  2. the object's owner field (owner, user_id, username, author, email)
//     names one identity's id, username or e-mail (HowOwnerField);
//  3. it alone listed it while the model explored: no other identity and
//     not the anonymous caller (HowExclusive). An administrator sees
//     everyone's objects, so its listing counts only when no user listed
//     the value.
//
// A value the anonymous caller saw is public, whoever owns it.

// ownership is who owns one value and why.
type ownership struct {
	owner    string // identity name, "" when unknown
	evidence How
	public   bool
	foreign  bool // an owner field names someone the scan has no identity for
}

// strongest keeps the first self evidence bit, in rank order.
func strongest(h How) How {
	for _, b := range []How{HowClaim, HowLogin, HowLoginSent, HowProfile, HowCreated, HowSent} {
		if h&b != 0 {
			return b
		}
	}
	return 0
}

// ownerLocked concludes whose a value is. name, when set, is the normal
// name it was linked by: the owner fields of its objects of that name only
// count (ticket 1 and comment 1 are one text, two objects, two owners).
func (m *Model) ownerLocked(e *entry, people map[string]Person, name string) ownership {
	var o ownership
	var self []string
	var selfHow How
	for _, s := range e.seen {
		if s.who == identity.AnonymousName {
			o.public = true
			continue
		}
		if s.how&selfHows != 0 {
			self = append(self, s.who)
			selfHow = strongest(s.how)
		}
	}
	if len(self) == 1 {
		o.owner, o.evidence = self[0], selfHow
		return o
	}
	if len(self) > 1 {
		// The same value in two identities' own answers (a shared team
		// name, a role) belongs to neither.
		return o
	}
	named, refs := "", 0
	origins := e.origins
	if name != "" {
		var same []origin
		for _, o := range e.origins {
			if o.qual == name || o.bare == name {
				same = append(same, o)
			}
		}
		if len(same) > 0 {
			origins = same
		}
	}
	for _, or := range origins {
		for _, ref := range or.owners {
			refs++
			for who, p := range people {
				if p.Matches(ref) {
					if named != "" && named != who {
						return o
					}
					named = who
				}
			}
		}
	}
	if named != "" {
		o.owner, o.evidence = named, HowOwnerField
		return o
	}
	if refs > 0 {
		o.foreign = true
		return o
	}
	if o.public {
		return o
	}
	var users, admins []string
	for _, s := range e.seen {
		if s.how&HowListing == 0 || s.how&howExplored == 0 {
			continue
		}
		if p, ok := m.people[s.who]; ok && p.role == identity.RoleAdmin {
			admins = append(admins, s.who)
		} else {
			users = append(users, s.who)
		}
	}
	switch {
	case len(users) == 1:
		o.owner, o.evidence = users[0], HowExclusive
	case len(users) == 0 && len(admins) == 1:
		o.owner, o.evidence = admins[0], HowExclusive
	}
	return o
}

// strength orders ownership evidence for ranking candidates.
func strength(h How) int {
	switch h {
	case HowClaim, HowLogin, HowLoginSent, HowProfile, HowCreated, HowSent:
		return 30
	case HowOwnerField:
		return 20
	case HowExclusive:
		return 10
	}
	return 0
}
