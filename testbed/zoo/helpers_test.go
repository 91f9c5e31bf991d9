package zoo_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/tbtest"
)

// variant is one running variant of a zoo app.
type variant struct {
	app        string
	base       string
	vulnerable bool
}

func (v variant) String() string {
	if v.vulnerable {
		return v.app + " (vulnerable)"
	}
	return v.app + " (secure)"
}

// user returns the seeded user by name.
func user(name string) tbtest.ZooUser {
	for _, u := range tbtest.ZooUsers {
		if u.Name == name {
			return u
		}
	}
	panic("no zoo user " + name)
}

// ---------------------------------------------------------------- HTTP

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) String() string {
	return fmt.Sprintf("HTTP %d\n%s", r.status, truncate(string(r.body), 2000))
}

func (r *response) text() string { return string(r.body) }

// json decodes the body as a JSON object.
func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r)
	}
	return m
}

// at reads a dotted path ("data.accounts.0.number") from the JSON body.
func (r *response) at(t *testing.T, path string) any {
	t.Helper()
	v, ok := dig(r.json(t), path)
	if !ok {
		t.Fatalf("no %s in %s", path, r)
	}
	return v
}

func (r *response) str(t *testing.T, path string) string {
	t.Helper()
	s, ok := r.at(t, path).(string)
	if !ok {
		t.Fatalf("%s is not a string in %s", path, r)
	}
	return s
}

func dig(v any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				return nil, false
			}
		case []any:
			var i int
			if _, err := fmt.Sscanf(k, "%d", &i); err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func expectStatus(t *testing.T, r *response, want ...int) {
	t.Helper()
	for _, s := range want {
		if r.status == s {
			return
		}
	}
	t.Fatalf("want status %v, got %s", want, r)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

var httpClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// session is a caller of one variant: anonymous, or a user with the
// credential its login answered (a header, cookies or both).
type session struct {
	v       variant
	header  http.Header
	cookies []*http.Cookie
	answer  *response // the login answer
}

func (v variant) anonymous() *session { return &session{v: v, header: http.Header{}} }

// as returns a session with the given credential header (e.g. a forged token).
func (v variant) as(header, value string) *session {
	return &session{v: v, header: http.Header{header: {value}}}
}

// login logs u in with the app's login flow (tbtest.ZooLogin): the same
// request and credential a scan uses.
func (v variant) login(t *testing.T, u tbtest.ZooUser) *session {
	t.Helper()
	s, r := v.tryLogin(t, u)
	expectStatus(t, r, 200)
	return s
}

// tryLogin sends u's login request (u may be made up) and keeps the credential of a 200 answer.
func (v variant) tryLogin(t *testing.T, u tbtest.ZooUser) (*session, *response) {
	t.Helper()
	flow := tbtest.ZooLogin(v.app, u)
	s := v.anonymous()
	var r *response
	if flow.Form != nil {
		form := url.Values{}
		for k, val := range flow.Form {
			form.Set(k, val)
		}
		r = s.raw(t, flow.Method, flow.URL, "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	} else {
		r = s.do(t, flow.Method, flow.URL, flow.JSON)
	}
	s.answer = r
	if r.status != 200 {
		return s, r
	}
	for _, name := range flow.Cookies {
		for _, c := range (&http.Response{Header: r.header}).Cookies() {
			if c.Name == name {
				s.cookies = append(s.cookies, c)
			}
		}
	}
	if tok := flow.Token; tok != nil {
		var value string
		if tok.From == "header" {
			value = r.header.Get(tok.Path)
		} else {
			value = r.str(t, tok.Path)
		}
		header, prefix := tok.Header, tok.Prefix
		if header == "" {
			header = "Authorization"
		}
		if prefix == "" && header == "Authorization" {
			prefix = "Bearer "
		}
		if value == "" {
			t.Fatalf("no credential at %s in the login answer %s", tok.Path, r)
		}
		s.header.Set(header, prefix+value)
	}
	return s, r
}

// do sends a request with a JSON body (nil: none) and optional header
// pairs ("Idempotency-Key", "k1", ...).
func (s *session) do(t *testing.T, method, path string, body any, headers ...string) *response {
	t.Helper()
	var raw []byte
	ct := ""
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
		ct = "application/json"
	}
	return s.raw(t, method, path, ct, raw, headers)
}

func (s *session) get(t *testing.T, path string) *response {
	t.Helper()
	return s.do(t, "GET", path, nil)
}

func (s *session) raw(t *testing.T, method, path, contentType string, body []byte, headers []string) *response {
	t.Helper()
	req, err := http.NewRequest(method, s.v.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range s.header {
		req.Header[k] = vs
	}
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s %s: %v", s.v, method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatal(err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func p(s string) string { return url.PathEscape(s) }

// ---------------------------------------------------------------- JWT

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// makeJWT signs claims with HS256 and key, or leaves them unsigned for alg none.
func makeJWT(t *testing.T, alg string, claims map[string]any, key string) string {
	t.Helper()
	h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	signing := b64(h) + "." + b64(c)
	if alg == "none" {
		return signing + "."
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(signing))
	return signing + "." + b64(mac.Sum(nil))
}

func jwtVerifies(token, key string) bool {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(token[:i]))
	return hmac.Equal(mac.Sum(nil), sig)
}

func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func inAnHour() int64 { return time.Now().Add(time.Hour).Unix() }

// ---------------------------------------------------------------- Flask session cookies (itsdangerous)

func flaskKey(secret string) []byte {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte("cookie-session"))
	return mac.Sum(nil)
}

func flaskSign(secret string, payload map[string]any) string {
	data, _ := json.Marshal(payload)
	ts := make([]byte, 8)
	binary.BigEndian.PutUint64(ts, uint64(time.Now().Unix()))
	ts = bytes.TrimLeft(ts, "\x00")
	signed := b64(data) + "." + b64(ts)
	mac := hmac.New(sha1.New, flaskKey(secret))
	mac.Write([]byte(signed))
	return signed + "." + b64(mac.Sum(nil))
}

func flaskVerifies(cookie, secret string) bool {
	i := strings.LastIndexByte(cookie, '.')
	if i < 0 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(cookie[i+1:])
	if err != nil {
		return false
	}
	mac := hmac.New(sha1.New, flaskKey(secret))
	mac.Write([]byte(cookie[:i]))
	return hmac.Equal(mac.Sum(nil), sig)
}
