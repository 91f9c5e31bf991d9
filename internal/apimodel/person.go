package apimodel

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/flasksession"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/jwt"
)

// Person is who one identity is, as the API says: from its login answer,
// its token's claims and answers that are its own record. No "who am I"
// endpoint is needed, and a credential carried in a cookie is read the
// same way as one in a header.
type Person struct {
	Identity string `json:"identity"`
	Role     string `json:"role,omitempty"` // the scan's role: user or admin
	ID       string `json:"id,omitempty"`
	Username string `json:"username,omitempty"`
	Email    string `json:"email,omitempty"`
	// APIRole is the role the API states ("admin", "member"); Admin is
	// set when the API states an administrator (a role, is_admin: true).
	APIRole string `json:"apiRole,omitempty"`
	Admin   bool   `json:"admin,omitempty"`
	// Accounts are the account and card numbers it owns.
	Accounts []string `json:"accounts,omitempty"`
	// Owns are the keys of other objects it owns (ids, names, titles), best
	// evidence first; at most maxOwns.
	Owns []string `json:"owns,omitempty"`
	// From says where each part was learned: "id": "token claim".
	From map[string]How `json:"from,omitempty"`
}

// Known reports whether anything identifies the person.
func (p Person) Known() bool { return p.ID != "" || p.Username != "" || p.Email != "" }

// Matches reports whether a value names the person: its id, username or
// e-mail address.
func (p Person) Matches(v string) bool {
	if v == "" {
		return false
	}
	return v == p.ID || (p.Username != "" && strings.EqualFold(v, p.Username)) || (p.Email != "" && strings.EqualFold(v, p.Email))
}

const maxOwns = 32

// person is what the model knows of one identity while the scan runs.
type person struct {
	role                string
	id, username, email part
	apiRole             part
	admin               bool
}

// part is one fact and the evidence it came from.
type part struct {
	v   string
	how How
}

// rank orders evidence: what the API wrote about the caller in its login
// answer or token beats what the caller sent, which beats a profile.
func rank(h How) int {
	switch {
	case h&HowClaim != 0:
		return 4
	case h&HowLogin != 0:
		return 3
	case h&HowLoginSent != 0:
		return 2
	case h&HowProfile != 0:
		return 1
	}
	return 0
}

func (p *part) set(v string, how How) {
	if v == "" || len(v) > 256 {
		return
	}
	if p.v == "" || rank(how) > rank(p.how) {
		p.v, p.how = v, how
	}
}

// personLocked returns who's person, and is called by every change to
// what the model knows (with the write lock held): it counts the change.
func (m *Model) personLocked(who string) *person {
	m.gen++
	p := m.people[who]
	if p == nil {
		if len(m.people) >= maxPeople {
			return &person{} // bounded: an identity past the cap is not remembered
		}
		p = &person{}
		m.people[who] = p
		m.order = append(m.order, who)
	}
	return p
}

// Register tells the model about the scan's identities: their roles, and
// what their credentials say (the claims of a JWT or of a Flask session
// cookie in their headers). Explore registers the identities it is given.
func (m *Model) Register(ids ...*identity.Identity) {
	if m == nil {
		return
	}
	for _, id := range ids {
		if id == nil {
			continue
		}
		m.mu.Lock()
		p := m.personLocked(id.Name)
		p.role = id.Role
		m.mu.Unlock()
		if id.IsAnonymous() {
			continue
		}
		for name, vs := range id.Header() {
			for _, v := range vs {
				m.learnCredential(id.Name, name, v)
			}
		}
	}
}

// learnCredential reads the claims a header value carries: a bearer JWT,
// a cookie holding a JWT or a Flask session.
func (m *Model) learnCredential(who, header, value string) {
	var cands []string
	switch http.CanonicalHeaderKey(header) {
	case "Cookie":
		for _, c := range (&http.Request{Header: http.Header{"Cookie": {value}}}).Cookies() {
			cands = append(cands, c.Value)
		}
	case "Set-Cookie":
		if c, err := http.ParseSetCookie(value); err == nil {
			cands = append(cands, c.Value)
		}
	default:
		f := strings.Fields(value)
		if len(f) > 0 {
			cands = append(cands, f[len(f)-1])
		}
	}
	for _, c := range cands {
		if claims := claimsOf(c); claims != nil {
			m.learnClaims(who, claims)
		}
	}
}

// claimsOf decodes a JWT's payload or a Flask session cookie's, without
// verifying anything; nil when the value is neither.
func claimsOf(v string) map[string]any {
	if jwt.Looks(v) {
		if t, err := jwt.Parse(v); err == nil {
			return t.Claims
		}
	}
	if flasksession.Looks(v) {
		if c, err := flasksession.Parse(v); err == nil {
			if doc, ok := decode(c.JSON); ok {
				if m, ok := flasksession.Untag(doc).(map[string]any); ok {
					return m
				}
			}
		}
	}
	return nil
}

// claimNests are claims under which an issuer nests who the token is for.
var claimNests = []string{"data", "user", "identity", "sub", "context", "account", "profile", "claims", "usr"}

// learnClaims records what a token says of who: its values as claims, and
// its id, username, e-mail and role. Nested claims count (under data, user,
// identity, sub).
func (m *Model) learnClaims(who string, claims map[string]any) {
	fs := harvest(claims, "user", "claims")
	objs := []map[string]any{claims}
	for _, k := range claimNests {
		if inner, ok := claims[k].(map[string]any); ok {
			objs = append(objs, inner)
			fs = append(fs, harvest(inner, "user", "claims."+k)...)
		}
	}
	for i := range fs {
		fs[i].top = true
		if fs[i].field == "sub" {
			// sub is whoever the token is for: an id, a username or an e-mail.
			fs[i].kind = subKind(fs[i].text)
		}
	}
	m.mu.Lock()
	p := m.personLocked(who)
	for _, o := range objs {
		p.learn(o, HowClaim)
	}
	m.mu.Unlock()
	m.merge(FromToken, who, HowClaim, fs, false)
}

func subKind(s string) Kind {
	switch {
	case intRe.MatchString(s):
		return KindNumber
	case uuidRe.MatchString(s):
		return KindUUID
	case emailRe.MatchString(s):
		return KindEmail
	}
	return KindUsername
}

// Field names that say who an object or a token is for.
var (
	idNames    = []string{"id", "userid", "uid", "sub", "accountid", "memberid", "employeeid", "customerid", "personid"}
	nameNames  = []string{"username", "preferredusername", "screenname", "nickname", "user"}
	emailNames = []string{"email"}
	roleNames  = []string{"role", "roles", "userrole", "group", "groups", "scope", "scopes", "authorities", "permissions"}
	adminNames = []string{"isadmin", "admin", "isstaff", "staff", "issuperuser", "superuser"}
)

// learn reads who from one object: a login answer, claims or a profile.
func (p *person) learn(o map[string]any, how How) {
	byNorm := map[string]any{}
	for k, v := range o {
		n := norm(k)
		if _, dup := byNorm[n]; !dup {
			byNorm[n] = v
		}
	}
	for _, n := range idNames {
		if s := scalarText(byNorm[n]); s != "" && !strings.Contains(s, " ") {
			if n == "sub" && subKind(s) == KindUsername {
				p.username.set(s, how)
				continue
			}
			if n == "sub" && subKind(s) == KindEmail {
				p.email.set(s, how)
				continue
			}
			p.id.set(s, how)
			break
		}
	}
	for _, n := range nameNames {
		if s := scalarText(byNorm[n]); s != "" && keyRe.MatchString(s) {
			p.username.set(s, how)
			break
		}
	}
	for _, n := range emailNames {
		if s := scalarText(byNorm[n]); emailRe.MatchString(s) {
			p.email.set(s, how)
			break
		}
	}
	for _, n := range roleNames {
		switch v := byNorm[n].(type) {
		case string:
			p.apiRole.set(v, how)
			p.admin = p.admin || adminWord(v)
		case []any:
			var rs []string
			for _, x := range v {
				if s := scalarText(x); s != "" {
					rs = append(rs, s)
					p.admin = p.admin || adminWord(s)
				}
			}
			p.apiRole.set(strings.Join(rs, " "), how)
		}
	}
	for _, n := range adminNames {
		if b, ok := byNorm[n].(bool); ok && b {
			p.admin = true
		}
	}
}

func adminWord(s string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == ',' || r == ':' || r == '_' || r == '-' }) {
		switch w {
		case "admin", "administrator", "superuser", "root", "staff":
			return true
		}
	}
	return false
}

// observeLogin learns from a login exchange: what the identity sent (its
// username or e-mail, never its password), what the answer says, and the
// claims of the tokens and cookies it got.
func (m *Model) observeLogin(who string, r *engine.Response) {
	if fs := requestFields(r.Request, "user"); len(fs) > 0 {
		var mine []found
		m.mu.Lock()
		p := m.personLocked(who)
		for _, f := range fs {
			switch f.kind {
			case KindUsername:
				p.username.set(f.text, HowLoginSent)
			case KindEmail:
				p.email.set(f.text, HowLoginSent)
			default:
				continue
			}
			f.top = true
			mine = append(mine, f)
		}
		m.mu.Unlock()
		m.merge(FromLogin, who, HowLoginSent, mine, true)
	}
	if r.Status < 200 || r.Status > 299 {
		return
	}
	if doc, ok := decode(r.Body); ok {
		env := Open(doc)
		fs := harvest(env.Payload, "user", env.Path)
		if obj, ok := env.Payload.(map[string]any); ok {
			m.mu.Lock()
			p := m.personLocked(who)
			p.learn(obj, HowLogin)
			for _, k := range []string{"user", "account", "profile", "me", "identity"} {
				if inner, ok := obj[k].(map[string]any); ok {
					p.learn(inner, HowLogin)
				}
			}
			m.mu.Unlock()
		}
		for i := range fs {
			fs[i].top = true
		}
		m.merge(FromLogin, who, HowLogin, fs, false)
		for _, f := range fs {
			if f.kind == KindToken {
				if c := claimsOf(f.text); c != nil {
					m.learnClaims(who, c)
				}
			}
		}
	}
	for name, vs := range r.Header {
		for _, v := range vs {
			m.learnCredential(who, name, v)
		}
	}
}

// requestFields are the values of a JSON or form request body, each under
// its field name. Values that look like probes (quotes, markup, comment
// markers) are left out: a key the client chose is plain.
func requestFields(r *engine.Request, thing string) []found {
	var doc any
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	switch {
	case strings.Contains(ct, "x-www-form-urlencoded"):
		vals, err := url.ParseQuery(string(r.Body))
		if err != nil {
			return nil
		}
		m := map[string]any{}
		for k, vs := range vals {
			if len(vs) > 0 && len(m) < maxKeys {
				m[k] = vs[0]
			}
		}
		doc = m
	default:
		d, ok := decode(r.Body)
		if !ok {
			return nil
		}
		doc = d
	}
	fs := harvest(doc, thing, "")
	out := fs[:0]
	for _, f := range fs {
		if !probeLike(f.text) {
			out = append(out, f)
		}
	}
	return out
}

func probeLike(s string) bool {
	return strings.ContainsAny(s, "'\"<>;`\\$") || strings.Contains(s, "--") || strings.Contains(s, "{{")
}

// isProfile says whether an answer to who is who's own record: an object
// about a person (its path or collection names one) whose username or
// e-mail field is who's. While who's username and e-mail are unknown (a
// static opaque token), a read without parameters of such an object (GET
// /me, /profile, /account) is taken as who's own unless it names another
// identity: it is how such APIs answer "who am I".
func (m *Model) isProfile(who, thing string, fs []found, paramless bool) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.people[who]
	if p == nil || !personThing(thing) {
		return false
	}
	known := p.username.v != "" || p.email.v != ""
	for _, f := range fs {
		if !f.top {
			continue
		}
		var mine string
		switch {
		case f.kind == KindUsername && norm(f.field) == "username":
			mine = p.username.v
		case f.kind == KindEmail:
			mine = p.email.v
		default:
			continue
		}
		if known {
			if mine != "" && strings.EqualFold(f.text, mine) {
				return true
			}
			continue
		}
		if paramless && !m.namesOtherLocked(who, f.text) {
			return true
		}
	}
	return false
}

// namesOtherLocked says whether a username or e-mail is another
// identity's.
func (m *Model) namesOtherLocked(who, v string) bool {
	for name, q := range m.people {
		if name != who && (strings.EqualFold(q.username.v, v) || strings.EqualFold(q.email.v, v)) {
			return true
		}
	}
	return false
}

// learnProfile takes who's id, username, e-mail and role from its own
// record.
func (m *Model) learnProfile(who string, obj map[string]any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.personLocked(who).learn(obj, HowProfile)
}

// Person returns who an identity is, as far as the scan has learned.
func (m *Model) Person(id *identity.Identity) Person {
	if m == nil || id == nil {
		return Person{}
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	m.cmu.Lock()
	c, ok := m.pcache[id.Name]
	m.cmu.Unlock()
	if ok && c.gen == m.gen {
		return c.p.clone()
	}
	p := m.personOf(id.Name)
	m.cmu.Lock()
	if m.pcache == nil {
		m.pcache = map[string]cachedPerson{}
	}
	if len(m.pcache) < maxPeople {
		m.pcache[id.Name] = cachedPerson{gen: m.gen, p: p.clone()}
	}
	m.cmu.Unlock()
	return p
}

// clone copies the slices and map a caller could change.
func (p Person) clone() Person {
	p.Accounts, p.Owns = slices.Clone(p.Accounts), slices.Clone(p.Owns)
	p.From = maps.Clone(p.From)
	return p
}

// People returns every identity the model knows, in the order it met them.
func (m *Model) People() []Person {
	if m == nil {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Person
	for _, who := range m.order {
		out = append(out, m.personOf(who))
	}
	return out
}

func (m *Model) personOf(who string) Person {
	p := m.people[who]
	out := Person{Identity: who}
	if p == nil {
		return out
	}
	out.Role, out.ID, out.Username, out.Email = p.role, p.id.v, p.username.v, p.email.v
	out.APIRole, out.Admin = p.apiRole.v, p.admin
	out.From = map[string]How{}
	for k, pt := range map[string]part{"id": p.id, "username": p.username, "email": p.email, "apiRole": p.apiRole} {
		if pt.v != "" {
			out.From[k] = pt.how
		}
	}
	if who == identity.AnonymousName {
		return out
	}
	people := m.knownPeopleLocked()
	for _, c := range m.ownedLocked(who, people) {
		switch c.Kind {
		case KindAccount, KindCard:
			if len(out.Accounts) < maxOwns && !slices.Contains(out.Accounts, c.Value) {
				out.Accounts = append(out.Accounts, c.Value)
			}
		default:
			if c.isKey && len(out.Owns) < maxOwns && !slices.Contains(out.Owns, c.Value) && !out.Matches(c.Value) {
				out.Owns = append(out.Owns, c.Value)
			}
		}
	}
	return out
}

// knownPeopleLocked are the persons the model can recognise in owner
// fields, by identity name.
func (m *Model) knownPeopleLocked() map[string]Person {
	out := map[string]Person{}
	for who, p := range m.people {
		if who == identity.AnonymousName {
			continue
		}
		out[who] = Person{Identity: who, Role: p.role, ID: p.id.v, Username: p.username.v, Email: p.email.v}
	}
	return out
}
