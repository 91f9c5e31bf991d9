package authz

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/idspell"
	"github.com/rampart-sec/rampart/internal/surface"
)

// enumWalk bounds the ids one enumeration reads: an API whose listings
// give no id still numbers its objects densely near the first ones and
// near the ids its spec and answers show, and a short walk there finds
// objects of several owners without sweeping the table.
const enumWalk = 64

// ownerFieldNames are the (folded) names of fields that say whose an object
// is. author, created_by and creator are left out: they name who wrote a
// piece of shared content (a post, a comment), which every member of a
// forum may read by design.
var ownerFieldNames = []string{
	"owner", "ownerid", "ownedby", "user", "userid", "customer", "customerid", "account", "accountid",
	"member", "memberid", "client", "clientid", "patient", "patientid",
}

// sighting is one object the walk read, and whose its owner field says it
// is.
type sighting struct {
	id    idspell.ID
	field string
	owner string
	got   *engine.Response
}

// enumerate walks ids of a path or query parameter (/exams/{id},
// /invoice?invoice_id=) outward from the known ones
// (spec examples, values the API showed, every identity's own) and from
// 1, in the spelling the API uses (base64, hex or plain), as the
// lowest-privilege user, when no identity had an id another identity owns
// to cross-read. The objects it reads are judged by their owner field:
// one user reading objects of two owners from an operation that refuses
// anonymous callers reads someone else's (see ownerOracle).
func enumerate(ctx context.Context, p *check.Pass, inv *holdings.Inventory, rd *reader, prm rampart.Param, t *tally) error {
	us := users(p)
	if len(us) == 0 || (prm.In != "path" && prm.In != "query") || p.Op.Method != http.MethodGet || AdminReason(p.Op) != "" || personParam(prm) {
		return nil // an admin may read anything; a person's key walks a directory of people
	}
	if onlyNonJSON(p.Op) {
		return nil // the owner field is read from JSON: an HTML page has none to judge
	}
	who := us[0]
	seeds := enumSeeds(p, inv, prm)
	if len(seeds) == 0 {
		return nil
	}
	base := fillOthers(p, inv, p.Op, prm, who)
	at := func(id string) string {
		vals := copyVals(base)
		vals[prm.Name] = id
		return target(p, p.Op, vals)
	}
	baseline, err := rd.get(ctx, who, at(seeds[0].At(987654321).String()))
	if err != nil {
		return quiet(err)
	}
	var seen []sighting
	walked, blind := 0, 0
	for _, id := range idspell.Walk(seeds, enumWalk) {
		if sees(p, inv, p.Op, prm, who, id.String()) {
			continue // its own or listed for it: no evidence either way
		}
		got, err := rd.get(ctx, who, at(id.String()))
		if err != nil {
			return quiet(err)
		}
		walked++
		t.walked++
		if got.Status == http.StatusTooManyRequests || got.Status == http.StatusServiceUnavailable {
			break // the API asks us to slow down: an enumeration is no reason to insist
		}
		s, ok := ownedObject(p.Op, prm, got, baseline)
		if !ok {
			if unjudgeable(got, baseline) {
				if blind++; blind >= maxBlind && len(seen) == 0 {
					break // objects here carry no owner field (or no JSON): walking on judges nothing
				}
			}
			continue
		}
		s.id = id
		t.judged = true
		seen = append(seen, s)
		proof, public, err := ownerOracle(ctx, p, rd, who, seen, at)
		if err != nil {
			return quiet(err)
		}
		if public {
			return nil // the anonymous caller reads it: public by design, no owner is wronged
		}
		if proof != nil {
			proof.walked, proof.seeds = walked, seeds
			if stateOf(p).claim("read " + p.Op.Key()) {
				reportOracle(p, prm, proof)
			}
			return nil
		}
	}
	return nil
}

// maxBlind is how many objects without an owner field a walk reads
// before it gives up: the same operation answers every id alike.
const maxBlind = 4

// onlyNonJSON says whether an operation documents its successful answers
// and none of them is JSON.
func onlyNonJSON(op *rampart.Operation) bool {
	typed := false
	for _, r := range op.Responses {
		if !strings.HasPrefix(r.Status, "2") || r.ContentType == "" {
			continue
		}
		if strings.Contains(r.ContentType, "json") {
			return false
		}
		typed = true
	}
	return typed
}

// unjudgeable says whether an answer carries an object that the owner
// oracle cannot judge: data, not the baseline, but no JSON object or no
// owner field in it.
func unjudgeable(got, baseline *engine.Response) bool {
	return holdings.DataAnswer(got) && (baseline == nil || string(got.Body) != string(baseline.Body))
}

// quiet ends a walk without failing the unit when the budget or the API's
// throttling stops it: what was read so far has been judged.
func quiet(err error) error {
	if errors.Is(err, check.ErrBudget) || errors.Is(err, engine.ErrThrottled) {
		return nil
	}
	return err
}

// personParam says whether a parameter names a person: walking it lists
// the members of a directory, which many APIs show every member.
func personParam(prm rampart.Param) bool {
	n := strings.ToLower(prm.Name)
	return holdings.Userish(prm.Name) || strings.Contains(n, "mail") || strings.Contains(n, "username")
}

// enumSeeds are the ids a walk starts from, in the API's spelling: the
// spec's example and default, the values the model and the inventory know
// for the parameter, and 1 (the first row of most tables) in the spelling
// of the first of them. A random UUID is no seed: nothing is issued next
// to it. Without any known value, plain integers from 1 are
// walked only when the spec says the parameter is an integer or its name
// says it is an id.
func enumSeeds(p *check.Pass, inv *holdings.Inventory, prm rampart.Param) []idspell.ID {
	var raw []string
	if prm.Example != nil {
		raw = append(raw, surface.Format(prm.Example))
	}
	if s := prm.Schema; s != nil {
		raw = append(raw, surface.Format(s.Example), surface.Format(s.Default))
	}
	for _, c := range p.Model.Values(p.Op, prm.Name, apimodel.Query{Limit: 8}) {
		raw = append(raw, c.Value)
	}
	for _, who := range p.Authenticated() {
		raw = append(raw, inv.Candidates(p.Op, prm, who)...)
	}
	var out []idspell.ID
	for _, r := range raw {
		if id, ok := idspell.Parse(r); ok && id.Steppable() && !slices.ContainsFunc(out, func(x idspell.ID) bool { return x.String() == r }) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		s := prm.Schema
		if !(s != nil && s.Type == "integer") && !holdings.IsIDKey(prm.Name) {
			return nil
		}
		one, _ := idspell.Parse("1")
		return []idspell.ID{one}
	}
	if one := out[0].At(1); !out[0].UUID && !slices.ContainsFunc(out, func(x idspell.ID) bool { return x.String() == one.String() }) {
		out = append(out, one)
	}
	return out
}

// ownedObject reads the owner field of an answer that carries one object
// other than the baseline's (the answer to an id that cannot exist).
func ownedObject(op *rampart.Operation, prm rampart.Param, got, baseline *engine.Response) (sighting, bool) {
	if !holdings.DataAnswer(got) || (baseline != nil && string(got.Body) == string(baseline.Body)) {
		return sighting{}, false
	}
	doc, ok := holdings.DecodeJSON(got.Body)
	if !ok {
		return sighting{}, false
	}
	m := holdings.ObjectIn(doc)
	if m == nil {
		return sighting{}, false
	}
	field, owner, ok := ownerField(m, op, prm)
	if !ok {
		return sighting{}, false
	}
	return sighting{field: field, owner: owner, got: got}, true
}

// ownerField is the first owner-like field of an object that is not the
// object's own key (an account's account_id under /accounts/{id}).
func ownerField(m map[string]any, op *rampart.Operation, prm rampart.Param) (string, string, bool) {
	thing := holdings.NormKey(collectionOf(op.Path, prm.Name))
	byNorm := map[string]string{}
	for k := range m {
		n := holdings.NormKey(k)
		if prev, dup := byNorm[n]; !dup || k < prev {
			byNorm[n] = k
		}
	}
	for _, n := range ownerFieldNames {
		k, ok := byNorm[n]
		if !ok || n == holdings.NormKey(prm.Name) || (thing != "" && (n == thing || n == thing+"id")) {
			continue
		}
		var v string
		switch x := m[k].(type) {
		case map[string]any:
			v, _ = holdings.IDOf(x)
		default:
			v, _ = holdings.Scalar(x)
		}
		if v != "" && len(v) <= 128 && v != "true" && v != "false" {
			return k, v, true
		}
	}
	return "", "", false
}

// collectionOf is the singular of the segment before a path parameter:
// "exam" for /exams/{score_card}; for a query parameter, of the path's last
// literal segment: "invoice" for /invoices?invoice_id=.
func collectionOf(path, param string) string {
	var seg string
	if i := strings.Index(path, "/{"+param+"}"); i >= 0 {
		seg = path[:i]
		if j := strings.LastIndex(seg, "/"); j >= 0 {
			seg = seg[j+1:]
		}
		if holdings.IsParam(seg) {
			return ""
		}
	} else {
		segs := strings.Split(strings.Trim(path, "/"), "/")
		for k := len(segs) - 1; k >= 0 && seg == ""; k-- {
			if !holdings.IsParam(segs[k]) {
				seg = segs[k]
			}
		}
	}
	switch low := strings.ToLower(seg); {
	case strings.HasSuffix(low, "ies") && len(low) > 4:
		return seg[:len(seg)-3] + "y"
	case strings.HasSuffix(low, "s") && !strings.HasSuffix(low, "ss"):
		return seg[:len(seg)-1]
	}
	return seg
}

// oracleProof is what the owner-field oracle concluded.
type oracleProof struct {
	who *identity.Identity
	// b is the last object read; a, when set, one of another owner.
	a, b       sighting
	anonA      *engine.Response
	anonB      *engine.Response
	confidence rampart.Confidence
	why        string
	walked     int
	seeds      []idspell.ID
}

// ownerOracle judges what one user read on its walk. Its answers name two
// owners: at least one object is not its own, so the operation does not
// check who owns what. The anonymous caller must be refused both objects
// (otherwise they are public by design: public is true). When the model knows the user's own id, one owner
// value naming someone else is enough and the proof is firm; a value that
// is its own or another configured identity's makes the two-owner proof
// firm too. Otherwise nothing says which of the two is someone else's, and
// the finding is tentative.
func ownerOracle(ctx context.Context, p *check.Pass, rd *reader, who *identity.Identity, seen []sighting, at func(string) string) (proof *oracleProof, public bool, err error) {
	last := seen[len(seen)-1]
	self := p.Model.Person(who)
	var partner *sighting
	for i := range seen[:len(seen)-1] {
		if seen[i].owner != last.owner && seen[i].field == last.field {
			partner = &seen[i]
			break
		}
	}
	foreign := userField(last.field) && comparable(last.owner, self) && !self.Matches(last.owner)
	if partner == nil && !foreign {
		return nil, false, nil
	}
	anonLast, err := rd.get(ctx, p.Anonymous(), at(last.id.String()))
	if err != nil {
		return nil, false, err
	}
	if holdings.DataAnswer(anonLast) {
		return nil, true, nil
	}
	pr := &oracleProof{who: who, b: last, anonB: anonLast, confidence: rampart.Tentative}
	if partner != nil {
		anonA, err := rd.get(ctx, p.Anonymous(), at(partner.id.String()))
		if err != nil {
			return nil, false, err
		}
		if holdings.DataAnswer(anonA) {
			return nil, true, nil
		}
		pr.a, pr.anonA = *partner, anonA
	}
	switch {
	case foreign && partner == nil:
		pr.confidence = rampart.Firm
		pr.why = fmt.Sprintf("the scan knows %s's own id, username or e-mail (from its %s), and the owner value %s is none of them: the object is someone else's",
			who.Name, self.From["id"]|self.From["username"]|self.From["email"], showOwner(last.owner))
	case self.Known() && (self.Matches(pr.a.owner) || self.Matches(last.owner)):
		pr.confidence = rampart.Firm
		pr.why = fmt.Sprintf("one of the two owner values is %s's own (the scan knows it from its %s), so the other object is someone else's",
			who.Name, self.From["id"]|self.From["username"]|self.From["email"])
	default:
		for _, other := range p.Authenticated() {
			if other == who {
				continue
			}
			if op := p.Model.Person(other); op.Known() && (op.Matches(pr.a.owner) || op.Matches(last.owner)) {
				pr.confidence = rampart.Firm
				pr.why = fmt.Sprintf("one of the owner values names %s, another identity of the scan", other.Name)
				break
			}
		}
		if pr.why == "" {
			pr.why = fmt.Sprintf("%s's own id is unknown to the scan, so which of the two is someone else's cannot be said; "+
				"an API that shows every member these objects by design would answer the same, hence tentative", who.Name)
		}
	}
	return pr, false, nil
}

// userField says whether an owner field names a user (not a customer,
// an account or a patient record, whose ids are not the user's).
func userField(field string) bool {
	switch holdings.NormKey(field) {
	case "user", "userid", "owner", "ownerid", "ownedby":
		return true
	}
	return false
}

// comparable says whether the person's known keys can name an owner
// value of this form: a number needs its numeric id, an e-mail address its
// e-mail, another string its username.
func comparable(v string, self apimodel.Person) bool {
	switch {
	case v == "":
		return false
	case isDigits(v):
		return isDigits(self.ID)
	case strings.Contains(v, "@"):
		return self.Email != ""
	}
	return self.Username != ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// showOwner writes an owner value for a message: numbers as they are, the
// rest masked (an e-mail address, an account number).
func showOwner(v string) string {
	if isDigits(v) {
		return v
	}
	return fmt.Sprintf("%q", holdings.Mask(v))
}

func idText(id idspell.ID) string {
	if id.Enc == idspell.Plain {
		return id.String()
	}
	return id.String() + " (" + id.Describe() + ")"
}

func reportOracle(p *check.Pass, prm rampart.Param, pr *oracleProof) {
	var what string
	if pr.a.got != nil {
		what = fmt.Sprintf("%s=%s has %s=%s and %s=%s has %s=%s: two owners, so at least one of them is not %s",
			prm.Name, idText(pr.a.id), pr.a.field, showOwner(pr.a.owner), prm.Name, idText(pr.b.id), pr.b.field, showOwner(pr.b.owner), pr.who.Name)
	} else {
		what = fmt.Sprintf("%s=%s has %s=%s", prm.Name, idText(pr.b.id), pr.b.field, showOwner(pr.b.owner))
	}
	var seeds []string
	for _, s := range pr.seeds {
		seeds = append(seeds, idText(s))
	}
	f := p.Finding(fmt.Sprintf("%s answers %s (a %s) with objects of other owners: %s. The anonymous caller is refused them (%d), "+
		"so they are not public; %s. No listing gave %s an id to try: Rampart read %d id(s) walked outward from %s (at most %d).",
		p.Op.Key(), pr.who.Name, pr.who.Role, what, pr.anonB.Status, pr.why, prm.Name, pr.walked, strings.Join(seeds, ", "), enumWalk))
	f.Location.URL, f.Location.Param = pr.b.got.RequestURL, prm.Name
	f.Confidence = pr.confidence
	if pr.a.got != nil {
		f.Evidence = evidence(p, pr.a.got, fmt.Sprintf("%s reads %s=%s: %s=%s", pr.who.Name, prm.Name, pr.a.id.String(), pr.a.field, showOwner(pr.a.owner)),
			pr.b.got, fmt.Sprintf("%s reads %s=%s: %s=%s", pr.who.Name, prm.Name, pr.b.id.String(), pr.b.field, showOwner(pr.b.owner)),
			pr.anonB, "the anonymous caller is refused the same object")
	} else {
		f.Evidence = evidence(p, pr.b.got, fmt.Sprintf("%s reads %s=%s: %s=%s", pr.who.Name, prm.Name, pr.b.id.String(), pr.b.field, showOwner(pr.b.owner)),
			pr.anonB, "the anonymous caller is refused the same object")
	}
	f.Curl = p.Curl(pr.b.got)
	if pr.a.got != nil {
		f.Related = []rampart.Related{related(p, p.Op, pr.a.got, "the same identity reads an object of another owner")}
	}
	f.Remediation = advise(p, adviceRead)
	p.Report(f)
}
