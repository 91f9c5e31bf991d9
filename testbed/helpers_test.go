package testbed_test

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Passwords of the seeded users (testbed/db/seed.py).
const (
	alicePassword = "wonderland-2024"
	bobPassword   = "can-we-fix-it-2024"
	carolPassword = "higher-further-faster-2024"
	aliceID       = 1
	bobID         = 2
	carolID       = 3
)

// testbed is what testbed/up exported: the two twins and the seeded tokens.
type testbed struct {
	vuln, secure string
	alice, bob   string
	carol        string
}

// twin is one of the two apps.
type twin struct {
	name string
	base string
	tb   *testbed
}

var (
	setupOnce sync.Once
	setupTB   *testbed
	setupErr  error
)

// requireTestbed returns the running testbed. When it is not configured or not reachable the
// test fails if CI is set and is skipped otherwise.
func requireTestbed(t *testing.T) *testbed {
	t.Helper()
	setupOnce.Do(func() {
		tb := &testbed{
			vuln:   strings.TrimRight(os.Getenv("TB_VULN_URL"), "/"),
			secure: strings.TrimRight(os.Getenv("TB_SECURE_URL"), "/"),
			alice:  os.Getenv("TB_ALICE_TOKEN"),
			bob:    os.Getenv("TB_BOB_TOKEN"),
			carol:  os.Getenv("TB_CAROL_TOKEN"),
		}
		if tb.vuln == "" || tb.secure == "" || tb.alice == "" || tb.bob == "" || tb.carol == "" {
			setupErr = fmt.Errorf(`testbed not configured: run eval "$(testbed/up)" first`)
			return
		}
		// Scanner tests in other packages take the same lock (internal/tbtest) before they scan
		// or change the twins; hold it for the rest of this test binary. It is taken before the
		// twins are looked at: a package that holds it may be restarting them (testbed/reset), and
		// a look before the lock would find them down.
		if err := lockTestbed(); err != nil {
			setupErr = err
			return
		}
		for _, base := range []string{tb.vuln, tb.secure} {
			resp, err := http.Get(base + "/openapi.json")
			if err != nil {
				setupErr = fmt.Errorf("testbed not reachable at %s: %v", base, err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				setupErr = fmt.Errorf("testbed at %s answers %d on /openapi.json", base, resp.StatusCode)
				return
			}
		}
		setupTB = tb
	})
	if setupErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(setupErr)
		}
		t.Skip(setupErr)
	}
	return setupTB
}

// lockTestbed takes testbed/.state/tests.lock; the lock is released when the process exits.
func lockTestbed() error {
	if err := os.MkdirAll(".state", 0o700); err != nil {
		return err
	}
	dir := os.Getenv("TB_STATE_DIR")
	if dir == "" {
		dir = ".state"
	}
	f, err := os.OpenFile(filepath.Join(dir, "tests.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	lockFile = f // kept open, so the lock is held
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
}

var lockFile *os.File

func (tb *testbed) twins() []twin {
	return []twin{{"vulnerable", tb.vuln, tb}, {"secure", tb.secure, tb}}
}

func (tb *testbed) twin(name string) twin {
	if name == "vulnerable" {
		return twin{name, tb.vuln, tb}
	}
	return twin{name, tb.secure, tb}
}

// ---------------------------------------------------------------- HTTP

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) text() string { return string(r.body) }

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object (%d): %v\n%s", r.status, err, truncate(r.text(), 2000))
	}
	return m
}

func (r *response) String() string {
	return fmt.Sprintf("HTTP %d\n%s", r.status, truncate(r.text(), 2000))
}

var httpClient = &http.Client{
	Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
	Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableKeepAlives: true},
}

// req describes one request. token is a bearer token ("" for none).
type req struct {
	method  string
	path    string
	token   string
	body    any
	headers map[string]string
}

func (w twin) do(t *testing.T, r req) *response {
	t.Helper()
	resp, err := w.try(r)
	if err != nil {
		t.Fatalf("%s %s %s: %v", w.name, r.method, r.path, err)
	}
	return resp
}

func (w twin) try(r req) (*response, error) {
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	method := r.method
	if method == "" {
		method = "GET"
	}
	hr, err := http.NewRequest(method, w.base+r.path, body)
	if err != nil {
		return nil, err
	}
	if r.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	resp, err := httpClient.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func (w twin) get(t *testing.T, path, token string) *response {
	t.Helper()
	return w.do(t, req{method: "GET", path: path, token: token})
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

// num reads a JSON number field.
func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("field %q is not a number in %v", key, m)
	}
	return v
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// ---------------------------------------------------------------- identities and objects

func (w twin) login(t *testing.T, username, password string) (token string, r *response) {
	t.Helper()
	r = w.do(t, req{method: "POST", path: "/login", body: map[string]string{"username": username, "password": password}})
	expectStatus(t, r, 200)
	token, _ = r.json(t)["token"].(string)
	if token == "" {
		t.Fatalf("no token in login response: %s", r)
	}
	return token, r
}

type user struct {
	id       int
	username string
	password string
	token    string
}

// newUser has carol create a fresh user (with a main account) and logs it in.
func (w twin) newUser(t *testing.T, prefix string) user {
	t.Helper()
	u := user{username: prefix + "-" + randomHex(4), password: "pw-" + randomHex(8)}
	r := w.do(t, req{method: "POST", path: "/admin/users", token: w.tb.carol, body: map[string]any{
		"username": u.username, "password": u.password, "display_name": "Test " + u.username,
		"email": u.username + "@acme.example", "role": "user",
	}})
	expectStatus(t, r, 201)
	u.id = int(num(t, r.json(t), "id"))
	u.token, _ = w.login(t, u.username, u.password)
	return u
}

func (w twin) createNote(t *testing.T, token, title, body string) int {
	t.Helper()
	r := w.do(t, req{method: "POST", path: "/notes", token: token, body: map[string]any{"title": title, "body": body}})
	expectStatus(t, r, 201)
	return int(num(t, r.json(t), "id"))
}

// balance of account id as seen by its owner.
func (w twin) balance(t *testing.T, token string, accountID int) float64 {
	t.Helper()
	r := w.get(t, "/accounts", token)
	expectStatus(t, r, 200)
	var body struct {
		Accounts []struct {
			ID      int     `json:"id"`
			Balance float64 `json:"balance"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	for _, a := range body.Accounts {
		if a.ID == accountID {
			return a.Balance
		}
	}
	t.Fatalf("account %d not in %s", accountID, r)
	return 0
}

// burst sends n requests at the same moment and returns the responses (nil on error). Each request
// goes on its own connection, written in full except its last byte; then the last bytes of all
// requests are written together, so the server receives them as one burst (the "last-byte sync"
// of race-condition testing).
func (w twin) burst(n int, mk func(i int) req) []*response {
	out := make([]*response, n)
	conns := make([]net.Conn, n)
	raws := make([][]byte, n)
	hreqs := make([]*http.Request, n)
	for i := range n {
		hr, raw, err := w.rawRequest(mk(i))
		if err != nil {
			continue
		}
		u, _ := url.Parse(w.base)
		c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
		if err != nil {
			continue
		}
		if _, err := c.Write(raw[:len(raw)-1]); err != nil {
			c.Close()
			continue
		}
		conns[i], raws[i], hreqs[i] = c, raw, hr
	}
	time.Sleep(100 * time.Millisecond) // let the server accept every connection first
	var done sync.WaitGroup
	for i, c := range conns {
		if c == nil {
			continue
		}
		done.Add(1)
		go func() {
			defer done.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.Write(raws[i][len(raws[i])-1:]); err != nil {
				return
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), hreqs[i])
			if err != nil {
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err == nil {
				out[i] = &response{status: resp.StatusCode, header: resp.Header, body: b}
			}
		}()
	}
	done.Wait()
	return out
}

// rawRequest serialises r as HTTP/1.1 bytes, with Connection: close.
func (w twin) rawRequest(r req) (*http.Request, []byte, error) {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, nil, err
		}
	}
	method := r.method
	if method == "" {
		method = "GET"
	}
	hr, err := http.NewRequest(method, w.base+r.path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	hr.Close = true
	if r.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	var buf bytes.Buffer
	if err := hr.Write(&buf); err != nil {
		return nil, nil, err
	}
	return hr, buf.Bytes(), nil
}

// ---------------------------------------------------------------- testbed/reset

var reportsPoisoned bool

// resetTestbed runs testbed/reset twins: seed data restored, twins restarted, tokens unchanged
// (the zoo, which other tests may be using, is left alone).
func resetTestbed(t *testing.T) {
	t.Helper()
	cmd := exec.Command("./reset", "twins")
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("testbed/reset: %v\n%s", err, stderr.String())
	}
	reportsPoisoned = false
}

// ---------------------------------------------------------------- JWT

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func makeJWT(t *testing.T, alg string, claims map[string]any, key string) string {
	t.Helper()
	h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	p, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	signing := b64(h) + "." + b64(p)
	if alg == "none" {
		return signing + "."
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(signing))
	return signing + "." + b64(mac.Sum(nil))
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

// ---------------------------------------------------------------- Flask session cookies (itsdangerous)

func flaskKey(secret string) []byte {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte("cookie-session"))
	return mac.Sum(nil)
}

func flaskSign(secret string, payload map[string]any) string {
	p, _ := json.Marshal(payload)
	ts := make([]byte, 8)
	binary.BigEndian.PutUint64(ts, uint64(time.Now().Unix()))
	ts = bytes.TrimLeft(ts, "\x00")
	signed := b64(p) + "." + b64(ts)
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

// flaskPayload decodes the (unsigned, readable) payload of a Flask session cookie.
func flaskPayload(t *testing.T, cookie string) map[string]any {
	t.Helper()
	compressed := strings.HasPrefix(cookie, ".")
	data := strings.SplitN(strings.TrimPrefix(cookie, "."), ".", 2)[0]
	raw, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		t.Fatalf("session cookie payload: %v", err)
	}
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("session cookie payload %q: %v", raw, err)
	}
	return m
}

func sessionCookie(r *response) string {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "session" {
			return c.Value
		}
	}
	return ""
}

// A few keys from public weak-key lists (Flask docs and tutorials, common defaults).
var weakKeys = []string{"dev", "secret", "secret-key", "changeme", "super-secret", "development", "key", "flask"}

// ---------------------------------------------------------------- Werkzeug password hashes

// werkzeugHash builds a Werkzeug pbkdf2 hash ("pbkdf2:sha256:N$salt$hex") of password.
func werkzeugHash(t *testing.T, password string) string {
	t.Helper()
	salt := randomHex(8)
	const iterations = 1000
	dk, err := pbkdf2.Key(sha256.New, password, []byte(salt), iterations, sha256.Size)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("pbkdf2:sha256:%d$%s$%s", iterations, salt, hex.EncodeToString(dk))
}

func q(s string) string { return url.QueryEscape(s) }

func p(s string) string { return url.PathEscape(s) }
