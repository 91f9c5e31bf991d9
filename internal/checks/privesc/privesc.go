// Package privesc finds ways for a user to make itself more powerful: a
// privileged field (role, is_admin) accepted at sign-up, and a write that
// changes its own role. Both are tried on throwaway accounts the scan
// signed up for itself; without sign-up, a role change is tried on the
// first user identity only when the API stated its role, and written back
// at once and verified. Both are proved by what the account can do afterwards: a read that an
// administrator identity gets data from and a user identity is refused
// now answers the account as it answers the administrator.
package privesc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/signup"
)

const needs = "Needs an admin identity (to find a read only administrators get data from), a user identity, and " +
	"an API whose spec offers sign-up and login (throwaway accounts; --no-signup turns them off)."

// Signup is MASS-002.
var Signup = check.Check{
	Meta: rampart.Meta{
		ID:       "MASS-002",
		Family:   rampart.FamilyMassAssignment,
		Title:    "Privileged field accepted at sign-up",
		Severity: rampart.Critical,
		CWE:      "CWE-915",
		OWASP:    "API3:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "signing up with role=admin or is_admin=true makes an administrator",
		Detects: "Sign-up operations that bind the request body to the user record: a throwaway account signed up " +
			"with the privileged fields the sign-up documents (role, is_admin, is_staff, permissions, ...) and the " +
			"usual undocumented ones (role, is_admin, admin) set to an administrator's value, then logged in, reads what " +
			"only administrators read (an admin identity gets data there, a user identity is refused), while an " +
			"account signed up without them is refused; where no read is reserved to administrators (or no admin " +
			"identity is given), reads its own record back (a listing or a read keyed by its name, e-mail or id) " +
			"with a field at the value sent, while the control account reads the same field with another value " +
			"(firm). An API whose spec offers sign-up and login is needed (throwaway accounts; --no-signup turns " +
			"them off).",
		Requests: "Per scan: up to eight reads probed as the admin and the user (2 GETs each) for one only the admin " +
			"reads; two sign-ups with their logins (one with the fields, one without, unless a throwaway victim " +
			"already is the control), a read per account, and each account's removal at the end; without an " +
			"admin-only read, up to four reads of the account's own record and one of the control's each. At " +
			"most 30 requests.",
		Budget: 30,
		Fix: "Bind sign-up bodies to an explicit schema of what a new user may choose (a name, a password, contact " +
			"details) and set the role in the code that creates the account, never from the request.",
		Doc: "docs/checks.md#mass-002",
	},
	Run: runSignup,
}

// Self is BFLA-004.
var Self = check.Check{
	Meta: rampart.Meta{
		ID:       "BFLA-004",
		Family:   rampart.FamilyBFLA,
		Title:    "User raises its own privileges",
		Severity: rampart.Critical,
		CWE:      "CWE-269",
		OWASP:    "API5:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a user-role account calls a role- or permission-changing write on itself and becomes an administrator",
		Detects: "Writes (PUT, PATCH, POST) that change a role or a permission, by their body (role, is_admin, " +
			"permissions, ... fields) or their path (/role, /promote, /permissions), called by a throwaway user " +
			"account on itself (its own username, e-mail or id in the path) with an administrator's value. Proved " +
			"when the account then reads what only administrators read (an admin identity gets data there, the " +
			"account was refused before). Without sign-up, the first user identity tries it on itself when the API " +
			"stated its role (the value to write back), and the role is written back at once and verified; the " +
			"footprint lists it. " + needs,
		Requests: "Per operation: the account's read before (refused), the write, the read after; shared per scan: " +
			"the probe for a read only administrators get data from (up to 16 GETs) and one throwaway account " +
			"per successful escalation (sign-up and login). At most 30 requests per operation.",
		Budget: 30,
		Fix: "Check the caller's role in the handler before any role change, and never let a user change its own " +
			"role: `if not current_user.is_admin or user_id == current_user.id: abort(403)`. Keep role and " +
			"permission fields out of the schema of profile updates (marshmallow `dump_only`, pydantic models " +
			"without them) and change them only through an admin-only operation.",
		Doc: "docs/checks.md#bfla-004",
	},
	Applies: changesPrivilege,
	Run:     runSelf,
}

var (
	// privField names a field that grants power.
	privField = lazyre.New(`(?i)^(is_?admin|admin|is_?staff|staff|is_?superuser|superuser|is_?root|role|roles|user_?role|user_?type|account_?type|group|groups|permissions?|privileges?|scopes?|access_?level|level)$`)
	// privPath names an operation that changes a role.
	privPath = lazyre.New(`(?i)(^|/)(role|roles|promote|permissions?|privileges?|grant|elevate|make-?admin)(/|$)`)
)

// changesPrivilege selects the writes BFLA-004 tries.
func changesPrivilege(op *rampart.Operation) bool {
	switch op.Method {
	case http.MethodPut, http.MethodPatch, http.MethodPost:
	default:
		return false
	}
	if op.Public() {
		return false // sign-up is MASS-002's
	}
	if privPath.MatchString(op.Path) {
		return true
	}
	return len(privileged(op)) > 0 && strings.Contains(op.Path, "{")
}

// privileged returns the documented privileged fields of an operation's
// body with an administrator's value, and no field it cannot fill.
func privileged(op *rampart.Operation) map[string]any {
	out := map[string]any{}
	if op.Body == nil || op.Body.Schema == nil {
		return out
	}
	for name, s := range op.Body.Schema.Properties {
		if !privField.MatchString(name) {
			continue
		}
		if v, ok := adminFor(name, s); ok {
			out[name] = v
		}
	}
	return out
}

// adminFor is the value that makes an administrator, by the field's schema
// and name; false when there is none to guess (a number, a free enum).
func adminFor(name string, s *rampart.Schema) (any, bool) {
	low := strings.ToLower(name)
	if s != nil && len(s.Enum) > 0 {
		best, ok := strongest(s.Enum)
		if !ok {
			return nil, false
		}
		if s.Type == "array" {
			return []any{best}, true
		}
		return best, true
	}
	if s != nil && s.Items != nil && len(s.Items.Enum) > 0 {
		best, ok := strongest(s.Items.Enum)
		if !ok {
			return nil, false
		}
		return []any{best}, true
	}
	typ := ""
	if s != nil {
		typ = s.Type
	}
	switch {
	case typ == "boolean" || strings.HasPrefix(low, "is") || low == "admin" || low == "staff" || low == "superuser":
		return true, true
	case typ == "array" || strings.HasSuffix(low, "s"):
		return []any{"admin"}, true
	case typ == "integer" || typ == "number" || strings.Contains(low, "level"):
		return nil, false
	}
	return "admin", true
}

// strongest picks the most powerful value of an enum: admin, root or
// super before owner, before staff or manager, before moderator.
func strongest(enum []any) (string, bool) {
	best, rank := "", 0
	for _, e := range enum {
		str, ok := e.(string)
		if !ok {
			continue
		}
		low := strings.ToLower(str)
		r := 0
		switch {
		case strings.Contains(low, "admin") || strings.Contains(low, "root") || strings.Contains(low, "super"):
			r = 4
		case strings.Contains(low, "owner"):
			r = 3
		case strings.Contains(low, "staff") || strings.Contains(low, "manager"):
			r = 2
		case strings.Contains(low, "moderator"):
			r = 1
		}
		if r > rank {
			best, rank = str, r
		}
	}
	return best, rank > 0
}

// roles are the identities the proof needs: an administrator and a user.
func roles(p *check.Pass) (admin, user *identity.Identity) {
	for _, id := range p.Authenticated() {
		switch {
		case id.Role == identity.RoleAdmin && admin == nil:
			admin = id
		case id.Role == identity.RoleUser && user == nil:
			user = id
		}
	}
	return admin, user
}

// gates are the reads only administrators get data from, probed once per
// scan.
func gates(ctx context.Context, p *check.Pass) []*check.RoleGated {
	v, _ := p.Shared.Once("privesc: role-gated reads", func() (any, error) {
		admin, user := roles(p)
		return p.FindRoleGated(ctx, admin, user, 2), nil
	})
	gs, _ := v.([]*check.RoleGated)
	return gs
}

// promoted reports the first role-gated read the account now reads.
func promoted(ctx context.Context, p *check.Pass, who *identity.Identity, gs []*check.RoleGated) (*check.RoleGated, *engine.Response) {
	for _, g := range gs {
		if ok, r, err := p.Privileged(ctx, who, g); err == nil && ok {
			return g, r
		}
	}
	return nil, nil
}

func fieldList(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, fmt.Sprintf("%s=%v", k, m[k]))
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func runSignup(ctx context.Context, p *check.Pass) error {
	m := fixture.Accounts(p)
	if m == nil || m.Register == nil {
		if signup.Find(p.Surface, p.Schemes) == nil {
			p.NotApplicable("no sign-up the scan can use (an open POST taking an account name and a password, and a login)")
			return nil
		}
		noAccounts(p)
		return nil
	}
	// Without a read only administrators get data from, the proof is the
	// account's own record read back (see persisted).
	gs := gates(ctx, p)
	fields := privileged(m.Register)
	for name, v := range map[string]any{"role": "admin", "is_admin": true, "admin": true} {
		if _, documented := m.Register.Body.Schema.Properties[name]; !documented && len(fields) < 6 {
			fields[name] = v
		}
	}
	if len(fields) == 0 {
		p.NotApplicable("no privileged field to send at sign-up")
		return nil
	}
	// The control: an account signed up with nothing extra is refused.
	control := fixture.Victims(p)
	if len(control) == 0 {
		a, err := m.New(ctx, nil)
		if err != nil || a == nil || a.Identity == nil {
			signupFailed(p, err)
			return nil
		}
		control = []*identity.Identity{a.Identity}
	}
	// From here the sign-up is judged: refusing the fields, ignoring them
	// or a control that reads the admin's data already all answer it.
	p.Tested()
	if len(gs) > 0 {
		if g, _ := promoted(ctx, p, control[0], gs); g != nil {
			return nil // every new account reads it: not a privilege of the fields
		}
	}
	a, err := m.New(ctx, fields)
	if err != nil || a == nil || a.Identity == nil {
		// Strict schemas refuse unknown fields: the documented ones alone.
		doc := privileged(m.Register)
		if len(doc) == 0 || len(doc) == len(fields) {
			return nil
		}
		fields = doc
		if a, err = m.New(ctx, fields); err != nil || a == nil || a.Identity == nil {
			return nil
		}
	}
	if len(gs) == 0 {
		if pr := readBack(ctx, p, a, control[0], fields); pr != nil {
			reportPersisted(p, m.Register, a.Name, fields, pr)
		}
		return nil
	}
	g, r := promoted(ctx, p, a.Identity, gs)
	if g == nil {
		return nil
	}
	f := p.Finding(fmt.Sprintf(
		"%s accepts privileged fields at sign-up: the throwaway account %s, signed up with %s, reads %s, which "+
			"only administrators read (a user identity is refused with %d; an account signed up without the fields "+
			"is refused too). Anyone can sign up as an administrator.",
		m.Register.Key(), a.Name, fieldList(fields), g.Op.Key(), g.Refused))
	f.Location = rampart.Location{Method: m.Register.Method, Path: m.Register.Path}
	f.Confidence = rampart.Confirmed
	f.Evidence = append(slices.Clone(g.Base), p.Evidence(r, a.Name+", signed up with "+fieldList(fields)+", reads it"))
	f.Curl = p.Curl(r)
	p.Report(f)
	return nil
}

// reportPersisted reports a privileged field the sign-up stored.
func reportPersisted(p *check.Pass, register *rampart.Operation, account string, fields map[string]any, pr *persisted) {
	f := p.Finding(fmt.Sprintf(
		"%s accepts privileged fields at sign-up: the throwaway account %s, signed up with %s, reads its own "+
			"record back with %s = %v, while an account signed up without the fields reads %s = %v. Anyone can "+
			"give themselves that privilege when signing up.",
		register.Key(), account, fieldList(fields), pr.field, pr.value, pr.field, pr.control))
	f.Location = rampart.Location{Method: register.Method, Path: register.Path, Param: pr.field}
	f.Confidence = rampart.Firm
	f.Evidence = []rampart.Evidence{
		p.Evidence(pr.resp, account+", signed up with "+fieldList(fields)+", reads its own record"),
		p.Evidence(pr.ctrlResp, "the control account, signed up without them, reads its own"),
	}
	f.Curl = p.Curl(pr.resp)
	p.Report(f)
}

// selfValue fills a path parameter with the account's own key.
func selfValue(a *signup.Account, param string) string {
	v, _ := signup.PersonKey(param, a.ID(), a.Name, a.Email)
	return v
}

func runSelf(ctx context.Context, p *check.Pass) error {
	op := p.Op
	gs := gates(ctx, p)
	if len(gs) == 0 {
		noGates(p)
		return nil
	}
	fields := privileged(op)
	if len(fields) == 0 {
		if !privPath.MatchString(op.Path) {
			p.NotApplicable("no privileged field with an administrator's value to send")
			return nil
		}
		fields = map[string]any{"role": "admin"}
	}
	m := fixture.Accounts(p)
	if m == nil {
		return selfOnIdentity(ctx, p, fields, gs)
	}
	a, err := m.New(ctx, nil)
	if err != nil || a == nil || a.Identity == nil {
		signupFailed(p, err)
		return nil
	}
	if g, _ := promoted(ctx, p, a.Identity, gs); g != nil {
		p.Tested() // a new account already reads it: no promotion to prove
		return nil
	}
	vals, ok := ownPath(p, op, a.Name, func(param string) string { return selfValue(a, param) })
	if !ok {
		return nil
	}
	body, ct := p.Body(op)
	body, ct = withFields(body, ct, fields)
	w, err := p.Send(ctx, a.Identity, &engine.Request{Method: op.Method, URL: p.URL(op, vals), Body: body,
		Header: http.Header{"Content-Type": {ct}}})
	if err != nil {
		return err
	}
	p.Tested()
	if w.Status < 200 || w.Status > 299 {
		return nil
	}
	g, r := promoted(ctx, p, a.Identity, gs)
	if g == nil {
		return nil
	}
	f := p.Finding(fmt.Sprintf(
		"%s lets a user raise its own privileges: the throwaway account %s sent %s on itself and answered %d; it then "+
			"reads %s, which only administrators read (it was refused before, as a user identity is, with %d). Any "+
			"user can make itself an administrator.",
		op.Key(), a.Name, fieldList(fields), w.Status, g.Op.Key(), g.Refused))
	f.Location.URL = w.RequestURL
	f.Confidence = rampart.Confirmed
	f.Evidence = append(slices.Clone(g.Base),
		p.Evidence(w, a.Name+" changes its own role"),
		p.Evidence(r, a.Name+" now reads what only administrators read"))
	f.Curl = p.Curl(w)
	p.Report(f)
	return nil
}

// withFields sets fields in a JSON or form body (a JSON object when the
// operation has none).
func withFields(body []byte, ct string, fields map[string]any) ([]byte, string) {
	if strings.Contains(ct, "x-www-form-urlencoded") {
		vals, _ := url.ParseQuery(string(body))
		for k, v := range fields {
			switch x := v.(type) {
			case []any:
				vals.Del(k)
				for _, e := range x {
					vals.Add(k, fmt.Sprint(e))
				}
			default:
				vals.Set(k, fmt.Sprint(v))
			}
		}
		return []byte(vals.Encode()), ct
	}
	m := map[string]any{}
	if len(body) > 0 && json.Unmarshal(body, &m) != nil {
		m = map[string]any{}
	}
	for k, v := range fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b, "application/json"
}

// selfOnIdentity is BFLA-004 without sign-up: the first user identity
// tries the write on itself, and its role is written back at once, as
// itself (now an administrator) or as an admin identity, and verified: it
// reads no longer what only administrators read. It runs only when the API
// stated the identity's own role (the value to write back) and its own
// key for the path.
func selfOnIdentity(ctx context.Context, p *check.Pass, fields map[string]any, gs []*check.RoleGated) error {
	op := p.Op
	_, who := roles(p)
	if who == nil {
		noUser(p)
		return nil
	}
	me := p.Model.Person(who)
	back := map[string]any{}
	for k, v := range fields {
		switch v.(type) {
		case bool:
			back[k] = false
		default:
			if me.APIRole == "" {
				// Nothing to write back: not tried on a configured identity.
				p.NotTested(rampart.ReasonNeedsIdentity, fmt.Sprintf("without sign-up it tries %s on itself only when the API "+
					"states %s's role, to write it back; it does not (let active mode sign up a throwaway account instead)", k, who.Name))
				return nil
			}
			if _, list := v.([]any); list {
				back[k] = []any{me.APIRole}
			} else {
				back[k] = me.APIRole
			}
		}
	}
	vals, ok := ownPath(p, op, who.Name, func(param string) string { return personValue(me, param) })
	if !ok {
		return nil
	}
	p.Tested()
	if g, _ := promoted(ctx, p, who, gs); g != nil {
		return nil // it reads them already
	}
	u := p.URL(op, vals)
	body, ct := p.Body(op)
	body, ct = withFields(body, ct, fields)
	w, err := p.Send(ctx, who, &engine.Request{Method: op.Method, URL: u, Body: body, Header: http.Header{"Content-Type": {ct}}})
	if err != nil {
		return err
	}
	if w.Status < 200 || w.Status > 299 {
		return nil
	}
	g, r := promoted(ctx, p, who, gs)
	// Whatever the read says, the role goes back.
	restoreBody := map[string]any{}
	if err := json.Unmarshal(body, &restoreBody); err != nil {
		restoreBody = map[string]any{}
	}
	for k, v := range back {
		restoreBody[k] = v
	}
	keys := make([]string, 0, len(back))
	for k := range back {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var restoredBy *identity.Identity
	verified := false
	if g != nil {
		restoredBy, verified = fixture.Putback{Write: op, URL: u, Body: restoreBody, Whos: []*identity.Identity{who},
			Object: u, Owner: who.Name, Fields: keys,
			Verify: func(ctx context.Context) (bool, error) {
				still, _ := promoted(ctx, p, who, gs)
				return still == nil, nil
			}}.Do(ctx, p)
	} else {
		// Not promoted, yet the write answered 2xx: put the stated role back
		// all the same, unrecorded unless it fails.
		p.Send(ctx, who, &engine.Request{Method: op.Method, URL: u, Body: mustJSON(restoreBody), Header: http.Header{"Content-Type": {"application/json"}}})
		return nil
	}
	how := "Its role was NOT written back: restore it by hand."
	switch {
	case restoredBy != nil && verified:
		how = fmt.Sprintf("Its role was written back at once (%s=%v, by %s) and it reads them no longer (verified).", keys[0], back[keys[0]], restoredBy.Name)
	case restoredBy != nil:
		how = fmt.Sprintf("Its role was written back at once by %s.", restoredBy.Name)
	}
	f := p.Finding(fmt.Sprintf(
		"%s lets a user raise its own privileges: %s sent %s on itself and answered %d; it then read %s, which only "+
			"administrators read (it was refused before with %d). %s Any user can make itself an administrator.",
		op.Key(), who.Name, fieldList(fields), w.Status, g.Op.Key(), g.Refused, how))
	f.Location.URL = w.RequestURL
	f.Confidence = rampart.Confirmed
	f.Evidence = append(slices.Clone(g.Base), p.Evidence(w, who.Name+" changes its own role"),
		p.Evidence(r, who.Name+" now reads what only administrators read"))
	f.Curl = p.Curl(w)
	p.Report(f)
	return nil
}

// personValue fills a path parameter with the person's own key; "" when
// unknown.
func personValue(me apimodel.Person, param string) string {
	v, _ := signup.PersonKey(param, me.ID, me.Username, me.Email)
	return v
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
