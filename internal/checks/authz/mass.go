package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// MassAssignment is MASS-001.
var MassAssignment = check.Check{
	Meta: rampart.Meta{
		ID:       "MASS-001",
		Family:   rampart.FamilyMassAssignment,
		Title:    "Fields the caller must not control are accepted and persisted",
		Severity: rampart.High,
		CWE:      "CWE-915",
		OWASP:    "API3:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a write accepts role, is_admin, owner_id, tenant_id, balance or other read-only fields, and the read-back shows them persisted",
		Detects: "Writes with a JSON body (PUT/PATCH on the caller's own object or singleton such as a profile, " +
			"PUT/PATCH/POST on an item, creates) are sent with fields the request schema does not allow: privileged " +
			"fields the read shows (role, is_admin, admin, owner_id, user_id, tenant_id, balance) and other fields seen " +
			"in the answer but absent from the request schema (only when that schema is a spec's: one inferred from " +
			"recorded traffic or a crawled form lists only the fields that were sent). Values only ever escalate (a role becomes admin, a flag " +
			"becomes true, a balance grows, an owner becomes another scan identity) and credentials, usernames and " +
			"e-mail addresses are never touched, so the scan cannot lock its identities out. The object is then read " +
			"back and only fields whose new value was persisted are reported. Every change is written back at once " +
			"(and verified); objects created for the test are deleted.",
		Requests: "Per operation: one read, one write with the extra fields (or one per field when the combined write " +
			"is refused, at most 8), one read-back, the write-back and its check; on an item the scan creates, also the " +
			"create and the delete with its check; for creates, the create, the read-back and the delete (budget 40).",
		Budget: 40,
		Fix: "Bind request bodies to an explicit allowlist of the fields the caller may set and reject or ignore " +
			"every other key: ownership, role, tenant and balance fields change only through dedicated, " +
			"authorised code paths, never from a generic update.",
		Doc: "docs/checks.md#mass-001",
	},
	Applies: func(op *rampart.Operation) bool {
		switch op.Method {
		case http.MethodPut, http.MethodPatch, http.MethodPost:
		default:
			return false
		}
		return !op.Public() && op.Body != nil && strings.Contains(strings.ToLower(op.Body.ContentType), "json")
	},
	Run:       runMass,
	Exclusive: true,
}

// Field names by kind of privilege, folded (normKey).
var (
	roleFields = map[string]bool{"role": true, "roles": true, "userrole": true, "usertype": true, "accounttype": true,
		"permission": true, "permissions": true, "scope": true, "scopes": true, "accesslevel": true, "privilege": true,
		"privileges": true, "group": true, "groups": true}
	flagFields = map[string]bool{"admin": true, "isadmin": true, "staff": true, "isstaff": true, "superuser": true,
		"issuperuser": true, "moderator": true, "ismoderator": true, "verified": true, "isverified": true,
		"emailverified": true, "approved": true, "isapproved": true, "premium": true, "ispremium": true, "trusted": true,
		"istrusted": true, "internal": true, "isinternal": true}
	ownerFields = map[string]bool{"ownerid": true, "userid": true, "authorid": true, "creatorid": true, "createdby": true,
		"createdbyid": true, "accountownerid": true}
	tenantFields = map[string]bool{"tenantid": true, "orgid": true, "organizationid": true, "organisationid": true,
		"companyid": true, "workspaceid": true, "teamid": true}
	moneyFields = map[string]bool{"balance": true, "credit": true, "credits": true, "points": true, "wallet": true,
		"quota": true, "limit": true, "creditlimit": true, "discount": true}
	adminValue = lazyre.New(`(?i)^(admin|administrator|superuser|super_?admin|root|owner|staff)$`)
)

// injection is one field the caller must not control, with the value the
// probe sends and the value before.
type injection struct {
	field  string
	value  any
	before any
	kind   string // role, flag, owner, tenant, money, field
	// restorer is the identity that can write the value back when the
	// change moves the object away from the caller (an owner field).
	restorer *identity.Identity
}

func runMass(ctx context.Context, p *check.Pass) error {
	us := users(p)
	if len(us) == 0 {
		needUser(p)
		return nil
	}
	who := us[0]
	inv, err := holdings.Collect(ctx, p)
	if err != nil {
		return err
	}
	op := p.Op
	segs := strings.Split(op.Path, "/")
	last := segs[len(segs)-1]
	switch {
	case !holdings.HasPathParams(op.Path) && (op.Method == http.MethodPut || op.Method == http.MethodPatch):
		get := surfaceOf(p).op(http.MethodGet, op.Path)
		if get == nil {
			p.NotApplicable("no GET " + op.Path + " to read the object back")
			return nil
		}
		return massUpdate(ctx, p, inv, who, get, nil)
	case holdings.IsParam(last):
		res := surfaceOf(p).byItem[op.Path]
		if res == nil || res.Get == nil || res.Nested() {
			p.NotApplicable("no read of one object at " + op.Path + " to read it back")
			return nil
		}
		if res.Removable() {
			o, resp, err := fixture.Create(ctx, p, res, who)
			if err != nil {
				return err
			}
			if o == nil {
				var made creates
				made.record(res.Create, who, resp)
				made.declare(p)
				return nil
			}
			err = massUpdate(ctx, p, inv, who, res.Get, map[string]string{res.Param: o.ID})
			o.Remove(ctx, p)
			if o.Failed() != "" {
				err = errors.Join(err, errors.New(o.Story()))
			}
			return err
		}
		prm := rampart.Param{Name: res.Param, In: "path"}
		ids := candidates(p, inv, res.Get, prm, who)
		if len(ids) == 0 {
			p.NotTested(rampart.ReasonNoValues, "no values for {"+res.Param+"} that "+who.Name+" owns")
			return nil
		}
		for i, id := range ids {
			if i >= 2 {
				break
			}
			shared := false
			for _, u := range us[1:] {
				shared = shared || sees(p, inv, res.Get, prm, u, id)
			}
			if !shared { // an object another user also sees is not only the caller's to change
				return massUpdate(ctx, p, inv, who, res.Get, map[string]string{res.Param: id})
			}
		}
		p.NotTested(rampart.ReasonNoObject, fmt.Sprintf("every object of {%s} %s owns is shared with another user", res.Param, who.Name))
		return nil
	case op.Method == http.MethodPost && !holdings.HasPathParams(op.Path):
		for _, res := range surfaceOf(p).resources {
			if res.Coll == op.Path && res.Removable() && res.Get != nil && !adminResource(res) {
				return massCreate(ctx, p, inv, who, res)
			}
		}
		p.NotApplicable("not a create the scan can read back and remove (or an admin collection)")
		return nil
	}
	p.NotApplicable("not a write of one object the scan can read back")
	return nil
}

// requestFields are the folded names the write's schema allows.
// schemaIsContract says whether the operation's request schema lists the
// fields the API accepts, as a spec's does. One inferred from recorded
// traffic or a crawled form lists only the fields that were sent: a field
// it lacks (a note's body, when the recording only changed its title) may
// well be the caller's to set, so only privileged fields are tried there.
func schemaIsContract(op *rampart.Operation) bool {
	switch op.Source {
	case rampart.SourceHAR, rampart.SourcePostman, rampart.SourceCrawl:
		return false
	}
	return true
}

func requestFields(op *rampart.Operation) map[string]bool {
	out := map[string]bool{}
	if op.Body != nil && op.Body.Schema != nil {
		for k := range op.Body.Schema.Properties {
			out[holdings.NormKey(k)] = true
		}
	}
	return out
}

// others are the scan's other identities, for owner and tenant values that
// prove a change without inventing ids.
func others(p *check.Pass, who *identity.Identity) []*identity.Identity {
	var out []*identity.Identity
	for _, id := range p.Authenticated() {
		if id != who {
			out = append(out, id)
		}
	}
	return out
}

// plan chooses the fields to inject into a write, from the fields the
// caller's read shows (cur; nil for a create, then from the documented
// answer) that the request schema does not allow.
func plan(p *check.Pass, inv *holdings.Inventory, who *identity.Identity, op *rampart.Operation, cur map[string]any, doc map[string]*rampart.Schema, skip string) []injection {
	allowed := requestFields(op)
	names := map[string]bool{}
	for k := range cur {
		names[k] = true
	}
	for k := range doc {
		names[k] = true
	}
	var out []injection
	keys := slices.Sorted(maps.Keys(names))
	for _, k := range keys {
		nk := holdings.NormKey(k)
		if allowed[nk] || nk == holdings.NormKey(skip) || nk == "id" || fixture.LoginField.MatchString(k) || fixture.SecretName.MatchString(k) {
			continue
		}
		before, known := cur[k]
		if cur != nil && !known {
			continue // a field the read does not show can be neither proved nor written back
		}
		inj := injection{field: k, before: before}
		switch {
		case roleFields[nk]:
			inj.kind = "role"
			switch b := before.(type) {
			case string:
				if adminValue.MatchString(b) {
					continue
				}
				inj.value = adminEnum(doc[k])
			case []any:
				inj.value = append(append([]any{}, b...), adminEnum(nil))
			case nil:
				if known {
					continue
				}
				inj.value = adminEnum(doc[k])
			default:
				continue
			}
		case flagFields[nk]:
			// Only ever raise a flag: lowering one (active, enabled) could
			// lock the identity out.
			if b, isBool := before.(bool); (known && (!isBool || b)) || (!known && !boolSchema(doc[k])) {
				continue
			}
			inj.kind, inj.value = "flag", true
		case ownerFields[nk]:
			for _, o := range others(p, who) {
				if id := inv.SelfID(o); id != "" && fmt.Sprint(scalarOr(before)) != id {
					inj.kind, inj.value, inj.restorer = "owner", numberLike(id, before, doc[k]), o
					break
				}
			}
			if inj.kind == "" {
				continue
			}
		case tenantFields[nk]:
			for _, o := range others(p, who) {
				if self := inv.Self(o); self != nil {
					if v, ok := self[k]; ok && fmt.Sprint(scalarOr(v)) != fmt.Sprint(scalarOr(before)) {
						inj.kind, inj.value = "tenant", v
						break
					}
				}
			}
			if inj.kind == "" {
				continue
			}
		case moneyFields[nk]:
			n, isNum := before.(json.Number)
			switch {
			case isNum:
				f, err := n.Float64()
				if err != nil {
					continue
				}
				inj.kind, inj.value = "money", f+1000
			case !known && cur == nil:
				inj.kind, inj.value = "money", 1337000
			default:
				continue
			}
		default:
			// Other read-only fields: only free text on an existing value,
			// never a status, type, date or flag whose meaning is unknown.
			s, isStr := before.(string)
			if !known || !isStr || !fixture.FreeText(k, doc[k]) || s == "" || !schemaIsContract(op) {
				continue
			}
			inj.kind, inj.value = "field", fixture.NewCanary()
		}
		out = append(out, inj)
	}
	// Privileged fields first, then at most a few others.
	sort.SliceStable(out, func(i, j int) bool { return out[i].kind != "field" && out[j].kind == "field" })
	if len(out) > 8 {
		out = out[:8]
	}
	return out
}

func adminEnum(s *rampart.Schema) any {
	if s != nil {
		for _, e := range s.Enum {
			if v, ok := e.(string); ok && adminValue.MatchString(v) {
				return v
			}
		}
		if s.Items != nil {
			return adminEnum(s.Items)
		}
	}
	return "admin"
}

func boolSchema(s *rampart.Schema) bool { return s != nil && s.Type == "boolean" }

func scalarOr(v any) any {
	if s, ok := holdings.Scalar(v); ok {
		return s
	}
	return v
}

// numberLike sends an id as a number when the field holds numbers.
func numberLike(id string, before any, s *rampart.Schema) any {
	_, isNum := before.(json.Number)
	if isNum || (s != nil && (s.Type == "integer" || s.Type == "number")) {
		return json.Number(id)
	}
	return id
}

// same compares a sent value with a read value as JSON.
func same(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if string(ja) == string(jb) {
		return true
	}
	// 3450 and 3450.0 are the same number.
	var fa, fb float64
	if json.Unmarshal(ja, &fa) == nil && json.Unmarshal(jb, &fb) == nil {
		return fa == fb
	}
	return false
}

// readObject reads the single object at url as who.
func readObject(ctx context.Context, p *check.Pass, who *identity.Identity, url string) (*engine.Response, map[string]any, error) {
	r, err := p.Send(ctx, who, &engine.Request{Method: http.MethodGet, URL: url})
	if err != nil || !holdings.DataAnswer(r) {
		return r, nil, err
	}
	doc, ok := holdings.DecodeJSON(r.Body)
	if !ok {
		return r, nil, nil
	}
	return r, holdings.ObjectIn(doc), nil
}

// baseBody is the part of a write that changes nothing: every allowed field
// the read shows, with its current value, and required fields it does not
// show, synthesised.
func baseBody(p *check.Pass, op *rampart.Operation, cur map[string]any) map[string]any {
	out := map[string]any{}
	raw, _ := p.Body(op)
	syn, _ := holdings.DecodeJSON(raw)
	synM, _ := syn.(map[string]any)
	required := map[string]bool{}
	var props map[string]*rampart.Schema
	if op.Body != nil && op.Body.Schema != nil {
		props = op.Body.Schema.Properties
		for _, r := range op.Body.Schema.Required {
			required[r] = true
		}
	}
	for k := range props {
		if v, ok := cur[k]; ok {
			if _, isScalar := holdings.Scalar(v); isScalar {
				out[k] = v
				continue
			}
		}
		if required[k] {
			if v, ok := synM[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}

func withFields(base map[string]any, injs []injection, value func(injection) any) map[string]any {
	out := copyAny(base)
	for _, in := range injs {
		out[in.field] = value(in)
	}
	return out
}

func copyAny(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// massUpdate injects fields into a write on the caller's own object, reads
// it back, reports what was persisted and writes every change back.
func massUpdate(ctx context.Context, p *check.Pass, inv *holdings.Inventory, who *identity.Identity, get *rampart.Operation, vals map[string]string) error {
	op := p.Op
	getURL := p.URL(get, vals)
	before, cur, err := readObject(ctx, p, who, getURL)
	if err != nil {
		return err
	}
	if cur == nil {
		if refused(before.Status) {
			p.NotTested(rampart.ReasonRefused, fmt.Sprintf("%s refused (%d) on its own object (%s)", who.Name, before.Status, get.Key()))
		} else {
			p.NotTested(rampart.ReasonNoObject, fmt.Sprintf("%s's read of its own object (%s) answered %d with no object", who.Name, get.Key(), before.Status))
		}
		return nil
	}
	skip := ""
	for k := range vals {
		skip = k
	}
	injs := plan(p, inv, who, op, cur, responseProps(get), skip)
	if len(injs) == 0 {
		p.NotApplicable("the object shows no field the request leaves out that a caller must not control")
		return nil
	}
	p.Tested()
	base := baseBody(p, op, cur)
	u := p.URL(op, vals)
	attack, err := fixture.Send(ctx, p, who, op.Method, u, withFields(base, injs, func(in injection) any { return in.value }), nil)
	if err != nil {
		return err
	}
	attacks := []*engine.Response{attack}
	if !ok2xx(attack) && len(injs) > 1 {
		// One field the API rejects (a foreign key, a type) fails the whole
		// write: try them one at a time.
		for _, in := range injs {
			r, err := fixture.Send(ctx, p, who, op.Method, u, withFields(base, []injection{in}, func(in injection) any { return in.value }), nil)
			if err != nil {
				return err
			}
			attacks = append(attacks, r)
		}
	}
	after, post, err := readObject(ctx, p, who, getURL)
	if err != nil {
		return err
	}
	var persisted, changed []injection
	for _, in := range injs {
		if post == nil {
			changed = append(changed, in) // unreadable after the write: write everything back to be safe
			continue
		}
		if !same(post[in.field], in.before) {
			changed = append(changed, in)
		}
		if same(post[in.field], in.value) && !same(in.before, in.value) {
			persisted = append(persisted, in)
		}
	}
	restored := ""
	if len(changed) > 0 {
		restored = writeBack(ctx, p, who, op, u, getURL, base, changed)
	}
	if len(persisted) == 0 {
		if restored != "" && !strings.Contains(restored, "verified") {
			return errors.New(restored)
		}
		return nil
	}
	reportMass(p, who, u, persisted, restored, before, attacks, after)
	return nil
}

// writeBack restores the fields a probe changed, as the caller, then as the
// identity a changed owner field points to, then as an admin identity.
func writeBack(ctx context.Context, p *check.Pass, who *identity.Identity, op *rampart.Operation, u, getURL string, base map[string]any, changed []injection) string {
	body := withFields(base, changed, func(in injection) any { return in.before })
	whos := []*identity.Identity{who}
	for _, in := range changed {
		if in.restorer != nil {
			whos = append(whos, in.restorer)
		}
	}
	var fields []string
	for _, in := range changed {
		fields = append(fields, in.field)
	}
	by, _ := fixture.Putback{Write: op, URL: u, Body: body, Whos: whos, Object: u, Owner: who.Name, Fields: fields,
		Verify: func(ctx context.Context) (bool, error) {
			_, post, err := readObject(ctx, p, who, getURL)
			if err != nil || post == nil {
				return false, err
			}
			ok := true
			for _, in := range changed {
				ok = ok && same(post[in.field], in.before)
			}
			return ok, nil
		}}.Do(ctx, p)
	if by != nil {
		return fmt.Sprintf("the original values of %s were written back by %s (verified)", strings.Join(fields, ", "), by.Name)
	}
	return fmt.Sprintf("Rampart could NOT write back the original values of %s for %s: restore them by hand", strings.Join(fields, ", "), who.Name)
}

// responseProps are the documented fields of an operation's 2xx answer.
func responseProps(op *rampart.Operation) map[string]*rampart.Schema {
	out := map[string]*rampart.Schema{}
	if op == nil {
		return out
	}
	for _, r := range op.Responses {
		if strings.HasPrefix(r.Status, "2") && r.Schema != nil {
			for k, s := range r.Schema.Properties {
				out[k] = s
			}
		}
	}
	return out
}

func describeInj(in []injection) string {
	var parts []string
	for _, i := range in {
		b, _ := json.Marshal(i.value)
		if i.before == nil {
			parts = append(parts, fmt.Sprintf("%s=%s", i.field, b))
			continue
		}
		a, _ := json.Marshal(i.before)
		parts = append(parts, fmt.Sprintf("%s=%s (was %s)", i.field, b, a))
	}
	return strings.Join(parts, ", ")
}

func reportMass(p *check.Pass, who *identity.Identity, u string, persisted []injection, restored string, before *engine.Response, attacks []*engine.Response, after *engine.Response) {
	sev := rampart.Medium
	for _, in := range persisted {
		if in.kind != "field" {
			sev = rampart.High
		}
	}
	var attack *engine.Response
	for _, a := range attacks {
		if ok2xx(a) {
			attack = a
			break
		}
	}
	if attack == nil {
		attack = attacks[0]
	}
	msg := fmt.Sprintf("%s accepted fields that %s must not control and persisted them: %s (the read-back as %s shows the new values). ",
		p.Op.Key(), who.Name, describeInj(persisted), who.Name)
	if restored != "" {
		msg += strings.ToUpper(restored[:1]) + restored[1:] + "."
	}
	f := p.Finding(msg)
	f.Location.URL = u
	f.Location.Param = persisted[0].field
	f.Severity = sev
	f.Confidence = rampart.Confirmed
	f.Evidence = evidence(p, before, who.Name+" reads its own object", attack, who.Name+" writes with the extra fields",
		after, who.Name+" reads it back: the values persisted")
	f.Curl = p.Curl(attack)
	f.Remediation = advise(p, adviceMass)
	p.Report(f)
}

// massCreate creates an object with privileged fields the create schema
// does not allow, reads it back and deletes it.
func massCreate(ctx context.Context, p *check.Pass, inv *holdings.Inventory, who *identity.Identity, res *fixture.Resource) error {
	doc := responseProps(res.Create)
	for k, s := range responseProps(res.Get) {
		doc[k] = s
	}
	injs := plan(p, inv, who, res.Create, nil, doc, res.Param)
	var priv []injection
	for _, in := range injs {
		if in.kind != "field" {
			priv = append(priv, in)
		}
	}
	if len(priv) == 0 {
		p.NotApplicable("the documented answer has no privileged field the create leaves out")
		return nil
	}
	extra := map[string]any{}
	for _, in := range priv {
		extra[in.field] = in.value
	}
	o, resp, err := fixture.CreateWith(ctx, p, res, who, extra)
	if err != nil {
		return err
	}
	if o == nil {
		var made creates
		made.record(res.Create, who, resp)
		made.declare(p)
		return nil
	}
	p.Tested()
	readers := []*identity.Identity{who}
	for _, in := range priv {
		if in.restorer != nil {
			readers = append(readers, in.restorer)
		}
	}
	var after *engine.Response
	var post map[string]any
	for _, r := range readers {
		if after, post, err = readObject(ctx, p, r, o.URL); err != nil {
			break
		}
		if post != nil {
			if r != who {
				o.Owner = r // it moved: its new owner removes it
			}
			break
		}
	}
	var persisted []injection
	for _, in := range priv {
		if post != nil && same(post[in.field], in.value) {
			persisted = append(persisted, in)
		}
	}
	o.Remove(ctx, p)
	if len(persisted) > 0 {
		msg := fmt.Sprintf("%s accepted fields that %s must not control and persisted them on the new object: %s. %s",
			p.Op.Key(), who.Name, describeInj(persisted), o.Story())
		f := p.Finding(msg)
		f.Location.URL = resp.RequestURL
		f.Location.Param = persisted[0].field
		f.Confidence = rampart.Confirmed
		f.Evidence = evidence(p, resp, who.Name+" creates an object with the extra fields", after, "the object read back")
		f.Curl = p.Curl(resp)
		f.Remediation = advise(p, adviceMass)
		p.Report(f)
	}
	if o.Failed() != "" {
		return errors.New(o.Story())
	}
	return err
}
