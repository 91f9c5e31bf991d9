// Package identity holds the accounts a scan acts as: their headers, their
// role, and the login flow that gets them a fresh token when one expires in
// the middle of a scan.
package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/redact"
)

// Roles.
const (
	RoleAnonymous = "anonymous"
	RoleUser      = "user"
	RoleAdmin     = "admin"
)

// AnonymousName is the identity that sends no credentials. It always exists.
const AnonymousName = "anonymous"

// Identity is one account. It is safe for concurrent use.
type Identity struct {
	Name  string
	Role  string
	Login *Login
	// CookieOrigins says which operation set a cookie of the static
	// headers, when that is known: a recording (--har-identity) shows the
	// answer that set it. Checks report a flaw of the cookie there, as they
	// do for a cookie a login flow collected. Set before the scan's checks
	// start; read-only after.
	CookieOrigins map[string]rampart.Location

	mu         sync.RWMutex
	static     http.Header // from --identity or the config's headers
	session    http.Header // from the last login
	secrets    []string
	generation int
	loginErr   error
	// noReloginUntil pauses re-login after one that did not help.
	noReloginUntil time.Time
}

// minRelogin is how long refusals are not taken as a sign of an expired
// token after a re-login that did not help.
const minRelogin = 5 * time.Second

// New returns an identity with the given static headers.
func New(name, role string, h http.Header) *Identity {
	id := &Identity{Name: name, Role: role, static: http.Header{}}
	for k, vs := range h {
		for _, v := range vs {
			id.AddHeader(k, v)
		}
	}
	return id
}

// Anonymous returns the identity that sends no credentials.
func Anonymous() *Identity { return New(AnonymousName, RoleAnonymous, nil) }

// AddHeader adds a static header; its value is treated as a secret.
func (id *Identity) AddHeader(name, value string) {
	id.mu.Lock()
	defer id.mu.Unlock()
	if id.static == nil {
		id.static = http.Header{}
	}
	id.static.Add(name, value)
	id.addSecretsLocked(name, value)
}

func (id *Identity) addSecretsLocked(name, value string) {
	id.secrets = append(id.secrets, redact.HeaderSecrets(name, value)...)
}

// AddSecret records credentials the identity did not send but that are
// its own all the same (what a check's second run of its login flow
// obtained), so that every output redacts them; nothing is sent with them.
func (id *Identity) AddSecret(values ...string) {
	id.mu.Lock()
	defer id.mu.Unlock()
	for _, v := range values {
		if v != "" {
			id.secrets = append(id.secrets, v)
		}
	}
}

// IsAnonymous reports whether the identity sends no credentials.
func (id *Identity) IsAnonymous() bool { return id.Role == RoleAnonymous }

// Header returns a copy of the headers the identity sends now.
func (id *Identity) Header() http.Header {
	id.mu.RLock()
	defer id.mu.RUnlock()
	h := id.static.Clone()
	if h == nil {
		h = http.Header{}
	}
	for k, vs := range id.session {
		h[k] = append([]string(nil), vs...)
	}
	return h
}

// Secrets returns every credential value the identity holds, for
// redaction: its headers' credentials, its login flow's (the password, see
// Login.Secrets), and every token and cookie a login obtained, the ones
// replaced by a re-login included (they may be in evidence already). It
// reads them at each call, so the set follows re-logins.
func (id *Identity) Secrets() []string {
	id.mu.RLock()
	defer id.mu.RUnlock()
	out := append([]string(nil), id.secrets...)
	if id.Login != nil {
		out = append(out, id.Login.Secrets()...)
	}
	return out
}

// Apply stamps the identity's credentials on a request. Headers the request
// already sets win, so a check can override one (a forged cookie).
func (id *Identity) Apply(r *engine.Request) {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	for k, vs := range id.Header() {
		if _, set := r.Header[k]; !set {
			r.Header[k] = vs
		}
	}
	if !r.Login || r.Identity == "" {
		// A login keeps the name of the identity whose credentials it
		// sends, whoever sends it: the anonymous caller logging in as alice
		// gets alice's answer.
		r.Identity = id.Name
	}
	r.Secrets = append(r.Secrets, id.Secrets()...)
}

// Do sends the request as this identity. When the identity has a login flow
// and the answer is 401, it logs in again once and retries, so a token that
// expires mid-scan does not turn the rest of the scan into noise.
func (id *Identity) Do(ctx context.Context, c *engine.Client, r *engine.Request) (*engine.Response, error) {
	// The generation is read before the credential is applied: a request
	// sent with a credential older than the generation it remembers would
	// log in again after another request already had (a second login for
	// one expiry).
	id.mu.RLock()
	gen := id.generation
	id.mu.RUnlock()
	req := *r
	req.Header = r.Header.Clone()
	id.Apply(&req)
	resp, err := c.Do(ctx, &req)
	if err != nil || id.Login == nil || !expired(resp) {
		return resp, err
	}
	id.mu.RLock()
	quiet := time.Now().Before(id.noReloginUntil)
	id.mu.RUnlock()
	if quiet {
		// A fresh login did not help a moment ago: refusals are about the
		// requests (another user's object), not an expired token, and
		// logging in again would only hammer the login.
		return resp, nil
	}
	if lerr := id.relogin(ctx, c, gen); lerr != nil {
		return resp, nil // the refusal stands; the login error is reported by the scan
	}
	req = *r
	req.Header = r.Header.Clone()
	id.Apply(&req)
	resp, err = c.Do(ctx, &req)
	if err == nil && expired(resp) {
		id.mu.Lock()
		id.noReloginUntil = time.Now().Add(minRelogin)
		id.mu.Unlock()
	}
	return resp, err
}

// expired reports whether an answer says the credential is no longer
// valid: a 401, or a 403/419/422/440 whose body says the token expired (as
// Flask-JWT-Extended's 422 and several gateways' 403 do).
func expired(resp *engine.Response) bool {
	switch resp.Status {
	case http.StatusUnauthorized:
		return true
	case http.StatusForbidden, 419, http.StatusUnprocessableEntity, 440:
		low := strings.ToLower(string(resp.Body))
		for _, w := range []string{"expired", "token is invalid", "invalid token", "session timed out", "signature verification failed"} {
			if strings.Contains(low, w) {
				return true
			}
		}
	}
	return false
}

// EnsureLoggedIn runs the login flow if the identity has one and has not
// logged in yet.
func (id *Identity) EnsureLoggedIn(ctx context.Context, c *engine.Client) error {
	if id.Login == nil {
		return nil
	}
	id.mu.RLock()
	done, gen := id.session != nil, id.generation
	id.mu.RUnlock()
	if done {
		return nil
	}
	return id.relogin(ctx, c, gen)
}

func (id *Identity) relogin(ctx context.Context, c *engine.Client, seen int) error {
	id.mu.Lock()
	defer id.mu.Unlock()
	if id.generation != seen {
		return id.loginErr // another goroutine already logged in again
	}
	id.generation++
	h, secrets, err := id.Login.run(ctx, c, id.Name)
	if err != nil {
		id.loginErr = fmt.Errorf("identity %s: login: %w", id.Name, err)
		return id.loginErr
	}
	id.session = h
	id.secrets = append(id.secrets, secrets...)
	for k, vs := range h {
		for _, v := range vs {
			id.addSecretsLocked(k, v)
		}
	}
	id.loginErr = nil
	return nil
}

// ErrBadSpec is returned for an --identity flag that cannot be parsed.
var ErrBadSpec = errors.New("bad identity")

// ParseFlag parses NAME:ROLE=HEADER, e.g. "alice:user=Authorization: Bearer abc".
// ROLE is required: which checks an identity serves (a second user, an
// admin) depends on it, and a default would hide a mistyped spec. Its
// errors quote the flag without the header's value: it is a credential,
// and errors are printed.
func ParseFlag(s string) (name, role, header, value string, err error) {
	shown := withoutValue(s)
	left, hdr, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", "", "", fmt.Errorf("%w %q: want NAME:ROLE=HEADER, e.g. 'alice:user=Authorization: Bearer TOKEN'", ErrBadSpec, shown)
	}
	name, role, _ = strings.Cut(left, ":")
	name, role = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(role))
	if name == "" {
		return "", "", "", "", fmt.Errorf("%w %q: no name before ':'", ErrBadSpec, shown)
	}
	if role == "" {
		return "", "", "", "", fmt.Errorf("%w %q: no role: want NAME:ROLE=HEADER with ROLE user or admin, e.g. '%s:user=Authorization: Bearer TOKEN'", ErrBadSpec, shown, name)
	}
	if strings.EqualFold(name, AnonymousName) {
		return "", "", "", "", fmt.Errorf("%w %q: %q is reserved for the identity with no credentials", ErrBadSpec, shown, AnonymousName)
	}
	if role != RoleUser && role != RoleAdmin {
		return "", "", "", "", fmt.Errorf("%w %q: role %q (want user or admin)", ErrBadSpec, shown, role)
	}
	header, value, ok = strings.Cut(hdr, ":")
	header, value = strings.TrimSpace(header), strings.TrimSpace(value)
	if !ok || header == "" || strings.ContainsAny(header, " \t\r\n") {
		return "", "", "", "", fmt.Errorf("%w %q: header must look like 'Name: value'", ErrBadSpec, shown)
	}
	if err := CheckHeader(header, value); err != nil {
		return "", "", "", "", fmt.Errorf("%w %q: %w", ErrBadSpec, shown, err)
	}
	return name, role, header, value, nil
}

// withoutValue is an --identity flag as errors show it: NAME:ROLE=Header:
// and the value replaced; without a header, the flag up to '='.
func withoutValue(s string) string {
	left, hdr, ok := strings.Cut(s, "=")
	if !ok {
		// No '=': a header pasted alone ("Authorization: Bearer …") or a
		// bare token; either way what follows a ':' or a long word may be
		// a credential.
		if name, _, ok := strings.Cut(s, ":"); ok {
			return name + ": " + redact.Marker
		}
		if len(s) > 40 {
			return redact.Marker
		}
		return s
	}
	name, _, ok := strings.Cut(hdr, ":")
	if !ok {
		return left + "=" + redact.Marker
	}
	return left + "=" + name + ": " + redact.Marker
}

// authSchemes are the Authorization schemes that are nothing without a
// credential after them ("Bearer $TOKEN" with TOKEN unset).
var authSchemes = []string{"bearer", "basic", "token", "digest", "jwt"}

// CheckHeader refuses a header an identity cannot be meant to send: an empty
// value (or an Authorization scheme with nothing after it) would make the
// identity send no credential and silently act as anonymous, which turns
// every access-control check into a comparison of anonymous with itself.
// Errors never quote the value.
func CheckHeader(name, value string) error {
	if name == "" || strings.ContainsAny(name, " \t\r\n:") {
		return fmt.Errorf("header name %q: want a name such as Authorization or X-Api-Key", name)
	}
	v := strings.TrimSpace(value)
	if v == "" {
		return fmt.Errorf("header %s has an empty value: an identity without its credential would act as anonymous (is the variable holding the token set?)", name)
	}
	if strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("header %s: the value has a line break", name)
	}
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		if f := strings.Fields(v); len(f) == 1 && slices.Contains(authSchemes, strings.ToLower(f[0])) {
			return fmt.Errorf("header %s: scheme %s with no credential after it: the identity would act as anonymous (is the variable holding the token set?)", name, f[0])
		}
	}
	return nil
}
