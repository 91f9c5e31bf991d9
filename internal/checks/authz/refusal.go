package authz

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// RefusalBOLA is BOLA-004.
var RefusalBOLA = check.Check{
	Meta: rampart.Meta{
		ID:       "BOLA-004",
		Family:   rampart.FamilyBOLA,
		Title:    "Money-moving write that acts on another identity's object",
		Severity: rampart.Critical,
		CWE:      "CWE-639",
		OWASP:    "API1:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "refusal oracle: a transfer or payment made to fail is refused for another's account as for one's own, unlike for none",
		Detects: "Writes that move money (POST, PUT or PATCH with an amount in the JSON body) and name an object by a path " +
			"parameter or a body field (nested too) that takes values the API model says an identity owns: account or " +
			"card numbers from login answers, ids from its own listings. Proving such a flaw by its effect would move " +
			"another identity's money, so every request is made to fail a business rule the API can only check once it " +
			"has loaded the object: an amount far above any balance or limit (within the schema: larger amounts are " +
			"tried first, smaller ones when the validation answer names the field) and a currency the object does not " +
			"hold (an enum member no answer showed). The user first sends that request for its own object: accepted " +
			"(2xx), the unit stops there and sends nothing for another identity's object. Refused, the same request goes " +
			"for another identity's object and for a made-up object of the same shape (same length and kinds of " +
			"characters, a card number's or an IBAN's check digits kept). Reported (firm) when the other identity's object " +
			"is refused like the user's own (same status, same message once values and numbers are taken out: " +
			"\"insufficient funds\", \"holds EUR\") and the made-up one as an object that does not exist (404, 410, or " +
			"a refusal that says \"no such\", \"not found\"): the API looked the object up for a caller that does " +
			"not own it. A made-up object refused for its format says nothing of a lookup. Refused like the made-up object, or with 401/403, is the secure " +
			"answer. Fields that name a destination (to_account, recipient, payee, beneficiary) are not tested: a " +
			"transfer legitimately names someone else's account there; fields that hold prose (memo, description, " +
			"headline) are not either. Admin identities are never the attacker; " +
			"operations whose schema caps every amount below 1,000,000 and has no currency field are left alone.",
		Requests: "Per operation, for up to 3 fields of the first user (of the second when the first has nothing to try): up to 5 requests for the user's own object (a " +
			"smaller amount after a validation answer that names it, or the body fixed by one that names another field), " +
			"then one for another identity's object and one for a made-up one; each with a new Idempotency-Key where " +
			"the API takes one. Budget 50.",
		Budget: 50,
		Fix: "Load the object a write names with the caller in the query itself (`SELECT … FROM wallets WHERE number = %s " +
			"AND owner_id = %s`) before any other rule, and answer 404 when no row comes back, exactly as for an object " +
			"that does not exist; debit in the same statement (`UPDATE wallets SET balance = balance - %s WHERE number " +
			"= %s AND owner_id = %s AND balance >= %s`).",
		Doc: "docs/checks.md#bola-004",
	},
	Applies: func(op *rampart.Operation) bool {
		switch op.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
		default:
			return false
		}
		return !op.Public() && AdminReason(op) == "" && refusable(op)
	},
	Run:       runRefusal,
	Exclusive: true,
}

// Bounds of one unit: attackers, fields per attacker, requests for the
// attacker's own object.
const (
	maxRefusalAttackers = 2
	maxRefusalFields    = 3
	maxOwnTries         = 5
)

// namedField is a path or query parameter or a body field that may name
// an object.
type namedField struct {
	in     string   // path, query or body
	path   []string // a body field's path; a parameter's name
	name   string   // what the API model knows it by
	schema *rampart.Schema
	dest   bool // names where something goes: filled, never tested
}

func (f namedField) label() string { return strings.Join(f.path, ".") }

func (f namedField) is(g namedField) bool { return f.in == g.in && f.label() == g.label() }

// namedFields are the operation's fields that may name an object: every
// path parameter, the id-like query parameters, and the body's scalar
// fields other than the amounts and currencies of the failing variant,
// those that must be new on every request and those that hold prose (a
// memo, a description).
func namedFields(op *rampart.Operation, req *accept.Request) []namedField {
	var out []namedField
	for _, prm := range op.Params {
		if prm.In == "path" || (prm.In == "query" && (holdings.IsIDKey(prm.Name) || holdings.Userish(prm.Name))) {
			out = append(out, namedField{in: prm.In, path: []string{prm.Name}, name: prm.Name, schema: prm.Schema, dest: destinationName(prm.Name)})
		}
	}
	amounts, currencies := amountFields(op.Body.Schema)
	money := append(amounts, currencies...)
	for _, path := range bodyLeaves(req.Body) {
		name := leafName(path)
		if name == "" || accept.Fresh(name) || surface.Prose(name) || slices.ContainsFunc(money, func(m moneyLeaf) bool { return slices.Equal(m.path, path) }) {
			continue
		}
		out = append(out, namedField{in: "body", path: path, name: name, schema: accept.SchemaAt(op.Body.Schema, path), dest: destinationName(name)})
	}
	return out
}

// ownValues are the values of a field that who owns, by the API model: a
// field named by its role (from_account) is answered by the model with the
// keys of the thing it names (the accounts' numbers).
func ownValues(p *check.Pass, f namedField, who *identity.Identity) []string {
	var out []string
	for _, c := range p.Model.Values(p.Op, f.name, apimodel.Query{As: who, Owner: apimodel.Mine, Limit: 3}) {
		if c.Value != "" && fitsLeaf(c.Value, f.schema) && !slices.Contains(out, c.Value) {
			out = append(out, c.Value)
		}
	}
	return out
}

// victimValue is a value of a field that another identity owns and that is
// not listed for the attacker (a joint account is its own too): users'
// objects first. A value anyone may see (an IBAN on an invoice) is still
// not one anyone may debit.
func victimValue(p *check.Pass, f namedField, attacker *identity.Identity, own []string) (*identity.Identity, string) {
	for _, v := range p.Authenticated() {
		if v == attacker {
			continue
		}
		for _, c := range p.Model.Values(p.Op, f.name, apimodel.Query{As: attacker, Owner: apimodel.Others, Of: v, Limit: 4}) {
			if c.Seen&apimodel.HowListing != 0 || slices.Contains(own, c.Value) || !fitsLeaf(c.Value, f.schema) {
				continue
			}
			return v, c.Value
		}
	}
	return nil, ""
}

// refusalTally is what a unit met, for its coverage.
type refusalTally struct {
	judged    bool
	valued    bool
	fields    []string
	accepted  string // why the unit stopped on an accepted own request
	rejected  *engine.Response
	refused   string
	throttled bool
	noLookup  string
}

func (t *refusalTally) declare(p *check.Pass) {
	switch {
	case t.judged:
		p.Tested()
	case t.accepted != "":
		p.NotTested(rampart.ReasonNoObject, t.accepted)
	case t.throttled:
		p.NotTested(rampart.ReasonThrottled, "the API kept answering 429 to the user's own request")
	case t.rejected != nil:
		p.NotTested(rampart.ReasonBodyRejected, check.Rejected(t.rejected))
	case t.refused != "":
		p.NotTested(rampart.ReasonRefused, t.refused)
	case t.noLookup != "":
		p.NotTested(rampart.ReasonNoObject, t.noLookup)
	case len(t.fields) == 0:
		p.NotApplicable("no path parameter or body field that names an object")
	default:
		p.NotTested(rampart.ReasonNoValues, fmt.Sprintf("no value of %s that a user owns while another identity owns another",
			strings.Join(t.fields, ", ")))
	}
}

func runRefusal(ctx context.Context, p *check.Pass) error {
	us := users(p)
	if len(us) == 0 {
		needUser(p)
		return nil
	}
	if len(p.Authenticated()) < 2 {
		p.NotTested(rampart.ReasonNeedsSecondUser, "needs another identity whose objects to name ("+configured(p)+")")
		return nil
	}
	fields := namedFields(p.Op, p.Request(p.Op))
	t := &refusalTally{}
	for _, f := range fields {
		if !f.dest {
			t.fields = append(t.fields, f.label())
		}
	}
	if len(us) > maxRefusalAttackers {
		us = us[:maxRefusalAttackers]
	}
	for _, a := range us {
		if t.judged {
			break // one user's answers are in: the second is for when the first had nothing to try
		}
		tried := 0
		for _, f := range fields {
			if f.dest {
				continue
			}
			own := ownValues(p, f, a)
			if len(own) == 0 {
				continue
			}
			victim, theirs := victimValue(p, f, a, own)
			if victim == nil {
				continue
			}
			t.valued = true
			if tried++; tried > maxRefusalFields {
				break
			}
			stop, err := probeRefusal(ctx, p, fields, f, a, victim, own[0], theirs, t)
			if err != nil {
				return err
			}
			if stop {
				t.declare(p)
				return nil
			}
		}
	}
	t.declare(p)
	return nil
}

// failing is one failing variant: the amount rung and what it sets.
type failing struct {
	rung int
	sets []string // "amount.value=9999999999", for the finding
}

// failingRequest is the operation's best known request as the attacker
// would send it for its own objects (its own values in every field that
// names one, other than value in f), made to fail: huge amounts, a
// currency the object does not hold.
func failingRequest(p *check.Pass, fields []namedField, f namedField, a *identity.Identity, value string, fl *failing) *accept.Request {
	req := p.Request(p.Op)
	for _, g := range fields {
		if g.is(f) {
			continue
		}
		for _, v := range ownValues(p, g, a) {
			if v != value {
				setField(req, g, v)
				break
			}
		}
	}
	setField(req, f, value)
	amounts, currencies := amountFields(p.Op.Body.Schema)
	fl.sets = fl.sets[:0]
	for _, m := range amounts {
		v := hugeAmount(m.schema, fl.rung)
		req.Body = putAt(req.Body, m.path, v)
		fl.sets = append(fl.sets, strings.Join(m.path, ".")+"="+strconv.FormatFloat(v, 'f', -1, 64))
	}
	for _, c := range currencies {
		cur, _ := accept.ValueAt(req.Body, c.path)
		v := otherCurrency(c.schema, cur, p.Model.Values(p.Op, leafName(c.path), apimodel.Query{Limit: 16}))
		req.Body = putAt(req.Body, c.path, v)
		fl.sets = append(fl.sets, strings.Join(c.path, ".")+"="+v)
	}
	return req
}

// setField writes a value into a request, typed as the field wants it.
func setField(req *accept.Request, f namedField, v string) {
	switch f.in {
	case "path":
		req.Path[f.name] = v
	case "query":
		req.Query[f.name] = v
	case "body":
		var val any = v
		cur, _ := accept.ValueAt(req.Body, f.path)
		switch cur.(type) {
		case float64, int, int64:
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				val = n
			}
		default:
			val = typed(v, f.schema)
		}
		req.Body = putAt(req.Body, f.path, val)
	}
}

// withField is a copy of req with another value in f.
func withField(req *accept.Request, f namedField, v string) *accept.Request {
	c := req.Clone()
	setField(c, f, v)
	return c
}

// probeRefusal sends the failing request for the attacker's own object,
// then for the victim's and for a made-up one, and reports when the
// victim's is refused like the own one and unlike the made-up one. stop
// says the unit must end: a finding, an own request accepted, a 429.
func probeRefusal(ctx context.Context, p *check.Pass, fields []namedField, f namedField, a, victim *identity.Identity, own, theirs string, t *refusalTally) (bool, error) {
	amounts, currencies := amountFields(p.Op.Body.Schema)
	fl := &failing{}
	var req *accept.Request
	var mine *engine.Response
	for try := 0; try < maxOwnTries && mine == nil; try++ {
		req = failingRequest(p, fields, f, a, own, fl)
		resp, err := p.Send(ctx, a, p.Build(req))
		if err != nil {
			return true, err
		}
		switch {
		case ok2xx(resp):
			t.accepted = fmt.Sprintf("%s's own request with %s=%s and %s was accepted (%d): no refusal to compare, so nothing "+
				"was sent for another identity's object", a.Name, f.label(), holdings.Mask(own), strings.Join(fl.sets, ", "), resp.Status)
			return true, nil
		case resp.Status == http.StatusTooManyRequests:
			t.throttled = true
			return true, nil
		case resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden:
			t.refused = fmt.Sprintf("%s refused (%d) on its own %s", a.Name, resp.Status, f.label())
			return false, nil
		case resp.Status >= 500 || resp.Status == http.StatusNotFound || resp.Status == http.StatusMethodNotAllowed || resp.Status < 400:
			t.noLookup = fmt.Sprintf("%s's own %s=%s answered %d: no refusal after the lookup to compare", a.Name, f.label(),
				holdings.Mask(own), resp.Status)
			return false, nil
		case resp.Status == http.StatusBadRequest || resp.Status == http.StatusUnprocessableEntity:
			probs := accept.Parse(resp.Body, accept.Known{})
			if len(probs) == 0 {
				mine = resp // a business refusal: "from_account holds EUR"
				continue
			}
			if namesLeaf(probs, amounts) && fl.rung < len(amountRungs)-1 {
				fl.rung++ // the schema bounds the digits: a smaller amount
				continue
			}
			if !namesLeaf(probs, amounts) && !namesLeaf(probs, currencies) && p.Learn(p.Op, req, resp) {
				continue // another field was wrong: the learner fixed it
			}
			t.rejected = resp
			return false, nil
		default:
			mine = resp // 402, 409, 412: a business refusal
		}
	}
	if mine == nil {
		return false, nil
	}
	theirsResp, err := p.Send(ctx, a, p.Build(withField(req, f, theirs)))
	if err != nil {
		return true, err
	}
	taken := func(v string) bool {
		if v == own || v == theirs {
			return true
		}
		return slices.ContainsFunc(p.Model.Values(p.Op, f.name, apimodel.Query{Limit: 32}), func(c apimodel.Candidate) bool { return c.Value == v })
	}
	fake := madeUp(theirs, taken)
	fakeResp, err := p.Send(ctx, a, p.Build(withField(req, f, fake)))
	if err != nil {
		return true, err
	}
	t.judged = true
	ra, rb, rc := refusalOf(mine, own, theirs, fake), refusalOf(theirsResp, own, theirs, fake), refusalOf(fakeResp, own, theirs, fake)
	if !ra.same(rb) || ra.same(rc) || !notFound(fakeResp, rc) {
		return false, nil
	}
	reportRefusal(p, f, a, victim, own, theirs, ra, rc, fl, mine, theirsResp, fakeResp)
	return true, nil
}

// namesLeaf reports whether validation problems name one of the leaves.
func namesLeaf(probs []accept.Problem, leaves []moneyLeaf) bool {
	for _, pr := range probs {
		for _, l := range leaves {
			if slices.Equal(pr.Field, l.path) || (len(pr.Field) > 0 && pr.Field[len(pr.Field)-1] == l.path[len(l.path)-1]) {
				return true
			}
		}
	}
	return false
}

func reportRefusal(p *check.Pass, f namedField, a, victim *identity.Identity, own, theirs string, same, none refusal, fl *failing,
	mine, theirsResp, fakeResp *engine.Response) {
	if !stateOf(p).claim("refusal " + p.Op.Key()) {
		return
	}
	fnd := p.Finding(fmt.Sprintf("%s acts on another identity's object for %s: with %s=%s (%s's), %s's request is refused "+
		"as it is for its own %s (%s), while a %s that does not exist is refused with %s. The API found %s's object and "+
		"applied its business rules to it on %s's behalf: a request that passed them would have acted on %s's object. "+
		"Nothing was changed: every request carried %s, which the API refused.",
		p.Op.Key(), a.Name, f.label(), holdings.Mask(theirs), victim.Name, a.Name, holdings.Mask(own), same, f.label(), none,
		victim.Name, a.Name, victim.Name, strings.Join(fl.sets, " and ")))
	fnd.Location.URL = theirsResp.RequestURL
	fnd.Location.Param = f.label()
	fnd.Confidence = rampart.Firm
	fnd.Evidence = evidence(p, mine, a.Name+" sends the failing request for its own object: refused after the lookup",
		theirsResp, a.Name+" sends it for "+victim.Name+"'s object: refused the same way",
		fakeResp, a.Name+" sends it for an object that does not exist: refused otherwise")
	fnd.Curl = p.Curl(theirsResp)
	fnd.Related = []rampart.Related{related(p, p.Op, mine, "the attacker's request for its own object")}
	p.Report(fnd)
}
