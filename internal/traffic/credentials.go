package traffic

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
)

// Credential is one credential a recording carried.
type Credential struct {
	In   string // header, cookie, query, body
	Name string
	// Values are the secrets it held, for the scan's redactor: a stripped
	// credential must not reach the report even if an answer echoes it.
	Values []string
}

// credentialHeaders are headers whose value is a credential whatever it
// looks like.
var credentialHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true,
	"X-Api-Key": true, "Api-Key": true, "Apikey": true, "X-Apikey": true, "X-Auth-Token": true,
	"X-Access-Token": true, "X-Session-Token": true, "X-Csrf-Token": true, "X-Xsrf-Token": true,
	"X-Amz-Security-Token": true, "X-Goog-Api-Key": true, "Ocp-Apim-Subscription-Key": true,
}

// secretWords in a header, query parameter or body field name make its
// value a credential: "X-My-Token", "access_token", "password".
var secretWords = []string{"token", "apikey", "api-key", "api_key", "secret", "password", "passwd", "session", "auth", "jwt", "signature", "credential"}

// queryCredentials are query parameter names that carry credentials even
// without a secret word in them.
var queryCredentials = map[string]bool{"key": true, "sid": true, "sig": true, "code": false, "pwd": true, "pass": true}

func secretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// IsCredentialHeader says whether a request header carries a credential.
func IsCredentialHeader(name string) bool {
	c := http.CanonicalHeaderKey(name)
	return credentialHeaders[c] || (secretName(c) && c != "Content-Type" && !strings.HasPrefix(c, "Access-Control-"))
}

// IsCredentialQuery says whether a query parameter carries a credential.
func IsCredentialQuery(name string) bool {
	return queryCredentials[strings.ToLower(name)] || secretName(name)
}

// secretField says whether a body field is a credential: its value is
// never kept as an example, since an example is sent.
func secretField(name string) bool {
	n := strings.ToLower(name)
	return secretName(n) || n == "pwd" || n == "pass" || n == "pin" || n == "otp" || n == "cvv"
}

// Strip removes the credentials of one exchange: credential headers,
// cookies, credential query parameters, secret fields of a JSON or form
// body, and the cookies its answer sets. It returns what it removed.
func Strip(x *Exchange) []Credential {
	var out []Credential
	for name := range x.Header {
		if IsCredentialHeader(name) || slices.Contains(x.authNames, http.CanonicalHeaderKey(name)) {
			in := "header"
			if http.CanonicalHeaderKey(name) == "Cookie" {
				in = "cookie"
			}
			out = append(out, Credential{In: in, Name: http.CanonicalHeaderKey(name), Values: headerSecrets(name, x.Header[name])})
			x.Header.Del(name)
		}
	}
	if x.URL.RawQuery != "" {
		q := x.URL.Query()
		removed := false
		for name := range q {
			if IsCredentialQuery(name) || slices.Contains(x.authNames, name) {
				out = append(out, Credential{In: "query", Name: name, Values: q[name]})
				q.Del(name)
				removed = true
			}
		}
		if removed {
			x.URL.RawQuery = q.Encode()
		}
	}
	out = append(out, stripBody(x)...)
	if x.RespHeader != nil && len(x.RespHeader.Values("Set-Cookie")) > 0 {
		var vs []string
		for _, c := range (&http.Response{Header: x.RespHeader}).Cookies() {
			vs = append(vs, c.Value)
		}
		out = append(out, Credential{In: "cookie", Name: "Set-Cookie", Values: vs})
		x.RespHeader.Del("Set-Cookie")
	}
	for _, c := range out {
		if c.Name != "Set-Cookie" {
			x.Credentialed = true
		}
	}
	slices.SortFunc(out, func(a, b Credential) int { return strings.Compare(a.In+a.Name, b.In+b.Name) })
	return out
}

// headerSecrets are the secret parts of credential header values: the
// token after an auth scheme, each cookie's value, the value itself.
func headerSecrets(name string, vs []string) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v)
		switch http.CanonicalHeaderKey(name) {
		case "Cookie":
			for _, c := range (&http.Request{Header: http.Header{"Cookie": {v}}}).Cookies() {
				out = append(out, c.Value)
			}
		case "Authorization", "Proxy-Authorization":
			if _, tok, ok := strings.Cut(v, " "); ok {
				out = append(out, strings.TrimSpace(tok))
			}
		}
	}
	return out
}

// stripBody empties the secret fields of a JSON object or form body and
// returns them.
func stripBody(x *Exchange) []Credential {
	if len(x.Body) == 0 {
		return nil
	}
	ct := strings.ToLower(x.Header.Get("Content-Type"))
	switch {
	case strings.Contains(ct, "json") || (ct == "" && json.Valid(x.Body)):
		var obj map[string]json.RawMessage
		d := json.NewDecoder(bytes.NewReader(x.Body))
		if d.Decode(&obj) != nil {
			return nil
		}
		var out []Credential
		blanked := false
		for k, raw := range obj {
			if secretField(k) {
				obj[k], blanked = json.RawMessage(`""`), true
				// An empty value, or a {{variable}} a collection leaves
				// to an environment, is no credential to warn of.
				if s, isStr := rawString(raw); !isStr || (s != "" && !unresolved(s)) {
					c := Credential{In: "body", Name: k}
					if isStr {
						c.Values = []string{s}
					}
					out = append(out, c)
				}
			}
		}
		if blanked {
			x.Body, _ = json.Marshal(obj)
		}
		return out
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		q, err := url.ParseQuery(string(x.Body))
		if err != nil {
			return nil
		}
		var out []Credential
		blanked := false
		for k := range q {
			if secretField(k) {
				if v := q.Get(k); v != "" && !unresolved(v) {
					out = append(out, Credential{In: "body", Name: k, Values: q[k]})
				}
				q.Set(k, "")
				blanked = true
			}
		}
		if blanked {
			x.Body = []byte(q.Encode())
		}
		return out
	}
	return nil
}

// Session is the credentials of one recording as an identity would carry
// them: the last Authorization and API-key headers it sent, and its
// cookies as they stood at the end (set by answers, sent by requests,
// removed when an answer expired them).
func Session(rec *Recording) http.Header {
	h, _ := SessionOrigins(rec)
	return h
}

// SessionOrigins is Session, and for each cookie of it the exchange whose
// answer set it last (none when only requests carried it).
func SessionOrigins(rec *Recording) (http.Header, map[string]*Exchange) {
	h := http.Header{}
	jar := map[string]string{}
	setBy := map[string]*Exchange{}
	var order []string
	var current *Exchange
	setCookie := func(name, value string, gone bool) {
		if gone {
			delete(jar, name)
			delete(setBy, name)
			return
		}
		if current != nil {
			setBy[name] = current
		} else if jar[name] != value {
			delete(setBy, name) // the client sent another value than was set
		}
		if _, ok := jar[name]; !ok {
			order = append(order, name)
		}
		jar[name] = value
	}
	for _, x := range rec.Exchanges {
		current = nil
		for name, vs := range x.Header {
			if len(vs) == 0 || !IsCredentialHeader(name) {
				continue
			}
			if http.CanonicalHeaderKey(name) == "Cookie" {
				for _, c := range (&http.Request{Header: http.Header{"Cookie": vs}}).Cookies() {
					setCookie(c.Name, c.Value, false)
				}
				continue
			}
			h.Set(name, vs[len(vs)-1])
		}
		if x.RespHeader == nil {
			continue
		}
		current = x
		for _, c := range (&http.Response{Header: x.RespHeader}).Cookies() {
			gone := c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now()))
			setCookie(c.Name, c.Value, gone)
		}
	}
	var parts []string
	for _, n := range order {
		if v, ok := jar[n]; ok {
			parts = append(parts, n+"="+v)
		}
	}
	if len(parts) > 0 {
		h.Set("Cookie", strings.Join(parts, "; "))
	}
	for n := range setBy {
		if _, ok := jar[n]; !ok {
			delete(setBy, n)
		}
	}
	return h, setBy
}

// maxCredentialWarnings is how many exchanges' stripped credentials are
// warned of one by one; the rest are counted in one more warning.
const maxCredentialWarnings = 20

// StripAll strips every exchange of the recording (see Strip), warns of
// what it removed, by location, and returns the secrets removed. For a recording made as an identity
// (--har-identity), its header and cookie credentials are that identity's
// (see Session, called first) and need no warning; what an identity cannot
// carry (query and body credentials) is warned of all the same.
func StripAll(rec *Recording, asIdentity bool) (secrets []string) {
	warned, more := 0, 0
	for _, x := range rec.Exchanges {
		var names []string
		part := ""
		for _, c := range Strip(x) {
			for _, v := range c.Values {
				if len(v) >= 4 {
					secrets = append(secrets, v)
				}
			}
			if asIdentity && (c.In == "header" || c.In == "cookie") {
				continue
			}
			names = append(names, c.In+" "+c.Name)
			if part == "" {
				part = partOf(c.In, rec.Source)
				if c.Name == "Set-Cookie" {
					part = "\x00"
				}
			}
		}
		if len(names) == 0 {
			continue
		}
		if warned >= maxCredentialWarnings {
			more++
			continue
		}
		warned++
		repair := "removed: never sent, never reported"
		switch {
		case asIdentity:
		case rec.Source == rampart.SourceHAR:
			repair += "; give the recording with --har-identity NAME:ROLE=FILE to scan as its account, or the account with --identity"
		default:
			repair += "; give the account with --identity"
		}
		where := x.Where + part
		if part == "\x00" {
			where = strings.TrimSuffix(x.Where, ".request") + ".response.header"
			if rec.Source == rampart.SourceHAR {
				where += "s"
			}
		}
		rec.warn(where, "recorded credentials: "+strings.Join(names, ", "), repair)
	}
	if more > 0 {
		rec.warn("", strconv.Itoa(more)+" more requests with recorded credentials", "removed the same way")
	}
	return secrets
}

// partOf is where in a request a credential of this kind is written.
func partOf(in, source string) string {
	switch in {
	case "query":
		if source == rampart.SourceHAR {
			return ".queryString"
		}
		return ".url.query"
	case "body":
		if source == rampart.SourceHAR {
			return ".postData"
		}
		return ".body"
	case "cookie":
		if source == rampart.SourceHAR {
			return ".cookies"
		}
	}
	if source == rampart.SourceHAR {
		return ".headers"
	}
	return ".header"
}
