// Package jwt attacks the JWTs an API accepts: unsigned tokens (alg=none
// in its spellings), guessable HMAC secrets, signatures that are never
// checked, expired tokens and tokens without exp. Where the API has a "who
// am I" read, a forged token claiming another identity (an administrator
// when the scan has one) is proved by the API's own answer naming that
// identity. Where it has none, the proof is by difference (gated.go): on a
// read that answers an identity's genuine token and refuses no token and a
// garbage one, a forged token carrying the identity's claims gets the
// genuine answer, and a second identity's forged claims get that
// identity's own answer.
package jwt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	token "github.com/rampart-sec/rampart/internal/jwt"
	"github.com/rampart-sec/rampart/internal/surface"
	"github.com/rampart-sec/rampart/internal/whoami"
)

const requests = "Once per scan, shared by JWT-001 to JWT-005. With a \"who am I\" read: on up to three read " +
	"operations that take JWTs (a bearer scheme with bearerFormat JWT or a JWT-named scheme in the spec, the \"who am I\" " +
	"reads when the identities hold JWTs, otherwise up to two \"who am I\"-like reads): one GET without credentials and " +
	"one with a non-JWT token (baselines), one with a token signed by a random key, up to four alg=none spellings; then, " +
	"on the first operation the spec marks as JWT, up to 33 tokens signed with the most common weak secrets (none when a " +
	"captured token was cracked offline instead); with a known key one GET each for an expired and an exp-less token and " +
	"one for a second identity. Up to 16 GETs to learn who the identities are (shared). Without one, when identities hold " +
	"JWTs: up to eight reads probed for a gated one (the genuine token twice, no token, a garbage token: 4 GETs each), then " +
	"on up to two gated reads a random-key token, up to four alg=none spellings, a token signed with a key cracked offline " +
	"from the identities' own tokens, an expired and an exp-less one, and each proof repeated with a second identity's " +
	"claims (2 GETs); this also runs after the first way when it proved nothing. At most 150 requests."

const budget = 150

// fixCommon is a paragraph of its own: the text report prints it once for
// all the token checks that found something.
const fixCommon = "Verify every token with a fixed algorithm list and a strong key: " +
	"`jwt.decode(token, key, algorithms=[\"HS256\"], options={\"require\": [\"exp\", \"iat\", \"sub\"]})` (PyJWT), " +
	"or Flask-JWT-Extended with JWT_ALGORITHM = \"HS256\" and a JWT_SECRET_KEY of 32+ random bytes from the " +
	"environment (`secrets.token_hex(32)`), never a literal and never the Flask SECRET_KEY fallback.\n"

// None is JWT-001.
var None = check.Check{
	Meta: rampart.Meta{
		ID: "JWT-001", Family: rampart.FamilyJWT, Title: "Unsigned JWT (alg=none) accepted",
		Severity: rampart.Critical, CWE: "CWE-347", OWASP: "API2:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "a token with alg=none and no signature, claiming another identity, is accepted",
		Detects: "Verifiers that honour the token's own alg header: a token with alg \"none\" (also \"None\", " +
			"\"NONE\", \"nOnE\", which only case-blind custom checks accept) and an empty signature, claiming " +
			"another identity, is answered with that identity's record while the same request without a token " +
			"and with a token signed by a random key is refused. Without a \"who am I\" read, proved by " +
			"difference: on a read that answers an identity's genuine token and refuses no token and a garbage " +
			"one, the unsigned token carrying the identity's claims gets the genuine answer (and a second " +
			"identity's claims get that identity's own answer).",
		Requests: requests, Budget: budget,
		Fix: fixCommon + "Never branch on the unverified header (`jwt.get_unverified_header(t)[\"alg\"]`) and never " +
			"decode with `options={\"verify_signature\": False}`: internal callers get their own signed tokens.",
		Doc: "docs/checks.md#jwt-001",
	},
	Run: reporter(kindNone),
}

// WeakKey is JWT-002.
var WeakKey = check.Check{
	Meta: rampart.Meta{
		ID: "JWT-002", Family: rampart.FamilyJWT, Title: "JWT signed with a guessable HMAC secret",
		Severity: rampart.Critical, CWE: "CWE-521", OWASP: "API2:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "the HS256/384/512 secret is a known default; a token forged with it is accepted",
		Detects: "HMAC-signed JWTs whose secret is in the embedded list of documented defaults and placeholders " +
			"(jwt.io's, library READMEs', Flask-JWT-Extended's examples, plus the Flask list and the cracked Flask " +
			"SECRET_KEY, which Flask-JWT-Extended falls back to) or in --wordlist: cracked offline on every core " +
			"from a token an identity holds, or, when none is held, tried online on a read the spec marks as JWT. " +
			"Proved by a token forged with the key, claiming another identity, that the API answers as that " +
			"identity. The key is masked unless --show-secrets.",
		Requests: requests, Budget: budget,
		Fix: fixCommon + "Rotate the key now: every token signed with the old one must stop working.",
		Doc: "docs/checks.md#jwt-002",
	},
	Run: reporter(kindWeak),
}

// NoVerify is JWT-003.
var NoVerify = check.Check{
	Meta: rampart.Meta{
		ID: "JWT-003", Family: rampart.FamilyJWT, Title: "JWT signature not verified",
		Severity: rampart.Critical, CWE: "CWE-347", OWASP: "API2:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "a token signed with a random key, claiming another identity, is accepted",
		Detects: "APIs that decode tokens without checking the signature (PyJWT's verify_signature: False, " +
			"jwt.decode without a key, a hand-written base64 decode): a well-formed HS256 token signed with a " +
			"random 32-byte key and claiming another identity is answered with that identity's record, while the " +
			"request without a token and with a non-JWT token are refused.",
		Requests: requests, Budget: budget,
		Fix: fixCommon + "Remove every decode that skips verification, including in middleware and background jobs.",
		Doc: "docs/checks.md#jwt-003",
	},
	Run: reporter(kindNoVerify),
}

// Expired is JWT-004.
var Expired = check.Check{
	Meta: rampart.Meta{
		ID: "JWT-004", Family: rampart.FamilyJWT, Title: "Expired JWT accepted",
		Severity: rampart.High, CWE: "CWE-613", OWASP: "API2:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "a correctly signed token whose exp passed an hour ago is accepted",
		Detects: "Verifiers that ignore exp (verify_exp: False, a custom decoder, a huge leeway): once the " +
			"signing key is known or signatures are not checked, a token with exp one hour in the past and " +
			"claiming another identity is answered with that identity's record. A stolen token then never stops " +
			"working.",
		Requests: requests, Budget: budget,
		Fix: fixCommon + "Keep exp verification on (PyJWT's default) with a leeway of seconds, not hours, and keep " +
			"access tokens short-lived (Flask-JWT-Extended's default is 15 minutes).",
		Doc: "docs/checks.md#jwt-004",
	},
	Run: reporter(kindExpired),
}

// NoExp is JWT-005.
var NoExp = check.Check{
	Meta: rampart.Meta{
		ID: "JWT-005", Family: rampart.FamilyJWT, Title: "JWT without expiry accepted",
		Severity: rampart.Medium, CWE: "CWE-613", OWASP: "API2:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "a token with no exp claim is accepted: tokens never expire",
		Detects: "PyJWT checks exp only when the token has one and requires no claim by default, so tokens issued " +
			"without exp are valid forever. Found when a correctly signed token (the key known, or signatures " +
			"unchecked) with no exp is answered as the identity it claims, or when an identity holds an exp-less " +
			"token that the API accepts.",
		Requests: requests, Budget: budget,
		Fix: fixCommon + "Set an expiry when minting (`\"exp\": now + timedelta(minutes=15)`): the decode above then " +
			"refuses a token that lacks one.",
		Doc: "docs/checks.md#jwt-005",
	},
	Run: reporter(kindNoExp),
}

type kind int

const (
	kindNone kind = iota
	kindWeak
	kindNoVerify
	kindExpired
	kindNoExp
)

// outcome is one proven flaw on one operation.
type outcome struct {
	kind       kind
	op         *rampart.Operation
	resp       *engine.Response
	message    string
	confidence rampart.Confidence
	evidence   []rampart.Evidence
}

func reporter(k kind) func(ctx context.Context, p *check.Pass) error {
	return func(ctx context.Context, p *check.Pass) error {
		res, err := analyse(ctx, p)
		if res == nil {
			return err
		}
		for _, o := range res.out {
			if o.kind != k {
				continue
			}
			f := p.Finding(o.message)
			f.Location = rampart.Location{Method: o.op.Method, Path: o.op.Path, URL: o.resp.RequestURL}
			f.Confidence = o.confidence
			f.Evidence = o.evidence
			f.Curl = p.Curl(o.resp)
			p.Report(f)
		}
		res.declare(p, k)
		return err
	}
}

func analyse(ctx context.Context, p *check.Pass) (*analysis, error) {
	v, err := p.Shared.Once("jwt-analysis", func() (any, error) {
		a := &analyser{p: p, judged: map[kind]bool{}}
		out, err := a.run(ctx)
		return &analysis{out: out, judged: a.judged, attacked: a.attacked, samples: len(a.samples),
			declared: a.declaredJWT(), verified: a.verifies()}, err
	})
	if v == nil {
		return nil, err
	}
	return v.(*analysis), err
}

// delivery says how the API takes a token.
type delivery struct {
	header string // Authorization (with Bearer) or another header
	cookie string // a cookie name instead
	// exact: the header value is prefix+token, as an identity was seen
	// sending it (a bare token in Authorization, "JWT x", "Token x").
	exact  bool
	prefix string
}

func (d delivery) apply(h http.Header, tok string) {
	switch {
	case d.cookie != "":
		h.Set("Cookie", d.cookie+"="+tok)
	case d.exact:
		name := d.header
		if name == "" {
			name = "Authorization"
		}
		h.Set(name, d.prefix+tok)
	case d.header == "" || strings.EqualFold(d.header, "Authorization"):
		h.Set("Authorization", "Bearer "+tok)
	default:
		h.Set(d.header, tok)
	}
}

// sample is a JWT an identity holds.
type sample struct {
	tok      *token.Token
	identity string
	via      delivery
}

type target struct {
	op     *rampart.Operation
	url    string
	via    delivery
	online bool // the spec says JWT: worth trying keys online
}

type analyser struct {
	p       *check.Pass
	people  []whoami.Person
	guessed bool
	samples []sample
	key     []byte // a signing key proven to work
	keyHow  string
	out     []outcome
	tried   bool // online key search done (the key is app-wide)
	cracked bool // the identities' own tokens tried offline
	// judged holds the kinds some attack could have proved: their checks
	// are tested even when the answer was no.
	judged map[kind]bool
	// attacked: a read passed the baselines (refuses no token and a
	// garbage one) and forgeries were sent to it.
	attacked bool
}

const (
	maxTargets = 3
	onlineKeys = 32
)

func (a *analyser) run(ctx context.Context) ([]outcome, error) {
	p := a.p
	a.samples = samplesOf(p)
	wr, err := whoami.Learn(ctx, p)
	if err != nil && wr == nil {
		return nil, err
	}
	if len(wr.Endpoints) > 0 || len(a.samples) == 0 {
		if err := a.runWhoami(ctx, wr); err != nil {
			return a.out, err
		}
		// A "who am I" answer that names nobody the forgeries claim (a
		// sub holding a username, claims the oracle cannot rewrite)
		// proves nothing either way: the difference still can.
		if len(a.out) > 0 || len(a.samples) == 0 {
			return a.out, nil
		}
	}
	// Prove forgeries by difference on the identities' own tokens
	// (gated.go).
	return a.out, a.runByDifference(ctx)
}

func (a *analyser) runWhoami(ctx context.Context, wr *whoami.Result) error {
	a.people = wr.Privileged()
	if len(a.people) == 0 {
		a.people, a.guessed = whoami.Guesses(), true
	}
	for _, t := range a.targets(wr) {
		if err := a.attack(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// samplesOf finds JWTs in the identities' headers and cookies.
func samplesOf(p *check.Pass) []sample {
	var out []sample
	for _, id := range p.Authenticated() {
		for name, vs := range id.Header() {
			for _, v := range vs {
				for _, raw := range token.Find.FindAllString(v, -1) {
					tok, err := token.Parse(raw)
					if err != nil {
						continue
					}
					// Send forgeries the way the identity sends its token:
					// the same header, the same scheme word or none.
					via := delivery{header: name, exact: true, prefix: v[:strings.Index(v, raw)]}
					if strings.EqualFold(name, "Cookie") {
						via = delivery{}
						for _, c := range strings.Split(v, ";") {
							if k, val, ok := strings.Cut(strings.TrimSpace(c), "="); ok && val == raw {
								via.cookie = k
							}
						}
					}
					out = append(out, sample{tok: tok, identity: id.Name, via: via})
				}
			}
		}
	}
	return out
}

// targets picks the read operations to attack: those the spec marks as
// JWT first, then the "who am I" reads when identities hold JWTs, then
// "who am I"-like reads as a last resort (no online key search there).
func (a *analyser) targets(wr *whoami.Result) []target {
	p := a.p
	var out []target
	seen := map[string]bool{}
	add := func(op *rampart.Operation, via delivery, online bool) {
		if len(out) >= maxTargets || seen[op.Key()] || op.Method != http.MethodGet {
			return
		}
		seen[op.Key()] = true
		out = append(out, target{op: op, url: p.URL(op, nil), via: via, online: online})
	}
	var marked []*rampart.Operation
	for _, op := range p.Surface {
		if _, _, ok := jwtScheme(op, p.Schemes); ok && op.Method == http.MethodGet {
			marked = append(marked, op)
		}
	}
	// Prefer "who am I" reads among the marked ones: their answer is the proof.
	for pass := 0; pass < 2; pass++ {
		for _, op := range marked {
			if (whoami.Score(op) > 0) == (pass == 0) {
				via, online, _ := jwtScheme(op, p.Schemes)
				add(op, via, online)
			}
		}
	}
	if len(a.samples) > 0 {
		for _, op := range wr.Endpoints {
			add(op, a.samples[0].via, false)
		}
	}
	if len(out) == 0 {
		for i, op := range whoami.Candidates(p.Surface) {
			if i >= 2 {
				break
			}
			add(op, delivery{}, false)
		}
	}
	return out
}

// jwtScheme reads the operation's security: a bearer scheme declaring
// bearerFormat JWT, or a scheme named after JWTs, means tokens are JWTs
// and keys are worth trying online; OAuth2/OpenID Connect tokens are often
// JWTs too (signed with keys no list holds, so no online key search).
func jwtScheme(op *rampart.Operation, schemes map[string]surface.Scheme) (delivery, bool, bool) {
	for _, alt := range op.Security {
		for _, name := range alt {
			sc, known := schemes[name]
			named := strings.Contains(strings.ToLower(name), "jwt")
			switch {
			case known && sc.Type == "http" && sc.Scheme == "bearer" && (strings.Contains(strings.ToLower(sc.BearerFormat), "jwt") || named):
				return delivery{}, true, true
			case known && sc.Type == "apiKey" && (named || strings.Contains(strings.ToLower(sc.Name), "jwt")):
				if strings.EqualFold(sc.In, "cookie") {
					return delivery{cookie: sc.Name}, true, true
				}
				if strings.EqualFold(sc.In, "header") {
					return delivery{header: sc.Name}, true, true
				}
			case known && (sc.Type == "oauth2" || sc.Type == "openIdConnect"):
				return delivery{}, false, true
			case !known && named:
				return delivery{}, true, true
			}
		}
	}
	return delivery{}, false, false
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// claims builds the claims of a forged token for who: a captured token's
// claims with its identity claims replaced, or the usual claim names.
func (a *analyser) claims(who whoami.Person, exp *time.Time) map[string]any {
	now := time.Now()
	c := map[string]any{}
	var base map[string]any
	if len(a.samples) > 0 {
		base = a.samples[0].tok.Claims
	}
	if base != nil {
		for k, v := range base {
			c[k] = v
		}
		set := func(k string, v any) {
			if old, ok := c[k]; ok {
				if _, isStr := old.(string); isStr {
					c[k] = fmt.Sprint(v)
				} else {
					c[k] = v
				}
			}
		}
		if who.ID != "" {
			for _, k := range []string{"sub", "user_id", "userId", "uid", "id", "identity"} {
				set(k, who.IDValue())
			}
		}
		if who.Username != "" {
			for _, k := range []string{"username", "preferred_username", "user", "name"} {
				set(k, who.Username)
			}
		}
		if who.Email != "" {
			set("email", who.Email)
		}
		if who.APIRole != "" {
			set("role", who.APIRole)
		}
	} else {
		sub := who.ID
		if sub == "" {
			sub = who.Username
		}
		c["sub"] = sub // PyJWT >= 2.10 wants a string sub
		if who.ID != "" {
			for _, k := range []string{"user_id", "id", "uid", "identity"} {
				c[k] = who.IDValue()
			}
		}
		if who.Username != "" {
			c["username"] = who.Username
		}
		if who.Email != "" {
			c["email"] = who.Email
		}
		if who.APIRole != "" {
			c["role"] = who.APIRole
		}
		// Flask-JWT-Extended's own claims, harmless elsewhere.
		c["type"], c["fresh"], c["jti"] = "access", false, randHex(8)
		c["exp"] = now.Add(15 * time.Minute).Unix()
	}
	c["iat"] = now.Unix()
	if _, had := c["exp"]; had {
		c["exp"] = now.Add(15 * time.Minute).Unix()
	}
	if exp != nil {
		if exp.IsZero() {
			delete(c, "exp")
		} else {
			c["exp"] = exp.Unix()
			c["iat"] = exp.Add(-time.Hour).Unix()
			if _, has := c["nbf"]; has {
				c["nbf"] = c["iat"]
			}
		}
	}
	return c
}

// send sends a token the check made (forged, or not a JWT at all) and
// nothing else: it is the scanner's, so evidence and the curl line show it.
func (a *analyser) send(ctx context.Context, t target, tok string) (*engine.Response, error) {
	h := http.Header{}
	t.via.apply(h, tok)
	return a.p.Send(ctx, nil, &engine.Request{Method: http.MethodGet, URL: t.url, Header: h, Forged: []string{tok}})
}

// sendOwn sends an identity's own token and nothing else (none of the
// identity's other headers, no re-login): it stays a secret, and the curl
// line names the identity's variable.
func (a *analyser) sendOwn(ctx context.Context, t target, s sample) (*engine.Response, error) {
	h := http.Header{}
	t.via.apply(h, s.tok.Raw)
	alone := identity.New(s.identity, identity.RoleUser, h)
	return a.p.Send(ctx, alone, &engine.Request{Method: http.MethodGet, URL: t.url, Secrets: []string{s.tok.Raw}})
}

func accepted(r *engine.Response, who whoami.Person) bool {
	return r != nil && r.Status >= 200 && r.Status <= 299 && whoami.Reveals(r.Body, who)
}

func describe(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return fmt.Sprintf("header %s, claims %s", h, c)
}

func (a *analyser) record(k kind, t target, resp *engine.Response, conf rampart.Confidence, msg string, ev ...rampart.Evidence) {
	a.out = append(a.out, outcome{kind: k, op: t.op, resp: a.p.Excerpt(resp), message: msg, confidence: conf, evidence: ev})
}
