package authz

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
)

// HeaderRole is BFLA-006.
var HeaderRole = check.Check{
	Meta: rampart.Meta{
		ID:       "BFLA-006",
		Family:   rampart.FamilyBFLA,
		Title:    "Authorization decided by a header the client sets",
		Severity: rampart.High,
		CWE:      "CWE-807",
		OWASP:    "API5:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a user deletes or changes another identity's object by adding the privilege header the API asked for (IsAdmin: True, X-Role: admin), where the same request without it was refused",
		Detects: "PUT, PATCH and DELETE on items the scan can create and remove. The admin identity (or a second user) " +
			"creates an object; a user-role identity sends the operation on it without any privilege header. When " +
			"that answer is a refusal, or any answer (a 200 included) saying a header whose name grants privilege " +
			"(admin, role, superuser, staff...) is missing or invalid, the user sends it again with that header set to " +
			"a privileged value: the spec's, the one the answer names, else true, True or 1 (admin for a role), " +
			"stopping at the first the API no longer complains about. A finding needs the owner's read-back to show " +
			"the object gone or carrying the user's marker, while it was intact after the request without the header. " +
			"Only objects the scan created are touched; they are removed at the end.",
		Requests: "Per operation: the create, the request without the header and its read-back, up to three requests " +
			"with a value and their read-backs, the removal and its check. An operation other checks' requests reached " +
			"without an answer naming a privilege header is skipped; one no request reached yet is probed this way, " +
			"at most 10 per scan. Budget 24.",
		Budget: 24,
		Fix: "Decide roles from the server's own record of the signed-in user (`request.user.is_staff`, a role column), " +
			"never from a header, cookie or field the client sends: delete the header check and put a role check " +
			"(`IsAdminUser`, `abort(403)` unless admin) in front of the handler.",
		Doc: "docs/checks.md#bfla-006",
	},
	Applies: func(op *rampart.Operation) bool {
		switch op.Method {
		case http.MethodDelete, http.MethodPut, http.MethodPatch:
			return strings.HasSuffix(op.Path, "}")
		}
		return false
	},
	Run:       runHeaderRole,
	Exclusive: true,
}

// maxBlindProbes bounds the operations probed without an answer that
// named a privilege header before: each costs an object.
const maxBlindProbes = 10

type probeCount struct {
	mu sync.Mutex
	n  int
}

func (c *probeCount) take() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= maxBlindProbes {
		return false
	}
	c.n++
	return true
}

func privilegeHeader(p *check.Pass) (accept.Header, bool) {
	if p.Accept == nil {
		return accept.Header{}, false
	}
	for _, h := range p.Accept.Headers(p.Op) {
		if h.Privileged {
			return h, true
		}
	}
	return accept.Header{}, false
}

func runHeaderRole(ctx context.Context, p *check.Pass) (err error) {
	us := users(p)
	if len(us) == 0 {
		needUser(p)
		return nil
	}
	if p.Accept == nil {
		p.NotApplicable("no request learner in this pass")
		return nil
	}
	var res *fixture.Resource
	for _, r := range surfaceOf(p).resources {
		if r.Op(p.Op.Method) == p.Op && r.Removable() {
			res = r
		}
	}
	if res == nil {
		p.NotApplicable("no collection the scan can create in and remove from holds this item")
		return nil
	}
	attacker := us[0]
	owner := admin(p)
	if owner == nil && len(us) > 1 {
		owner = us[1]
	}
	if owner == nil {
		p.NotTested(rampart.ReasonNeedsAdmin, "needs an admin identity or a second user to own the object ("+configured(p)+")")
		return nil
	}
	if _, known := privilegeHeader(p); !known {
		if p.Accept.Answered(p.Op) {
			p.NotApplicable("the API's answers to it named no header that grants privilege")
			return nil
		}
		v, _ := p.Shared.Once("authz: header probes", func() (any, error) { return &probeCount{}, nil })
		if !v.(*probeCount).take() {
			p.NotApplicable("no answer named a privilege header here, and the blind probes of the scan are spent")
			return nil
		}
	}
	o, _, err := fixture.Create(ctx, p, res, owner)
	if err != nil || o == nil {
		if err == nil {
			p.NotTested(rampart.ReasonNoObject, owner.Name+" could not create an object to try it on")
		}
		return err
	}
	var report func()
	defer func() {
		o.Remove(ctx, p)
		if report != nil {
			report() // after the removal, so that the message says what was left
		}
		if err == nil {
			err = o.Err()
		}
	}()
	bare, changed, err := headerAttempt(ctx, p, o, attacker, nil)
	if err != nil {
		return err
	}
	p.Tested()
	if changed {
		// Without any header: another check's flaw (BOLA-002), not this one.
		p.NotApplicable("the request without a privilege header already changed the object")
		return nil
	}
	h, known := privilegeHeader(p)
	if !known {
		p.NotApplicable("no answer named a header that grants privilege")
		return nil
	}
	if r := bare.resp; !(refused(r.Status) || accept.ComplainsOf(r.Body, h.Name) || r.Status >= 400) {
		p.NotApplicable(fmt.Sprintf("without %s the API answered %d and did not complain", h.Name, r.Status))
		return nil
	}
	tried := map[string]bool{}
	for range 3 {
		if tried[h.Value] {
			break
		}
		tried[h.Value] = true
		attack, changed, err := headerAttempt(ctx, p, o, attacker, http.Header{h.Name: {h.Value}})
		if err != nil {
			return err
		}
		if changed {
			h := h
			report = func() { reportHeaderRole(p, o, owner, attacker, h, bare, attack) }
			return nil
		}
		if !accept.ComplainsOf(attack.resp.Body, h.Name) {
			return nil // the API took the value and still said no: the role is checked
		}
		if h, known = privilegeHeader(p); !known {
			return nil
		}
	}
	return nil
}

// attempt is one request of the attacker and the owner's read-back.
type attempt struct {
	resp, after *engine.Response
	marker      string
}

// headerAttempt sends the operation on the object as the attacker with
// extra headers, and reads it back as the owner: changed is true when it
// is gone (DELETE) or shows the attacker's marker.
func headerAttempt(ctx context.Context, p *check.Pass, o *fixture.Object, attacker *identity.Identity, h http.Header) (*attempt, bool, error) {
	a := &attempt{}
	var body map[string]any
	if p.Op.Method != http.MethodDelete {
		a.marker = fixture.NewCanary()
		b, _, ok := fixture.CanaryBody(p, p.Op, a.marker)
		if !ok {
			return nil, false, fmt.Errorf("%s: no body to send", p.Op.Key())
		}
		body = b
	}
	resp, err := fixture.Send(ctx, p, attacker, p.Op.Method, o.URL, body, h)
	if err != nil {
		return nil, false, err
	}
	a.resp = resp
	after, pr, err := o.Read(ctx, p, o.Owner)
	if err != nil {
		return nil, false, err
	}
	a.after = after
	if p.Op.Method == http.MethodDelete {
		return a, pr == fixture.Gone, nil
	}
	return a, pr == fixture.Present && containsFold(after.Body, a.marker), nil
}

func containsFold(b []byte, s string) bool {
	return strings.Contains(strings.ToLower(string(b)), strings.ToLower(s))
}

func reportHeaderRole(p *check.Pass, o *fixture.Object, owner, attacker *identity.Identity, h accept.Header, bare, attack *attempt) {
	what, seen := "deleted", "answers as if it were gone"
	if p.Op.Method != http.MethodDelete {
		what, seen = "changed", "shows the user's marker "+attack.marker
	}
	if attack.after != nil {
		seen = fmt.Sprintf("%s (%d)", seen, attack.after.Status)
	}
	f := p.Meta.NewFinding(rampart.Location{Method: p.Op.Method, Path: p.Op.Path, URL: attack.resp.RequestURL, Param: h.Name},
		fmt.Sprintf("%s decides authorization by the request header %s, which the client sets: %s (role %s) %s %s's %s by sending "+
			"%s: %s (answered %d), while the same request without the header answered %d and left it intact; %s's read-back %s. %s",
			p.Op.Key(), h.Name, attacker.Name, attacker.Role, what, owner.Name, o.Noun(), h.Name, h.Value, attack.resp.Status, bare.resp.Status,
			owner.Name, seen, o.Story()))
	f.Confidence = rampart.Confirmed
	f.Evidence = evidence(p, o.Created, owner.Name+" creates the object",
		bare.resp, attacker.Name+" (role "+attacker.Role+") without "+h.Name+": refused or asked for the header",
		attack.resp, attacker.Name+" with "+h.Name+": "+h.Value,
		attack.after, owner.Name+" reads it back")
	f.Curl = engine.CurlNote(p.Curl(attack.resp), o.ReplayNote())
	f.Remediation = advise(p, adviceRole)
	p.Report(f)
}
