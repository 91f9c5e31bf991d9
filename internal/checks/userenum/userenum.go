// Package userenum finds authentication operations that tell an unknown
// user from a known one (OWASP API2:2023): a login that answers "no such
// user" to one and "wrong password" to the other, a different status, a
// different time; a password reset that answers "no account with this
// address". A user list can then be built from a list of guesses and
// password guessing aimed at the accounts that exist.
//
// The proof compares one made-up user with the usernames of the scan's own
// identities, each sent with a wrong password, alternating, over repeated
// samples: a stable difference in status or message (after the sent values
// and volatile parts are taken out) is confirmed; a difference in time
// alone is at most firm. A real username gets at most three wrong
// passwords in the whole scan (two password-reset requests), and the
// check stops at the first sign of throttling or lockout, so that no
// account is locked out.
package userenum

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Per real username, in the whole scan: wrong passwords sent to a login,
// requests sent to a password reset. Lockout thresholds are commonly five
// failures or more.
const (
	maxWrongPasswords = 3
	maxResets         = 2
)

// Login is ENUM-001.
var Login = check.Check{
	Meta: rampart.Meta{
		ID:       "ENUM-001",
		Family:   rampart.FamilyUserEnum,
		Title:    "Login or password reset tells unknown users from known ones",
		Severity: rampart.Medium,
		CWE:      "CWE-204",
		OWASP:    "API2:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "an unknown user and a known one with a wrong password get a different status, message or time",
		Detects: "Login operations (a POST with a username or e-mail field and a password field, or an authentication " +
			"path) and password resets (forgot/reset paths with a username or e-mail field). A made-up user (shaped " +
			"like the real ones: same e-mail domain) and the username of each identity whose login flow the scan " +
			"knows are sent alternately with wrong passwords: when every made-up answer is the same, every real-user " +
			"answer is the same, and the two differ in status or in the message (the sent values, dates, ids and " +
			"other volatile parts taken out), the finding is confirmed. When they answer alike, the times are " +
			"compared: every real-user answer slower than every made-up one by a clear margin (a password hash " +
			"checked only for users that exist) is firm. It runs in active mode only: failed logins can lock " +
			"accounts, so a real username gets at most three wrong passwords in the whole scan (two reset requests), " +
			"and the check stops at a 429, a Retry-After or a lockout message.",
		Requests: "Per operation, only when an identity's username is known: a warm-up, then alternately a made-up " +
			"user and a real one, two of each for status and message, and, when those answer alike, up to three " +
			"wrong passwords for each of up to two real usernames with as many made-up ones for timing (at most 15). " +
			"Runs alone, after the parallel checks, so that their load does not blur the times.",
		Budget: 16,
		Fix: "Answer every failed login the same way (one status, one message: \"invalid username or password\") " +
			"whether the account exists or not, verify the password against a dummy hash when it does not so that " +
			"both take as long, and make password reset and sign-up answer the same for known and unknown " +
			"addresses; throttle per account and per client address.",
		Doc: "docs/checks.md#enum-001",
	},
	Applies:   Applies,
	Run:       run,
	Exclusive: true,
}

var (
	passField  = lazyre.New(`(?i)^(?:password|passwd|pass|pwd|passphrase|current_?password|user_?password)$`)
	userField  = lazyre.New(`(?i)^(?:username|user_?name|user|login|email|e_?mail|mail|email_?address|account|handle|user_?id|identifier|phone)$`)
	authPath   = lazyre.New(`(?i)(^|[/_.-])(log-?in|sign-?in|logon|authenticate|auth|token|sessions?)([/_.-]|$)`)
	resetPath  = lazyre.New(`(?i)(forgot|reset|recover|lost)[/_.-]?(password|pass|pwd)?|password[/_.-]?(reset|forgot|recovery)`)
	notAuth    = lazyre.New(`(?i)(log-?out|sign-?out|register|sign-?up|refresh|revoke|introspect|verify|confirm)`)
	lockWords  = lazyre.New(`(?i)(locked|lockout|too many|try again later|temporarily|rate.?limit|throttl|captcha|slow down|blocked)`)
	emailShape = lazyre.New(`^[^@\s]+@([^@\s]+\.[^@\s]+)$`)
)

// kind of an authentication operation.
type kind int

const (
	notAuthOp kind = iota
	loginKind
	resetKind
)

func kindOf(op *rampart.Operation) kind {
	if op.Method != http.MethodPost && op.Method != http.MethodPut {
		return notAuthOp
	}
	if resetPath.MatchString(op.Path) {
		return resetKind
	}
	if notAuth.MatchString(op.Path) || op.Secured() {
		return notAuthOp
	}
	if authPath.MatchString(op.Path) || bodyHas(op, passField) && bodyHas(op, userField) {
		return loginKind
	}
	return notAuthOp
}

// Applies selects logins and password resets.
func Applies(op *rampart.Operation) bool { return kindOf(op) != notAuthOp }

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

// attempts counts what the check sent for each real username in the whole
// scan, so that no account nears a lockout however many login operations
// the API has.
type attempts struct {
	mu sync.Mutex
	n  map[string]int
}

func attemptsOf(p *check.Pass) *attempts {
	v, _ := p.Shared.Once("userenum: attempts", func() (any, error) { return &attempts{n: map[string]int{}}, nil })
	return v.(*attempts)
}

// take reserves one attempt for a username, or refuses when it has had
// its share.
func (a *attempts) take(user string, limit int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := strings.ToLower(user)
	if a.n[k] >= limit {
		return false
	}
	a.n[k]++
	return true
}

// template is the body of one operation with its account field and, for
// logins, its password field.
type template struct {
	json     map[string]any
	form     url.Values
	userKey  string
	passKey  string // "" for a password reset
	realUser []real
}

// real is a username of one of the scan's identities.
type real struct {
	id   *identity.Identity
	user string
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// madeUp is a username that does not exist, shaped like the real one: an
// e-mail at the same domain, or a plain name.
func madeUp(like string) string {
	if m := emailShape.FindStringSubmatch(like); m != nil {
		return "rampart-nx-" + randHex(4) + "@" + m[1]
	}
	return "rampart_nx_" + randHex(4)
}

// wrongPassword is a password nobody has, of a usual shape.
func wrongPassword() string { return "Rampart-wrong-" + randHex(5) }

// body renders the template with an account and a password.
func (t *template) body(user, pass string) ([]byte, string) {
	if t.form != nil {
		v := url.Values{}
		for k, vs := range t.form {
			v[k] = append([]string(nil), vs...)
		}
		v.Set(t.userKey, user)
		if t.passKey != "" {
			v.Set(t.passKey, pass)
		}
		return []byte(v.Encode()), "application/x-www-form-urlencoded"
	}
	m := make(map[string]any, len(t.json))
	for k, v := range t.json {
		m[k] = v
	}
	m[t.userKey] = user
	if t.passKey != "" {
		m[t.passKey] = pass
	}
	b, _ := json.Marshal(m)
	return b, "application/json"
}

// flowMatches says whether an identity's login flow posts to op.
func flowMatches(id *identity.Identity, p *check.Pass, op *rampart.Operation) bool {
	l := id.Login
	if l == nil {
		return false
	}
	m := l.Method
	if m == "" {
		m = http.MethodPost
	}
	if !strings.EqualFold(m, op.Method) {
		return false
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		return false
	}
	want, err := url.Parse(p.URL(op, nil))
	if err != nil {
		return false
	}
	return strings.TrimRight(u.Path, "/") == strings.TrimRight(want.Path, "/")
}

// fields returns a flow's body fields as strings, and whether it is a form.
func fields(l *identity.Login) (map[string]string, bool) {
	out := map[string]string{}
	if l.Form != nil {
		for k, v := range l.Form {
			out[k] = v
		}
		return out, true
	}
	for k, v := range l.JSON {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, false
}

func fieldOf(fs map[string]string, re *lazyre.Regexp) string {
	keys := make([]string, 0, len(fs))
	for k := range fs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if re.MatchString(k) {
			return k
		}
	}
	return ""
}

// emailish says whether a field holds an e-mail address rather than a name.
func emailish(key string) bool {
	for _, w := range surface.Words(key) {
		if w == "email" || w == "mail" {
			return true
		}
	}
	return false
}

// newTemplate builds the operation's body: the body of an identity's login
// flow when one posts here (the API accepts it), else the synthesised
// body, with an account value of the same kind taken from any flow.
func newTemplate(p *check.Pass, op *rampart.Operation, k kind) *template {
	t := &template{}
	for _, id := range p.Authenticated() {
		if !flowMatches(id, p, op) {
			continue
		}
		fs, form := fields(id.Login)
		uk, pk := fieldOf(fs, userField), fieldOf(fs, passField)
		if uk == "" || k == loginKind && pk == "" {
			continue
		}
		if t.userKey == "" {
			t.userKey, t.passKey = uk, pk
			if k == resetKind {
				t.passKey = ""
			}
			if form {
				t.form = url.Values{}
				for fk, fv := range id.Login.Form {
					t.form.Set(fk, fv)
				}
			} else {
				t.json = map[string]any{}
				for fk, fv := range id.Login.JSON {
					t.json[fk] = fv
				}
			}
		}
		if fs[t.userKey] != "" {
			t.realUser = append(t.realUser, real{id: id, user: fs[t.userKey]})
		}
	}
	if t.userKey != "" {
		return t
	}
	// No flow posts here: the synthesised body, with the user names the
	// flows log in with when the account field is of the same kind.
	raw, ct := p.Body(op)
	t.json = map[string]any{}
	if strings.Contains(ct, "x-www-form-urlencoded") {
		vals, _ := url.ParseQuery(string(raw))
		t.form = vals
		t.json = nil
		for key := range vals {
			switch {
			case t.userKey == "" && userField.MatchString(key):
				t.userKey = key
			case t.passKey == "" && passField.MatchString(key):
				t.passKey = key
			}
		}
	} else {
		_ = json.Unmarshal(raw, &t.json)
		if op.Body != nil && op.Body.Schema != nil {
			for key := range op.Body.Schema.Properties {
				if _, ok := t.json[key]; !ok {
					continue
				}
				switch {
				case t.userKey == "" && userField.MatchString(key):
					t.userKey = key
				case t.passKey == "" && passField.MatchString(key):
					t.passKey = key
				}
			}
		}
	}
	if k == resetKind {
		t.passKey = ""
	}
	if t.userKey == "" || k == loginKind && t.passKey == "" {
		return nil
	}
	for _, id := range p.Authenticated() {
		if id.Login == nil {
			continue
		}
		fs, _ := fields(id.Login)
		uk := fieldOf(fs, userField)
		if uk != "" && emailish(uk) == emailish(t.userKey) && fs[uk] != "" {
			t.realUser = append(t.realUser, real{id: id, user: fs[uk]})
		}
	}
	return t
}

// sample is one answer to one account.
type sample struct {
	known bool
	user  string
	pass  string
	resp  *engine.Response // an excerpt
	norm  string           // status and normalised body
	secs  float64
}

// errStop ends the check quietly: the API throttles or locks. errLoggedIn
// too: a wrong password let someone in, so the answers are not
// authentication failures.
var (
	errStop     = errors.New("stop")
	errLoggedIn = errors.New("logged in")
)

func send(ctx context.Context, p *check.Pass, op *rampart.Operation, t *template, user string, known bool) (sample, error) {
	pass := ""
	if t.passKey != "" {
		pass = wrongPassword()
	}
	body, ct := t.body(user, pass)
	resp, err := p.Send(ctx, nil, &engine.Request{
		Method: op.Method, URL: p.URL(op, nil), Body: body,
		Header:  http.Header{"Content-Type": {ct}},
		Want429: true,
	})
	if err != nil {
		return sample{}, err
	}
	s := sample{known: known, user: user, pass: pass, resp: p.Excerpt(resp), secs: resp.Duration.Seconds(),
		norm: normalize(resp.Status, resp.Body, user, pass)}
	switch {
	case resp.Status == http.StatusTooManyRequests, resp.Header.Get("Retry-After") != "", resp.Status == 423,
		lockWords.Match(resp.Body):
		return s, errStop // throttled or locked: stop before anyone is locked out
	case t.passKey != "" && resp.Status >= 200 && resp.Status < 300 && loggedIn(resp):
		return s, errLoggedIn // a wrong password let someone in: not this check's finding
	}
	return s, nil
}

// loggedIn says whether a 2xx answer hands out a session: a cookie or a
// token, which no failed login does.
func loggedIn(resp *engine.Response) bool {
	if len(resp.Header.Values("Set-Cookie")) > 0 {
		return true
	}
	low := strings.ToLower(string(resp.Body))
	return strings.Contains(low, `"token"`) || strings.Contains(low, `"access_token"`) || strings.Contains(low, "jwt")
}

func run(ctx context.Context, p *check.Pass) error {
	k := kindOf(p.Op)
	t := newTemplate(p, p.Op, k)
	if t == nil {
		p.NotApplicable("its body has no account field (and, for a login, no password field) to fill")
		return nil
	}
	if len(t.realUser) == 0 {
		// No username of the scan's own is known here: a token identity has none.
		p.NotTested(rampart.ReasonNeedsIdentity, "needs an identity that logs in with a username (a login flow in the config); token identities give none")
		return nil
	}
	limit := maxWrongPasswords
	if k == resetKind {
		limit = maxResets
	}
	att := attemptsOf(p)
	fake := madeUp(t.realUser[0].user)
	var us, ks []sample
	add := func(user string, known bool) error {
		s, err := send(ctx, p, p.Op, t, user, known)
		if err != nil {
			return err
		}
		if known {
			ks = append(ks, s)
		} else {
			us = append(us, s)
		}
		return nil
	}
	stop := func(err error) error {
		switch err {
		case errStop:
			p.NotTested(rampart.ReasonThrottled, "the API throttled or locked the attempts (429, Retry-After or a lockout message) before they could be compared")
			return nil
		case errLoggedIn:
			p.NotApplicable("a wrong password got a session: its failures cannot be compared")
			return nil
		}
		return err
	}
	// A warm-up: the first answer of a connection is often the slowest.
	if _, err := send(ctx, p, p.Op, t, fake, false); err != nil {
		return stop(err)
	}
	first := t.realUser[0]
	for i := 0; i < 2; i++ {
		if err := add(fake, false); err != nil {
			return stop(err)
		}
		if !att.take(first.user, limit) {
			p.NotTested(rampart.ReasonBudget, fmt.Sprintf("%s's share of wrong attempts in this scan is spent (no account nears a lockout)", first.id.Name))
			return nil
		}
		if err := add(first.user, true); err != nil {
			return stop(err)
		}
	}
	p.Tested() // the answers to a real and a made-up account are in
	if d, ok := contentDiff(us, ks); ok {
		report(p, k, first, d, us, ks, nil)
		return nil
	}
	if k == resetKind || !stable(us) || !stable(ks) || us[0].norm != ks[0].norm {
		return nil // timing is judged only on answers that are otherwise alike
	}
	if !separated(us, ks) {
		return nil // a made-up user as slow as a real one: no timing to prove
	}
	// Timing: the first user's last wrong password, and up to three of a
	// second user's, alternating with the made-up one.
	// A second made-up user pairs with the second real one, so that no
	// name, made-up or real, gets more than four failures.
	type pair struct {
		r    real
		fake string
	}
	seq := []pair{{first, fake}}
	if len(t.realUser) > 1 {
		second := madeUp(t.realUser[1].user)
		for range 3 {
			seq = append(seq, pair{t.realUser[1], second})
		}
	}
	for _, pr := range seq {
		r := pr.r
		if !att.take(r.user, limit) {
			continue
		}
		if err := add(pr.fake, false); err != nil {
			return stop(err)
		}
		if err := add(r.user, true); err != nil {
			return stop(err)
		}
		if us[len(us)-1].norm != ks[len(ks)-1].norm || !separated(us, ks) {
			return nil // no longer alike, or no longer apart in time: leave it
		}
	}
	if v, ok := judgeTiming(us, ks); ok {
		report(p, k, first, "", us, ks, &v)
	}
	return nil
}

func stable(ss []sample) bool {
	for _, s := range ss[1:] {
		if s.norm != ss[0].norm {
			return false
		}
	}
	return true
}

// contentDiff reports how the two kinds of answers differ when each kind is
// stable: "status" or "message".
func contentDiff(us, ks []sample) (string, bool) {
	if len(us) < 2 || len(ks) < 2 || !stable(us) || !stable(ks) || us[0].norm == ks[0].norm {
		return "", false
	}
	if us[0].resp.Status != ks[0].resp.Status {
		return "status", true
	}
	return "message", true
}

func report(p *check.Pass, k kind, r real, diff string, us, ks []sample, tv *timingVerdict) {
	what := "a wrong password"
	action := "login"
	if k == resetKind {
		what, action = "a reset request", "password reset"
	}
	u, kn := us[0], ks[0]
	var msg string
	conf := rampart.Confirmed
	if tv == nil {
		msg = fmt.Sprintf("%s tells an unknown user from a known one by its %s: for a user that does not exist (%s) it "+
			"answers %d %s, for %s's account (%s) with %s %d %s; each the same over %d samples, alternating. "+
			"An attacker can list which accounts exist and aim password guessing at them.",
			p.Op.Key(), diff, u.user, u.resp.Status, excerpt(u), r.id.Name, r.user, what, kn.resp.Status, excerpt(kn), len(us))
	} else {
		conf = rampart.Firm
		msg = fmt.Sprintf("%s tells an unknown user from a known one by its time: the same answer (%d) to both, but "+
			"every request with %s for an account that exists took %s or more, every one for a made-up user (%s) %s or "+
			"less (%d and %d samples, alternating; medians %s and %s): the %s does work, such as checking a password "+
			"hash, only for accounts that exist. Timing alone is not proof: firm.",
			p.Op.Key(), kn.resp.Status, what, ms(tv.minKnown), u.user, ms(tv.maxUnknown), len(ks), len(us),
			ms(tv.medKnown), ms(tv.medUnknown), action)
	}
	f := p.Finding(msg)
	f.Confidence = conf
	f.Location.URL = u.resp.RequestURL
	f.Location.Param = ""
	f.Evidence = []rampart.Evidence{
		p.Evidence(u.resp, "a user that does not exist, with a wrong password"),
		p.Evidence(kn.resp, fmt.Sprintf("%s's account, with %s", r.id.Name, what)),
	}
	f.Curl = p.Curl(kn.resp)
	p.Report(f)
}

func ms(secs float64) string { return fmt.Sprintf("%.0fms", secs*1000) }

// excerpt is an answer's body as a message quotes it: short, one line.
func excerpt(s sample) string {
	b := []rune(strings.Join(strings.Fields(string(s.resp.Body)), " "))
	if len(b) > 120 {
		b = append(b[:120], '…')
	}
	if len(b) == 0 {
		return "with an empty body"
	}
	return fmt.Sprintf("%q", string(b))
}
