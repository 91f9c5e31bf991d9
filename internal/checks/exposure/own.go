package exposure

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Bounds of what the checks keep for the whole scan about each identity's
// own values: a hostile login answer cannot grow them (TestOwnValuesBounded).
const (
	maxLogins      = 4
	maxOwnValues   = 64
	maxOwnPerKey   = 4
	maxOwnValueLen = 256
)

// loginAnswer is what one identity's login flow answered: an excerpt for
// evidence, what the detectors found in the whole body, and the values
// that are the identity's own (what it logs in with, what its login
// answer lists), which fill the path of its own objects.
type loginAnswer struct {
	id           *identity.Identity
	method, path string
	resp         *engine.Response // an excerpt
	found        []hit
	own          ownValues
}

// ownValues maps a normalised key (card_number, cardNumber → cardnumber)
// to the values an identity owns under it.
type ownValues map[string][]string

func normKey(k string) string { return strings.Join(keyWords(k), "") }

func (o ownValues) add(key, v string) {
	k := normKey(key)
	if k == "" || v == "" || len(v) > maxOwnValueLen || len(o[k]) >= maxOwnPerKey || o.size() >= maxOwnValues {
		return
	}
	for _, x := range o[k] {
		if x == v {
			return
		}
	}
	o[k] = append(o[k], v)
}

func (o ownValues) size() int {
	n := 0
	for _, vs := range o {
		n += len(vs)
	}
	return n
}

// harvest adds the scalar values of a JSON document, with their keys, to
// o: what a login answer says the identity has (its e-mail, its account
// and card numbers). Credentials and passwords are left out.
func (o ownValues) harvest(v any, key string, depth int) {
	if depth > maxDepth || o.size() >= maxOwnValues {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			o.harvest(x[k], k, depth+1)
		}
	case []any:
		for i, c := range x {
			if i >= maxItems {
				break
			}
			o.harvest(c, key, depth+1)
		}
	case string:
		if key != "" && tokenKey(key) == "" && plaintextKey(key) == "" && !passwordKy.MatchString(key) {
			o.add(key, x)
		}
	case json.Number:
		if key != "" {
			o.add(key, x.String())
		}
	}
}

// genericParams are path parameters too vague to fill from a value's key:
// the "id" of a login answer's user is not the id of every resource.
var genericParams = map[string]bool{"id": true, "pk": true, "uuid": true, "key": true, "name": true, "slug": true}

// fill gives every path parameter of an operation a value the identity
// owns under the same name, or reports false.
func (o ownValues) fill(op *rampart.Operation) (map[string]string, bool) {
	vals := map[string]string{}
	for _, prm := range op.Params {
		if prm.In != "path" {
			continue
		}
		k := normKey(prm.Name)
		if genericParams[k] || len(o[k]) == 0 {
			return nil, false
		}
		vals[prm.Name] = o[k][0]
	}
	return vals, len(vals) > 0
}

// loginAnswers sends each identity's login flow once per scan, as the user
// would (a login is allowed in safe mode), and keeps what its answer
// shows. A login answer is an answer the API gives like any other: it may
// return the password it was sent, hashes, other people's data.
func loginAnswers(ctx context.Context, p *check.Pass) []*loginAnswer {
	v, _ := p.Shared.Once("exposure: login answers", func() (any, error) {
		var out []*loginAnswer
		for _, id := range p.Authenticated() {
			if id.Login == nil || len(out) >= maxLogins {
				continue
			}
			la, err := login(ctx, p, id)
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				continue
			}
			out = append(out, la)
		}
		return out, nil
	})
	las, _ := v.([]*loginAnswer)
	return las
}

func login(ctx context.Context, p *check.Pass, id *identity.Identity) (*loginAnswer, error) {
	l := id.Login
	// Sent without the identity's credentials, as a user logging in would,
	// but labelled with its name: what the answer shows is the identity's
	// (the API model learns it as its login answer), not the anonymous
	// caller's.
	req := &engine.Request{Method: l.Method, URL: l.URL, Header: http.Header{}, Identity: id.Name, Login: true, Secrets: id.Secrets()}
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	for k, v := range l.Headers {
		req.Header.Set(k, v)
	}
	la := &loginAnswer{id: id, method: req.Method, own: ownValues{}}
	switch {
	case l.JSON != nil:
		b, err := json.Marshal(l.JSON)
		if err != nil {
			return nil, err
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
		la.own.harvest(map[string]any(l.JSON), "", 0)
	case l.Form != nil:
		f := url.Values{}
		for k, v := range l.Form {
			f.Set(k, v)
			la.own.harvest(v, k, 0)
		}
		req.Body = []byte(f.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := p.Send(ctx, p.Anonymous(), req)
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(resp.RequestURL); err == nil {
		la.path = u.Path
	}
	la.found = scan(resp.Body)
	if resp.Status >= 200 && resp.Status <= 299 {
		var doc any
		dec := json.NewDecoder(strings.NewReader(string(resp.Body)))
		dec.UseNumber()
		if dec.Decode(&doc) == nil {
			la.own.harvest(doc, "", 0)
		}
	}
	// What this login obtained is a credential like the identity's own:
	// never shown in evidence, nor anywhere else an answer echoes it.
	var got []string
	for _, h := range la.found {
		if h.class == classToken {
			got = append(got, h.value)
		}
	}
	got = append(got, credentialsIn(resp)...)
	id.AddSecret(got...)
	resp.Request.Secrets = append(resp.Request.Secrets, got...)
	la.resp = p.Excerpt(resp)
	return la, nil
}

// credentialsIn lists what a login answer hands out: cookies it sets and
// token-like values under any key (the token path of a flow can be
// anything), so that evidence of a second login never shows them.
func credentialsIn(resp *engine.Response) []string {
	var out []string
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		if len(c.Value) >= 8 {
			out = append(out, c.Value)
		}
	}
	for _, vs := range resp.Header {
		for _, v := range vs {
			if credential(v) {
				out = append(out, v)
			}
		}
	}
	var doc any
	if json.Unmarshal(resp.Body, &doc) == nil {
		var walk func(v any, depth int)
		walk = func(v any, depth int) {
			if depth > maxDepth || len(out) > maxHits {
				return
			}
			switch x := v.(type) {
			case map[string]any:
				for _, c := range x {
					walk(c, depth+1)
				}
			case []any:
				for i, c := range x {
					if i >= maxItems {
						break
					}
					walk(c, depth+1)
				}
			case string:
				if credential(x) && !pan(x) {
					out = append(out, x)
				}
			}
		}
		walk(doc, 0)
	}
	return out
}

// ownFor returns an identity's own values (from its login flow and
// answer), nil when it has none.
func ownFor(las []*loginAnswer, id *identity.Identity) ownValues {
	for _, la := range las {
		if la.id == id {
			return la.own
		}
	}
	return nil
}

// matches says whether a login answer is this operation's: the flow's
// method and a path the operation's template matches.
func (la *loginAnswer) matches(op *rampart.Operation) bool {
	return strings.EqualFold(la.method, op.Method) && templateMatch(op.Path, la.path)
}

func templateMatch(tmpl, path string) bool {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") || ts[i] == ps[i] {
			continue
		}
		return false
	}
	return true
}

var (
	userFieldRe = lazyre.New(`(?i)^(?:username|user_?name|user|login|email|e_?mail|mail|email_?address|handle|identifier)$`)
	passFieldRe = lazyre.New(`(?i)^(?:password|passwd|pass|pwd|passphrase)$`)
	notLoginRe  = lazyre.New(`(?i)(log-?out|sign-?out|register|sign-?up|refresh|revoke|introspect|reset|forgot|delete|remove)`)
)

// exchange sends an identity's own credentials to a login-like operation
// none of the flows posts to (a second token endpoint, a JWT issuer), in
// active mode, once per operation, and keeps its answer like a login
// answer: such endpoints hand out tokens whose claims can say too much.
func exchange(ctx context.Context, p *check.Pass, op *rampart.Operation) (*loginAnswer, error) {
	if p.Mode < rampart.Active || notLoginRe.MatchString(op.Path+" "+op.ID) || op.Body == nil || op.Body.Schema == nil {
		return nil, nil
	}
	var uk, pk string
	for k := range op.Body.Schema.Properties {
		switch {
		case userFieldRe.MatchString(k):
			uk = k
		case passFieldRe.MatchString(k):
			pk = k
		}
	}
	if uk == "" || pk == "" {
		return nil, nil
	}
	for _, id := range p.Authenticated() {
		if id.Login == nil {
			continue
		}
		var user, pass string
		fs := map[string]string{}
		for k, v := range id.Login.Form {
			fs[k] = v
		}
		for k, v := range id.Login.JSON {
			if s, ok := v.(string); ok {
				fs[k] = s
			}
		}
		for k, v := range fs {
			switch {
			case userFieldRe.MatchString(k) && emailish(k) == emailish(uk):
				user = v
			case passFieldRe.MatchString(k):
				pass = v
			}
		}
		if user == "" || pass == "" {
			continue
		}
		raw, ct := p.Body(op)
		var body []byte
		if strings.Contains(ct, "x-www-form-urlencoded") {
			vals, _ := url.ParseQuery(string(raw))
			vals.Set(uk, user)
			vals.Set(pk, pass)
			body = []byte(vals.Encode())
		} else {
			m := map[string]any{}
			_ = json.Unmarshal(raw, &m)
			m[uk], m[pk] = user, pass
			body, _ = json.Marshal(m)
			ct = "application/json"
		}
		resp, err := p.Send(ctx, p.Anonymous(), &engine.Request{Method: op.Method, URL: p.URL(op, nil), Body: body,
			Header: http.Header{"Content-Type": {ct}}, Identity: id.Name, Secrets: id.Secrets()})
		if err != nil {
			return nil, err
		}
		if resp.Status < 200 || resp.Status > 299 {
			return nil, nil
		}
		la := &loginAnswer{id: id, method: op.Method, path: op.Path, own: ownValues{}, found: scan(resp.Body)}
		var got []string
		for _, h := range la.found {
			if h.class == classToken {
				got = append(got, h.value)
			}
		}
		got = append(got, credentialsIn(resp)...)
		id.AddSecret(got...)
		resp.Request.Secrets = append(resp.Request.Secrets, got...)
		la.resp = p.Excerpt(resp)
		return la, nil
	}
	return nil, nil
}

// emailish says whether a field holds an e-mail address rather than a name.
func emailish(key string) bool {
	for _, w := range keyWords(key) {
		if w == "email" || w == "mail" {
			return true
		}
	}
	return false
}
