package jwt

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/flaskkey"
	token "github.com/rampart-sec/rampart/internal/jwt"
	"github.com/rampart-sec/rampart/internal/secrets"
	"github.com/rampart-sec/rampart/internal/whoami"
)

var hs256 = map[string]any{"alg": "HS256", "typ": "JWT"}

// attack runs the sequence on one operation. Baselines come first: an
// operation that answers without a token, or with any token, proves
// nothing about JWT verification and is left alone.
func (a *analyser) attack(ctx context.Context, t target) error {
	p := a.p
	who := a.people[0]
	anon, err := p.Get(ctx, nil, t.url, nil)
	if err != nil {
		return ctxErr(ctx)
	}
	if anon.Status >= 200 && anon.Status <= 299 && check.HasData(anon.Body) {
		return nil // answers anonymous callers: not a JWT-protected read
	}
	garbage := "rampart-not-a-jwt-" + randHex(12)
	gr, err := a.send(ctx, t, garbage)
	if err != nil {
		return ctxErr(ctx)
	}
	if gr.Status >= 200 && gr.Status <= 299 && check.HasData(gr.Body) {
		return nil // any token will do: not a JWT problem (missing-auth finds it)
	}
	base := []rampart.Evidence{p.Evidence(anon, "baseline: no token"), p.Evidence(gr, "baseline: a token that is not a JWT")}

	// A random key: accepted means signatures are not checked at all.
	rk := make([]byte, 32)
	rand.Read(rk)
	claims := a.claims(who, nil)
	tok, err := token.Sign(hs256, claims, rk)
	if err != nil {
		return err
	}
	r, err := a.send(ctx, t, tok)
	if err != nil {
		return ctxErr(ctx)
	}
	a.attacked, a.judged[kindNoVerify] = true, true
	if accepted(r, who) {
		a.record(kindNoVerify, t, r, rampart.Confirmed, fmt.Sprintf(
			"%s accepts JWTs without checking their signature: a token signed with a random key and claiming to be %s "+
				"was answered with that user's record, while requests without a token or with a non-JWT token were refused. "+
				"Anyone can mint a token for any user.", t.op.Key(), who.Label()),
			append(base, p.Evidence(r, "forged HS256 token, random key: "+describe(hs256, claims)))...)
		a.timeTests(ctx, t, rk, "a random key (signatures are not checked)")
		return nil
	}

	// alg=none in its spellings.
	for _, alg := range token.NoneAlgs {
		h := map[string]any{"alg": alg, "typ": "JWT"}
		tok, err := token.None(alg, h, claims)
		if err != nil {
			return err
		}
		r, err := a.send(ctx, t, tok)
		if err != nil {
			return ctxErr(ctx)
		}
		if accepted(r, who) {
			a.record(kindNone, t, r, rampart.Confirmed, fmt.Sprintf(
				"%s accepts unsigned JWTs: a token with alg=%q and an empty signature, claiming to be %s, was answered "+
					"with that user's record, while a token signed with a random key was refused. Anyone can mint a token "+
					"for any user.", t.op.Key(), alg, who.Label()),
				append(base, p.Evidence(r, "forged unsigned token (header.claims. with no signature): "+describe(h, claims)))...)
			break
		}
	}
	a.judged[kindNone] = true

	if a.key == nil {
		if err := a.findKey(ctx, t, base); err != nil {
			return err
		}
	} else if r, ok := a.prove(ctx, t, who, a.key); ok {
		a.judged[kindWeak] = true
		a.record(kindWeak, t, r, rampart.Confirmed, fmt.Sprintf(
			"%s accepts tokens signed with %s %s (%s): a forged token claiming to be %s was answered "+
				"with that user's record.", t.op.Key(), keyKind(p, a.key), secrets.Show(a.key, p.Settings.ShowSecrets), a.keyHow, who.Label()),
			append(base, p.Evidence(r, "forged HS256 token: "+describe(hs256, a.claims(who, nil))))...)
	}
	if a.key != nil {
		a.timeTests(ctx, t, a.key, keyKind(p, a.key))
		return nil
	}
	a.exposedNoExp(ctx, t)
	return nil
}

func ctxErr(ctx context.Context) error { return ctx.Err() }

// prove sends a token for who signed with key.
func (a *analyser) prove(ctx context.Context, t target, who whoami.Person, key []byte) (*engine.Response, bool) {
	tok, err := token.Sign(hs256, a.claims(who, nil), key)
	if err != nil {
		return nil, false
	}
	r, err := a.send(ctx, t, tok)
	if err != nil {
		return nil, false
	}
	return r, accepted(r, who)
}

// findKey cracks a captured HMAC token offline (every candidate, every
// core), or, without one, tries the most common secrets online on the
// first operation the spec marks as JWT.
func (a *analyser) findKey(ctx context.Context, t target, base []rampart.Evidence) error {
	p := a.p
	flaskKey := flaskkey.Key(ctx, p)
	first := [][]byte{}
	if flaskKey != nil {
		first = append(first, flaskKey)
	}
	who := a.people[0]
	for _, s := range a.samples {
		if !s.tok.HMAC() {
			continue
		}
		a.judged[kindWeak] = true // every candidate is tried on it offline
		cands := &secrets.Candidates{First: append(append(p.Settings.CodeKeyValues(), first...), secrets.JWT()...), Wordlist: p.Settings.Wordlist}
		res := secrets.Crack(ctx, cands.All(), func() func([]byte) bool { return s.tok.Tester() }, 0)
		if err := cands.Err(); err != nil && !res.Found {
			return err
		}
		if !res.Found {
			continue
		}
		how := crackedHow(p, s.identity, res)
		if r, ok := a.prove(ctx, t, who, res.Key); ok {
			a.key, a.keyHow = res.Key, how
			a.record(kindWeak, t, r, rampart.Confirmed, fmt.Sprintf(
				"%s accepts tokens signed with %s %s (%s): a forged token claiming to be %s was "+
					"answered with that user's record. Anyone can mint a token for any user.",
				t.op.Key(), keyKind(p, res.Key), secrets.Show(res.Key, p.Settings.ShowSecrets), how, who.Label()),
				append(base, p.Evidence(r, "forged HS256 token: "+describe(hs256, a.claims(who, nil))))...)
			return nil
		}
	}
	if !t.online || a.tried {
		return nil
	}
	a.tried = true
	a.judged[kindWeak] = true
	cands := append(first, secrets.JWT()...)
	if len(cands) > onlineKeys+len(first) {
		cands = cands[:onlineKeys+len(first)]
	}
	seen := map[string]bool{}
	for i, k := range cands {
		if seen[string(k)] {
			continue
		}
		seen[string(k)] = true
		r, ok := a.prove(ctx, t, who, k)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !ok {
			continue
		}
		how := fmt.Sprintf("found online, try %d", i+1)
		if flaskKey != nil && bytes.Equal(k, flaskKey) {
			how = "the cracked Flask SECRET_KEY, which Flask-JWT-Extended falls back to"
		}
		ev := append(base, p.Evidence(r, "forged HS256 token: "+describe(hs256, a.claims(who, nil))))
		// Guessed identities must both be named: one record for every
		// token would prove nothing.
		if len(a.people) > 1 {
			r2, ok2 := a.prove(ctx, t, a.people[1], k)
			if !ok2 && a.guessed {
				return nil
			}
			if ok2 {
				ev = append(ev, p.Evidence(r2, "second forged token: "+describe(hs256, a.claims(a.people[1], nil))))
			}
		}
		a.key, a.keyHow = k, how
		a.record(kindWeak, t, r, rampart.Confirmed, fmt.Sprintf(
			"%s accepts tokens signed with %s %s (%s): a forged token claiming to be %s was answered "+
				"with that user's record. Anyone can mint a token for any user.",
			t.op.Key(), keyKind(p, k), secrets.Show(k, p.Settings.ShowSecrets), how, who.Label()), ev...)
		return nil
	}
	return nil
}

// timeTests checks exp handling once tokens can be signed: an expired
// token, then one with no exp.
func (a *analyser) timeTests(ctx context.Context, t target, key []byte, keyDesc string) {
	p := a.p
	who := a.people[0]
	a.judged[kindExpired], a.judged[kindNoExp] = true, true
	past := time.Now().Add(-time.Hour)
	claims := a.claims(who, &past)
	if tok, err := token.Sign(hs256, claims, key); err == nil {
		if r, err := a.send(ctx, t, tok); err == nil && accepted(r, who) {
			a.record(kindExpired, t, r, rampart.Confirmed, fmt.Sprintf(
				"%s accepts expired JWTs: a token signed with %s whose exp passed an hour ago, claiming to be %s, was "+
					"answered with that user's record. A leaked token never stops working.", t.op.Key(), keyDesc, who.Label()),
				p.Evidence(r, "forged expired token: "+describe(hs256, claims)))
		}
	}
	var none time.Time
	claims = a.claims(who, &none)
	if tok, err := token.Sign(hs256, claims, key); err == nil {
		if r, err := a.send(ctx, t, tok); err == nil && accepted(r, who) {
			a.record(kindNoExp, t, r, rampart.Confirmed, fmt.Sprintf(
				"%s accepts JWTs without an exp claim: a token signed with %s and no exp, claiming to be %s, was "+
					"answered with that user's record. Such tokens never expire.", t.op.Key(), keyDesc, who.Label()),
				p.Evidence(r, "forged token without exp: "+describe(hs256, claims)))
		}
	}
}

// exposedNoExp covers the case without a key: an identity holds a token
// with no exp, and the API accepts it.
func (a *analyser) exposedNoExp(ctx context.Context, t target) {
	p := a.p
	if len(a.samples) > 0 {
		a.judged[kindNoExp] = true // the tokens the API issued carry an exp, or are tried without one
	}
	for _, s := range a.samples {
		if _, has := s.tok.Expiry(); has {
			continue
		}
		var owner whoami.Person
		for _, w := range a.people {
			if w.Identity == s.identity {
				owner = w
			}
		}
		if owner.Identity == "" {
			continue
		}
		r, err := a.sendOwn(ctx, t, s)
		if err != nil || !accepted(r, owner) {
			continue
		}
		a.record(kindNoExp, t, r, rampart.Firm, fmt.Sprintf(
			"%s accepts %s's token, which has no exp claim: tokens are issued without expiry and never stop working.",
			t.op.Key(), s.identity), p.Evidence(r, fmt.Sprintf("%s's own token: %s", s.identity, describe(s.tok.Header, s.tok.Claims))))
		return
	}
}
