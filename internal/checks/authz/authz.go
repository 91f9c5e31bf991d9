// Package authz finds broken authorization: identities that read or change
// objects they do not own (BOLA), users that reach functions of a higher
// role (BFLA), and request fields a caller must not control that are
// persisted anyway (mass assignment).
//
// Every check proves ownership instead of trusting a status code. The read
// side compares the owner's own answer with the attacker's, after removing
// everything the attacker legitimately sees and every value a baseline
// (an invalid id, an anonymous caller) shows. The write side works on
// objects the scan creates with a random canary and reads them back as
// their owner. Objects the scan creates are deleted by their owner at the
// end, values it changes on an identity's own objects are written back, and
// every finding says what was created, changed and removed.
package authz

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// users returns the configured identities with the user role, in order.
func users(p *check.Pass) []*identity.Identity {
	var out []*identity.Identity
	for _, id := range p.Authenticated() {
		if id.Role == identity.RoleUser {
			out = append(out, id)
		}
	}
	return out
}

// admin returns the first identity with the admin role, or nil.
func admin(p *check.Pass) *identity.Identity {
	for _, id := range p.Authenticated() {
		if id.Role == identity.RoleAdmin {
			return id
		}
	}
	return nil
}

// state is what the authorization checks tell each other within one scan.
type state struct {
	mu       sync.Mutex
	reported map[string]bool // "BOLA read at GET /notes/{id}" already reported
}

func stateOf(p *check.Pass) *state {
	v, _ := p.Shared.Once("authz:state", func() (any, error) { return &state{reported: map[string]bool{}}, nil })
	return v.(*state)
}

// claim records that a kind of finding was reported at an operation and
// says whether it was the first time.
func (s *state) claim(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reported[key] {
		return false
	}
	s.reported[key] = true
	return true
}

// adminWord marks path segments and tags of administrative functions.
var adminWord = lazyre.New(`(?i)^(admin|admins|administrator|administration|superuser|sudo|backoffice|back-office|staff|manage|management|internal|ops|root|moderation|moderator)$`)

// adminText finds "administrators only", "admin role required" and the like
// in an operation's summary or description.
var adminText = lazyre.New(`(?i)(admin(istrator)?s?\W{0,3}only|only\W{0,3}(by\W{0,3})?(an?\W{0,3})?admin|admin(istrator)?\W{0,3}(role|privileges?|rights|permission)s?\W{0,3}(is\W{0,3})?(required|needed)|requires?\W{0,3}(the\W{0,3})?admin|back.?office)`)

// AdminReason says why an operation belongs to the admin role according
// to its declaration (a path segment, a tag, a security scope or its
// description), or "".
func AdminReason(op *rampart.Operation) string {
	for _, seg := range strings.Split(op.Path, "/") {
		if !holdings.IsParam(seg) && adminWord.MatchString(seg) {
			return fmt.Sprintf("its path has the segment %q", seg)
		}
	}
	for _, t := range op.Tags {
		if adminWord.MatchString(t) || strings.Contains(strings.ToLower(t), "admin") {
			return fmt.Sprintf("the spec tags it %q", t)
		}
	}
	for _, alt := range op.Security {
		for _, s := range alt {
			if strings.Contains(strings.ToLower(s), "admin") {
				return fmt.Sprintf("its security requirement names %q", s)
			}
		}
	}
	if m := adminText.FindString(op.Summary + " " + op.Description); m != "" {
		return fmt.Sprintf("its description says %q", strings.TrimSpace(m))
	}
	return ""
}

// evidence renders exchanges, skipping the missing ones.
func evidence(p *check.Pass, pairs ...any) []rampart.Evidence {
	var out []rampart.Evidence
	for i := 0; i+1 < len(pairs); i += 2 {
		r, _ := pairs[i].(*engine.Response)
		note, _ := pairs[i+1].(string)
		if r != nil {
			out = append(out, p.Evidence(r, note))
		}
	}
	return out
}

// related points at another identity's request with its replay line.
func related(p *check.Pass, op *rampart.Operation, r *engine.Response, note string) rampart.Related {
	loc := rampart.Location{URL: r.RequestURL, Method: r.Method}
	if op != nil {
		loc.Path = op.Path
	}
	return rampart.Related{Location: loc, Note: note, Curl: p.Curl(r)}
}

// hits lists masked values for a message: `title="Q3…ts"`.
func describeHits(hits map[string]string, limit int) string {
	var parts []string
	for _, v := range sortedHitKeys(hits) {
		if len(parts) == limit {
			parts = append(parts, fmt.Sprintf("and %d more", len(hits)-limit))
			break
		}
		k := hits[v]
		if k == "" {
			k = "value"
		}
		parts = append(parts, fmt.Sprintf("%s=%q", k, holdings.Mask(v)))
	}
	return strings.Join(parts, ", ")
}

func sortedHitKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Field name first, so that messages are stable and read well.
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] < m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

func ok2xx(r *engine.Response) bool { return r != nil && r.Status >= 200 && r.Status <= 299 }
