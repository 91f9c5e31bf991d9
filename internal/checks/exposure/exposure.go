// Package exposure finds sensitive data in API answers: password hashes and
// plaintext passwords, secrets of well-known formats, card numbers with
// their CVV or expiry, other people's tokens and API keys, and personal
// data (e-mail addresses, phone numbers, Luhn-valid card numbers, national
// ids) served to callers who should not see it — in read answers, in the
// answers of the identities' own login flows, and in the payloads of the
// JWTs those answers carry. Evidence is masked: the report must not leak
// what the API leaked.
package exposure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/whoami"
)

const requests = "Per read operation, shared by DATA-001 to DATA-006: one GET without credentials and one as the " +
	"first user-role identity, and, when the operation's path parameters are named like values an identity owns " +
	"(its e-mail, the card or account numbers its login answer lists), one GET of its own object as each of up " +
	"to two users (2-4 requests). Once per scan, each identity's login flow is sent again (at most 4, allowed in " +
	"safe mode like any login) to read its answer; login operations are judged on those answers, and in active " +
	"mode a login-like POST no flow uses (a second token endpoint) gets one identity's own credentials once. DATA-003 reuses " +
	"the identities' \"who am I\" answers (shared, up to 16 GETs once per scan) to tell a caller's own data from " +
	"other people's."

// Budget is the worst case of requests for one unit: the reads, the login
// answers and the "who am I" answers, which ever unit asks first pays for.
const budget = 4 + maxLogins + 16

// Hashes is DATA-001.
var Hashes = check.Check{
	Meta: rampart.Meta{
		ID: "DATA-001", Family: rampart.FamilyDataExposure, Title: "Password hashes in responses",
		Severity: rampart.High, CWE: "CWE-522", OWASP: "API3:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "an answer carries password hashes (bcrypt, PBKDF2, Argon2, scrypt, crypt or bare hex digests)",
		Detects: "Password hashes in any answer, to any caller, login answers included: bcrypt, Argon2, scrypt, " +
			"Werkzeug's pbkdf2:/scrypt: (what generate_password_hash stores), Django's and passlib's formats, " +
			"SHA/MD5-crypt, and unsalted hex digests under a password-like key. Usually a `SELECT *` row returned with " +
			"`dict(row)`: offline cracking then needs no rate limit. Values are masked in the report.",
		Requests: requests, Budget: budget,
		Fix: "Return an explicit view of the row, never `dict(row)` of `SELECT *`: select only the public columns " +
			"(`SELECT id, username, display_name FROM users WHERE id = %s`) or serialise with a schema that lists " +
			"fields (marshmallow `fields` / `load_only=(\"password_hash\",)`). Rotate the exposed hashes' passwords.",
		Doc: "docs/checks.md#data-001",
	},
	Applies: applies,
	Group:   "exposure",
	Run:     reporter(classHash),
}

// Secrets is DATA-002.
var Secrets = check.Check{
	Meta: rampart.Meta{
		ID: "DATA-002", Family: rampart.FamilyDataExposure, Title: "Secrets in responses",
		Severity: rampart.High, CWE: "CWE-200", OWASP: "API3:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "an answer carries a private key or an API key of a well-known format",
		Detects: "PEM private keys and API keys whose format the issuer fixes (AWS access key ids, GitHub, Slack, " +
			"Stripe live, Google, SendGrid and OpenAI keys) in any answer, to any caller. Values are masked.",
		Requests: requests, Budget: budget,
		Fix: "Keep credentials in configuration read by the server (environment or a secret manager), never in " +
			"rows or settings the API returns; filter them out of serialisers, then rotate every exposed key.",
		Doc: "docs/checks.md#data-002",
	},
	Applies: applies,
	Group:   "exposure",
	Run:     reporter(classSecret),
}

// PII is DATA-003.
var PII = check.Check{
	Meta: rampart.Meta{
		ID: "DATA-003", Family: rampart.FamilyDataExposure, Title: "Personal data exposed",
		Severity: rampart.Medium, CWE: "CWE-359", OWASP: "API3:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "e-mail addresses, phone numbers, card numbers or national ids of other people are returned",
		Detects: "Personal data in records that describe a person (an id or a name next to it): e-mail addresses, " +
			"phone numbers (under a phone-like key), card numbers (Luhn-valid, in an issuer's range, under a card " +
			"key or written in groups of four) and national ids in context (SSN, NINO, passport, tax id keys). " +
			"Reported when served to an anonymous caller, or to a user-role identity when the record is not the " +
			"caller's own (known from the identity's \"who am I\" answer; without it, only several people's data " +
			"in one answer counts; an object read with the identity's own values, and its own login answer, are " +
			"its own). Administrators' answers are not judged. OpenAPI documents are ignored. Card numbers and " +
			"national ids are high. Values are masked.",
		Requests: requests, Budget: budget,
		Fix: "Return only the fields the caller needs and is entitled to (a public view without contact details), " +
			"filter every query by the caller, and mask what must be shown: card numbers to their last four " +
			"digits, national identifiers to their last characters.",
		Doc: "docs/checks.md#data-003",
	},
	Applies: applies,
	Group:   "exposure",
	Run:     reporter(classPII),
}

// Plaintext is DATA-004.
var Plaintext = check.Check{
	Meta: rampart.Meta{
		ID: "DATA-004", Family: rampart.FamilyDataExposure, Title: "Plaintext passwords in responses",
		Severity: rampart.Critical, CWE: "CWE-256", OWASP: "API3:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "an answer carries a password (or a security answer) as the user typed it, not a hash",
		Detects: "A field named like a password (`password`, `passwd`, `pwd`, `passphrase`; not `password_changed_at`, " +
			"`has_password`, `password_policy` and the like) or a security-question answer whose value is no hash " +
			"and no placeholder (`********`, `[hidden]`, `null`), in any answer, login answers and JWT payloads " +
			"included, to any caller, the owner too: a service that can show a password stores it recoverably. " +
			"Confirmed when the value is the login password of one of the scan's identities (which the message " +
			"names), firm otherwise. Values are masked.",
		Requests: requests, Budget: budget,
		Fix: "Store only a slow salted hash (`werkzeug.security.generate_password_hash`, passlib's argon2 or bcrypt) " +
			"and never return it or the password: drop password fields from every serialiser. Force a reset of the " +
			"exposed accounts' passwords.",
		Doc: "docs/checks.md#data-004",
	},
	Applies: applies,
	Group:   "exposure",
	Run:     reporter(classPlaintext),
}

// Cards is DATA-005.
var Cards = check.Check{
	Meta: rampart.Meta{
		ID: "DATA-005", Family: rampart.FamilyDataExposure, Title: "Card numbers with CVV or expiry in responses",
		Severity: rampart.Critical, CWE: "CWE-312", OWASP: "API3:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "a full card number is returned with its CVV or its expiry date",
		Detects: "A record holding a full card number (Luhn-valid, in an issuer's range; `**** 1111` is masked and " +
			"fine) next to a card verification code (`cvv`, `cvc`, `security_code`: 3 or 4 digits) or an expiry " +
			"(`expiry`, `exp_date`, `valid_thru`, or `exp_month` with `exp_year`), in any answer, to any caller, the " +
			"card's owner too: PCI DSS forbids storing the CVV once a payment is authorised, and the number with " +
			"its expiry is what a fraudulent payment needs. Critical with the CVV, high with the expiry only. Values " +
			"are masked.",
		Requests: requests, Budget: budget,
		Fix: "Never store the CVV; keep card numbers in the payment processor's vault and store its token; return " +
			"only the brand, the last four digits and the expiry month in views.",
		Doc: "docs/checks.md#data-005",
	},
	Applies: applies,
	Group:   "exposure",
	Run:     reporter(classCard),
}

// Tokens is DATA-006.
var Tokens = check.Check{
	Meta: rampart.Meta{
		ID: "DATA-006", Family: rampart.FamilyDataExposure, Title: "Other people's tokens or API keys in responses",
		Severity: rampart.High, CWE: "CWE-522", OWASP: "API3:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "an answer hands out another account's API key, session or access token, or secret",
		Detects: "Values under credential keys (`api_key`, `token`, `access_token`, `refresh_token`, `session_id`, " +
			"`client_secret`, `otp_secret`, reset tokens; not CSRF tokens or pagination cursors) that look like " +
			"credentials (16 characters or more, letters and digits), in JWT payloads too, when they are not the " +
			"caller's: confirmed when the value is another scan identity's credential (the message names whose), " +
			"firm when an anonymous caller gets any in a person's record or one answer holds several people's. The " +
			"caller's own token in its own login answer or object is not reported. Values are masked.",
		Requests: requests, Budget: budget,
		Fix: "Return a credential only to its owner, once, when it is created; store API keys and tokens hashed " +
			"(compare digests) and leave them out of every serialiser of users and sessions. Revoke the exposed ones.",
		Doc: "docs/checks.md#data-006",
	},
	Applies: applies,
	Group:   "exposure",
	Run:     reporter(classToken),
}

// applies selects read operations and logins: the answers of the
// identities' login flows are judged at the operation they post to.
func applies(op *rampart.Operation) bool { return readOp(op) || loginOp(op) }

func readOp(op *rampart.Operation) bool { return op.Method == http.MethodGet }

func loginOp(op *rampart.Operation) bool {
	if op.Method != http.MethodPost {
		return false
	}
	for _, w := range keyWords(op.Path + " " + op.ID) {
		switch w {
		case "login", "logon", "signin", "auth", "authenticate", "token", "tokens", "session", "sessions", "jwt":
			return true
		}
	}
	return false
}

// answer is one fetched response, who asked and what its body holds: the
// checks read the same answers, scanned once.
type answer struct {
	resp  *engine.Response // an excerpt
	who   *identity.Identity
	found []hit
	// own: the answer is the caller's own object (read with its own
	// values, or its login answer).
	own   bool
	login bool
}

// fetched is what the checks of the package read on one operation, and
// why there is nothing to read when there is not: the answers are fetched
// by whichever check runs first, so the others cannot tell from their own
// requests.
type fetched struct {
	answers []answer
	// refusal is the answer that stopped the fetch: the first user's, else
	// the last one (nil when answers were read or nothing came back).
	refusal   *engine.Response
	refusedTo *identity.Identity
	// lost is the first request of the fetch that got no answer: the
	// sibling units that did not send it learn from it why they read
	// nothing (a throttled route, a timeout).
	lost error
}

// declare says a unit's coverage: tested when it read an answer, else why
// there was none.
func (f *fetched) declare(p *check.Pass) {
	switch {
	case f == nil:
	case len(f.answers) > 0:
		p.Tested()
	case !readOp(p.Op) && len(p.Authenticated()) == 0:
		p.NotTested(rampart.ReasonNeedsIdentity, "no identity to log in with")
	case !readOp(p.Op):
		p.NotApplicable("not the login of a configured identity")
	case f.refusal != nil:
		p.NotTestedBy(p.Op, f.refusedTo, f.refusal.Status, f.refusal.Body)
	case errors.Is(f.lost, engine.ErrThrottled):
		p.NotTested(rampart.ReasonThrottled, f.lost.Error())
	case f.lost != nil:
		p.NotTested(rampart.ReasonError, "no answer to read: "+f.lost.Error())
	default:
		p.NotTested(rampart.ReasonError, "no answer to read")
	}
}

func fetch(ctx context.Context, p *check.Pass) ([]answer, error) {
	v, err := p.OnceOp("data-exposure", func() (any, error) {
		las := loginAnswers(ctx, p)
		if !readOp(p.Op) {
			var out []answer
			for _, la := range las {
				if la.matches(p.Op) {
					out = append(out, answer{resp: la.resp, who: la.id, found: la.found, own: true, login: true})
				}
			}
			if len(out) == 0 {
				la, err := exchange(ctx, p, p.Op)
				if la != nil {
					out = append(out, answer{resp: la.resp, who: la.id, found: la.found, own: true, login: true})
				}
				return &fetched{answers: out}, err
			}
			return &fetched{answers: out}, nil
		}
		var out []answer
		res := &fetched{}
		get := func(id *identity.Identity, u string, own bool) error {
			resp, err := p.Get(ctx, id, u, nil)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if res.lost == nil {
					res.lost = err
				}
				return nil
			}
			if resp.Status >= 200 && resp.Status <= 299 {
				out = append(out, answer{resp: p.Excerpt(resp), who: id, found: scan(resp.Body), own: own})
			} else if res.refusal == nil || res.refusedTo == nil || res.refusedTo.IsAnonymous() {
				// A user's refusal says more than the anonymous one.
				res.refusal, res.refusedTo = p.Excerpt(resp), id
			}
			return nil
		}
		var users []*identity.Identity
		for _, id := range p.Authenticated() {
			if id.Role == identity.RoleUser {
				users = append(users, id)
			}
		}
		def := p.URL(p.Op, nil)
		ids := []*identity.Identity{p.Anonymous()}
		if len(users) > 0 {
			ids = append(ids, users[0])
		}
		sent := map[string]bool{} // identity and URL: each read once
		for _, id := range ids {
			// p.URL completes the path with values the API showed, the
			// first user's own first: a user's read with its own values is
			// its own object, whose personal data is not a leak.
			u, own := def, false
			if mine, ok := mineValues(p, id); ok {
				u, own = p.URL(p.Op, mine), true
			}
			sent[id.Name+" "+u] = true
			if err := get(id, u, own); err != nil {
				res.answers = out
				return res, err
			}
		}
		// Each user's own object, where its values name one.
		for _, id := range users[:min(2, len(users))] {
			vals, ok := ownFor(las, id).fill(p.Op)
			if !ok {
				continue
			}
			if u := p.URL(p.Op, vals); u != def && !sent[id.Name+" "+u] {
				sent[id.Name+" "+u] = true
				if err := get(id, u, true); err != nil {
					res.answers = out
					return res, err
				}
			}
		}
		res.answers = out
		return res, nil
	})
	f, _ := v.(*fetched)
	f.declare(p)
	if f == nil {
		return nil, err
	}
	return f.answers, err
}

// mineValues are the identity's own values for every path parameter of
// the operation, as the API model knows them; false when one is missing
// (or the identity is anonymous).
func mineValues(p *check.Pass, id *identity.Identity) (map[string]string, bool) {
	if id.IsAnonymous() {
		return nil, false
	}
	vals := map[string]string{}
	for _, prm := range p.Op.Params {
		if prm.In != "path" {
			continue
		}
		cs := p.Model.Values(p.Op, prm.Name, apimodel.Query{As: id, Owner: apimodel.Mine, Limit: 1})
		if len(cs) == 0 {
			return nil, false
		}
		vals[prm.Name] = cs[0].Value
	}
	return vals, len(vals) > 0
}

func reporter(c class) func(ctx context.Context, p *check.Pass) error {
	return func(ctx context.Context, p *check.Pass) error {
		answers, err := fetch(ctx, p)
		for _, a := range answers {
			found := a.found
			hits := filter(found, c)
			switch c {
			case classPII:
				hits = notOwn(ctx, p, a, hits)
			case classToken:
				hits = othersCredentials(p, a, hits)
			}
			if len(hits) == 0 {
				continue
			}
			report(p, a, c, hits, found)
			return nil // one finding per operation: the most exposed caller first
		}
		return err
	}
}

func filter(hs []hit, c class) []hit {
	var out []hit
	for _, h := range hs {
		if h.class == c {
			out = append(out, h)
		}
	}
	return out
}

// notOwn keeps the personal data the caller should not see: everything,
// for an anonymous caller; for a user, records that are not theirs.
func notOwn(ctx context.Context, p *check.Pass, a answer, hits []hit) []hit {
	if a.own {
		return nil
	}
	var persons []hit
	for _, h := range hits {
		if h.record != nil && isPerson(h.record) && !h.jwt {
			persons = append(persons, h)
		}
	}
	if len(persons) == 0 || a.who.IsAnonymous() {
		return persons
	}
	if a.who.Role != identity.RoleUser {
		return nil
	}
	var me *whoami.Person
	if wr, _ := whoami.Learn(ctx, p); wr != nil {
		for i := range wr.People {
			if wr.People[i].Identity == a.who.Name {
				me = &wr.People[i]
			}
		}
	}
	if me == nil {
		// Not knowing who the caller is, only several people's data in
		// one answer is clearly not all theirs.
		distinct := map[string]bool{}
		for _, h := range persons {
			distinct[strings.ToLower(h.value)] = true
		}
		if len(distinct) < 2 {
			return nil
		}
		return persons
	}
	var out []hit
	for _, h := range persons {
		if ownRecord(h, *me) {
			continue
		}
		out = append(out, h)
	}
	return out
}

func ownRecord(h hit, me whoami.Person) bool {
	if me.Email != "" && strings.EqualFold(h.value, me.Email) {
		return true
	}
	if who, ok := whoami.Extract(mustJSON(h.record)); ok {
		if me.ID != "" && who.ID != "" {
			return who.ID == me.ID
		}
		if me.Username != "" && who.Username != "" {
			return strings.EqualFold(who.Username, me.Username)
		}
	}
	return false
}

// whose names the scan identity a value belongs to: a credential one of
// them holds (its token, cookie or login password). "" when none.
func whose(p *check.Pass, v string) *identity.Identity {
	for _, id := range p.Authenticated() {
		for _, s := range id.Secrets() {
			if s == v || len(v) >= 16 && strings.Contains(s, v) {
				return id
			}
		}
	}
	return nil
}

// othersCredentials keeps the credentials that are not the caller's: one
// another identity holds, any in a person's record served to an anonymous
// caller, or several distinct ones in an answer that is not the caller's
// own object.
func othersCredentials(p *check.Pass, a answer, hits []hit) []hit {
	var known, persons []hit
	distinct := map[string]bool{}
	for _, h := range hits {
		switch owner := whose(p, h.value); {
		case owner == a.who:
			continue // the caller's own
		case owner != nil:
			known = append(known, h)
		case h.record != nil && isPerson(h.record):
			persons = append(persons, h)
			distinct[h.value] = true
		}
	}
	if len(known) > 0 {
		return known
	}
	switch {
	case a.own:
		return nil
	case a.who.IsAnonymous() && len(persons) > 0, len(distinct) >= 2:
		return persons
	}
	return nil
}

// report writes one finding; the evidence masks every sensitive value of
// the body (all), not only those of this check's class.
func report(p *check.Pass, a answer, c class, hits, all []hit) {
	sev := p.Meta.Severity
	conf := rampart.Confirmed
	kinds := map[string]int{}
	var whoms []string
	for _, h := range hits {
		kinds[h.kind]++
		if c == classPII && h.high {
			sev = rampart.High
		}
	}
	switch c {
	case classCard:
		sev = rampart.High
		for _, h := range hits {
			if strings.Contains(h.kind, "CVV") {
				sev = rampart.Critical
			}
		}
	case classPlaintext, classToken:
		conf = rampart.Firm
		for _, h := range hits {
			if owner := whose(p, h.value); owner != nil {
				conf = rampart.Confirmed
				w := owner.Name + "'s"
				if owner == a.who {
					w = "the caller's own"
				}
				label := "login password"
				if c == classToken {
					label = "credential"
				}
				if s := w + " " + label; !contains(whoms, s) {
					whoms = append(whoms, s)
				}
			}
		}
	}
	var names []string
	for k, n := range kinds {
		names = append(names, fmt.Sprintf("%d %s", n, plural(k, n)))
	}
	sort.Strings(names)
	var where []string
	seen := map[string]bool{}
	for _, h := range hits {
		label := h.path
		if label == "" {
			label = "body"
		}
		s := label + " = " + mask(h)
		if !seen[s] && len(where) < 5 {
			seen[s] = true
			where = append(where, s)
		}
	}
	caller := "an anonymous caller"
	if !a.who.IsAnonymous() {
		caller = a.who.Name + " (" + a.who.Role + ")"
	}
	what := map[class]string{classHash: "password hashes", classSecret: "secrets", classPII: "other people's personal data",
		classPlaintext: "passwords in plaintext", classCard: "payment card data", classToken: "other people's credentials"}[c]
	if c == classPII && a.who.IsAnonymous() {
		what = "personal data"
	}
	source := ""
	switch {
	case a.login:
		source = " in the answer to its login"
	case a.own:
		source = " in its own object"
	}
	msg := fmt.Sprintf("%s returns %s to %s%s: %s (%s).", p.Op.Key(), what, caller, source, strings.Join(names, ", "), strings.Join(where, "; "))
	if len(whoms) > 0 {
		msg += " The value is " + strings.Join(whoms, " and ") + "."
	}
	switch c {
	case classPlaintext:
		msg += " A service that can return a password stores it recoverably."
	case classCard:
		if a.own || a.login {
			msg += " Even to the card's owner, the CVV must never be stored once a payment is authorised."
		}
	}
	for _, h := range hits {
		if h.jwt {
			msg += " Values under <jwt> are claims of a token in the answer, readable by anyone who holds it."
			break
		}
	}
	f := p.Finding(msg)
	f.Severity = sev
	f.Confidence = conf
	if c == classPII {
		f.Remediation = piiFix(kinds)
	}
	f.Location.URL = a.resp.RequestURL
	f.Evidence = []rampart.Evidence{maskEvidence(p.Evidence(a.resp, "values masked by Rampart"), all)}
	f.Curl = p.Curl(a.resp)
	p.Report(f)
}

// piiFix is DATA-003's fix for the kinds of personal data found: advice
// about card numbers on a finding of e-mail addresses sends the reader
// looking for a flaw that is not there.
func piiFix(kinds map[string]int) string {
	parts := []string{"Return only the fields the caller needs and is entitled to, and filter every query by the caller " +
		"(`WHERE owner_id = %s` with the caller's id) so nobody reads another person's record."}
	if kinds["e-mail address"] > 0 || kinds["phone number"] > 0 {
		parts = append(parts, "Leave e-mail addresses and phone numbers out of what other users and anonymous callers "+
			"read: serve them a public view (`SELECT id, username, display_name FROM users`) and show contact details "+
			"only to their owner, or masked (`a***@example.com`).")
	}
	if kinds["card number"] > 0 {
		parts = append(parts, "Mask card numbers to their last four digits in every answer and keep the full number "+
			"in the payment processor's vault.")
	}
	if kinds["national id"] > 0 {
		parts = append(parts, "Never return national identification numbers; store them encrypted and show at most "+
			"their last characters, to their owner only.")
	}
	return strings.Join(parts, "\n")
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func plural(s string, n int) string {
	if n == 1 {
		return s
	}
	if strings.HasSuffix(s, "ss") {
		return s + "es"
	}
	return s + "s"
}
