package jwt

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/flaskkey"
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

const maxGated = 2

// gatedRead is a read where forgeries are told apart by their answer, with
// the token of the identity it answers.
type gatedRead struct {
	*check.Gated
	t target
	s sample
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
	bySample := map[string]sample{}
	var order []*identity.Identity
	for _, s := range a.samples {
		if id := ids[s.identity]; id != nil && bySample[s.identity].tok == nil {
			bySample[s.identity] = s
			order = append(order, id)
		}
	}
	garbage := func(ctx context.Context, id *identity.Identity, url string) (*engine.Response, error) {
		return a.send(ctx, target{url: url, via: bySample[id.Name].via}, "rampart-not-a-jwt-"+randHex(12))
	}
	for _, g := range p.FindGated(ctx, order, garbage, maxGated) {
		s := bySample[g.Identity.Name]
		gr := &gatedRead{Gated: g, t: target{op: g.Op, url: g.URL, via: s.via}, s: s}
		if err := a.attackGated(ctx, gr, ids); err != nil {
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

func (a *analyser) tryGated(ctx context.Context, g *gatedRead, s sample, want check.Answer, mint func(claims map[string]any) (map[string]any, string, error), exp *time.Time) (forged, error) {
	claims := forgeClaims(s, exp)
	h, tok, err := mint(claims)
	if err != nil {
		return forged{}, err
	}
	r, err := a.send(ctx, target{op: g.t.op, url: g.t.url, via: s.via}, tok)
	if err != nil {
		return forged{}, ctx.Err()
	}
	return forged{resp: r, ok: check.SameAnswer(check.AnswerOf(r), want), header: h, claims: claims}, nil
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
	lead := fmt.Sprintf("%s (a read that answers %s's genuine token and refuses others: %s)", g.t.op.Key(), who, g.Refused)

	f, err := a.tryGated(ctx, g, g.s, g.Genuine, signWith(randomKey), nil)
	if err != nil {
		return err
	}
	a.attacked, a.judged[kindNoVerify] = true, true
	if f.ok {
		ev := append(append([]rampart.Evidence(nil), g.Base...), p.Evidence(f.resp, "forged token, random key: "+describe(f.header, f.claims)))
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
		f, err := a.tryGated(ctx, g, g.s, g.Genuine, mint, nil)
		if err != nil {
			return err
		}
		if !f.ok {
			continue
		}
		ev := append(append([]rampart.Evidence(nil), g.Base...), p.Evidence(f.resp, "forged unsigned token (header.claims. with no signature): "+describe(f.header, f.claims)))
		more, ev := a.otherIdentity(ctx, g, ids, mint, ev)
		a.record(kindNone, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
			"%s accepts unsigned JWTs: a token with alg=%q and an empty signature, carrying %s's claims, got the same "+
				"answer as %s's genuine token, while a token signed with a random key did not.%s Anyone can mint a token "+
				"for any user.", lead, alg, who, who, more), ev...)
		a.timeTestsGated(ctx, g, mint, fmt.Sprintf("alg=%q and no signature", alg))
		break
	}
	a.judged[kindNone] = true

	if a.key == nil {
		a.crackSamples(ctx)
	}
	if a.key != nil {
		f, err := a.tryGated(ctx, g, g.s, g.Genuine, signWith(a.key), nil)
		if err != nil {
			return err
		}
		a.judged[kindWeak] = true
		if f.ok {
			ev := append(append([]rampart.Evidence(nil), g.Base...), p.Evidence(f.resp, "token forged with the guessed key: "+describe(f.header, f.claims)))
			more, ev := a.otherIdentity(ctx, g, ids, signWith(a.key), ev)
			a.record(kindWeak, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
				"%s accepts tokens signed with %s %s (%s): a token forged with it, carrying %s's claims "+
					"and a fresh iat, got the same answer as %s's genuine token.%s Anyone can mint a token for any user.",
				lead, keyKind(p, a.key), secrets.Show(a.key, p.Settings.ShowSecrets), a.keyHow, who, who, more), ev...)
			a.timeTestsGated(ctx, g, signWith(a.key), keyKind(p, a.key))
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
		if err != nil || own.Status < 200 || own.Status > 299 || !check.HasData(own.Body) || check.SameAnswer(check.AnswerOf(own), g.Genuine) {
			continue // the same answer for both tells nothing about whose claims counted
		}
		f, err := a.tryGated(ctx, g, s, check.AnswerOf(own), mint, nil)
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
	if k := flaskkey.Key(ctx, p); k != nil {
		first = append(first, k)
	}
	for _, s := range a.samples {
		if !s.tok.HMAC() {
			continue
		}
		a.judged[kindWeak] = true // every candidate is tried on it offline
		cands := &secrets.Candidates{First: append(append(p.Settings.CodeKeyValues(), first...), secrets.JWT()...), Wordlist: p.Settings.Wordlist}
		res := secrets.Crack(ctx, cands.All(), func() func([]byte) bool { return s.tok.Tester() }, 0)
		if res.Found {
			a.key, a.keyHow = res.Key, crackedHow(p, s.identity, res)
			return
		}
	}
}

// timeTestsGated: once tokens can be minted, an expired one and one
// without exp.
func (a *analyser) timeTestsGated(ctx context.Context, g *gatedRead, mint func(map[string]any) (map[string]any, string, error), how string) {
	p := a.p
	a.judged[kindExpired], a.judged[kindNoExp] = true, true
	past := time.Now().Add(-time.Hour)
	if f, err := a.tryGated(ctx, g, g.s, g.Genuine, mint, &past); err == nil && f.ok {
		a.record(kindExpired, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
			"%s accepts expired JWTs: a token minted with %s whose exp passed an hour ago, carrying %s's claims, got the "+
				"same answer as %s's genuine token. A leaked token never stops working.", g.t.op.Key(), how, g.s.identity, g.s.identity),
			append(append([]rampart.Evidence(nil), g.Base[:1]...), p.Evidence(f.resp, "forged expired token: "+describe(f.header, f.claims)))...)
	}
	var none time.Time
	if f, err := a.tryGated(ctx, g, g.s, g.Genuine, mint, &none); err == nil && f.ok {
		a.record(kindNoExp, g.t, f.resp, rampart.Confirmed, fmt.Sprintf(
			"%s accepts JWTs without an exp claim: a token minted with %s and no exp, carrying %s's claims, got the same "+
				"answer as %s's genuine token. Such tokens never expire.", g.t.op.Key(), how, g.s.identity, g.s.identity),
			append(append([]rampart.Evidence(nil), g.Base[:1]...), p.Evidence(f.resp, "forged token without exp: "+describe(f.header, f.claims)))...)
	}
}

// exposedNoExpGated: the identity's own token has no exp, and the gated
// read accepted it.
func (a *analyser) exposedNoExpGated(g *gatedRead) {
	a.judged[kindNoExp] = true // the identity's own token was accepted: its exp, or none, is what the API issues
	if _, has := g.s.tok.Expiry(); has {
		return
	}
	a.record(kindNoExp, g.t, g.Shown, rampart.Firm, fmt.Sprintf(
		"%s accepts %s's token, which has no exp claim: tokens are issued without expiry and never stop working.",
		g.t.op.Key(), g.s.identity), a.p.Evidence(g.Shown, fmt.Sprintf("%s's own token: %s", g.s.identity, describe(g.s.tok.Header, g.s.tok.Claims))))
}

// keyKind names a cracked key: one the source writes is not a guess (the
// message then says where it is written).
func keyKind(p *check.Pass, key []byte) string {
	if p.Settings.WrittenAt(key) != "" {
		return "the secret"
	}
	return "the guessable secret"
}

// crackedHow says how a token's key was found, and where the source writes
// it when it does.
func crackedHow(p *check.Pass, who string, res secrets.Result) string {
	word := "candidates"
	if res.Tried == 1 {
		word = "candidate"
	}
	how := fmt.Sprintf("cracked offline from %s's token after %d %s", who, res.Tried, word)
	if at := p.Settings.WrittenAt(res.Key); at != "" {
		how += "; the key is written in the source at " + at
	}
	return how
}
