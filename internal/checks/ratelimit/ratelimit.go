// Package ratelimit finds authentication operations that take unlimited
// guesses: a bounded burst of failed logins for a username that does not
// exist gets no 429, no Retry-After, no lockout and no slowdown. Using an
// account that does not exist means no identity of the scan (and no real
// user) is ever locked out by the check.
package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Attempts is the size of the burst: enough that any per-account or per-IP
// throttle meant for humans (5-20 failures) shows, small enough to be polite.
const Attempts = 30

// Login is RATE-001.
var Login = check.Check{
	Meta: rampart.Meta{
		ID:       "RATE-001",
		Family:   rampart.FamilyRateLimit,
		Title:    "No throttling of failed authentication attempts",
		Severity: rampart.Medium,
		CWE:      "CWE-307",
		OWASP:    "API4:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a burst of failed logins gets no 429, lockout or slowdown: passwords can be guessed at full speed",
		Detects: "Authentication operations (POST to login, sign-in, token, session, OTP or password-reset paths, " +
			"any public operation whose body has a password-like field, or one that declares no security and takes a " +
			"username and a password without creating anything) that answer a burst of failed attempts the same " +
			"way every time: no 429, no Retry-After, no change to a lockout answer (423, 403, 503, \"locked\", " +
			"\"too many\", a CAPTCHA) and no slowdown (the median latency of the last five attempts is not three " +
			"times that of the first five). The attempts use a random username that does not exist, so no account " +
			"is locked out; an account-only lockout that ignores unknown users is therefore not seen, which is why " +
			"the finding is firm, not confirmed.",
		Requests: fmt.Sprintf("Up to %d POSTs per authentication operation, one at a time, stopping at the first "+
			"sign of throttling; the first attempt must be a plain authentication failure (401/403, 400/404/422 saying "+
			"the credentials are wrong, or a 2xx that says so and sets no cookie and returns no token) or the operation "+
			"is left alone.", Attempts),
		Budget: Attempts,
		Fix: "Throttle failed attempts per account and per client address, e.g. Flask-Limiter " +
			"(`@limiter.limit(\"5 per minute\", key_func=lambda: request.json.get(\"username\", \"\"))` plus a per-IP " +
			"limit) or a failures table in CockroachDB keyed by username with a time window; answer 429 with " +
			"Retry-After, compare against a dummy hash for unknown users so timing does not reveal them, and apply " +
			"the same limit to every endpoint that checks a password (token, session, password reset, OTP).",
		Doc: "docs/checks.md#rate-001",
	},
	Applies:   IsAuth,
	Run:       run,
	Exclusive: true, // a throttle is state: no other check's requests may interleave
}

var (
	authPath   = lazyre.New(`(?i)(^|[/_.-])(log-?in|sign-?in|sign_in|logon|authenticate|auth|token|oauth|sessions?|otp|mfa|2fa|totp|forgot|reset-?password|password-?reset|verify-?code)([/_.-]|$)`)
	notAuth    = lazyre.New(`(?i)(log-?out|sign-?out|register|sign-?up|refresh|revoke|introspect)`)
	passField  = lazyre.New(`(?i)^(password|passwd|pass|pwd|passphrase|pin|otp|totp|mfa_code|one_time_code|current_password)$`)
	userField  = lazyre.New(`(?i)^(username|user_name|user|login|email|e_mail|mail|account|handle|userName|userid|user_id|phone|identifier|client_id)$`)
	resetPath  = lazyre.New(`(?i)(forgot|reset)`)
	tokenLike  = lazyre.New(`(?i)"(access_?token|auth_?token|token|jwt|session_?id)"\s*:\s*"[^"]{16,}"|eyJ[A-Za-z0-9_-]{10,}\.eyJ`)
	lockWords  = lazyre.New(`(?i)(locked|lockout|too many|try again later|temporarily|rate.?limit|throttl|captcha|slow down|blocked)`)
	badCreds   = lazyre.New(`(?i)(invalid|incorrect|wrong|bad credentials|unknown user|no such user|not match|authentication failed|unauthori[sz]ed|denied)`)
	notCredMsg = lazyre.New(`(?i)(required|missing|must be|expected|malformed|not valid json|decode)`)
	// A login that answers 200 with a failure message (a JSON status, the
	// form again with an error): the message must say the credentials
	// failed and name what failed.
	failWords2xx = lazyre.New(`(?i)(invalid|incorrect|wrong|not correct|does not exist|doesn't exist|unknown|no such|not found|failed|"status"\s*:\s*"(fail|failure|error)")`)
	credNouns    = lazyre.New(`(?i)(user|password|credential|login|account|e-?mail)`)
	// creating names operations that make accounts or change a known
	// one's password: a body with a username and a password there is not
	// a sign-in, and an attempt could create an account.
	issuing  = lazyre.New(`(?i)(^|[^a-z])(api-?_?keys?|keys?|tokens?|sessions?|auth|credentials?)([^a-z]|$)|(Key|Token|Session|Auth|Credentials?)([A-Z]|$)`)
	creating = lazyre.New(`(?i)(create|new|add|register|sign-?up|join|invite|ch-?pass|change|update|edit)|(^|/)(users?|accounts?|members?|customers?|people|persons?|profiles?|admins?)/?$`)
)

// IsAuth says whether an operation authenticates a caller.
func IsAuth(op *rampart.Operation) bool {
	if op.Method != http.MethodPost && op.Method != http.MethodPut {
		return false
	}
	// Signing in is something anonymous callers do: an operation the spec
	// secures (creating a user, changing a password) answers 401 for lack
	// of credentials, which says nothing about throttling.
	if notAuth.MatchString(op.Path) || op.Secured() {
		return false
	}
	byPath := authPath.MatchString(op.Path)
	if !op.Public() {
		// Undeclared security: a path that says so, or a body that takes
		// an account and its password where nothing is being created (the
		// first attempt's answer then decides, see failure).
		if !bodyHas(op, passField) || !bodyHas(op, userField) {
			return byPath
		}
		issues := issuing.MatchString(op.Path) || issuing.MatchString(op.ID) // "create a token" signs in
		return byPath || issues || (!creating.MatchString(op.Path) && !creating.MatchString(op.ID))
	}
	return byPath || bodyHas(op, passField)
}

func bodyHas(op *rampart.Operation, re *lazyre.Regexp) bool {
	if op.Body == nil || op.Body.Schema == nil {
		return false
	}
	for name := range op.Body.Schema.Properties {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// attemptBody is the operation's synthesised body with every account
// field set to a username that does not exist and every secret field to a
// wrong value.
func attemptBody(p *check.Pass, op *rampart.Operation, user, pass string) ([]byte, string) {
	body, ct := p.Body(op)
	fields := map[string]any{}
	form := strings.Contains(ct, "x-www-form-urlencoded")
	if form {
		vals, _ := url.ParseQuery(string(body))
		for k := range vals {
			fields[k] = vals.Get(k)
		}
	} else {
		ct = "application/json"
		if len(body) > 0 {
			_ = json.Unmarshal(body, &fields)
		}
	}
	hasUser := false
	for k := range fields {
		switch {
		case passField.MatchString(k):
			fields[k] = pass
		case userField.MatchString(k):
			hasUser = true
			if strings.Contains(strings.ToLower(k), "mail") {
				fields[k] = user + "@example.invalid"
			} else {
				fields[k] = user
			}
		}
	}
	if !hasUser {
		fields["username"] = user
	}
	if !hasPass(fields) {
		fields["password"] = pass
	}
	if form {
		v := url.Values{}
		for k, x := range fields {
			v.Set(k, fmt.Sprint(x))
		}
		return []byte(v.Encode()), ct
	}
	b, _ := json.Marshal(fields)
	return b, ct
}

func hasPass(fields map[string]any) bool {
	for k := range fields {
		if passField.MatchString(k) {
			return true
		}
	}
	return false
}

// failure reports whether an answer is a plain authentication failure.
func failure(op *rampart.Operation, r *engine.Response) bool {
	switch {
	case r.Status == 401 || r.Status == 403:
		return true
	case r.Status == 400 || r.Status == 422 || r.Status == 404:
		// 404 too when it says so: "no such user" is a login's failure,
		// a plain "not found" is not.
		return badCreds.Match(r.Body) && !notCredMsg.Match(r.Body)
	case r.Status >= 200 && r.Status <= 299:
		// Password reset answers 2xx whether or not the account exists.
		if resetPath.MatchString(op.Path) {
			return true
		}
		// A 200 that says the credentials failed, and hands out nothing:
		// no cookie, no token.
		return failWords2xx.Match(r.Body) && credNouns.Match(r.Body) && !setsCookie(r) && !tokenLike.Match(r.Body)
	}
	return false
}

// setsCookie reports whether an answer hands out a cookie; one it clears
// (an empty value, Max-Age=0, an expiry in the past) hands out nothing.
func setsCookie(r *engine.Response) bool {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Value != "" && c.MaxAge >= 0 && (c.Expires.IsZero() || c.Expires.After(time.Now())) {
			return true
		}
	}
	return false
}

// throttled reports a sign of throttling in one answer.
func throttled(first, r *engine.Response) string {
	switch {
	case r.Status == http.StatusTooManyRequests:
		return "429 Too Many Requests"
	case r.Header.Get("Retry-After") != "":
		return "Retry-After: " + r.Header.Get("Retry-After")
	case r.Status == 423 || r.Status == 503:
		return fmt.Sprintf("status %d", r.Status)
	case r.Status != first.Status:
		return fmt.Sprintf("status changed from %d to %d", first.Status, r.Status)
	case lockWords.Match(r.Body) && !lockWords.Match(first.Body):
		return "a lockout message"
	}
	for _, h := range []string{"X-RateLimit-Remaining", "RateLimit-Remaining", "X-Rate-Limit-Remaining"} {
		if v := strings.TrimSpace(r.Header.Get(h)); v == "0" {
			return h + ": 0"
		}
	}
	return ""
}

// notFailure says why a first attempt that is no plain authentication
// failure leaves the operation untested: the API's validation message for
// a body it refused, or what it answered instead.
func notFailure(p *check.Pass, r *engine.Response) {
	switch {
	case r.Status == 400 || r.Status == 422:
		p.NotTested(rampart.ReasonBodyRejected, check.Rejected(r))
	case r.Status >= 500:
		p.NotTested(rampart.ReasonError, fmt.Sprintf("the first attempt answered %d", r.Status))
	default:
		p.NotApplicable(fmt.Sprintf("an attempt with an unknown username and a wrong password answered %d, not an authentication failure: not a login", r.Status))
	}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// slowedDown compares the first and last five latencies: a throttle that
// delays instead of refusing shows as a large, sustained increase. Noise
// (one slow answer, jitter of a few ms) moves a median of five very little.
func slowedDown(ds []time.Duration) (bool, time.Duration, time.Duration) {
	if len(ds) < 10 {
		return false, 0, 0
	}
	a, b := median(ds[:5]), median(ds[len(ds)-5:])
	return b >= 3*a && b-a >= 500*time.Millisecond, a, b
}

func run(ctx context.Context, p *check.Pass) error {
	op := p.Op
	user := "rampart-nx-" + randHex(6) // no such account: nobody gets locked out
	var (
		first, last *engine.Response
		durs        []time.Duration
	)
	start := time.Now()
	for i := 0; i < Attempts; i++ {
		body, ct := attemptBody(p, op, user, "Wrong-"+randHex(8))
		resp, err := p.Send(ctx, nil, &engine.Request{
			Method: op.Method, URL: p.URL(op, nil), Body: body,
			Header:  http.Header{"Content-Type": {ct}},
			Want429: true,
		})
		if err != nil {
			return err
		}
		if first == nil {
			if resp.Status == http.StatusTooManyRequests {
				p.Tested() // already throttled: a limit is there
				return nil
			}
			if !failure(op, resp) {
				notFailure(p, resp) // our body is not what it expects, or it is no login
				return nil
			}
			first = resp
			p.Tested() // a plain failure: the burst decides
		} else if why := throttled(first, resp); why != "" {
			return nil // throttled: the control works
		}
		last = resp
		durs = append(durs, resp.Duration)
		if slow, _, _ := slowedDown(durs); slow {
			return nil // a throttle that delays: stop as soon as it shows
		}
	}
	elapsed := time.Since(start)
	a, b := median(durs[:5]), median(durs[len(durs)-5:])
	f := p.Finding(fmt.Sprintf(
		"%s took %d failed attempts for a username that does not exist in %s (%.1f/s) and answered %d every time: "+
			"no 429, no Retry-After, no lockout, no slowdown (median latency %s for the first five, %s for the last five). "+
			"Passwords can be guessed, or sprayed across accounts, at full speed.",
		op.Key(), Attempts, elapsed.Round(time.Millisecond), float64(Attempts)/elapsed.Seconds(), first.Status,
		a.Round(time.Millisecond), b.Round(time.Millisecond)))
	f.Location.URL = first.RequestURL
	f.Confidence = rampart.Firm
	f.Evidence = []rampart.Evidence{
		p.Evidence(first, "attempt 1 of "+fmt.Sprint(Attempts)),
		p.Evidence(last, fmt.Sprintf("attempt %d of %d: the same answer", Attempts, Attempts)),
	}
	f.Curl = p.Curl(last)
	p.Report(f)
	return nil
}
