package jwt

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	token "github.com/rampart-sec/rampart/internal/jwt"
	"github.com/rampart-sec/rampart/internal/pubkey"
)

// RS256→HS256 key confusion (CVE-2015-9235 and its kin): a verifier that
// takes the algorithm from the token's header and verifies with "the key"
// runs HMAC with the server's public key as the secret when the token says
// HS256. The public key is public, so anyone can mint tokens. The proof is
// by difference on a gated read (gated.go): the identity's genuine RS256
// token is answered, no token and a garbage one are refused, an HS256
// token over the same claims signed with a random key is refused, and the
// same token signed with a spelling of the public key gets the genuine
// answer.

const confusionRequests = "When an identity holds an RS*, PS* or ES* signed JWT: up to six GETs for a JWKS at the " +
	"API's origin (/.well-known/jwks.json, /.well-known/openid-configuration and its same-origin jwks_uri, /jwks.json, " +
	"/oauth/jwks, /.well-known/keys; none when --jwt-public-key gives the key); when none holds a key and the scan saw none, " +
	"up to 16 anonymous GETs of the site's HTML pages (the start URL, the root and same-origin links two deep; never a " +
	"link that looks like it changes state). With a public key from there, from an answer the " +
	"scan saw, from the --source tree or from --jwt-public-key: up to eight reads probed for a gated one (the genuine " +
	"token twice, no token, a garbage token: 4 GETs each, at most two gated reads), then on one gated read an HS token " +
	"signed with a random key and, when that is refused, at most 28 HS tokens (four keys × up to seven spellings), and " +
	"the working one again with a second identity's claims (2 GETs). At most 126 requests."

// Confusion is JWT-006.
var Confusion = check.Check{
	Meta: rampart.Meta{
		ID: "JWT-006", Family: rampart.FamilyJWT, Title: "JWT key confusion: the public key accepted as an HMAC secret",
		Severity: rampart.Critical, CWE: "CWE-347", OWASP: "API2:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "an HS256 token signed with the server's RSA or EC public key is accepted (RS256→HS256 confusion)",
		Detects: "Verifiers that take the algorithm from the token and verify with \"the key\" (CVE-2015-9235 and its " +
			"kin, a header-driven branch to HS256): an identity holds an RS*, PS* or ES* signed token, and an HS256 token " +
			"(HS384, HS512 for RS384/ES384, RS512/ES512) over the same claims whose HMAC secret is the server's public " +
			"key gets the genuine token's answer, while no token, a garbage token and the same HS token signed with a " +
			"random key are refused. The public key comes from a JWKS the API publishes, a PEM block or base64 key in an " +
			"answer the scan saw or on one of the site's HTML pages, a key file in the --source tree, or --jwt-public-key; each is tried " +
			"as found and in the spellings libraries feed HMAC (PKIX and PKCS#1 PEM, with and without the trailing " +
			"newline, the bare base64 body). The finding says which key and which spelling worked.",
		Requests: confusionRequests, Budget: confusionBudget,
		Fix: "Pin the algorithm per key, never take it from the token: `jwt.decode(token, public_key, " +
			"algorithms=[\"RS256\"])` (PyJWT), and never branch on `jwt.get_unverified_header(t)[\"alg\"]`; a key " +
			"object of the algorithm's own type (an RSA key for RS256, an HMAC secret for HS256), never one string for " +
			"both. With several algorithms, keep one key per algorithm and look the key up by kid, then check that the " +
			"token's alg is the one that key is for.",
		Doc: "docs/checks.md#jwt-006",
	},
	Run: runConfusion,
}

const (
	confusionBudget = 126
	// One operation gets the forgeries: keys × spellings tokens at most.
	maxConfusionKeys  = 4
	maxConfusionGated = 2
)

// jwksPaths are where APIs publish their verification keys, at the origin.
var jwksPaths = []string{"/.well-known/jwks.json", "/.well-known/openid-configuration", "/jwks.json", "/oauth/jwks", "/.well-known/keys"}

// confusionAlg is the HMAC algorithm a confused verifier pairs with an
// asymmetric one, "" when alg is not asymmetric.
func confusionAlg(alg string) string {
	if len(alg) != 5 {
		return ""
	}
	switch alg[:2] {
	case "RS", "PS", "ES":
	default:
		return ""
	}
	switch alg[2:] {
	case "256", "384", "512":
		return "HS" + alg[2:]
	}
	return ""
}

func runConfusion(ctx context.Context, p *check.Pass) error {
	a := &analyser{p: p, judged: map[kind]bool{}}
	a.samples = samplesOf(p)
	var asym []sample
	for _, s := range a.samples {
		if confusionAlg(s.tok.Alg()) != "" {
			asym = append(asym, s)
		}
	}
	if len(asym) == 0 {
		p.NotApplicable("no identity holds an RS*, PS* or ES* signed JWT")
		return nil
	}
	// The keys the scan met, and the JWKS the API publishes unless the
	// user named the key.
	known := pubkey.NewCollector()
	known.Add(p.Settings.PublicKeys.Keys()...)
	if !given(known.Keys()) {
		known.Add(fetchJWKS(ctx, p)...)
	}
	if len(known.Keys()) == 0 {
		known.Add(pageKeys(ctx, p)...)
	}
	keys := known.Keys()
	if len(keys) == 0 {
		p.NotApplicable(fmt.Sprintf("no public key found: no JWKS at the usual paths, none in the answers seen or on the site's pages "+
			"(up to %d read from the start URL); give one with --jwt-public-key", maxKeyPages))
		return ctx.Err()
	}
	out, err := a.confuse(ctx, asym, keys)
	for _, o := range out {
		f := p.Finding(o.message)
		f.Location = rampart.Location{Method: o.op.Method, Path: o.op.Path, URL: o.resp.RequestURL}
		f.Confidence, f.Evidence, f.Curl = o.confidence, o.evidence, p.Curl(o.resp)
		p.Report(f)
	}
	return err
}

func given(keys []pubkey.Key) bool {
	for _, k := range keys {
		if k.Source == pubkey.FromConfig {
			return true
		}
	}
	return false
}

// fetchJWKS reads the JWKS an API publishes at the usual paths of its
// origin (an OpenID configuration's jwks_uri only on the same origin), and
// stops at the first that holds a key.
func fetchJWKS(ctx context.Context, p *check.Pass) []pubkey.Key {
	base := p.Client.Base()
	if base == nil {
		return nil
	}
	origin := &url.URL{Scheme: base.Scheme, Host: base.Host}
	for _, path := range jwksPaths {
		if ctx.Err() != nil {
			return nil
		}
		u := origin.String() + path
		r, err := p.Get(ctx, nil, u, nil)
		if err != nil || r.Status < 200 || r.Status > 299 {
			continue
		}
		if strings.HasSuffix(path, "openid-configuration") {
			var conf struct {
				JWKSURI string `json:"jwks_uri"`
			}
			if json.Unmarshal(r.Body, &conf) != nil || conf.JWKSURI == "" {
				continue
			}
			ju, err := origin.Parse(conf.JWKSURI)
			if err != nil || ju.Scheme != origin.Scheme || ju.Host != origin.Host {
				continue // another origin's keys: not a request to send
			}
			u = ju.String()
			if r, err = p.Get(ctx, nil, u, nil); err != nil || r.Status < 200 || r.Status > 299 {
				continue
			}
		}
		keys := pubkey.ParseJWKS(r.Body)
		for i := range keys {
			keys[i].Source, keys[i].Where = pubkey.FromJWKS, u
		}
		if len(keys) > 0 {
			return keys
		}
	}
	return nil
}

// confuse finds a gated read for the identities with asymmetric tokens and
// sends the forgeries on one where signatures are checked.
func (a *analyser) confuse(ctx context.Context, asym []sample, keys []pubkey.Key) ([]outcome, error) {
	p := a.p
	ids := map[string]*identity.Identity{}
	for _, id := range p.Authenticated() {
		ids[id.Name] = id
	}
	sort.SliceStable(asym, func(i, j int) bool { return roleRank(ids[asym[i].identity]) > roleRank(ids[asym[j].identity]) })
	bySample := map[string]sample{}
	var order []*identity.Identity
	for _, s := range asym {
		if id := ids[s.identity]; id != nil && bySample[s.identity].tok == nil {
			bySample[s.identity] = s
			order = append(order, id)
		}
	}
	garbage := func(ctx context.Context, id *identity.Identity, u string) (*engine.Response, error) {
		return a.send(ctx, target{url: u, via: bySample[id.Name].via}, "rampart-not-a-jwt-"+randHex(12))
	}
	gated := p.FindGated(ctx, order, garbage, maxConfusionGated)
	if len(gated) == 0 {
		p.NotApplicable(fmt.Sprintf("%d public key(s) known (first: %s), but no read answers an identity's RS/PS/ES token "+
			"and refuses no token and a garbage one", len(keys), keys[0].Describe()))
		return nil, ctx.Err()
	}
	unverified := false
	for _, g := range gated {
		s := bySample[g.Identity.Name]
		gr := &gatedRead{Gated: g, t: target{op: g.Op, url: g.URL, via: s.via}, s: s}
		done, err := a.confuseOn(ctx, gr, ids, keysFor(s, keys))
		if err != nil {
			return a.out, err
		}
		if done {
			return a.out, nil
		}
		unverified = true
	}
	if unverified {
		p.NotApplicable("the gated reads accept HS tokens signed with any key (JWT-003): key confusion adds nothing there")
	}
	return a.out, ctx.Err()
}

// keysFor puts the key the token names by kid first, and keeps four.
func keysFor(s sample, keys []pubkey.Key) []pubkey.Key {
	kid, _ := s.tok.Header["kid"].(string)
	out := append([]pubkey.Key(nil), keys...)
	sort.SliceStable(out, func(i, j int) bool { return kid != "" && out[i].KID == kid && out[j].KID != kid })
	if len(out) > maxConfusionKeys {
		out = out[:maxConfusionKeys]
	}
	return out
}

// confuseOn sends the forgeries on one gated read. done is false when the
// read accepts an HS token signed with a random key: there, signatures are
// not checked at all and nothing tells key confusion apart.
func (a *analyser) confuseOn(ctx context.Context, g *gatedRead, ids map[string]*identity.Identity, keys []pubkey.Key) (done bool, err error) {
	p := a.p
	alg := confusionAlg(g.s.tok.Alg())
	signWith := func(secret []byte) func(map[string]any) (map[string]any, string, error) {
		return func(c map[string]any) (map[string]any, string, error) {
			h := map[string]any{"alg": alg, "typ": "JWT"}
			if kid, ok := g.s.tok.Header["kid"]; ok {
				h["kid"] = kid // a verifier that picks its key by kid picks the public key
			}
			tok, err := token.Sign(h, c, secret)
			return h, tok, err
		}
	}
	random := make([]byte, 32)
	rand.Read(random)
	rf, err := a.tryGated(ctx, g, g.s, g.Genuine, signWith(random), nil)
	if err != nil {
		return false, err
	}
	if rf.ok {
		return false, nil
	}
	p.Tested()
	who := g.s.identity
	for _, k := range keys {
		for _, v := range k.Variants() {
			f, err := a.tryGated(ctx, g, g.s, g.Genuine, signWith(v.Secret), nil)
			if err != nil {
				return true, err
			}
			if !f.ok {
				continue
			}
			ev := append(append([]rampart.Evidence(nil), g.Base...),
				p.Evidence(rf.resp, fmt.Sprintf("baseline: the same %s token signed with a random key: %s", alg, describe(rf.header, rf.claims))),
				p.Evidence(f.resp, fmt.Sprintf("forged %s token whose HMAC secret is %s, as %s: %s", alg, k.Describe(), v.Name, describe(f.header, f.claims))))
			more, ev := a.otherIdentity(ctx, g, ids, signWith(v.Secret), ev)
			a.record(kindConfusion, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
				"%s (a read that answers %s's genuine %s token and refuses others: %s) accepts %s tokens whose HMAC secret is "+
					"the server's public key: a token carrying %s's claims, signed with %s (%s), got the same answer as the "+
					"genuine token, while the same token signed with a random key was refused.%s The verifier takes the "+
					"algorithm from the token, and the key is public: anyone can mint a token for any user.",
				g.t.op.Key(), who, g.s.tok.Alg(), g.Refused, alg, who, k.Describe(), v.Name, more), ev...)
			return true, nil
		}
	}
	return true, nil
}

// kindConfusion is JWT-006's outcome; the shared analysis of JWT-001 to
// JWT-005 never records it.
const kindConfusion = kindNoExp + 100
