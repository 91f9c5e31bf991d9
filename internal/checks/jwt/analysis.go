package jwt

import "github.com/rampart-sec/rampart/internal/check"

// analysis is what the one JWT analysis of a scan found and could judge;
// each of the five checks reports its kind from it and says what it
// tested, although only the first to run sent the requests.
type analysis struct {
	out      []outcome
	judged   map[kind]bool
	attacked bool
	samples  int  // JWTs the identities hold
	declared bool // the spec declares JWT bearer tokens: keys are tried online
	verified bool // false when tokens signed with any key are accepted
}

// declare says what became of one kind: tested when an attack could have
// proved it, else why nothing could.
func (a *analysis) declare(p *check.Pass, k kind) {
	switch {
	case a.judged[k]:
		p.Tested()
	case !a.attacked && a.samples == 0 && !a.declared:
		p.NotApplicable("no JWT seen: no identity holds one and the spec declares no JWT bearer tokens")
	case !a.attacked:
		p.NotApplicable("no read refuses a request without a token and one with a garbage token while taking a JWT: nothing checks them")
	case !a.verified:
		p.NotApplicable("signatures are not checked at all (JWT-003): this forgery adds nothing")
	case k == kindWeak:
		p.NotApplicable("no identity holds an HMAC-signed JWT to crack and the spec declares no JWT bearer tokens to try keys on")
	default:
		// Expiry is tested with tokens the scan signs: none could be.
		p.NotApplicable("no token could be forged (signatures are checked and no key was guessed), so none with this expiry could be made")
	}
}

// declaredJWT reports whether the spec marks a read as taking JWTs.
func (a *analyser) declaredJWT() bool {
	for _, op := range a.p.Surface {
		if _, _, ok := jwtScheme(op, a.p.Schemes); ok {
			return true
		}
	}
	return false
}

// verifies reports false when a token signed with a random key was
// accepted.
func (a *analyser) verifies() bool {
	for _, o := range a.out {
		if o.kind == kindNoVerify {
			return false
		}
	}
	return true
}
