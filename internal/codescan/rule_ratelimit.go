package codescan

import (
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart"
)

// Rate limiting: password checks that nothing throttles.

var rateLimitFamily = family{name: "ratelimit", rules: []*Rule{RateLimit}, perRoute: (*fileState).checkRateLimit}

var RateLimit = rule("PY-RATE-001", rampart.FamilyRateLimit, rampart.Medium, rampart.Firm, "CWE-307", "API4:2023", "",
	"Credential check without throttling",
	"a login or token route checks passwords with no rate limit or lockout",
	"A route verifies a password (check_password_hash, bcrypt, passlib, directly or through same-module "+
		"helpers) and nothing limits attempts: no Flask-Limiter decorator or default limit, no failure counter "+
		"or lockout helper, no 429. Passwords can be guessed at full speed.",
	"Limit attempts per account and per client (Flask-Limiter `@limiter.limit(\"5/minute\")`, or a failure "+
		"counter in the database that answers 429 with Retry-After).")

var passwordCheckRe = markers("check_password_hash(", "checkpw(", "check_password(", "verify_password(", "password_matches(",
	"compare_digest(", "bcrypt.verify(", "argon2", "pbkdf2_sha256.verify(", "sha256_crypt.verify(", "pwd_context.verify(",
	"ph.verify(", "hasher.verify(", "crypt_context.verify(", "passlib")

var throttleRe = markers("throttl", "rate_limit", "ratelimit", "limiter", "lockout", "locked_out", "too_many",
	"login_attempt", "failed_attempt", "failed_login", "login_fail", "captcha", "brute", "429")

func (f *fileState) checkRateLimit(r *routeInfo) {
	a := r.a
	if f.proj.globalLimiter || !f.proj.passwords() {
		return
	}
	checks := f.within(passwordCheckRe, a.def)
	for ref := range f.reach(a) {
		checks = checks || ref.f.within(passwordCheckRe, ref.def())
	}
	if !checks {
		return
	}
	if f.within(throttleRe, a.def) {
		return
	}
	for _, d := range r.r.Decorators {
		if throttleRe.has([]byte(strings.ToLower(d.Expr))) || strings.Contains(d.Name, "limit") {
			return
		}
	}
	for ref := range f.reach(a) {
		if ref.f.within(throttleRe, ref.def()) {
			return
		}
	}
	c := f.add(RateLimit, r.r.Node, a, fmt.Sprintf("%s %s checks a password and nothing limits the attempts", strings.Join(r.methods, ","), r.path))
	c.key = "rate"
}
