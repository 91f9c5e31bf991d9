// Package exposure finds sensitive data in API answers: password hashes,
// secrets of well-known formats, and personal data (e-mail addresses,
// phone numbers, Luhn-valid card numbers, national ids) served to callers
// who should not see it. Evidence is masked: the report must not leak
// what the API leaked.
package exposure

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/whoami"
)

const requests = "Per read operation, shared by DATA-001 to DATA-003: one GET without credentials and one as the " +
	"first user-role identity (2 requests); DATA-003 reuses the identities' \"who am I\" answers (shared, up to 16 " +
	"GETs once per scan) to tell a caller's own data from other people's."

// Hashes is DATA-001.
var Hashes = check.Check{
	Meta: rampart.Meta{
		ID: "DATA-001", Family: rampart.FamilyDataExposure, Title: "Password hashes in responses",
		Severity: rampart.High, CWE: "CWE-522", OWASP: "API3:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "an answer carries password hashes (bcrypt, PBKDF2, Argon2, scrypt, crypt or bare hex digests)",
		Detects: "Password hashes in any answer, to any caller: bcrypt, Argon2, scrypt, Werkzeug's pbkdf2:/scrypt: " +
			"(what generate_password_hash stores), Django's and passlib's formats, SHA/MD5-crypt, and unsalted hex " +
			"digests under a password-like key. Usually a `SELECT *` row returned with `dict(row)`: offline " +
			"cracking then needs no rate limit. Values are masked in the report.",
		Requests: requests, Budget: 18,
		Fix: "Return an explicit view of the row, never `dict(row)` of `SELECT *`: select only the public columns " +
			"(`SELECT id, username, display_name FROM users WHERE id = %s`) or serialise with a schema that lists " +
			"fields (marshmallow `fields` / `load_only=(\"password_hash\",)`). Rotate the exposed hashes' passwords.",
		Doc: "docs/checks.md#data-001",
	},
	Applies: readOp,
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
		Requests: requests, Budget: 18,
		Fix: "Keep credentials in configuration read by the server (environment or a secret manager), never in " +
			"rows or settings the API returns; filter them out of serialisers, then rotate every exposed key.",
		Doc: "docs/checks.md#data-002",
	},
	Applies: readOp,
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
			"in one answer counts). Administrators' answers are not judged. OpenAPI documents are ignored. " +
			"Card numbers and national ids are high. Values are masked.",
		Requests: requests, Budget: 18,
		Fix: "Return only the fields the caller needs and is entitled to: a public profile view without e-mail or " +
			"phone (`SELECT id, username, display_name FROM users`), ownership filters on every query " +
			"(`WHERE owner_id = %s` with the caller's id), and masked card numbers (last four digits) everywhere.",
		Doc: "docs/checks.md#data-003",
	},
	Applies: readOp,
	Group:   "exposure",
	Run:     reporter(classPII),
}

func readOp(op *rampart.Operation) bool { return op.Method == http.MethodGet }

// answer is one fetched response, who asked and what its body holds: the
// three checks read the same answers, scanned once.
type answer struct {
	resp  *engine.Response // an excerpt
	who   *identity.Identity
	found []hit
}

func fetch(ctx context.Context, p *check.Pass) ([]answer, error) {
	v, err := p.OnceOp("data-exposure", func() (any, error) {
		var out []answer
		ids := []*identity.Identity{p.Anonymous()}
		for _, id := range p.Authenticated() {
			if id.Role == identity.RoleUser {
				ids = append(ids, id)
				break
			}
		}
		u := p.URL(p.Op, nil)
		for _, id := range ids {
			resp, err := p.Get(ctx, id, u, nil)
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				continue
			}
			if resp.Status >= 200 && resp.Status <= 299 {
				out = append(out, answer{resp: p.Excerpt(resp), who: id, found: scan(resp.Body)})
			}
		}
		return out, nil
	})
	if v == nil {
		return nil, err
	}
	return v.([]answer), err
}

func reporter(c class) func(ctx context.Context, p *check.Pass) error {
	return func(ctx context.Context, p *check.Pass) error {
		answers, err := fetch(ctx, p)
		for _, a := range answers {
			found := a.found
			hits := filter(found, c)
			if c == classPII {
				hits = notOwn(ctx, p, a, hits)
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
	var persons []hit
	for _, h := range hits {
		if h.record != nil && isPerson(h.record) {
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

// report writes one finding; the evidence masks every sensitive value of
// the body (all), not only those of this check's class.
func report(p *check.Pass, a answer, c class, hits, all []hit) {
	sev := p.Meta.Severity
	kinds := map[string]int{}
	for _, h := range hits {
		kinds[h.kind]++
		if c == classPII && h.high {
			sev = rampart.High
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
	what := map[class]string{classHash: "password hashes", classSecret: "secrets", classPII: "other people's personal data"}[c]
	if c == classPII && a.who.IsAnonymous() {
		what = "personal data"
	}
	f := p.Finding(fmt.Sprintf("%s returns %s to %s: %s (%s).", p.Op.Key(), what, caller, strings.Join(names, ", "), strings.Join(where, "; ")))
	f.Severity = sev
	f.Confidence = rampart.Confirmed
	f.Location.URL = a.resp.RequestURL
	f.Evidence = []rampart.Evidence{maskEvidence(p.Evidence(a.resp, "values masked by Rampart"), all)}
	f.Curl = p.Curl(a.resp)
	p.Report(f)
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
