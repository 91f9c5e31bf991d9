package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/redact"
)

// Login is the configured flow; see rampart.Login.
type Login struct {
	rampart.Login
	// how is set for a flow whose credential is inferred from its first
	// answer (Inferred); the answer's credential is then pinned in Token or
	// Cookies for the logins after it.
	how *Sending
}

// Sending says how an inferred login's credential is sent, as the spec's
// security schemes declare it: in a header (Authorization with a scheme
// word, or a custom header with the token alone) or in a cookie.
type Sending struct {
	Header string  // default Authorization
	Scheme *string // default Bearer on Authorization
	Cookie string  // the cookie that carries it (an apiKey in: cookie)
}

// Inferred returns a login flow that finds the credential in its first
// answer (see Infer) and sends it as how says.
func Inferred(l rampart.Login, how Sending) *Login {
	l.Token, l.Cookies = nil, nil
	return &Login{Login: l, how: &how}
}

func (l *Login) run(ctx context.Context, c *engine.Client, who string) (http.Header, []string, error) {
	req := &engine.Request{Method: l.Method, URL: l.URL, Header: http.Header{}, Identity: who, Login: true}
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	for k, v := range l.Headers {
		req.Header.Set(k, v)
	}
	switch {
	case l.JSON != nil:
		b, err := json.Marshal(l.JSON)
		if err != nil {
			return nil, nil, fmt.Errorf("encode json body: %w", err)
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
	case l.Form != nil:
		f := url.Values{}
		for k, v := range l.Form {
			f.Set(k, v)
		}
		req.Body = []byte(f.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	// The flow's own credentials (Identity.Secrets adds them too); what the
	// answer gives is added below.
	req.Secrets = l.Secrets()
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	redirect := resp.Status >= 300 && resp.Status <= 399
	if (resp.Status < 200 || resp.Status > 299) && !redirect {
		return nil, nil, fmt.Errorf("%s %s answered %d", req.Method, l.URL, resp.Status)
	}
	if redirect && backToLogin(resp, l.URL) {
		// A form login that fails sends the browser back to the form.
		return nil, nil, fmt.Errorf("%s %s answered %d back to the login page: are the credentials right?", req.Method, l.URL, resp.Status)
	}
	if l.how != nil && l.Token == nil && len(l.Cookies) == 0 {
		tok, cookies, err := Infer(resp, *l.how)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s answered %d: %w", req.Method, l.URL, resp.Status, err)
		}
		l.Token, l.Cookies = tok, cookies
	}
	h, secrets, err := l.credential(resp)
	if err != nil && redirect {
		err = fmt.Errorf("%s %s answered %d: %w", req.Method, l.URL, resp.Status, err)
	}
	return h, secrets, err
}

// credential reads the token or cookies the flow names from a login answer
// and returns the headers that send them.
func (l *Login) credential(resp *engine.Response) (http.Header, []string, error) {
	var secrets []string
	h := http.Header{}
	if t := l.Token; t != nil {
		var tok string
		if t.From == "header" {
			tok = strings.TrimSpace(resp.Header.Get(t.Path))
			// A token answered in an Authorization-style header keeps its
			// scheme word there; how it is sent is the flow's to say.
			if scheme, rest, ok := strings.Cut(tok, " "); ok && slices.Contains(authSchemes, strings.ToLower(scheme)) {
				tok = strings.TrimSpace(rest)
			}
		} else {
			var doc any
			if err := json.Unmarshal(resp.Body, &doc); err != nil {
				return nil, nil, fmt.Errorf("answer is not JSON, cannot read token.path %q", t.Path)
			}
			tok = lookup(doc, t.Path)
		}
		if tok == "" {
			return nil, nil, fmt.Errorf("no token at %q in the answer", t.Path)
		}
		name, value := t.Send(tok)
		h.Set(name, value)
		secrets = append(secrets, tok)
	}
	if len(l.Cookies) > 0 {
		var pairs []string
		for _, ck := range (&http.Response{Header: resp.Header}).Cookies() {
			if keepCookie(l.Cookies, ck.Name) && ck.Value != "" && ck.MaxAge >= 0 {
				pairs = append(pairs, ck.Name+"="+ck.Value)
				secrets = append(secrets, ck.Value)
			}
		}
		if len(pairs) == 0 {
			return nil, nil, fmt.Errorf("the answer set none of the cookies %v", l.Cookies)
		}
		sort.Strings(pairs)
		if prev := h.Get("Cookie"); prev != "" {
			pairs = append([]string{prev}, pairs...)
		}
		h.Set("Cookie", strings.Join(pairs, "; "))
	}
	return h, secrets, nil
}

// backToLogin reports whether a redirect points at the login URL itself.
func backToLogin(resp *engine.Response, login string) bool {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return false
	}
	lu, err := url.Parse(loc)
	if err != nil {
		return false
	}
	want, err := url.Parse(login)
	if err != nil {
		return false
	}
	if resp.RequestURL != "" {
		if base, err := url.Parse(resp.RequestURL); err == nil {
			lu, want = base.ResolveReference(lu), base.ResolveReference(want)
		}
	}
	return strings.TrimSuffix(lu.Path, "/") == strings.TrimSuffix(want.Path, "/")
}

func keepCookie(names []string, n string) bool {
	for _, x := range names {
		if x == "*" || x == n {
			return true
		}
	}
	return false
}

// lookup follows a dotted path (data.tokens.0.access) through decoded JSON.
func lookup(doc any, path string) string {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return ""
			}
			cur = v[i]
		default:
			return ""
		}
	}
	switch v := cur.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// Secrets returns the credentials the flow sends: the values of body
// fields whose names say they are secret (sensitiveKey) or that the config
// lists under secrets:, of credential headers, and of such query
// parameters (and a password) in the login URL.
func (l *Login) Secrets() []string {
	marked := func(k string) bool { return sensitiveKey(k) || slices.Contains(l.SecretFields, k) }
	var out []string
	out = append(out, secretValues(l.JSON, marked, false)...)
	for k, v := range l.Form {
		if marked(k) {
			out = append(out, v)
		}
	}
	for k, v := range l.Headers {
		if h := http.CanonicalHeaderKey(k); h == "Authorization" || h == "Cookie" || sensitiveKey(k) {
			out = append(out, redact.HeaderSecrets(k, v)...)
		}
	}
	if u, err := url.Parse(l.URL); err == nil {
		for k, vs := range u.Query() {
			if marked(k) {
				out = append(out, vs...)
			}
		}
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw)
		}
	}
	return out
}

// sensitiveKey reports whether a field's name says its value is a
// credential. Erring towards yes costs little: the value is only redacted.
func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"pass", "pwd", "secret", "token", "key", "otp", "pin", "auth", "credential", "session", "cookie", "signature", "csrf", "xsrf"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// secretValues returns the scalar values of a decoded JSON body under a
// marked key, at any depth (a marked object is secret as a whole).
func secretValues(v any, marked func(string) bool, under bool) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			out = append(out, secretValues(e, marked, under || marked(k))...)
		}
	case []any:
		for _, e := range x {
			out = append(out, secretValues(e, marked, under)...)
		}
	case nil, bool:
	default:
		if under {
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

// WithSecret returns a copy of the flow whose body fields holding old hold
// repl instead (a password changed since): what proves that a password
// change took effect is logging in with the new one.
func (l *Login) WithSecret(old, repl string) *Login {
	if l == nil {
		return nil
	}
	c := *l
	if l.JSON != nil {
		c.JSON = make(map[string]any, len(l.JSON))
		for k, v := range l.JSON {
			if s, ok := v.(string); ok && s == old {
				v = repl
			}
			c.JSON[k] = v
		}
	}
	if l.Form != nil {
		c.Form = make(map[string]string, len(l.Form))
		for k, v := range l.Form {
			if v == old {
				v = repl
			}
			c.Form[k] = v
		}
	}
	return &c
}
