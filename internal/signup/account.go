package signup

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Prefix starts the name of every account the scan signs up, so that
// whoever looks at the target's users sees which ones a scan made.
const Prefix = "rampart-tmp-"

// Uses of an account.
const (
	UseIdentity = "identity" // a user the scan acts as
	UseVictim   = "victim"   // what destructive tests act on
	UseCheck    = "check"    // a check's own (a privilege escalation tried on it)
)

// Account is one throwaway account.
type Account struct {
	Name, Email string
	password    string
	// Identity logs in as the account; nil when it could not log in.
	Identity *identity.Identity
	Use      string
	via      string
	// id is the account's id as the sign-up answer gave it, "" when it
	// gave none.
	id      string
	removed bool
	note    string
}

// Env is what signing up needs from the scan: the engine, where operation
// paths hang off, and the body synthesiser (Pass.Body).
type Env struct {
	Client *engine.Client
	Base   *url.URL
	Body   func(op *rampart.Operation) ([]byte, string)
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return fmt.Sprintf("%x", time.Now().UnixNano())[:2*n]
	}
	return hex.EncodeToString(b)
}

// fits reports whether v meets a string schema's length and pattern.
func fits(v string, s *rampart.Schema) bool {
	if s == nil {
		return true
	}
	if (s.MinLength > 0 && len(v) < s.MinLength) || (s.MaxLength > 0 && len(v) > s.MaxLength) {
		return false
	}
	if s.Pattern != "" {
		re, err := regexp.Compile(s.Pattern)
		if err != nil || !re.MatchString(v) {
			return false
		}
	}
	return true
}

func (pl *Plan) prop(op *rampart.Operation, name string) *rampart.Schema {
	if name == "" || op.Body == nil || op.Body.Schema == nil {
		return nil
	}
	return op.Body.Schema.Properties[name]
}

// names picks a username, e-mail address and password the sign-up's schema
// accepts: names that say a scan made them, an address at example.com, and
// a password with upper and lower case, digits and a symbol.
func (pl *Plan) names() (user, email, pass string) {
	suffix := random(4)
	user = Prefix + suffix
	for _, cand := range []string{Prefix + suffix, "rampart_tmp_" + suffix, "rampartTmp" + suffix, "rampart" + suffix} {
		if fits(cand, pl.prop(pl.Register, pl.user)) {
			user = cand
			break
		}
	}
	email = user + "@example.com"
	if !fits(email, pl.prop(pl.Register, pl.email)) {
		email = "rampart" + suffix + "@example.com"
	}
	pass = "Rt9!" + random(8) + "xZ"
	if s := pl.prop(pl.Register, pl.pass); s != nil && s.MaxLength > 0 && len(pass) > s.MaxLength && s.MaxLength >= 8 {
		pass = pass[:s.MaxLength-3] + "Z9!"
	}
	return user, email, pass
}

// body is op's synthesised body reduced to the fields the spec requires,
// with the credential fields set.
func body(env Env, op *rampart.Operation, set map[string]string, extra ...map[string]any) ([]byte, string) {
	raw, _ := env.Body(op)
	required := map[string]bool{}
	if op.Body.Schema != nil {
		for _, r := range op.Body.Schema.Required {
			required[r] = true
		}
	}
	out := map[string]any{}
	if bodyKind(op) == "form" {
		vals, _ := url.ParseQuery(string(raw))
		for k := range vals {
			if required[k] {
				out[k] = vals.Get(k)
			}
		}
	} else {
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil {
			for k, v := range m {
				if required[k] {
					out[k] = v
				}
			}
		}
	}
	for k, v := range set {
		if k != "" {
			out[k] = v
		}
	}
	for _, m := range extra {
		for k, v := range m {
			if _, cred := set[k]; !cred {
				out[k] = v
			}
		}
	}
	if bodyKind(op) == "form" {
		f := url.Values{}
		for k, v := range out {
			f.Set(k, fmt.Sprint(v))
		}
		return []byte(f.Encode()), "application/x-www-form-urlencoded"
	}
	b, _ := json.Marshal(out)
	return b, "application/json"
}

// ErrSignup is wrapped by every error of a sign-up that did not give the
// scan a usable account.
var ErrSignup = errors.New("sign-up")

// Create signs up one account and logs in as it.
func (pl *Plan) Create(ctx context.Context, env Env, use string) (*Account, error) {
	return pl.CreateWith(ctx, env, use, nil)
}

// CreateWith is Create with extra fields in the sign-up body: a check's
// question (does the API accept a role at sign-up?), never this package's.
func (pl *Plan) CreateWith(ctx context.Context, env Env, use string, extra map[string]any) (*Account, error) {
	var a *Account
	for attempt := 0; ; attempt++ {
		user, email, pass := pl.names()
		a = &Account{Name: user, Email: email, password: pass, Use: use, via: http.MethodPost + " " + pl.Register.Path}
		if pl.user == "" {
			a.Name = email // an account known by its address alone
		}
		set := map[string]string{pl.user: user, pl.email: email, pl.pass: pass}
		for _, c := range pl.confirm {
			set[c] = pass
		}
		b, ct := body(env, pl.Register, set, extra)
		resp, err := env.Client.Do(ctx, &engine.Request{Method: http.MethodPost, URL: surface.URL(env.Base, pl.Register, nil),
			Header: http.Header{"Content-Type": {ct}}, Body: b, Secrets: []string{pass}})
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrSignup, a.via, err)
		}
		if resp.Status == http.StatusConflict && attempt == 0 {
			continue // the name is taken (by an earlier scan?): one more with another
		}
		// A form sign-up redirects to the login page once it has created
		// the account; one that sends the browser back to the form failed.
		// Either way the login that follows is the proof.
		if (resp.Status < 200 || resp.Status > 399) || (resp.Status >= 300 && redirectsTo(resp, pl.Register.Path)) {
			return nil, fmt.Errorf("%w: %s answered %d", ErrSignup, a.via, resp.Status)
		}
		if doc, ok := holdings.DecodeJSON(resp.Body); ok {
			if m := holdings.ObjectIn(doc); m != nil {
				a.id, _ = holdings.IDOf(m)
			}
		}
		break
	}
	who := a.Name
	if pl.loginByEmail {
		who = a.Email
	}
	l := rampart.Login{Method: http.MethodPost, URL: surface.URL(env.Base, pl.Login, nil)}
	lb, _ := body(env, pl.Login, map[string]string{pl.loginUser: who, pl.loginPass: a.password})
	if bodyKind(pl.Login) == "form" {
		vals, _ := url.ParseQuery(string(lb))
		l.Form = map[string]string{}
		for k := range vals {
			l.Form[k] = vals.Get(k)
		}
	} else {
		json.Unmarshal(lb, &l.JSON)
	}
	id := identity.New(a.Name, identity.RoleUser, nil)
	id.Login = identity.Inferred(l, pl.how)
	if err := id.EnsureLoggedIn(ctx, env.Client); err != nil {
		a.note = "signed up, but could not log in"
		return a, fmt.Errorf("%w: %s created %s but its login failed: %w", ErrSignup, a.via, a.Name, err)
	}
	a.Identity = id
	return a, nil
}

// Password is the account's password, for a check that must prove a
// change of it (logging in with the new one).
func (a *Account) Password() string { return a.password }

// ID is the account's id as the sign-up answer gave it, "" when it gave
// none.
func (a *Account) ID() string { return a.id }

// Secrets are the account's credentials, for redaction.
func (a *Account) Secrets() []string {
	out := []string{a.password}
	if a.Identity != nil {
		out = append(out, a.Identity.Secrets()...)
	}
	return out
}

// value fills a DELETE's path parameter with the account's own username,
// e-mail address or id, by the parameter's name.
func (a *Account) value(param string) (v string, isID bool) {
	return PersonKey(param, a.id, a.Name, a.Email)
}

// PersonKey is the value of a person's own key for a path parameter, by
// the parameter's name: the e-mail address for {email}, the id for {id},
// {user_id} or {user}, the username otherwise; isID says the id was asked
// for ("" when the person has no value of that kind).
func PersonKey(param, id, username, email string) (v string, isID bool) {
	w := surface.Words(param)
	last := ""
	if len(w) > 0 {
		last = w[len(w)-1]
	}
	switch {
	case strings.Contains(strings.ToLower(param), "mail"):
		return email, false
	case last == "id" || last == "uuid" || last == "pk" || len(w) == 1 && (last == "user" || last == "account"):
		return id, true
	}
	return username, false
}

// Remove deletes the account as itself where the API lets it, and checks
// that it can no longer log in. An id from the sign-up answer is used only
// once a read of that id, as the account, shows the account's own name:
// a wrong id could name somebody else.
func (pl *Plan) Remove(ctx context.Context, env Env, a *Account) {
	if a == nil || a.Identity == nil || a.removed {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	tried := 0
	for _, op := range pl.deletes {
		if tried == 2 {
			break
		}
		vals := map[string]string{}
		ok := true
		for _, prm := range op.Params {
			if prm.In != "path" {
				continue
			}
			v, isID := a.value(prm.Name)
			if v == "" || (isID && !pl.owns(ctx, env, a, op, prm.Name, v)) {
				ok = false
				break
			}
			vals[prm.Name] = v
		}
		if !ok {
			continue
		}
		tried++
		resp, err := a.Identity.Do(ctx, env.Client, &engine.Request{Method: http.MethodDelete, URL: surface.URL(env.Base, op, vals)})
		if err != nil {
			a.note = fmt.Sprintf("DELETE %s failed: %v", op.Path, err)
			continue
		}
		if resp.Status < 200 || resp.Status > 299 {
			a.note = fmt.Sprintf("DELETE %s as itself answered %d", op.Path, resp.Status)
			continue
		}
		// Gone means it can no longer log in.
		again := identity.New(a.Name, identity.RoleUser, nil)
		again.Login = &identity.Login{Login: a.Identity.Login.Login}
		if err := again.EnsureLoggedIn(ctx, env.Client); err == nil {
			a.note = fmt.Sprintf("DELETE %s as itself answered %d, yet the account still logs in", op.Path, resp.Status)
			continue
		}
		a.removed, a.note = true, fmt.Sprintf("deleted as itself with DELETE %s; it no longer logs in", op.Path)
		return
	}
	if tried == 0 {
		a.note = "the API offers no operation that deletes an account as itself"
	}
}

// owns reports whether the item op's GET with value v shows the account
// itself: its username or e-mail address.
func (pl *Plan) owns(ctx context.Context, env Env, a *Account, del *rampart.Operation, param, v string) bool {
	r, err := a.Identity.Do(ctx, env.Client, &engine.Request{Method: http.MethodGet,
		URL: surface.URL(env.Base, &rampart.Operation{Method: http.MethodGet, Path: del.Path}, map[string]string{param: v})})
	if err != nil || r.Status < 200 || r.Status > 299 {
		return false
	}
	low := bytes.ToLower(r.Body)
	return bytes.Contains(low, []byte(strings.ToLower(a.Name))) || bytes.Contains(low, []byte(strings.ToLower(a.Email)))
}

// Report is the account as the report lists it.
func (a *Account) Report() rampart.Account {
	note := a.note
	if !a.removed && note == "" {
		note = "not removed"
	}
	return rampart.Account{Name: a.Name, Email: a.Email, Via: a.via, Use: a.Use, Removed: a.removed, Note: note}
}

// redirectsTo reports whether an answer redirects to a path.
func redirectsTo(resp *engine.Response, path string) bool {
	u, err := url.Parse(resp.Header.Get("Location"))
	return err == nil && u.Path != "" && strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(path, "/")
}
