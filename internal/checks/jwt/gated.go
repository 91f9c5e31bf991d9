package jwt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/session"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	token "github.com/rampart-sec/rampart/internal/jwt"
	"github.com/rampart-sec/rampart/internal/secrets"
)

// The proof by difference needs no "who am I" endpoint. A gated read is a
// read that gives an identity's genuine token an answer that no token and a
// garbage token do not get. A forged token carrying that identity's claims
// is then accepted exactly when it gets the genuine token's answer; when a
// second identity's forged claims get that identity's own answer, and not
// the first's, the API demonstrably honours whatever identity a forgery
// claims.

const (
	maxGatedCandidates = 8
	maxGated           = 2
	// answerKeep bounds what a gated read keeps of an answer to compare
	// forgeries with: enough for the records real APIs answer.
	answerKeep = 64 << 10
)

// answer is what comparisons need of a response.
type answer struct {
	status int
	body   []byte
}

func answerOf(r *engine.Response) answer {
	b := r.Body
	if len(b) > answerKeep {
		b = b[:answerKeep]
	}
	return answer{status: r.Status, body: bytes.Clone(b)}
}

// gatedRead is one read where forgeries are told apart by their answer.
type gatedRead struct {
	t       target
	s       sample // whose genuine token
	id      *identity.Identity
	genuine answer
	shown   *engine.Response // an excerpt of the genuine answer, for evidence
	base    []rampart.Evidence
	refused string // how no token and a garbage token were answered
}

// runByDifference attacks the identities' own tokens on gated reads.
func (a *analyser) runByDifference(ctx context.Context) error {
	p := a.p
	ids := map[string]*identity.Identity{}
	for _, id := range p.Authenticated() {
		ids[id.Name] = id
	}
	// The most privileged identity first: its forged claims are the most
	// telling proof.
	sort.SliceStable(a.samples, func(i, j int) bool {
		return roleRank(ids[a.samples[i].identity]) > roleRank(ids[a.samples[j].identity])
	})
	for _, g := range a.findGated(ctx, ids) {
		if err := a.attackGated(ctx, g, ids); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func roleRank(id *identity.Identity) int {
	if id != nil && id.Role == identity.RoleAdmin {
		return 1
	}
	return 0
}

// gatedCandidates are GETs worth probing, best first: no path parameter
// to guess, secured by the spec, "who am I"-like; never logout-like reads
// or the API's own documents.
func gatedCandidates(ops []*rampart.Operation) []*rampart.Operation {
	var out []*rampart.Operation
	for _, op := range ops {
		if op.Method != http.MethodGet || sideEffectRead(op.Path) {
			continue
		}
		out = append(out, op)
	}
	score := func(op *rampart.Operation) int {
		s := 0
		if !hasPathParam(op) {
			s += 100
		}
		if len(op.Security) > 0 {
			s += 20
		}
		if strings.Contains(strings.ToLower(op.Path), "admin") {
			s -= 5 // the first identity may be a user
		}
		return s
	}
	sort.SliceStable(out, func(i, j int) bool { return score(out[i]) > score(out[j]) })
	if len(out) > maxGatedCandidates {
		out = out[:maxGatedCandidates]
	}
	return out
}

func hasPathParam(op *rampart.Operation) bool {
	for _, prm := range op.Params {
		if prm.In == "path" {
			return true
		}
	}
	return false
}

// sideEffectRead names GETs that change state or are not the API's data.
func sideEffectRead(path string) bool {
	low := strings.ToLower(path)
	for _, w := range []string{"logout", "signout", "sign-out", "log-out", "revoke", "delete", "remove",
		"openapi", "swagger", "/docs", "redoc", "reset", "createdb", "init"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// findGated probes candidates with the first sample's identity: its
// genuine token twice (a stable answer), no token and a garbage token.
func (a *analyser) findGated(ctx context.Context, ids map[string]*identity.Identity) []*gatedRead {
	p := a.p
	var out []*gatedRead
	for _, op := range gatedCandidates(p.Surface) {
		if len(out) >= maxGated || ctx.Err() != nil {
			break
		}
		// A read may be reserved to a role or a group: the first two
		// identities (the most privileged first) decide.
		tried := 0
		for _, s := range a.samples {
			id := ids[s.identity]
			if id == nil || tried >= 2 {
				continue
			}
			tried++
			if g, ok := a.probeGated(ctx, op, s, id); ok {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

func (a *analyser) probeGated(ctx context.Context, op *rampart.Operation, s sample, id *identity.Identity) (*gatedRead, bool) {
	p := a.p
	t := target{op: op, url: p.URL(op, nil), via: s.via}
	first, err := p.Get(ctx, id, t.url, nil)
	if err != nil || !success(first) {
		return nil, false // refused (another identity may be let in) or nothing to compare
	}
	again, err := p.Get(ctx, id, t.url, nil)
	if err != nil || !sameAnswer(answerOf(again), answerOf(first)) {
		return nil, false // an answer that changes by itself proves nothing
	}
	gen := answerOf(first)
	anon, err := p.Get(ctx, nil, t.url, nil)
	if err != nil || sameAnswer(answerOf(anon), gen) {
		return nil, false
	}
	garbage := "rampart-not-a-jwt-" + randHex(12)
	gr, err := a.send(ctx, t, garbage)
	if err != nil || sameAnswer(answerOf(gr), gen) {
		return nil, false
	}
	return &gatedRead{
		t: t, s: s, id: id, genuine: gen, shown: p.Excerpt(first),
		base: []rampart.Evidence{
			p.Evidence(first, s.identity+"'s genuine token"),
			p.Evidence(anon, "baseline: no token"),
			p.Evidence(gr, "baseline: a token that is not a JWT"),
		},
		refused: fmt.Sprintf("%d without a token, %d with a token that is not a JWT", anon.Status, gr.Status),
	}, true
}

func success(r *engine.Response) bool {
	return r != nil && r.Status >= 200 && r.Status <= 299 && check.HasData(r.Body)
}

// sameAnswer: the same status and the same content, allowing for values
// that change from one answer to the next (timestamps, request ids).
func sameAnswer(x, y answer) bool {
	if x.status != y.status || x.status < 200 || x.status > 299 {
		return false
	}
	if bytes.Equal(x.body, y.body) {
		return len(bytes.TrimSpace(x.body)) > 0
	}
	lx, ly := leaves(x.body), leaves(y.body)
	if len(lx) == 0 || len(ly) == 0 {
		return false
	}
	common := 0
	for k := range lx {
		if ly[k] {
			common++
		}
	}
	return common*10 >= max(len(lx), len(ly))*8
}

// leaves are a JSON body's scalar values with their paths (array indexes
// dropped), at most a few hundred.
func leaves(body []byte) map[string]bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil
	}
	out := map[string]bool{}
	var walk func(string, any, int)
	walk = func(path string, v any, depth int) {
		if depth > 12 || len(out) >= 400 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(path+"."+k, c, depth+1)
			}
		case []any:
			for i, c := range x {
				if i >= 50 {
					break
				}
				walk(path+"[]", c, depth+1)
			}
		default:
			out[path+"="+fmt.Sprint(x)] = true
		}
	}
	walk("", doc, 0)
	return out
}

// forgeClaims copies a sample's claims with a fresh iat (and exp moved as
// asked: nil keeps it valid, a zero time removes it).
func forgeClaims(s sample, exp *time.Time) map[string]any {
	now := time.Now()
	c := map[string]any{}
	for k, v := range s.tok.Claims {
		c[k] = v
	}
	if _, had := c["iat"]; had {
		c["iat"] = now.Unix()
	}
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

// hmacHeader keeps the sample's HMAC algorithm (a verifier may insist on
// HS512), HS256 otherwise.
func hmacHeader(s sample) map[string]any {
	h := map[string]any{"alg": "HS256", "typ": "JWT"}
	if s.tok.HMAC() {
		h["alg"] = s.tok.Alg()
	}
	return h
}

// forged is one forged token sent to a gated read.
type forged struct {
	resp   *engine.Response
	ok     bool
	header map[string]any
	claims map[string]any
}

func (a *analyser) tryGated(ctx context.Context, g *gatedRead, s sample, want answer, mint func(claims map[string]any) (map[string]any, string, error), exp *time.Time) (forged, error) {
	claims := forgeClaims(s, exp)
	h, tok, err := mint(claims)
	if err != nil {
		return forged{}, err
	}
	r, err := a.send(ctx, target{op: g.t.op, url: g.t.url, via: s.via}, tok)
	if err != nil {
		return forged{}, ctx.Err()
	}
	return forged{resp: r, ok: sameAnswer(answerOf(r), want), header: h, claims: claims}, nil
}

func (a *analyser) attackGated(ctx context.Context, g *gatedRead, ids map[string]*identity.Identity) error {
	p := a.p
	who := g.s.identity
	randomKey := make([]byte, 32)
	rand.Read(randomKey)
	signWith := func(key []byte) func(map[string]any) (map[string]any, string, error) {
		return func(c map[string]any) (map[string]any, string, error) {
			h := hmacHeader(g.s)
			tok, err := token.Sign(h, c, key)
			return h, tok, err
		}
	}
	lead := fmt.Sprintf("%s (a read that answers %s's genuine token and refuses others: %s)", g.t.op.Key(), who, g.refused)

	f, err := a.tryGated(ctx, g, g.s, g.genuine, signWith(randomKey), nil)
	if err != nil {
		return err
	}
	if f.ok {
		ev := append(append([]rampart.Evidence(nil), g.base...), p.Evidence(f.resp, "forged token, random key: "+describe(f.header, f.claims)))
		more, ev := a.otherIdentity(ctx, g, ids, signWith(randomKey), ev)
		a.record(kindNoVerify, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
			"%s accepts JWTs without checking their signature: a token signed with a random key and carrying %s's claims "+
				"got the same answer as %s's genuine token.%s Anyone can mint a token for any user.", lead, who, who, more), ev...)
		a.timeTestsGated(ctx, g, signWith(randomKey), "a random key (signatures are not checked)")
		return nil
	}

	for _, alg := range token.NoneAlgs {
		mint := func(c map[string]any) (map[string]any, string, error) {
			h := map[string]any{"alg": alg, "typ": "JWT"}
			tok, err := token.None(alg, h, c)
			return h, tok, err
		}
		f, err := a.tryGated(ctx, g, g.s, g.genuine, mint, nil)
		if err != nil {
			return err
		}
		if !f.ok {
			continue
		}
		ev := append(append([]rampart.Evidence(nil), g.base...), p.Evidence(f.resp, "forged unsigned token (header.claims. with no signature): "+describe(f.header, f.claims)))
		more, ev := a.otherIdentity(ctx, g, ids, mint, ev)
		a.record(kindNone, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
			"%s accepts unsigned JWTs: a token with alg=%q and an empty signature, carrying %s's claims, got the same "+
				"answer as %s's genuine token, while a token signed with a random key did not.%s Anyone can mint a token "+
				"for any user.", lead, alg, who, who, more), ev...)
		a.timeTestsGated(ctx, g, mint, fmt.Sprintf("alg=%q and no signature", alg))
		break
	}

	if a.key == nil {
		a.crackSamples(ctx)
	}
	if a.key != nil {
		f, err := a.tryGated(ctx, g, g.s, g.genuine, signWith(a.key), nil)
		if err != nil {
			return err
		}
		if f.ok {
			ev := append(append([]rampart.Evidence(nil), g.base...), p.Evidence(f.resp, "token forged with the guessed key: "+describe(f.header, f.claims)))
			more, ev := a.otherIdentity(ctx, g, ids, signWith(a.key), ev)
			a.record(kindWeak, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
				"%s accepts tokens signed with the guessable secret %s (%s): a token forged with it, carrying %s's claims "+
					"and a fresh iat, got the same answer as %s's genuine token.%s Anyone can mint a token for any user.",
				lead, secrets.Show(a.key, p.Settings.ShowSecrets), a.keyHow, who, who, more), ev...)
			a.timeTestsGated(ctx, g, signWith(a.key), "the guessable secret")
			return nil
		}
	}
	a.exposedNoExpGated(g)
	return nil
}

// otherIdentity strengthens a proof: a second identity's claims, forged
// the same way, get that identity's own answer and not the first's.
func (a *analyser) otherIdentity(ctx context.Context, g *gatedRead, ids map[string]*identity.Identity, mint func(map[string]any) (map[string]any, string, error), ev []rampart.Evidence) (string, []rampart.Evidence) {
	p := a.p
	for _, s := range a.samples {
		id := ids[s.identity]
		if id == nil || s.identity == g.s.identity {
			continue
		}
		own, err := p.Get(ctx, id, g.t.url, nil)
		if err != nil || !success(own) || sameAnswer(answerOf(own), g.genuine) {
			continue // the same answer for both tells nothing about whose claims counted
		}
		f, err := a.tryGated(ctx, g, s, answerOf(own), mint, nil)
		if err != nil || !f.ok {
			return "", ev
		}
		ev = append(ev, p.Evidence(f.resp, "the same forgery carrying "+s.identity+"'s claims: "+describe(f.header, f.claims)))
		return fmt.Sprintf(" The same forgery carrying %s's claims got %s's own answer, not %s's: the API trusts "+
			"whatever identity a token claims.", s.identity, s.identity, g.s.identity), ev
	}
	return "", ev
}

// crackSamples tries the known weak secrets on every HMAC token an
// identity holds, offline.
func (a *analyser) crackSamples(ctx context.Context) {
	if a.cracked {
		return
	}
	a.cracked = true
	p := a.p
	var first [][]byte
	if k := session.Key(ctx, p); k != nil {
		first = append(first, k)
	}
	for _, s := range a.samples {
		if !s.tok.HMAC() {
			continue
		}
		cands := &secrets.Candidates{First: append(first, secrets.JWT()...), Wordlist: p.Settings.Wordlist}
		res := secrets.Crack(ctx, cands.All(), func() func([]byte) bool { return s.tok.Tester() }, 0)
		if res.Found {
			a.key, a.keyHow = res.Key, fmt.Sprintf("cracked offline from %s's token after %d candidates", s.identity, res.Tried)
			return
		}
	}
}

// timeTestsGated: once tokens can be minted, an expired one and one
// without exp.
func (a *analyser) timeTestsGated(ctx context.Context, g *gatedRead, mint func(map[string]any) (map[string]any, string, error), how string) {
	p := a.p
	past := time.Now().Add(-time.Hour)
	if f, err := a.tryGated(ctx, g, g.s, g.genuine, mint, &past); err == nil && f.ok {
		a.record(kindExpired, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
			"%s accepts expired JWTs: a token minted with %s whose exp passed an hour ago, carrying %s's claims, got the "+
				"same answer as %s's genuine token. A leaked token never stops working.", g.t.op.Key(), how, g.s.identity, g.s.identity),
			append(append([]rampart.Evidence(nil), g.base[:1]...), p.Evidence(f.resp, "forged expired token: "+describe(f.header, f.claims)))...)
	}
	var none time.Time
	if f, err := a.tryGated(ctx, g, g.s, g.genuine, mint, &none); err == nil && f.ok {
		a.record(kindNoExp, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
			"%s accepts JWTs without an exp claim: a token minted with %s and no exp, carrying %s's claims, got the same "+
				"answer as %s's genuine token. Such tokens never expire.", g.t.op.Key(), how, g.s.identity, g.s.identity),
			append(append([]rampart.Evidence(nil), g.base[:1]...), p.Evidence(f.resp, "forged token without exp: "+describe(f.header, f.claims)))...)
	}
}

// exposedNoExpGated: the identity's own token has no exp, and the gated
// read accepted it.
func (a *analyser) exposedNoExpGated(g *gatedRead) {
	if _, has := g.s.tok.Expiry(); has {
		return
	}
	a.record(kindNoExp, g.t, g.shown, rampart.Firm, fmt.Sprintf(
		"%s accepts %s's token, which has no exp claim: tokens are issued without expiry and never stop working.",
		g.t.op.Key(), g.s.identity), a.p.Evidence(g.shown, fmt.Sprintf("%s's own token: %s", g.s.identity, describe(g.s.tok.Header, g.s.tok.Claims))))
}
