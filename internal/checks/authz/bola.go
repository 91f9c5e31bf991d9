package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/idspell"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// ReadBOLA is BOLA-001.
var ReadBOLA = check.Check{
	Meta: rampart.Meta{
		ID:       "BOLA-001",
		Family:   rampart.FamilyBOLA,
		Title:    "Object readable by an identity that does not own it",
		Severity: rampart.High,
		CWE:      "CWE-639",
		OWASP:    "API1:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "another user reads an object, and the answer carries data only its owner's own answer has",
		Detects: "Read operations that take an object id (path or query; in active mode also the id-like body field of a " +
			"read-like POST such as /orders/lookup) and return another identity's object. The ids " +
			"come from what each identity legitimately sees (its lists, its own reads, its user id from a \"me\" answer); " +
			"each is then requested by every other user, in both directions. A finding needs the attacker's 2xx answer to " +
			"carry values present in the owner's own answer and absent from everything the attacker sees as its own, " +
			"from the answer to an id that cannot exist and from the anonymous answer: so a public resource, an endpoint " +
			"that answers 200 with an error, an endpoint that ignores the id and returns the caller's own object, and an " +
			"object two users legitimately share (listed for both) are not reported. Admin identities are never the " +
			"attacker. With a single identity, adjacent ids (id±1, id±2) are probed instead, at lower confidence. When no " +
			"listing gives an id another identity owns (ids no operation lists, base64- or hex-encoded ids), the lowest-" +
			"privilege user walks ids of a path or query parameter near the known ones and judges the answers by their " +
			"owner field (user, user_id, " +
			"owner, customer_id, account_id…; not author or created_by): objects of two different owners read by one " +
			"user from an operation that refuses anonymous callers mean at least one is someone else's. Firm when the " +
			"scan knows the user's own id and an owner value is or is not it; tentative otherwise.",
		Requests: "Per operation and id parameter, for up to 4 owners and 3 ids each: the owner's read, the anonymous read " +
			"and one read per other user (at most 3), plus one read of an id that cannot exist per user: at most 63 " +
			"(budget 80). With one identity: its read, a baseline and up to 4 adjacent ids with their anonymous reads " +
			"for 2 ids. When no identity had an id another identity owns, the first user reads up to 64 ids walked outward " +
			"from the known ones and from 1 (in the API's spelling: base64, hex or plain), stopping at the first proof or " +
			"a 429, plus a baseline and 2 anonymous reads: at most 130 in all (budget 150). Shared with the other " +
			"authorization checks: one GET of each list operation per identity, once per scan.",
		Budget: 150,
		Fix: "Filter every object lookup by the caller in the query itself (`… WHERE id = %s AND owner_id = %s`, " +
			"with the owner from the session) and answer 404 when no row comes back. Never trust an id from the " +
			"URL as proof of ownership.",
		Doc: "docs/checks.md#bola-001",
	},
	Applies: func(op *rampart.Operation) bool {
		return (op.Method == http.MethodGet || len(bodyIDParams(op)) > 0) && !op.Public() && len(idParams(op)) > 0
	},
	Run: runRead,
}

// WriteBOLA is BOLA-002.
var WriteBOLA = check.Check{
	Meta: rampart.Meta{
		ID:       "BOLA-002",
		Family:   rampart.FamilyBOLA,
		Title:    "Object changed or deleted by an identity that does not own it",
		Severity: rampart.High,
		CWE:      "CWE-639",
		OWASP:    "API1:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "canary oracle: user A creates an object, user B reads, changes or deletes it, A's read-back proves it",
		Detects: "For every collection the scan can create in and delete from, user A creates an object whose text " +
			"fields carry a random canary (body synthesised from the spec); user B then reads it, changes it with each " +
			"declared PUT/PATCH/POST on the item (with a new marker) and deletes it. A read is reported only when B's " +
			"answer carries A's canary, a write only when A's own read-back shows B's marker, a delete only when A's " +
			"read-back says the object is gone. Writes that take an id but have no create (an upsert keyed by the path " +
			"id) are tested on A's own existing object: B writes a marker into one field, A reads it back, and A's " +
			"original value is written back at once. Objects the scan created are deleted by their owner at the end; " +
			"each finding says what was created, changed and removed.",
		Requests: "Per collection (at most 10): one create, B's read of its own list and of the object, per item " +
			"operation one request by B and one read-back by A, the delete and its read-back. Per upsert-style write " +
			"(at most 10): A's read, B's write, A's read-back, and A's write-back with its check. Budget 300 per scan.",
		Budget: 300,
		Fix: "Scope every write by the caller in the statement itself (`UPDATE … WHERE id = %s AND owner_id = %s " +
			"RETURNING id`, the same for DELETE) and answer 404 when no row comes back; an UPSERT keyed by a path " +
			"id must add `WHERE <table>.owner_id = excluded.owner_id` and take the owner from the session.",
		Doc: "docs/checks.md#bola-002",
	},
	Run:       runWrite,
	Exclusive: true,
}

// idParams are the parameters of an operation that name an object: every
// path parameter and the query parameters that look like ids.
func idParams(op *rampart.Operation) []rampart.Param {
	var out []rampart.Param
	for _, prm := range op.Params {
		switch {
		case prm.In == "path":
			out = append(out, prm)
		case prm.In == "query" && (holdings.IsIDKey(prm.Name) || holdings.Userish(prm.Name)):
			out = append(out, prm)
		}
	}
	return append(out, bodyIDParams(op)...)
}

// reader sends reads within one unit and remembers them: the same URL as
// the same identity is asked once.
type reader struct {
	p     *check.Pass
	cache map[string]*engine.Response
}

func newReader(p *check.Pass) *reader { return &reader{p: p, cache: map[string]*engine.Response{}} }

func (r *reader) get(ctx context.Context, who *identity.Identity, url string) (*engine.Response, error) {
	if who == nil {
		who = r.p.Anonymous()
	}
	key := who.Name + " " + url
	if resp, ok := r.cache[key]; ok {
		return resp, nil
	}
	req := &engine.Request{Method: http.MethodGet, URL: url}
	if u, body, ok := strings.Cut(url, postMark); ok {
		req = &engine.Request{Method: http.MethodPost, URL: u, Body: []byte(body), Header: http.Header{"Content-Type": {"application/json"}}}
	}
	resp, err := r.p.Send(ctx, who, req)
	if err != nil {
		return nil, err
	}
	r.cache[key] = resp
	return resp, nil
}

// postMark joins a read-like POST's URL and JSON body in one reader key
// (see target).
const postMark = "\x00POST\x00"

// target is what the reader asks for an operation with these values: the
// URL of a GET, or the URL and body of a read-like POST that takes the
// object's key in its body (POST /orders/lookup {"order_id": 7}).
func target(p *check.Pass, op *rampart.Operation, vals map[string]string) string {
	u := p.URL(op, vals)
	if op.Method != http.MethodPost {
		return u
	}
	body, _ := p.Body(op)
	m := map[string]any{}
	if len(body) > 0 && json.Unmarshal(body, &m) != nil {
		m = map[string]any{}
	}
	for _, prm := range bodyIDParams(op) {
		if v, ok := vals[prm.Name]; ok {
			m[prm.Name] = typed(v, prm.Schema)
		}
	}
	b, _ := json.Marshal(m)
	return u + postMark + string(b)
}

// typed writes a value as its schema wants it: a number for an integer.
func typed(v string, s *rampart.Schema) any {
	if s != nil && (s.Type == "integer" || s.Type == "number") {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return n
		}
	}
	return v
}

// readLikePost names POSTs that read: a lookup, a search, a query.
var readLikePost = lazyre.New(`(?i)(^|[/_\-.])(lookup|search|find|query|get|view|read|fetch|retrieve|show|details?|status|check)([/_\-.]|$)|^(lookup|search|find|query|get|view|read|fetch|retrieve|show)[A-Z]`)

// bodyIDParams are the id-like fields of a read-like POST's JSON body.
func bodyIDParams(op *rampart.Operation) []rampart.Param {
	if op.Method != http.MethodPost || op.Body == nil || op.Body.Schema == nil || !strings.Contains(op.Body.ContentType, "json") {
		return nil
	}
	if !readLikePost.MatchString(op.Path) && !readLikePost.MatchString(op.ID) {
		return nil
	}
	var out []rampart.Param
	for _, name := range slices.Sorted(maps.Keys(op.Body.Schema.Properties)) {
		if holdings.IsIDKey(name) || holdings.Userish(name) {
			out = append(out, rampart.Param{Name: name, In: "body", Schema: op.Body.Schema.Properties[name]})
		}
	}
	return out
}

func leavesOf(r *engine.Response) map[string]string {
	if r == nil {
		return nil
	}
	doc, ok := holdings.DecodeJSON(r.Body)
	if !ok {
		return nil
	}
	return holdings.Leaves(doc, nil)
}

// readProof is one identity reading another's object.
type readProof struct {
	owner, attacker *identity.Identity
	id              string
	own, got        *engine.Response
	hits            map[string]string
}

func anyStrong(hits map[string]string) bool {
	for v := range hits {
		if holdings.Strong(v) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Bounds of one read probe: ids per owner, owners, attackers. With them an
// operation costs at most 4 owners × 3 ids × (owner, anonymous, 3
// attackers) + 3 baselines = 63 requests per id parameter.
const (
	maxIDsPerOwner = 3
	maxOwners      = 4
	maxAttackers   = 3
)

func runRead(ctx context.Context, p *check.Pass) error {
	if p.Op.Method != http.MethodGet && p.Mode < rampart.Active {
		p.NotTested(rampart.ReasonNeedsActive, "a read-like POST is sent in active mode only")
		return nil
	}
	owners := p.Authenticated()
	if len(owners) == 0 {
		p.NotTested(rampart.ReasonNeedsIdentity, "no identity is configured")
		return nil
	}
	inv, err := holdings.Collect(ctx, p)
	if err != nil {
		return err
	}
	if len(owners) > maxOwners {
		owners = owners[:maxOwners]
	}
	rd := newReader(p)
	t := &tally{}
	for _, prm := range idParams(p.Op) {
		judged := t.judged
		t.judged = false
		var err error
		if len(owners) == 1 {
			err = adjacent(ctx, p, inv, rd, prm, owners[0], t)
		} else {
			err = crossRead(ctx, p, inv, rd, prm, owners, t)
		}
		if err == nil && !t.judged {
			// Nobody had an id another identity owns to try: walk ids.
			err = enumerate(ctx, p, inv, rd, prm, t)
		}
		t.judged = t.judged || judged
		if err != nil {
			return err
		}
	}
	t.declare(p)
	return nil
}

// fillOthers gives the operation's other path parameters the owner's own
// values, so /users/{uid}/notes/{nid} is asked with the owner's uid.
func fillOthers(p *check.Pass, inv *holdings.Inventory, op *rampart.Operation, prm rampart.Param, who *identity.Identity) map[string]string {
	vals := map[string]string{}
	for _, other := range op.Params {
		if other.In != "path" || other.Name == prm.Name {
			continue
		}
		if c := candidates(p, inv, op, other, who); len(c) > 0 {
			vals[other.Name] = c[0]
		}
	}
	return vals
}

func crossRead(ctx context.Context, p *check.Pass, inv *holdings.Inventory, rd *reader, prm rampart.Param, owners []*identity.Identity, t *tally) error {
	attackers := users(p)
	if len(attackers) > maxAttackers {
		attackers = attackers[:maxAttackers]
	}
	anon := p.Anonymous()
	var proofs []readProof
	done := map[[2]string]bool{}
	n := 0
	defer func() { t.values(prm.Name, n) }()
	for _, a := range owners {
		ids := candidates(p, inv, p.Op, prm, a)
		n += len(ids)
		if len(ids) > maxIDsPerOwner {
			ids = ids[:maxIDsPerOwner]
		}
		base := fillOthers(p, inv, p.Op, prm, a)
		for _, id := range ids {
			vals := copyVals(base)
			vals[prm.Name] = id
			u := target(p, p.Op, vals)
			own, err := rd.get(ctx, a, u)
			if err != nil {
				return err
			}
			t.own(a, own, holdings.DataAnswer(own))
			if !holdings.DataAnswer(own) {
				continue
			}
			ownL := leavesOf(own)
			anonR, err := rd.get(ctx, anon, u)
			if err != nil {
				return err
			}
			anonL := leavesOf(anonR)
			if holdings.DataAnswer(anonR) && overlaps(anonL, ownL) {
				t.judged = true
				continue // anonymous callers see it too: public, not a BOLA (missing-auth checks judge that)
			}
			for _, b := range attackers {
				if b == a || done[[2]string{a.Name, b.Name}] {
					continue
				}
				if sees(p, inv, p.Op, prm, b, id) || sharedWith(p, p.Op, prm, b) {
					t.judged = true
					continue // b legitimately sees this object too: shared
				}
				got, err := rd.get(ctx, b, u)
				if err != nil {
					return err
				}
				t.judged = true
				if !holdings.DataAnswer(got) || (documentsJSON(p.Op) && !check.IsJSON(got.Header)) {
					continue
				}
				if string(got.Body) != string(own.Body) && !check.SameShape(own.Body, got.Body) {
					continue // a reduced view (a public profile card), not the owner's object
				}
				bvals := copyVals(base)
				bvals[prm.Name] = holdings.ImpossibleID(prm, id)
				baseline, err := rd.get(ctx, b, target(p, p.Op, bvals))
				if err != nil {
					return err
				}
				// The baseline is the anonymous answer to this very request and
				// the answer to an id that cannot exist; values anonymous callers
				// see elsewhere are not subtracted, since another flaw (an open
				// export) would then hide this one.
				hits := ownerOnly(ownL, leavesOf(got), inv.Values(b), leavesOf(baseline), anonL)
				if !anyStrong(hits) || (personRead(p.Op, prm) && !privateHits(hits)) {
					continue
				}
				done[[2]string{a.Name, b.Name}] = true
				proofs = append(proofs, readProof{owner: a, attacker: b, id: id, own: own, got: got, hits: hits})
			}
		}
	}
	if len(proofs) == 0 {
		return nil
	}
	if !stateOf(p).claim("read " + p.Op.Key()) {
		return nil
	}
	reportRead(p, prm, proofs)
	return nil
}

// ownerOnly returns the values of the attacker's answer that only the
// owner's answer has: present in the owner's answer, and in none of the
// sets that the attacker may legitimately see.
func ownerOnly(own, got map[string]string, excluded ...any) map[string]string {
	hits := map[string]string{}
	for v, k := range got {
		if _, ok := own[v]; !ok {
			continue
		}
		skip := false
		for _, ex := range excluded {
			switch set := ex.(type) {
			case map[string]bool:
				skip = skip || set[v]
			case map[string]string:
				_, in := set[v]
				skip = skip || in
			}
		}
		if !skip {
			hits[v] = k
		}
	}
	return hits
}

func overlaps(a, b map[string]string) bool {
	for v := range a {
		if _, ok := b[v]; ok {
			return true
		}
	}
	return false
}

func copyVals(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func documentsJSON(op *rampart.Operation) bool {
	for _, r := range op.Responses {
		if strings.HasPrefix(r.Status, "2") && strings.Contains(r.ContentType, "json") {
			return true
		}
	}
	return false
}

func reportRead(p *check.Pass, prm rampart.Param, proofs []readProof) {
	first := proofs[0]
	conf := rampart.Firm
	var dirs []string
	for i, pr := range proofs {
		if len(pr.hits) >= 2 {
			conf = rampart.Confirmed
		}
		if i == 3 {
			dirs = append(dirs, fmt.Sprintf("and %d more pair(s) of identities (see the evidence)", len(proofs)-3))
		}
		if i >= 3 {
			continue
		}
		dirs = append(dirs, fmt.Sprintf("%s read %s's object %s=%s, and the answer carries %d value(s) that only %s's own answer has (%s)",
			pr.attacker.Name, pr.owner.Name, prm.Name, pr.id, len(pr.hits), pr.owner.Name, describeHits(pr.hits, 4)))
	}
	f := p.Finding(fmt.Sprintf("%s does not check who owns the object: %s. None of these values is in anything %s sees as its own, "+
		"in the answer to an id that cannot exist, or in the anonymous answer.",
		p.Op.Key(), strings.Join(dirs, "; "), first.attacker.Name))
	f.Location.URL = first.got.RequestURL
	f.Location.Param = prm.Name
	f.Confidence = conf
	f.Evidence = evidence(p, first.own, first.owner.Name+" (the owner) reads its own object",
		first.got, first.attacker.Name+" reads "+first.owner.Name+"'s object with its own credentials")
	for _, pr := range proofs[1:] {
		f.Evidence = append(f.Evidence, p.Evidence(pr.got, pr.attacker.Name+" reads "+pr.owner.Name+"'s object"))
	}
	f.Curl = p.Curl(first.got)
	f.Related = []rampart.Related{related(p, p.Op, first.own, "the owner's own request")}
	f.Remediation = advise(p, adviceRead)
	p.Report(f)
}

// adjacent probes the ids next to the single identity's own, for APIs
// scanned with one account. Without a second identity's view the proof is
// weaker: the neighbour's answer must have the shape of the caller's own
// object and carry values the caller never sees; an owner field naming
// someone else makes it firm, otherwise it stays tentative.
func adjacent(ctx context.Context, p *check.Pass, inv *holdings.Inventory, rd *reader, prm rampart.Param, a *identity.Identity, t *tally) error {
	mine := candidates(p, inv, p.Op, prm, a)
	t.values(prm.Name, len(mine))
	anon := p.Anonymous()
	tried := 0
	for _, id := range mine {
		sp, ok := idspell.Parse(id) // plain, base64 or hex of an integer: neighbours in the same spelling
		if !ok || sp.UUID || tried >= 2 {
			continue
		}
		tried++
		base := fillOthers(p, inv, p.Op, prm, a)
		vals := copyVals(base)
		vals[prm.Name] = id
		own, err := rd.get(ctx, a, target(p, p.Op, vals))
		if err != nil {
			return err
		}
		t.own(a, own, holdings.DataAnswer(own))
		if !holdings.DataAnswer(own) {
			continue
		}
		vals[prm.Name] = holdings.ImpossibleID(prm, id)
		if sp.Enc != idspell.Plain {
			vals[prm.Name] = sp.At(987654321).String()
		}
		baseline, err := rd.get(ctx, a, target(p, p.Op, vals))
		if err != nil {
			return err
		}
		for _, d := range []int64{1, -1, 2, -2} {
			next, ok := sp.Step(d)
			ns := next.String()
			if n, _ := next.Int(); !ok || n == 0 || contains(mine, ns) {
				continue
			}
			vals[prm.Name] = ns
			u := target(p, p.Op, vals)
			got, err := rd.get(ctx, a, u)
			if err != nil {
				return err
			}
			t.judged = true
			if !holdings.DataAnswer(got) || !check.SameShape(own.Body, got.Body) {
				continue
			}
			anonR, err := rd.get(ctx, anon, u)
			if err != nil {
				return err
			}
			if holdings.DataAnswer(anonR) {
				continue // public
			}
			gl := leavesOf(got)
			hits := ownerOnly(gl, gl, inv.Values(a), leavesOf(anonR), leavesOf(baseline), leavesOf(own))
			if !anyStrong(hits) {
				continue
			}
			conf := rampart.Tentative
			why := "no owner field in the answer says whose it is"
			if doc, ok := holdings.DecodeJSON(got.Body); ok {
				if m := holdings.ObjectIn(doc); m != nil {
					if o, ok := holdings.OwnerOf(m); ok && inv.SelfID(a) != "" && o != inv.SelfID(a) {
						conf = rampart.Firm
						why = fmt.Sprintf("its owner field says %s while %s is %s", o, a.Name, inv.SelfID(a))
					}
				}
			}
			if !stateOf(p).claim("read " + p.Op.Key()) {
				return nil
			}
			f := p.Finding(fmt.Sprintf("%s answers %s with an object next to its own (%s=%s, its own is %s) that carries %d value(s) %s "+
				"never sees as its own (%s); %s. Only one identity was configured, so ownership is inferred: configure a second "+
				"user to confirm.", p.Op.Key(), a.Name, prm.Name, ns, id, len(hits), a.Name, describeHits(hits, 4), why))
			f.Location.URL, f.Location.Param = got.RequestURL, prm.Name
			f.Confidence = conf
			f.Evidence = evidence(p, own, a.Name+" reads its own object", got, a.Name+" reads the adjacent id")
			f.Curl = p.Curl(got)
			f.Related = []rampart.Related{related(p, p.Op, own, "the caller's own object")}
			f.Remediation = advise(p, adviceRead)
			p.Report(f)
			return nil
		}
	}
	return nil
}

// pairs are (owner, attacker) combinations for write tests, users first:
// an admin is an owner only when there is a single user, and never an
// attacker (admins may legitimately change anything). The scan's throwaway
// victims, when it signed some up, own first: what the attacker changes or
// deletes is then theirs.
func pairs(p *check.Pass) [][2]*identity.Identity {
	us := users(p)
	var out [][2]*identity.Identity
	if len(us) >= 1 {
		for _, v := range fixture.Victims(p) {
			out = append(out, [2]*identity.Identity{v, us[0]})
		}
	}
	if len(us) >= 2 {
		out = append(out, [2]*identity.Identity{us[0], us[1]}, [2]*identity.Identity{us[1], us[0]})
	}
	if adm := admin(p); adm != nil && len(us) >= 1 {
		out = append(out, [2]*identity.Identity{adm, us[0]})
	}
	return out
}

// adminResource says whether a collection belongs to the admin role: write
// tests there are BFLA-002's.
func adminResource(r *fixture.Resource) bool {
	for _, op := range []*rampart.Operation{r.Create, r.Get, r.Put, r.Patch, r.Delete, r.Post} {
		if op != nil && AdminReason(op) != "" {
			return true
		}
	}
	return false
}

func runWrite(ctx context.Context, p *check.Pass) error {
	if len(pairs(p)) == 0 {
		if len(users(p)) == 0 {
			needUser(p)
		} else {
			p.NotTested(rampart.ReasonNeedsSecondUser, "needs a second user-role identity ("+configured(p)+")")
		}
		return nil
	}
	inv, err := holdings.Collect(ctx, p)
	if err != nil {
		return err
	}
	var errs []error
	var made creates
	var valueless []string // item parameters no owner had a value for
	rounds := 0
	for _, res := range surfaceOf(p).resources {
		if res.Nested() {
			continue
		}
		if rounds++; rounds > fixture.MaxCollections {
			break
		}
		covered := map[string]bool{}
		// An admin-only create or delete keeps the canary round away, not
		// the owner's own writes to its object (PATCH /employees/{id}).
		if res.Removable() && !adminResource(res) {
			err := canaryRound(ctx, p, res, covered, &made)
			if err != nil {
				errs = append(errs, err)
				if errors.Is(err, check.ErrBudget) || ctx.Err() != nil {
					break
				}
			}
		}
		if res.Get == nil || AdminReason(res.Get) != "" {
			continue
		}
		for _, op := range []*rampart.Operation{res.Put, res.Patch, res.Post} {
			if op == nil || covered[op.Method] || AdminReason(op) != "" {
				continue
			}
			if err := overwriteRound(ctx, p, inv, res, op, &valueless); err != nil {
				errs = append(errs, err)
				if errors.Is(err, check.ErrBudget) || ctx.Err() != nil {
					return errors.Join(errs...)
				}
			}
		}
	}
	switch {
	case rounds == 0:
		p.NotApplicable("no collection of objects with an item read or write")
	case len(valueless) > 0 && len(made.tried) == 0:
		p.NotTested(rampart.ReasonNoValues, "no values that a user owns for "+strings.Join(valueless, ", "))
	case !made.declare(p):
		p.NotApplicable("no write of one user's object outside the admin collections")
	}
	return errors.Join(errs...)
}

// canaryRound creates an object as an owner and lets another user read,
// change and delete it. covered collects the methods it could test.
func canaryRound(ctx context.Context, p *check.Pass, res *fixture.Resource, covered map[string]bool, made *creates) error {
	for _, pr := range pairs(p) {
		owner, attacker := pr[0], pr[1]
		o, resp, err := fixture.Create(ctx, p, res, owner)
		if err != nil {
			return err
		}
		made.record(res.Create, owner, resp)
		if o == nil {
			continue // this owner cannot create here; try the next pair
		}
		res, err := canaryProbes(ctx, p, o, attacker, covered)
		if err == nil {
			p.Tested() // the attacker's answers on the owner's object are in
		}
		o.Remove(ctx, p)
		if o.Failed() != "" {
			err = errors.Join(err, errors.New(o.Story()))
		}
		reportCanary(p, o, attacker, res)
		return err
	}
	return nil
}

// canaryResult is what the attacker managed on a created object. Findings
// are written after cleanup, so that they can say what the scan left.
type canaryResult struct {
	read   *engine.Response // attacker's read that carried the canary
	writes []*fixture.Proof
	del    *fixture.Proof
}

func canaryProbes(ctx context.Context, p *check.Pass, o *fixture.Object, attacker *identity.Identity, covered map[string]bool) (*canaryResult, error) {
	res := &canaryResult{}
	if o.Res.List != nil {
		// On a collaborative API the new object shows up in the attacker's
		// own list: then it is shared by design and nothing here is a BOLA.
		shared, err := listedFor(ctx, p, o, attacker)
		if err != nil {
			return res, err
		}
		if shared {
			return res, nil
		}
	}
	if o.Res.Get != nil {
		got, err := p.Send(ctx, attacker, &engine.Request{Method: http.MethodGet, URL: o.URL})
		if err != nil {
			return res, err
		}
		if holdings.DataAnswer(got) && holdings.ContainsFold(got.Body, o.Canary) {
			res.read = got
		}
	}
	for _, op := range []*rampart.Operation{o.Res.Put, o.Res.Patch, o.Res.Post} {
		if op == nil {
			continue
		}
		proof, err := o.Update(ctx, p, op, op.Method, attacker)
		if err != nil {
			return res, err
		}
		covered[op.Method] = true
		if proof != nil {
			res.writes = append(res.writes, proof)
		}
	}
	if o.Res.Delete != nil {
		proof, err := o.Delete(ctx, p, http.MethodDelete, attacker)
		if err != nil {
			return res, err
		}
		covered[http.MethodDelete] = true
		res.del = proof
	}
	return res, nil
}

func reportCanary(p *check.Pass, o *fixture.Object, attacker *identity.Identity, res *canaryResult) {
	if res == nil {
		return
	}
	story := o.Story()
	if res.read != nil && stateOf(p).claim("read "+o.Res.Get.Key()) {
		f := p.Meta.NewFinding(rampart.Location{Method: http.MethodGet, Path: o.Res.Get.Path, URL: res.read.RequestURL, Param: o.Res.Param},
			fmt.Sprintf("%s returns %s's %s to %s: the answer carries the canary %s that only %s wrote. %s",
				o.Res.Get.Key(), o.Owner.Name, o.Noun(), attacker.Name, o.Canary, o.Owner.Name, story))
		f.Confidence = rampart.Confirmed
		f.Evidence = evidence(p, o.Created, o.Owner.Name+" creates the object with a canary", res.read, attacker.Name+" reads it")
		f.Curl = engine.CurlNote(p.Curl(res.read), o.ReplayNote())
		f.Related = []rampart.Related{related(p, o.Res.Create, o.Created, "the owner's create request")}
		f.Remediation = advise(p, adviceRead)
		p.Report(f)
	}
	for _, w := range res.writes {
		op := o.Res.Op(w.Method)
		f := p.Meta.NewFinding(rampart.Location{Method: w.Method, Path: op.Path, URL: w.Attack.RequestURL, Param: o.Res.Param},
			fmt.Sprintf("%s lets %s change %s's %s: after %s's %s (answered %d), %s's own read-back shows the marker %s. %s",
				op.Key(), w.Attacker.Name, o.Owner.Name, o.Noun(), w.Attacker.Name, w.Method, w.Attack.Status, o.Owner.Name, w.Marker, story))
		f.Confidence = rampart.Confirmed
		f.Evidence = evidence(p, o.Created, o.Owner.Name+" creates the object", w.Attack, w.Attacker.Name+" changes it",
			w.After, o.Owner.Name+" reads it back: the attacker's marker is there")
		f.Curl = engine.CurlNote(p.Curl(w.Attack), o.ReplayNote())
		f.Related = []rampart.Related{related(p, o.Res.Get, w.After, "the owner's read-back")}
		f.Remediation = advise(p, adviceWrite)
		p.Report(f)
	}
	if d := res.del; d != nil {
		op := o.Res.Delete
		f := p.Meta.NewFinding(rampart.Location{Method: op.Method, Path: op.Path, URL: d.Attack.RequestURL, Param: o.Res.Param},
			fmt.Sprintf("%s lets %s delete %s's %s: after %s's DELETE (answered %d), %s's read-back answers %d. %s",
				op.Key(), d.Attacker.Name, o.Owner.Name, o.Noun(), d.Attacker.Name, d.Attack.Status, o.Owner.Name, d.After.Status, story))
		f.Confidence = rampart.Confirmed
		f.Evidence = evidence(p, o.Created, o.Owner.Name+" creates the object", d.Attack, d.Attacker.Name+" deletes it",
			d.After, o.Owner.Name+" reads it back: gone")
		f.Curl = engine.CurlNote(p.Curl(d.Attack), o.ReplayNote())
		f.Related = []rampart.Related{related(p, nil, d.After, "the owner's read-back")}
		f.Remediation = advise(p, adviceWrite)
		p.Report(f)
	}
}

// overwriteRound tests a write on the owner's existing object, for
// writes the canary round could not cover (no create, or an upsert).
func overwriteRound(ctx context.Context, p *check.Pass, inv *holdings.Inventory, res *fixture.Resource, op *rampart.Operation, valueless *[]string) error {
	prm := rampart.Param{Name: res.Param, In: "path"}
	valued := false
	defer func() {
		if !valued && !slices.Contains(*valueless, "{"+res.Param+"}") {
			*valueless = append(*valueless, "{"+res.Param+"}")
		}
	}()
	for _, pr := range pairs(p) {
		owner, attacker := pr[0], pr[1]
		for i, id := range candidates(p, inv, res.Get, prm, owner) {
			valued = true
			if i >= 2 {
				break
			}
			if ownsToo(p, inv, res.Get, prm, attacker, id) {
				continue // shared: the attacker may legitimately write it
			}
			proof, sent, err := fixture.Overwrite(ctx, p, op, res.Get, map[string]string{res.Param: id}, owner, attacker)
			if err != nil {
				return err
			}
			if sent {
				p.Tested()
			}
			if proof == nil {
				if sent {
					return nil // the write was refused or had no effect: the answer is in
				}
				continue
			}
			kind := adviceWrite
			if op.Method == http.MethodPost || op.Method == http.MethodPut {
				kind = adviceUpsert
			}
			f := p.Meta.NewFinding(rampart.Location{Method: op.Method, Path: op.Path, URL: proof.Attack.RequestURL, Param: res.Param},
				fmt.Sprintf("%s lets %s write to %s's object %s=%s: after %s's %s (answered %d), %s's own read-back shows the marker %s in %s. "+
					"Nothing was created; %s.", op.Key(), attacker.Name, owner.Name, res.Param, id, attacker.Name, op.Method, proof.Attack.Status,
					owner.Name, proof.Marker, proof.Field, proof.Restored))
			f.Confidence = rampart.Confirmed
			f.Evidence = evidence(p, proof.Before, owner.Name+" reads its own object", proof.Attack, attacker.Name+" writes to it",
				proof.After, owner.Name+" reads it back: the attacker's marker is there")
			f.Curl = p.Curl(proof.Attack)
			f.Related = []rampart.Related{related(p, res.Get, proof.After, "the owner's read-back")}
			f.Remediation = adviseOp(p, kind, op)
			p.Report(f)
			return nil
		}
	}
	return nil
}
