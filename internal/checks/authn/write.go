package authn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
)

// MissingWrite is AUTH-002.
var MissingWrite = check.Check{
	Meta: rampart.Meta{
		ID:       "AUTH-002",
		Family:   rampart.FamilyMissingAuth,
		Title:    "State-changing operation succeeds for anonymous callers",
		Severity: rampart.Critical,
		CWE:      "CWE-306",
		OWASP:    "API2:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "an anonymous POST/PUT/PATCH/DELETE that should need credentials creates, changes or deletes data",
		Detects: "Mutating operations that the spec secures (or whose read siblings refuse anonymous callers) sent " +
			"without credentials. Creates are proved by reading the anonymous caller's canary back; updates and " +
			"deletes target an object a configured identity created in this scan (its read-back shows the anonymous " +
			"marker, or the object gone); writes keyed by an id with no create (upserts) write one field of the " +
			"identity's own object and write it back at once. Any other mutating operation gets a request that cannot " +
			"do harm (an id that cannot exist, an empty JSON object) and is reported, firm, only when it answers 2xx. " +
			"Objects the scan created are deleted at the end and each finding says so.",
		Requests: "Per collection (at most 10): an anonymous create and its read-back, one create by an identity, one " +
			"anonymous request and one read-back per item write, the deletes at the end. Per upsert-style write (at most " +
			"10): a read, the anonymous write, a read-back and the write-back. One anonymous request per other mutating " +
			"operation (at most 40), and one anonymous GET of sibling reads when the spec declares nothing. Budget 500 per scan.",
		Budget: 500,
		Fix: "Require authentication on every state-changing route: `@login_required` or `@jwt_required()` on the view, " +
			"or an `app.before_request` hook that answers 401 for every endpoint outside an explicit public allowlist.",
		Doc: "docs/checks.md#auth-002",
	},
	Run:       runMissingWrite,
	Exclusive: true,
}

var mutating = map[string]bool{http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true}

func runMissingWrite(ctx context.Context, p *check.Pass) error {
	anon := p.Anonymous()
	expected := map[*rampart.Operation]string{}
	for _, op := range p.Surface {
		if !mutating[op.Method] || op.Public() {
			continue
		}
		ok, why, err := expectsAuthOf(ctx, p, op)
		if err != nil {
			return err
		}
		if ok {
			expected[op] = why
		}
	}
	if len(expected) == 0 {
		p.NotApplicable("no state-changing operation is secured by the spec or has a read under its path that refuses anonymous callers")
		return nil
	}
	var errs []error
	keep := func(err error) bool {
		if err != nil {
			errs = append(errs, err)
		}
		return err != nil && (errors.Is(err, check.ErrBudget) || ctx.Err() != nil)
	}
	handled := map[*rampart.Operation]bool{}
	rounds := 0
	for _, res := range fixture.Resources(p.Surface) {
		if !res.Removable() {
			continue
		}
		if rounds++; rounds > fixture.MaxCollections {
			break
		}
		if why, ok := expected[res.Create]; ok {
			handled[res.Create] = true
			if keep(anonCreate(ctx, p, res, why, anon)) {
				return errors.Join(errs...)
			}
		}
		var item []*rampart.Operation
		for _, op := range []*rampart.Operation{res.Put, res.Patch, res.Post, res.Delete} {
			if _, ok := expected[op]; ok && op != nil {
				item = append(item, op)
			}
		}
		if len(item) > 0 && keep(anonItemWrites(ctx, p, res, item, expected, anon, handled)) {
			return errors.Join(errs...)
		}
	}
	inv, err := holdings.Collect(ctx, p)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	overwrites := 0
	for _, res := range fixture.Resources(p.Surface) {
		if res.Get == nil || res.Nested() {
			continue
		}
		for _, op := range []*rampart.Operation{res.Put, res.Patch, res.Post} {
			if _, ok := expected[op]; !ok || op == nil || handled[op] || overwrites >= fixture.MaxCollections {
				continue
			}
			handled[op] = true
			overwrites++
			if keep(anonOverwrite(ctx, p, inv, res, op, expected[op], anon)) {
				return errors.Join(errs...)
			}
		}
	}
	probes := 0
	for _, op := range p.Surface {
		if why, ok := expected[op]; ok && !handled[op] && probes < fixture.MaxProbes {
			probes++
			if keep(harmlessAnon(ctx, p, op, why, anon)) {
				break
			}
		}
	}
	// Every probe says Tested once its anonymous request is answered;
	// what is left are writes on objects nobody was found to own.
	p.NotTested(rampart.ReasonNoObject, "no anonymous write was sent: no identity could create or owns an object to write to")
	return errors.Join(errs...)
}

// anonCreate tries a create without credentials and proves it by reading
// the canary back.
func anonCreate(ctx context.Context, p *check.Pass, res *fixture.Resource, why string, anon *identity.Identity) error {
	o, resp, err := fixture.Create(ctx, p, res, anon)
	if resp != nil {
		p.Tested()
	}
	if err != nil || o == nil {
		return err
	}
	readers := append([]*identity.Identity{anon}, p.Authenticated()...)
	var seen *engine.Response
	var reader string
	for _, r := range readers {
		got, pr, err := o.Read(ctx, p, r)
		if err != nil {
			break
		}
		if pr == fixture.Present && containsFold(got.Body, o.Canary) {
			seen, reader = got, r.Name
			break
		}
	}
	o.Remove(ctx, p)
	conf, proof := rampart.Firm, fmt.Sprintf("it answered %d", resp.Status)
	if seen != nil {
		conf, proof = rampart.Confirmed, fmt.Sprintf("it answered %d and %s reads the anonymous caller's canary back", resp.Status, reader)
	}
	f := p.Meta.NewFinding(rampart.Location{Method: res.Create.Method, Path: res.Create.Path, URL: resp.RequestURL},
		fmt.Sprintf("%s should require credentials (%s), yet an anonymous request created %s: %s. %s",
			res.Create.Key(), why, o.Noun(), proof, o.Story()))
	f.Confidence = conf
	f.Evidence = []rampart.Evidence{p.Evidence(resp, "anonymous create, no credentials")}
	if seen != nil {
		f.Evidence = append(f.Evidence, p.Evidence(seen, "the object read back"))
	}
	f.Curl = p.Curl(resp)
	f.Remediation = anonWriteAdvice(p)
	p.Report(f)
	if o.Failed() != "" {
		return errors.New(o.Story())
	}
	return nil
}

// anonItemWrites lets a configured identity create an object, then tries
// each item write on it without credentials; the owner reads back.
func anonItemWrites(ctx context.Context, p *check.Pass, res *fixture.Resource, item []*rampart.Operation, expected map[*rampart.Operation]string,
	anon *identity.Identity, handled map[*rampart.Operation]bool) error {
	var o *fixture.Object
	// The scan's own throwaway accounts own first: the anonymous writes
	// then land on their objects.
	for _, owner := range append(fixture.Victims(p), p.Authenticated()...) {
		var err error
		if o, _, err = fixture.Create(ctx, p, res, owner); err != nil {
			return err
		}
		if o != nil {
			break
		}
	}
	if o == nil {
		return nil // nobody can create here: the harmless probe takes over
	}
	var proofs []*fixture.Proof
	var probeErr error
	for _, op := range item {
		handled[op] = true
		var pf *fixture.Proof
		if op.Method == http.MethodDelete {
			pf, probeErr = o.Delete(ctx, p, op.Method, anon)
		} else {
			pf, probeErr = o.Update(ctx, p, op, op.Method, anon)
		}
		if probeErr != nil {
			break
		}
		p.Tested()
		if pf != nil {
			proofs = append(proofs, pf)
		}
		if o.Gone {
			break
		}
	}
	o.Remove(ctx, p)
	for _, pf := range proofs {
		op := res.Op(pf.Method)
		effect := "the owner's read-back shows the anonymous marker " + pf.Marker
		if pf.Method == http.MethodDelete {
			effect = fmt.Sprintf("the owner's read-back answers %d: it is gone", pf.After.Status)
		}
		f := p.Meta.NewFinding(rampart.Location{Method: op.Method, Path: op.Path, URL: pf.Attack.RequestURL, Param: res.Param},
			fmt.Sprintf("%s should require credentials (%s), yet an anonymous %s on %s's %s answered %d and %s. %s",
				op.Key(), expected[op], op.Method, o.Owner.Name, o.Noun(), pf.Attack.Status, effect, o.Story()))
		f.Confidence = rampart.Confirmed
		f.Evidence = []rampart.Evidence{p.Evidence(o.Created, o.Owner.Name+" creates the object"),
			p.Evidence(pf.Attack, "anonymous request, no credentials"), p.Evidence(pf.After, o.Owner.Name+" reads it back")}
		f.Curl = engine.CurlNote(p.Curl(pf.Attack), o.ReplayNote())
		f.Remediation = anonWriteAdvice(p)
		p.Report(f)
	}
	if o.Failed() != "" {
		probeErr = errors.Join(probeErr, errors.New(o.Story()))
	}
	return probeErr
}

// anonOverwrite tests an upsert-style write on an identity's own object.
func anonOverwrite(ctx context.Context, p *check.Pass, inv *holdings.Inventory, res *fixture.Resource, op *rampart.Operation, why string, anon *identity.Identity) error {
	owner := p.FirstUser()
	if owner == nil {
		return nil
	}
	prm := rampart.Param{Name: res.Param, In: "path"}
	for i, id := range inv.Candidates(res.Get, prm, owner) {
		if i >= 2 {
			break
		}
		pf, sent, err := fixture.Overwrite(ctx, p, op, res.Get, map[string]string{res.Param: id}, owner, anon)
		if err != nil {
			return err
		}
		if sent {
			p.Tested()
		}
		if pf == nil {
			if sent {
				return nil // refused: the answer is in
			}
			continue
		}
		f := p.Meta.NewFinding(rampart.Location{Method: op.Method, Path: op.Path, URL: pf.Attack.RequestURL, Param: res.Param},
			fmt.Sprintf("%s should require credentials (%s), yet an anonymous %s answered %d and %s's read-back of its object %s=%s shows "+
				"the anonymous marker %s in %s. Nothing was created; %s.", op.Key(), why, op.Method, pf.Attack.Status, owner.Name,
				res.Param, id, pf.Marker, pf.Field, pf.Restored))
		f.Confidence = rampart.Confirmed
		f.Evidence = []rampart.Evidence{p.Evidence(pf.Before, owner.Name+" reads its own object"),
			p.Evidence(pf.Attack, "anonymous request, no credentials"), p.Evidence(pf.After, owner.Name+" reads it back")}
		f.Curl = p.Curl(pf.Attack)
		f.Remediation = anonWriteAdvice(p)
		p.Report(f)
		return nil
	}
	return nil
}

// harmlessAnon sends a mutating operation without credentials in a form
// that cannot do harm: ids that cannot exist, an empty JSON object.
func harmlessAnon(ctx context.Context, p *check.Pass, op *rampart.Operation, why string, anon *identity.Identity) error {
	vals := map[string]string{}
	for _, prm := range op.Params {
		if prm.In == "path" {
			vals[prm.Name] = holdings.ImpossibleID(prm, "")
		}
	}
	r := &engine.Request{Method: op.Method, URL: p.URL(op, vals)}
	if op.Body != nil {
		r.Body = []byte("{}")
		r.Header = http.Header{"Content-Type": {"application/json"}}
	}
	resp, err := p.Send(ctx, anon, r)
	if err != nil {
		return err
	}
	p.Tested()
	if resp.Status < 200 || resp.Status > 299 || check.LooksLikeError(resp.Body) {
		return nil
	}
	f := p.Meta.NewFinding(rampart.Location{Method: op.Method, Path: op.Path, URL: resp.RequestURL},
		fmt.Sprintf("%s should require credentials (%s), yet an anonymous request with a harmless payload (ids that cannot "+
			"exist, an empty JSON object) answered %d instead of 401. Nothing was created or changed by the scan.", op.Key(), why, resp.Status))
	f.Confidence = rampart.Firm
	f.Evidence = []rampart.Evidence{p.Evidence(resp, "anonymous request, no credentials")}
	f.Curl = p.Curl(resp)
	f.Remediation = anonWriteAdvice(p)
	p.Report(f)
	return nil
}

func containsFold(body []byte, s string) bool {
	return s != "" && bytes.Contains(bytes.ToLower(body), []byte(strings.ToLower(s)))
}

// anonWriteAdvice is the remediation for a write that succeeded without
// credentials, for the framework the scan saw.
func anonWriteAdvice(p *check.Pass) string {
	if p.Stack != nil && p.Stack.Fingerprint().Framework == "Flask" {
		return "Require authentication on every state-changing route: `@login_required` (Flask-Login) or `@jwt_required()` " +
			"on the view, or an `app.before_request` hook that answers 401 for every endpoint outside an explicit public allowlist; " +
			"then check ownership of the object as for reads."
	}
	return "Require authentication on every state-changing route, with a deny-by-default hook that answers 401 outside an " +
		"explicit public allowlist; then check ownership of the object as for reads."
}
