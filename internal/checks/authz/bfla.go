package authz

import (
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

// AdminRead is BFLA-001.
var AdminRead = check.Check{
	Meta: rampart.Meta{
		ID:       "BFLA-001",
		Family:   rampart.FamilyBFLA,
		Title:    "Administrative read function reachable by a user",
		Severity: rampart.High,
		CWE:      "CWE-285",
		OWASP:    "API5:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "a read the spec reserves for admins (path, tag, scope, description) answers a user-role identity with the admin's data",
		Detects: "Read operations that belong to the admin role by declaration: an admin/manage/internal path segment, an " +
			"admin tag, a security requirement naming an admin scope, or a description such as \"administrators only\". " +
			"Each user-role identity requests it; a finding needs a 2xx answer with data (not an error body) that has the " +
			"shape of the admin identity's answer to the same request, while anonymous callers are refused (when anonymous " +
			"callers get the data too, the operation lacks authentication altogether and AUTH-001 reports it). Without an " +
			"admin identity the user's answer is compared with the documented response, at lower confidence.",
		Requests: "Per admin read: one GET as the admin, one as anonymous, one per user (budget 12).",
		Budget:   12,
		Fix: "Check the role, not just the login, on every administrative view: a decorator that calls `abort(403)` unless " +
			"`g.user[\"role\"] == \"admin\"` (or `current_user.is_admin`), or a `before_request` hook on the admin blueprint. " +
			"`@login_required` alone lets every user in.",
		Doc: "docs/checks.md#bfla-001",
	},
	Applies: func(op *rampart.Operation) bool {
		return op.Method == http.MethodGet && !op.Public() && AdminReason(op) != ""
	},
	Run: runAdminRead,
}

// AdminWrite is BFLA-002.
var AdminWrite = check.Check{
	Meta: rampart.Meta{
		ID:       "BFLA-002",
		Family:   rampart.FamilyBFLA,
		Title:    "Administrative function usable by a user",
		Severity: rampart.High,
		CWE:      "CWE-285",
		OWASP:    "API5:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a user-role identity creates, changes or deletes through an admin-only function, proved on an object the admin created",
		Detects: "State-changing operations that belong to the admin role (declared as for BFLA-001, or inferred when the " +
			"GET on the same path answers the admin and refuses users). Destructive probes only target objects the scan " +
			"created: the admin identity creates one through the admin's create operation of the same collection (with " +
			"a canary), a user then changes or deletes it, and the admin's read-back proves the effect. A user's create " +
			"is proved by the admin finding the user's canary, and that object is removed. Where the scan cannot create " +
			"an object, an id that cannot exist tells whether the role is checked: a 2xx is reported firm, a 404 " +
			"(the handler looked the object up without checking the role) tentative, 401/403 is correct.",
		Requests: "Per admin collection (at most 10): a user's create attempt, the admin's create, one request per user per " +
			"admin operation with the admin's read-back, and the deletes at the end. Other admin operations (at most 40): " +
			"one request per user with an id that cannot exist or an empty JSON body. Budget 400 per scan.",
		Budget: 400,
		Fix: "Decorate every administrative view with a role check that runs before the object lookup (so users get 403, " +
			"never 404 or 204): `@admin_required` that calls `abort(403)` unless the caller's stored role is admin, or a " +
			"`before_request` hook on the admin blueprint.",
		Doc: "docs/checks.md#bfla-002",
	},
	Run:       runAdminWrite,
	Exclusive: true,
}

// MethodSwap is BFLA-003.
var MethodSwap = check.Check{
	Meta: rampart.Meta{
		ID:       "BFLA-003",
		Family:   rampart.FamilyBFLA,
		Title:    "Undeclared write method accepted where a lower role may only read",
		Severity: rampart.High,
		CWE:      "CWE-650",
		OWASP:    "API5:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "method swap: where a user or anonymous may GET an object, PUT/PATCH/DELETE that the spec does not declare change it",
		Detects: "For each object the scan creates (as a user, or as the admin in admin collections), every view of it " +
			"(its item GET and the URL its create answer points to) that a lower role - another user, or anonymous - may " +
			"read is tried with the write methods the spec does not declare on that path. A finding needs the owner's " +
			"read-back to show the lower role's marker, or the object gone. Only objects the scan created are touched, " +
			"and they are deleted at the end.",
		Requests: "Per collection (at most 10): one create, one read per lower role and view, per undeclared method one " +
			"request and one read-back, the delete and its check. Budget 350 per scan.",
		Budget: 350,
		Fix: "Register only the methods each route supports (`@app.get(...)` or `methods=[\"GET\"]`) and give every method of a " +
			"`MethodView` its own role and ownership check.",
		Doc: "docs/checks.md#bfla-003",
	},
	Run:       runMethodSwap,
	Exclusive: true,
}

func refused(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden
}

func runAdminRead(ctx context.Context, p *check.Pass) error {
	us := users(p)
	if len(us) == 0 {
		needUser(p)
		return nil
	}
	inv, err := holdings.Collect(ctx, p)
	if err != nil {
		return err
	}
	adm := admin(p)
	vals := map[string]string{}
	if adm != nil {
		for _, prm := range p.Op.Params {
			if prm.In == "path" {
				if c := candidates(p, inv, p.Op, prm, adm); len(c) > 0 {
					vals[prm.Name] = c[0]
				}
			}
		}
	}
	u := p.URL(p.Op, vals)
	rd := newReader(p)
	anon, err := rd.get(ctx, nil, u)
	if err != nil {
		return err
	}
	if holdings.DataAnswer(anon) {
		// Open to anonymous callers: missing authentication (AUTH-001), not a role problem.
		p.NotApplicable("anonymous callers get the data too: no role to check (AUTH-001 judges it)")
		return nil
	}
	var ref *engine.Response
	if adm != nil {
		if ref, err = rd.get(ctx, adm, u); err != nil {
			return err
		}
		if !holdings.DataAnswer(ref) {
			noAdminAnswer(p, adm, ref, vals) // nothing to compare with
			return nil
		}
	}
	if len(us) > 8 {
		us = us[:8]
	}
	var got []*engine.Response
	var who []string
	for _, user := range us {
		r, err := rd.get(ctx, user, u)
		if err != nil {
			return err
		}
		p.Tested()
		if !holdings.DataAnswer(r) {
			continue
		}
		if ref != nil && !(string(ref.Body) == string(r.Body) || check.SameShape(ref.Body, r.Body)) {
			continue // the user gets something else (its own slice, a different view): not the admin function
		}
		if ref == nil && !matchesDoc(p.Op, r) {
			continue
		}
		got = append(got, r)
		who = append(who, user.Name)
	}
	if len(got) == 0 {
		return nil
	}
	why := AdminReason(p.Op)
	conf := rampart.Firm
	cmp := "data of the documented shape (no admin identity was configured to compare with)"
	if ref != nil {
		conf = rampart.Confirmed
		cmp = "the same data the admin identity " + adm.Name + " gets"
	}
	f := p.Finding(fmt.Sprintf("%s belongs to the admin role (%s), yet %s (role user) get(s) %d and %s, while anonymous callers get %d.",
		p.Op.Key(), why, strings.Join(who, " and "), got[0].Status, cmp, anon.Status))
	f.Location.URL = got[0].RequestURL
	f.Confidence = conf
	f.Evidence = evidence(p, got[0], who[0]+" (role user) calls the admin function", ref, "the admin identity's answer to the same request",
		anon, "anonymous caller, refused")
	f.Curl = p.Curl(got[0])
	if ref != nil {
		f.Related = []rampart.Related{related(p, p.Op, ref, "the admin identity's request")}
	}
	f.Remediation = advise(p, adviceRole)
	p.Report(f)
	return nil
}

// noAdminAnswer says why the admin's own answer gave nothing to compare
// with: no value for a path parameter, a refusal, or no data.
func noAdminAnswer(p *check.Pass, adm *identity.Identity, ref *engine.Response, vals map[string]string) {
	var missing []string
	for _, prm := range p.Op.Params {
		if _, ok := vals[prm.Name]; prm.In == "path" && !ok {
			missing = append(missing, prm.Name)
		}
	}
	switch {
	case len(missing) > 0:
		p.NotTested(rampart.ReasonNoValues, "no values for "+braced(missing))
	case refused(ref.Status):
		p.NotTested(rampart.ReasonRefused, fmt.Sprintf("%s (admin) refused (%d)", adm.Name, ref.Status))
	default:
		p.NotTested(rampart.ReasonNoObject, fmt.Sprintf("%s (admin) gets no data to compare with (answered %d)", adm.Name, ref.Status))
	}
}

// matchesDoc says whether an answer has the keys the spec documents for
// the operation's 2xx answer.
func matchesDoc(op *rampart.Operation, r *engine.Response) bool {
	keys := check.JSONKeys(r.Body)
	for _, resp := range op.Responses {
		if !strings.HasPrefix(resp.Status, "2") || resp.Schema == nil {
			continue
		}
		want := schemaKeys(resp.Schema, 0)
		if len(want) == 0 {
			continue
		}
		n := 0
		for k := range want {
			if keys[k] {
				n++
			}
		}
		return n*2 >= len(want)
	}
	return false
}

func schemaKeys(s *rampart.Schema, depth int) map[string]bool {
	out := map[string]bool{}
	if s == nil || depth > 6 {
		return out
	}
	for k, c := range s.Properties {
		out[k] = true
		for kk := range schemaKeys(c, depth+1) {
			out[kk] = true
		}
	}
	for k := range schemaKeys(s.Items, depth+1) {
		out[k] = true
	}
	return out
}

var mutating = map[string]bool{http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true}

// adminOnly returns why a state-changing operation belongs to the admin
// role: its declaration, or a GET on the same path (or its collection) that
// answers the admin and refuses every user.
func adminOnly(ctx context.Context, p *check.Pass, inv *holdings.Inventory, op *rampart.Operation) (string, error) {
	if why := AdminReason(op); why != "" {
		return why, nil
	}
	adm := admin(p)
	us := users(p)
	if adm == nil || len(us) == 0 {
		return "", nil
	}
	paths := []string{op.Path}
	if i := strings.LastIndex(op.Path, "/"); i > 0 && holdings.IsParam(op.Path[i+1:]) {
		paths = append(paths, op.Path[:i])
	}
	for _, path := range paths {
		for _, g := range surfaceOf(p).ops[http.MethodGet+" "+path] {
			if holdings.HasPathParams(g.Path) {
				continue
			}
			u := p.URL(g, nil)
			ra, err := holdings.SharedGet(ctx, p, adm, u)
			if err != nil {
				return "", err
			}
			if !ra.Data {
				continue
			}
			all := true
			for _, user := range us {
				ru, err := holdings.SharedGet(ctx, p, user, u)
				if err != nil {
					return "", err
				}
				all = all && refused(ru.Status)
			}
			if all {
				return fmt.Sprintf("GET %s answers the admin identity and refuses every user", g.Path), nil
			}
		}
	}
	return "", nil
}

func runAdminWrite(ctx context.Context, p *check.Pass) error {
	us := users(p)
	if len(us) == 0 {
		needUser(p)
		return nil
	}
	inv, err := holdings.Collect(ctx, p)
	if err != nil {
		return err
	}
	adm := admin(p)
	var errs []error
	handled := map[*rampart.Operation]bool{}
	// Admin collections the admin can create in: prove on the admin's object.
	if adm != nil {
		rounds := 0
		for _, res := range surfaceOf(p).resources {
			if !res.Removable() {
				continue
			}
			reasons := map[*rampart.Operation]string{}
			for _, op := range []*rampart.Operation{res.Create, res.Put, res.Patch, res.Post, res.Delete} {
				if op == nil {
					continue
				}
				why, err := adminOnly(ctx, p, inv, op)
				if err != nil {
					return err
				}
				if why != "" {
					reasons[op] = why
				}
			}
			if len(reasons) == 0 {
				continue
			}
			if rounds++; rounds > fixture.MaxCollections {
				break
			}
			p.Tested() // a user's create or the harmless probe asks every admin operation of the collection
			if err := adminObjectRound(ctx, p, res, adm, us, reasons, handled); err != nil {
				errs = append(errs, err)
				if errors.Is(err, check.ErrBudget) || ctx.Err() != nil {
					return errors.Join(errs...)
				}
			}
		}
	}
	// Everything else admin-only: a request that cannot do harm.
	probes := 0
	for _, op := range p.Surface {
		if !mutating[op.Method] || handled[op] || op.Public() || probes >= fixture.MaxProbes {
			continue
		}
		why, err := adminOnly(ctx, p, inv, op)
		if err != nil {
			return err
		}
		if why == "" {
			continue
		}
		probes++
		p.Tested()
		if err := harmlessRoleProbe(ctx, p, op, why, us); err != nil {
			errs = append(errs, err)
			if errors.Is(err, check.ErrBudget) || ctx.Err() != nil {
				break
			}
		}
	}
	if adm == nil {
		p.NotTested(rampart.ReasonNeedsAdmin, "no operation is declared admin-only, and none can be inferred without an admin identity ("+configured(p)+")")
	} else {
		p.NotApplicable("no state-changing operation belongs to the admin role")
	}
	return errors.Join(errs...)
}

// adminObjectRound lets the admin create an object, then each admin-only
// operation is tried by users on it; the admin reads back.
func adminObjectRound(ctx context.Context, p *check.Pass, res *fixture.Resource, adm *identity.Identity, us []*identity.Identity,
	reasons map[*rampart.Operation]string, handled map[*rampart.Operation]bool) error {
	// A user's create, first: if it works, the admin finds the canary.
	if why, ok := reasons[res.Create]; ok {
		handled[res.Create] = true
		o, resp, err := fixture.Create(ctx, p, res, us[0])
		if err != nil {
			return err
		}
		if o != nil {
			seen, pr, err := o.Read(ctx, p, adm)
			o.Remove(ctx, p) // as the user that created it, else as the admin
			conf, proof := rampart.Firm, "the admin identity could not read it back"
			if err == nil && pr == fixture.Present && holdings.ContainsFold(seen.Body, o.Canary) {
				conf, proof = rampart.Confirmed, "the admin identity "+adm.Name+" reads it back with the user's canary"
			}
			f := p.Meta.NewFinding(rampart.Location{Method: res.Create.Method, Path: res.Create.Path, URL: resp.RequestURL},
				fmt.Sprintf("%s belongs to the admin role (%s), yet %s (role user) created %s with it (answered %d); %s. %s",
					res.Create.Key(), why, us[0].Name, o.Noun(), resp.Status, proof, o.Story()))
			f.Confidence = conf
			f.Evidence = evidence(p, resp, us[0].Name+" (role user) calls the admin create", seen, adm.Name+" (admin) reads the object back")
			f.Curl = p.Curl(resp)
			f.Remediation = advise(p, adviceRole)
			p.Report(f)
			if o.Failed() != "" {
				return errors.New(o.Story())
			}
		}
	}
	var item []*rampart.Operation
	for _, op := range []*rampart.Operation{res.Put, res.Patch, res.Post, res.Delete} {
		if _, ok := reasons[op]; ok && op != nil {
			item = append(item, op)
		}
	}
	if len(item) == 0 {
		return nil
	}
	o, _, err := fixture.Create(ctx, p, res, adm)
	if err != nil || o == nil {
		return err // not handled: the harmless probe takes over
	}
	type hit struct {
		op    *rampart.Operation
		proof *fixture.Proof
	}
	var hits []hit
	var probeErr error
	for _, op := range item {
		handled[op] = true
		for _, user := range us {
			var proof *fixture.Proof
			var err error
			if op.Method == http.MethodDelete {
				proof, err = o.Delete(ctx, p, op.Method, user)
			} else {
				proof, err = o.Update(ctx, p, op, op.Method, user)
			}
			if err != nil {
				probeErr = err
				break
			}
			if proof != nil {
				hits = append(hits, hit{op, proof})
				break
			}
		}
		if probeErr != nil || o.Gone {
			break
		}
	}
	o.Remove(ctx, p)
	for _, h := range hits {
		what := "changed"
		seen := "shows the user's marker " + h.proof.Marker
		if h.op.Method == http.MethodDelete {
			what, seen = "deleted", fmt.Sprintf("answers %d: it is gone", h.proof.After.Status)
		}
		f := p.Meta.NewFinding(rampart.Location{Method: h.op.Method, Path: h.op.Path, URL: h.proof.Attack.RequestURL, Param: res.Param},
			fmt.Sprintf("%s belongs to the admin role (%s), yet %s (role user) %s the admin's %s with it (answered %d); the admin "+
				"identity's read-back %s. %s", h.op.Key(), reasons[h.op], h.proof.Attacker.Name, what, o.Noun(), h.proof.Attack.Status, seen, o.Story()))
		f.Confidence = rampart.Confirmed
		f.Evidence = evidence(p, o.Created, adm.Name+" (admin) creates the object", h.proof.Attack,
			h.proof.Attacker.Name+" (role user) calls the admin function on it", h.proof.After, adm.Name+" (admin) reads it back")
		f.Curl = engine.CurlNote(p.Curl(h.proof.Attack), o.ReplayNote())
		f.Related = []rampart.Related{related(p, nil, o.Created, "the admin's create request")}
		f.Remediation = advise(p, adviceRole)
		p.Report(f)
	}
	if o.Failed() != "" {
		probeErr = errors.Join(probeErr, errors.New(o.Story()))
	}
	return probeErr
}

// harmlessRoleProbe sends an admin-only operation as each user in a form
// that cannot do harm: an id that cannot exist in the path, an empty JSON
// object as the body. 401/403 is the right answer.
func harmlessRoleProbe(ctx context.Context, p *check.Pass, op *rampart.Operation, why string, us []*identity.Identity) error {
	vals := map[string]string{}
	for _, prm := range op.Params {
		if prm.In == "path" {
			vals[prm.Name] = holdings.ImpossibleID(prm, "")
		}
	}
	var body map[string]any
	if op.Body != nil {
		body = map[string]any{}
	}
	u := p.URL(op, vals)
	for _, user := range us {
		r, err := fixture.Send(ctx, p, user, op.Method, u, body, nil)
		if err != nil {
			return err
		}
		var conf rampart.Confidence
		var what string
		switch {
		case ok2xx(r) && !check.LooksLikeError(r.Body):
			conf, what = rampart.Firm, fmt.Sprintf("answers %d", r.Status)
		case r.Status == http.StatusNotFound && len(vals) > 0 && check.IsJSON(r.Header):
			conf, what = rampart.Tentative, "answers 404 for an id that cannot exist instead of 403: the handler looks the object up without checking the role first"
		default:
			continue
		}
		f := p.Meta.NewFinding(rampart.Location{Method: op.Method, Path: op.Path, URL: r.RequestURL},
			fmt.Sprintf("%s belongs to the admin role (%s), yet a request by %s (role user) with a harmless payload %s. Nothing was created "+
				"or changed by the scan.", op.Key(), why, user.Name, what))
		f.Confidence = conf
		f.Evidence = evidence(p, r, user.Name+" (role user) calls the admin function")
		f.Curl = p.Curl(r)
		f.Remediation = advise(p, adviceRole)
		p.Report(f)
		return nil
	}
	return nil
}

func runMethodSwap(ctx context.Context, p *check.Pass) error {
	us := users(p)
	adm := admin(p)
	if len(us) == 0 && adm == nil {
		p.NotTested(rampart.ReasonNeedsIdentity, "no identity is configured")
		return nil
	}
	var made creates
	declared := map[string]bool{}
	for _, op := range p.Surface {
		declared[op.Method+" "+op.Path] = true
	}
	var errs []error
	rounds := 0
	for _, res := range surfaceOf(p).resources {
		if !res.Removable() {
			continue
		}
		if rounds++; rounds > fixture.MaxCollections {
			break
		}
		owners := us
		if adminResource(res) || len(us) == 0 {
			owners = nil
			if adm != nil {
				owners = []*identity.Identity{adm}
			}
		}
		var o *fixture.Object
		for _, owner := range owners {
			var err error
			var resp *engine.Response
			if o, resp, err = fixture.Create(ctx, p, res, owner); err != nil {
				errs = append(errs, err)
			}
			made.record(res.Create, owner, resp)
			if o != nil {
				break
			}
		}
		if o == nil {
			continue
		}
		pending, err := swapOn(ctx, p, o, declared, us)
		if err == nil {
			p.Tested() // every view a lower role reads was tried with the undeclared methods
		}
		o.Remove(ctx, p)
		for _, report := range pending {
			report() // after the removal, so that the message says what was left
		}
		if o.Failed() != "" {
			errs = append(errs, errors.New(o.Story()))
		}
		if err != nil {
			errs = append(errs, err)
			if errors.Is(err, check.ErrBudget) || ctx.Err() != nil {
				break
			}
		}
	}
	if rounds == 0 {
		p.NotApplicable("no collection the scan can create in and remove from")
	} else if !made.declare(p) {
		// Only admin collections, and no admin to create in them.
		p.NotTested(rampart.ReasonNeedsAdmin, "its collections are admin-only ("+configured(p)+")")
	}
	return errors.Join(errs...)
}

// swapOn tries the undeclared write methods on every view of the object
// that a lower role may read. It returns the findings to report once the
// object is removed.
func swapOn(ctx context.Context, p *check.Pass, o *fixture.Object, declared map[string]bool, us []*identity.Identity) ([]func(), error) {
	var pending []func()
	lower := []*identity.Identity{}
	for _, u := range us {
		if u != o.Owner {
			lower = append(lower, u)
		}
	}
	lower = append(lower, p.Anonymous())
	for _, v := range o.Views() {
		var reader *identity.Identity
		var readResp *engine.Response
		for _, who := range lower {
			r, err := p.Send(ctx, who, &engine.Request{Method: http.MethodGet, URL: v.URL})
			if err != nil {
				return pending, err
			}
			if holdings.DataAnswer(r) {
				reader, readResp = who, r
				break
			}
		}
		if reader == nil {
			continue
		}
		for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if declared[m+" "+v.Op.Path] || o.Gone {
				continue
			}
			target := *o
			target.URL = v.URL
			var proof *fixture.Proof
			var err error
			if m == http.MethodDelete {
				proof, err = target.Delete(ctx, p, m, reader)
				o.Gone, o.By = target.Gone, target.By
			} else {
				proof, err = target.Update(ctx, p, nil, m, reader)
			}
			if err != nil {
				return pending, err
			}
			if proof == nil {
				continue
			}
			v, m, reader, readResp := v, m, reader, readResp
			pending = append(pending, func() { reportSwap(p, o, v, m, reader, readResp, proof) })
		}
	}
	return pending, nil
}

func reportSwap(p *check.Pass, o *fixture.Object, v fixture.View, m string, reader *identity.Identity, readResp *engine.Response, proof *fixture.Proof) {
	effect := "the owner's read-back shows its marker " + proof.Marker
	if m == http.MethodDelete {
		effect = fmt.Sprintf("the owner's read-back answers %d: the object is gone", proof.After.Status)
	}
	f := p.Meta.NewFinding(rampart.Location{Method: m, Path: v.Op.Path, URL: proof.Attack.RequestURL},
		fmt.Sprintf("%s may read %s (GET %s), and the spec declares no %s there, yet %s's %s %s was accepted (answered %d): %s. %s",
			reader.Name, o.Noun(), v.Op.Path, m, reader.Name, m, v.URL, proof.Attack.Status, effect, o.Story()))
	f.Confidence = rampart.Confirmed
	f.Evidence = evidence(p, readResp, reader.Name+" (role "+reader.Role+") may read the object", proof.Attack, reader.Name+" swaps the method to "+m,
		proof.After, o.Owner.Name+" (the owner) reads it back")
	f.Curl = engine.CurlNote(p.Curl(proof.Attack), o.ReplayNote())
	f.Related = []rampart.Related{related(p, v.Op, readResp, "the read the lower role is allowed")}
	f.Remediation = advise(p, adviceMethod)
	p.Report(f)
}
