package scan

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// maxCredentialTries is how many reads an identity is sent at most to try
// its credentials when exploring read none that needs them (passive mode
// explores nothing); the anonymous caller gets as many, to tell which
// reads need credentials when the spec does not say.
const maxCredentialTries = 3

// keepGoingHint ends every error that stops a scan over one identity.
const keepGoingHint = "or pass --keep-going to scan without it"

// logIn makes the scan's identities, anonymous first, and logs in those
// with a login flow. An identity whose login fails (an error answer, or no
// credential in it) stops the scan with a ConfigError, or with
// opt.KeepGoing is left out with a note.
func logIn(ctx context.Context, c *engine.Client, opt Options, rep *rampart.Report) ([]*identity.Identity, error) {
	ids := []*identity.Identity{identity.Anonymous()}
	for _, spec := range opt.Identities {
		id := identity.New(spec.Name, spec.Role, spec.Headers)
		if spec.Login != nil {
			if err := spec.Login.Validate(); err != nil {
				return nil, configErr("identity %s: %v", spec.Name, err)
			}
			id.Login = &identity.Login{Login: *spec.Login}
		}
		opt.Redactor.Add(id.Name, id.Secrets) // before the login: its tokens
		if err := id.EnsureLoggedIn(ctx, c); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !opt.KeepGoing {
				return nil, configErr("%v: check its login settings, %s", err, keepGoingHint)
			}
			leaveOut(rep, opt, fmt.Sprintf("%v", err))
			continue
		}
		ids = append(ids, id)
		rep.Identities = append(rep.Identities, spec.Name+" ("+spec.Role+")")
	}
	return ids, nil
}

// dropRefused tries each identity's credentials on the reads that need
// credentials (see triedCredentials). An identity refused on every one it
// was tried on stops the scan with a ConfigError naming it and what it was
// answered, or with opt.KeepGoing is left out with a note; the identities
// that remain are returned. An identity refused on some reads and
// answered on others is kept: roles differ.
func dropRefused(ctx context.Context, c *engine.Client, mdl *apimodel.Model, base *url.URL, ops []*rampart.Operation, schemes map[string]surface.Scheme, ids []*identity.Identity, opt Options, rep *rampart.Report) ([]*identity.Identity, error) {
	tries := triedCredentials(ctx, c, mdl, base, ops, schemes, ids)
	if ctx.Err() != nil {
		return ids, ctx.Err()
	}
	kept := ids[:0:0]
	for _, id := range ids {
		t := tries[id.Name]
		if t == nil || !t.refusedEverywhere() {
			kept = append(kept, id)
			continue
		}
		if len(schemes) == 0 {
			// Nothing says which credentials each operation takes (a
			// discovered or recorded surface): refused where another
			// kind of credential was accepted, it may be for the
			// operations that take its kind.
			if other := acceptedOtherKind(id, ids, tries); other != "" {
				note(rep, opt, fmt.Sprintf("identity %s: refused on every operation tried (%s), where %s's credentials of another kind were accepted; kept, since no spec says which credentials each operation takes", id.Name, t, other))
				kept = append(kept, id)
				continue
			}
		}
		msg := fmt.Sprintf("identity %s: refused on every operation that needs credentials (%s)", id.Name, t)
		if !opt.KeepGoing {
			return ids, configErr("%s: check its credentials, %s", msg, keepGoingHint)
		}
		leaveOut(rep, opt, msg)
		rep.Identities = slices.DeleteFunc(rep.Identities, func(s string) bool { return s == id.Name+" ("+id.Role+")" })
	}
	return kept, nil
}

// acceptedOtherKind names an identity accepted on the reads tried whose
// credentials are of another kind than id's (other headers, or another
// Authorization scheme); "" when there is none.
func acceptedOtherKind(id *identity.Identity, ids []*identity.Identity, tries map[string]*tries) string {
	for _, o := range ids {
		if o == id || o.IsAnonymous() {
			continue
		}
		if t := tries[o.Name]; t != nil && t.accepted > 0 && credentialKind(o) != credentialKind(id) {
			return o.Name
		}
	}
	return ""
}

// credentialKind is the shape of an identity's credentials: the headers
// it sends and the scheme of its Authorization ("authorization:bearer").
func credentialKind(id *identity.Identity) string {
	h := id.Header()
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		kind := strings.ToLower(k)
		if strings.EqualFold(k, "Authorization") && len(h[k]) > 0 {
			scheme, _, spaced := strings.Cut(strings.TrimSpace(h[k][0]), " ")
			if !spaced {
				scheme = "raw" // a bare token: its text is no kind
			}
			kind += ":" + strings.ToLower(scheme)
		}
		parts = append(parts, kind)
	}
	return strings.Join(parts, ",")
}

// leaveOut puts the note about an identity scanned without at the top of
// the report: every result after it reads differently.
func leaveOut(rep *rampart.Report, opt Options, msg string) {
	msg += ": scanned without it (--keep-going)"
	rep.Notes = append([]string{msg}, rep.Notes...)
	if opt.OnNote != nil {
		opt.OnNote(msg)
	}
}

// tries is how one identity was answered on the reads that need
// credentials.
type tries struct {
	refused  map[int][]string // status → operation keys
	accepted int
}

func (t *tries) count() int {
	n := t.accepted
	for _, ks := range t.refused {
		n += len(ks)
	}
	return n
}

func (t *tries) refusedEverywhere() bool { return len(t.refused) > 0 && t.accepted == 0 }

// String is what the identity was answered, "401 on GET /me, GET /notes;
// 403 on GET /accounts", a few operations per status.
func (t *tries) String() string {
	const shown = 4
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(t.refused)) {
		ks := slices.Sorted(slices.Values(t.refused[st]))
		s := fmt.Sprintf("%d on %s", st, strings.Join(ks[:min(len(ks), shown)], ", "))
		if len(ks) > shown {
			s += fmt.Sprintf(" and %d more", len(ks)-shown)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// answer is one status an identity was answered on a read, and the shape
// of the answer when exploring recorded it.
type answer struct {
	status int
	shape  string
}

// triedCredentials says, for each identity but anonymous, how it was
// answered on the reads that need credentials: those that refused the
// anonymous caller (401, 403), and those the spec secures that it did not
// read. What exploring read is used first; an identity it did not read on
// any such operation is sent GETs of at most maxCredentialTries
// parameterless reads. Refused means a 401, or a 403 the anonymous caller
// was given too (a 403 of its own is an authorization decision about the
// identity, not a refused credential), and not where an admin was
// answered and the identity is a user (roles differ).
//
// Only operations whose security requirement the identity's credentials
// fit (see fits) count: an identity made for one of the spec's schemes is
// neither refused nor answered by an operation that wants another.
func triedCredentials(ctx context.Context, c *engine.Client, mdl *apimodel.Model, base *url.URL, ops []*rampart.Operation, schemes map[string]surface.Scheme, ids []*identity.Identity) map[string]*tries {
	var anon *identity.Identity
	for _, id := range ids {
		if id.IsAnonymous() {
			anon = id
		}
	}
	if anon == nil {
		anon = identity.Anonymous()
	}
	probed := map[string]answer{} // identity + "\x00" + operation key
	got := func(id *identity.Identity, op *rampart.Operation) (answer, bool) {
		if a, ok := probed[id.Name+"\x00"+op.Key()]; ok {
			return a, true
		}
		g, ok := mdl.Gate(op)
		if !ok {
			return answer{}, false
		}
		a, ok := g.Answer(id)
		return answer{status: a.Status, shape: a.Shape}, ok
	}
	refusal := func(s int) bool { return s == http.StatusUnauthorized || s == http.StatusForbidden }
	// needs says whether op needs credentials in a way that tells a
	// refused one apart: the anonymous caller was refused there, or the
	// spec secures it and the anonymous caller has not read it. A read
	// that answers the anonymous caller, secured or not, tells nothing.
	// Unknown when neither the spec nor an anonymous read says.
	needs := func(op *rampart.Operation) (needed, known bool) {
		if a, ok := got(anon, op); ok {
			return refusal(a.status), true
		}
		return op.Secured(), op.Secured()
	}
	tally := func(id *identity.Identity) *tries {
		t := &tries{refused: map[int][]string{}}
		for _, op := range ops {
			if n, _ := needs(op); !n || !fits(op, id, schemes) {
				continue
			}
			a, ok := got(id, op)
			if !ok {
				continue
			}
			if !refused(op, a, anon, got) {
				t.accepted++
				continue
			}
			if a.status == http.StatusForbidden && id.Role == identity.RoleUser && adminAnswered(op, ids, got) {
				continue // roles differ
			}
			t.refused[a.status] = append(t.refused[a.status], op.Key())
		}
		return t
	}
	send := func(id *identity.Identity, op *rampart.Operation) {
		resp, err := id.Do(ctx, c, &engine.Request{Method: http.MethodGet, URL: surface.URL(base, op, nil), Route: op.Key()})
		if err == nil {
			probed[id.Name+"\x00"+op.Key()] = answer{status: resp.Status}
		}
	}
	// Parameterless reads, the ones the spec secures first: what may be
	// sent when exploring left an identity untried.
	var probeable []*rampart.Operation
	for _, op := range ops {
		if surface.PlainRead(op) && !slices.ContainsFunc(op.Params, func(p rampart.Param) bool { return p.In == "path" }) {
			probeable = append(probeable, op)
		}
	}
	slices.SortStableFunc(probeable, func(a, b *rampart.Operation) int {
		switch {
		case a.Secured() == b.Secured():
			return 0
		case a.Secured():
			return -1
		}
		return 1
	})
	anonTries := 0
	askAnon := func(op *rampart.Operation) {
		if _, ok := got(anon, op); !ok && anonTries < maxCredentialTries {
			anonTries++
			send(anon, op)
		}
	}
	// probe sends id GETs of the parameterless reads that need
	// credentials, until one answers it or maxCredentialTries were sent.
	probe := func(id *identity.Identity) *tries {
		t, sent := tally(id), 0
		for _, op := range probeable {
			if sent == maxCredentialTries || t.accepted > 0 || ctx.Err() != nil {
				break
			}
			if _, ok := got(id, op); ok || !fits(op, id, schemes) {
				continue // exploring read it (it did not need credentials), or another kind of credential
			}
			if _, known := needs(op); !known {
				askAnon(op)
			}
			if n, _ := needs(op); !n {
				continue
			}
			send(id, op)
			sent++
			if _, ok := got(id, op); ok {
				// The anonymous caller's answer tells a refused credential
				// from a role (a 403), and an accepted one from a read the
				// spec secures that lets anyone in.
				askAnon(op)
			}
			t = tally(id)
		}
		return t
	}
	out := map[string]*tries{}
	for _, id := range ids {
		if id.IsAnonymous() {
			continue
		}
		t := tally(id)
		if t.count() == 0 {
			t = probe(id)
		}
		out[id.Name] = t
	}
	return out
}

// refused says whether an answer refuses the identity's credential.
func refused(op *rampart.Operation, a answer, anon *identity.Identity, got func(*identity.Identity, *rampart.Operation) (answer, bool)) bool {
	switch a.status {
	case http.StatusUnauthorized:
		return true
	case http.StatusForbidden:
		an, ok := got(anon, op)
		return ok && an.status == http.StatusForbidden && an.shape == a.shape
	}
	return false
}

// adminAnswered says whether an admin identity was answered 2xx on op.
func adminAnswered(op *rampart.Operation, ids []*identity.Identity, got func(*identity.Identity, *rampart.Operation) (answer, bool)) bool {
	for _, id := range ids {
		if id.Role != identity.RoleAdmin {
			continue
		}
		if a, ok := got(id, op); ok && a.status >= 200 && a.status <= 299 {
			return true
		}
	}
	return false
}
