package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/store"
	"github.com/rampart-sec/rampart/internal/tbtest"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// fixture is a running server with one key of each scope.
type fixture struct {
	st                  *store.Store
	srv                 *httptest.Server
	admin, upload, read string
}

func openStore(t *testing.T, dialect string) *store.Store {
	t.Helper()
	dsn := ""
	if dialect == store.Postgres {
		dsn = tbtest.PostgresDB(t)
	}
	st, err := store.OpenWith(context.Background(), dsn, store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newFixture(t *testing.T, dialect string, opt Options) *fixture {
	t.Helper()
	f := &fixture{st: openStore(t, dialect)}
	for _, k := range []struct {
		name, scope string
		secret      *string
	}{{"root", store.ScopeAdmin, &f.admin}, {"ci", store.ScopeUpload, &f.upload}, {"viewer", store.ScopeRead, &f.read}} {
		_, s, err := f.st.CreateKey(context.Background(), k.name, k.scope)
		if err != nil {
			t.Fatal(err)
		}
		*k.secret = s
	}
	f.srv = httptest.NewServer(New(f.st, opt).Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// do sends a request with a key ("" for none) and returns the answer and
// its body.
func (f *fixture) do(t *testing.T, method, path, key string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func sampleFinding(check, path string, sev rampart.Severity, evidence string) rampart.Finding {
	f := rampart.Finding{Check: check, Family: "bola", Title: check + " on " + path, Message: "The API answers " + path + " to anyone.",
		Severity: sev, Confidence: rampart.Confirmed, Location: rampart.Location{Method: "GET", Path: path},
		Remediation: "Check the caller.", Curl: "curl http://127.0.0.1:8801" + path}
	if evidence != "" {
		f.Evidence = []rampart.Evidence{{Request: "GET " + path + " HTTP/1.1", Response: evidence}}
	}
	f.ID = f.Fingerprint()
	return f
}

func sampleReport(started time.Time, score int, grade string, fs ...rampart.Finding) *rampart.Report {
	return &rampart.Report{
		SchemaVersion: rampart.SchemaVersion, Tool: rampart.Tool{Name: "rampart", Version: "test"},
		Target: "http://127.0.0.1:8801", Mode: rampart.Safe, Started: started,
		Score: score, Grade: grade, Findings: fs,
		Coverage: &rampart.Coverage{Percent: 75, Tested: 3, Applicable: 4},
	}
}

func reportJSON(t *testing.T, rep *rampart.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jsonreport.Write(&b, rep); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// routes is every route of the server with a request that reaches it.
var routes = []struct {
	method, path string
	scope        string // "" anonymous; "page" a dashboard page (session)
}{
	{"GET", "/healthz", ""},
	{"GET", "/api/v1/openapi.json", store.ScopeRead},
	{"POST", "/api/v1/reports?target=x", store.ScopeUpload},
	{"GET", "/api/v1/targets", store.ScopeRead},
	{"GET", "/api/v1/targets/api/scans", store.ScopeRead},
	{"GET", "/api/v1/targets/api", store.ScopeRead},
	{"PUT", "/api/v1/targets/api", store.ScopeAdmin},
	{"GET", "/api/v1/scans/1", store.ScopeRead},
	{"GET", "/api/v1/scans/1/diff", store.ScopeRead},
	{"GET", "/api/v1/keys", store.ScopeAdmin},
	{"POST", "/api/v1/keys", store.ScopeAdmin},
	{"DELETE", "/api/v1/keys/nobody", store.ScopeAdmin},
	{"GET", "/api/v1/no-such-route", store.ScopeRead},
	{"GET", "/", "page"},
	{"GET", "/targets/api", "page"},
	{"GET", "/scans/1", "page"},
	{"GET", "/scans/1/diff", "page"},
	{"GET", "/scans/1/report", "page"},
	{"POST", "/logout", "page"},
	{"GET", "/anything/else", "page"},
}

func TestAnonymousRefusedEverywhereButHealth(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{})
	for _, rt := range routes {
		for _, key := range []string{"", "rampart_" + strings.Repeat("A", 43), "not-a-key"} {
			resp, body := f.do(t, rt.method, rt.path, key, nil)
			switch rt.scope {
			case "":
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s %s: %d, want 200", rt.method, rt.path, resp.StatusCode)
				}
			case "page":
				if rt.method == "GET" && (resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login") {
					t.Errorf("%s %s key %q: %d to %q, want 303 to /login", rt.method, rt.path, key, resp.StatusCode, resp.Header.Get("Location"))
				}
				if rt.method == "POST" && resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s %s: %d, want 401", rt.method, rt.path, resp.StatusCode)
				}
			default:
				if resp.StatusCode != http.StatusUnauthorized || !isJSONError(body) || resp.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s key %q: %d %s, want 401 with a JSON error and WWW-Authenticate", rt.method, rt.path, key, resp.StatusCode, body)
				}
			}
		}
	}
}

func isJSONError(body []byte) bool {
	var e apiError
	return json.Unmarshal(body, &e) == nil && e.Error != ""
}

func TestScopes(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{})
	keys := map[string]string{store.ScopeRead: f.read, store.ScopeUpload: f.upload, store.ScopeAdmin: f.admin}
	for _, rt := range routes {
		if rt.scope == "" || rt.scope == "page" {
			continue
		}
		for have, key := range keys {
			resp, body := f.do(t, rt.method, rt.path, key, nil)
			allowed := store.Allows(have, rt.scope)
			if !allowed && resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s with a %s key: %d %s, want 403", rt.method, rt.path, have, resp.StatusCode, body)
			}
			if allowed && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode >= 500) {
				t.Errorf("%s %s with a %s key: %d %s, want it let through", rt.method, rt.path, have, resp.StatusCode, body)
			}
		}
	}
}

// The key check goes through the constant-time comparison.
func TestConstantTimeCompareUsed(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{})
	var calls atomic.Int32
	orig := store.ConstantTimeEqual
	store.ConstantTimeEqual = func(a, b string) bool { calls.Add(1); return orig(a, b) }
	t.Cleanup(func() { store.ConstantTimeEqual = orig })
	if resp, _ := f.do(t, "GET", "/api/v1/targets", f.read, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("read key refused: %d", resp.StatusCode)
	}
	if calls.Load() == 0 {
		t.Error("the API key was not compared with ConstantTimeEqual")
	}
}

func TestUploadThenDiff(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			f := newFixture(t, dialect, Options{})
			t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
			keep := sampleFinding("BOLA-001", "/notes/{id}", rampart.High, "")
			gone := sampleFinding("SQLI-001", "/search", rampart.Critical, "")
			added := sampleFinding("CORS-001", "/", rampart.Medium, "")
			uploads := []struct {
				rep                  *rampart.Report
				nw, fixed, unchanged int
			}{
				{sampleReport(t0, 40, "D", keep, gone), 2, 0, 0},
				{sampleReport(t0.Add(24*time.Hour), 70, "B", keep, added), 1, 1, 1},
			}
			var last UploadResult
			for i, u := range uploads {
				resp, body := f.do(t, "POST", "/api/v1/reports", f.upload, reportJSON(t, u.rep))
				if resp.StatusCode != http.StatusCreated {
					t.Fatalf("upload %d: %d %s", i, resp.StatusCode, body)
				}
				if err := json.Unmarshal(body, &last); err != nil {
					t.Fatal(err)
				}
				if last.Target != "127.0.0.1:8801" || last.New != u.nw || last.Fixed != u.fixed || last.Unchanged != u.unchanged {
					t.Errorf("upload %d: %+v", i, last)
				}
			}
			resp, body := f.do(t, "GET", "/api/v1/scans/"+itoa(last.ID)+"/diff", f.read, nil)
			var d store.Diff
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &d) != nil {
				t.Fatalf("diff: %d %s", resp.StatusCode, body)
			}
			if len(d.New) != 1 || d.New[0].Check != "CORS-001" || len(d.Fixed) != 1 || d.Fixed[0].Check != "SQLI-001" ||
				len(d.Unchanged) != 1 || d.Unchanged[0].Check != "BOLA-001" {
				t.Errorf("diff: %s", body)
			}
			resp, body = f.do(t, "GET", "/api/v1/targets/127.0.0.1:8801/scans", f.read, nil)
			var scans struct{ Scans []store.Scan }
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &scans) != nil || len(scans.Scans) != 2 || scans.Scans[0].Score != 70 {
				t.Errorf("scans: %d %s", resp.StatusCode, body)
			}
			for _, tt := range []struct{ format, ctype, has string }{
				{"", "application/json", `"schemaVersion"`},
				{"json", "application/json", `"CORS-001"`},
				{"sarif", "application/sarif+json", `"$schema"`},
				{"markdown", "text/markdown", "CORS-001"},
				{"html", "text/html", "<!doctype html>"},
				{"text", "text/plain", "CORS-001"},
				{"junit", "application/xml", "<testsuites"},
			} {
				resp, body := f.do(t, "GET", "/api/v1/scans/"+itoa(last.ID)+"?format="+tt.format, f.read, nil)
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) ||
					!strings.Contains(strings.ToLower(string(body)), strings.ToLower(tt.has)) {
					t.Errorf("format %q: %d %s %.200s", tt.format, resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
			}
			if resp, _ := f.do(t, "GET", "/api/v1/scans/"+itoa(last.ID)+"?format=pdf", f.read, nil); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("format pdf: %d", resp.StatusCode)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestUploadRefusals(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{MaxUpload: 4096})
	small := reportJSON(t, sampleReport(time.Now(), 90, "A"))
	big := reportJSON(t, sampleReport(time.Now(), 90, "A", sampleFinding("X-001", "/", rampart.Low, strings.Repeat("x", 8000))))
	tests := []struct {
		name   string
		path   string
		body   []byte
		status int
	}{
		{"not a report", "/api/v1/reports", []byte(`{"hello": 1}`), http.StatusBadRequest},
		{"not JSON", "/api/v1/reports", []byte(`<xml/>`), http.StatusBadRequest},
		{"over the cap", "/api/v1/reports", big, http.StatusRequestEntityTooLarge},
		{"bad target", "/api/v1/reports?target=../../etc", small, http.StatusBadRequest},
		{"fine", "/api/v1/reports?target=named", small, http.StatusCreated},
	}
	for _, tt := range tests {
		resp, body := f.do(t, "POST", tt.path, f.upload, tt.body)
		if resp.StatusCode != tt.status || !isJSONError(body) && tt.status != http.StatusCreated {
			t.Errorf("%s: %d %s, want %d", tt.name, resp.StatusCode, body, tt.status)
		}
		if strings.Contains(string(body), "goroutine") || strings.Contains(string(body), ".go:") {
			t.Errorf("%s: a stack trace in the answer: %s", tt.name, body)
		}
	}
}

func TestKeysAPI(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{})
	resp, body := f.do(t, "POST", "/api/v1/keys", f.admin, []byte(`{"name":"new-reader","scope":"read"}`))
	var ck CreatedKey
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &ck) != nil || ck.Secret == "" || ck.Scope != "read" {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do(t, "GET", "/api/v1/targets", ck.Secret, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("new key refused: %d", resp.StatusCode)
	}
	resp, body = f.do(t, "GET", "/api/v1/keys", f.admin, nil)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), ck.Secret) || !strings.Contains(string(body), "new-reader") {
		t.Errorf("list: %d %s", resp.StatusCode, body)
	}
	for _, bad := range []string{`{"name":"x","scope":"root"}`, `{"name":"../x","scope":"read"}`, `{"name":"x","scope":"read","admin":true}`, `[]`} {
		if resp, body := f.do(t, "POST", "/api/v1/keys", f.admin, []byte(bad)); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("create %s: %d %s", bad, resp.StatusCode, body)
		}
	}
	if resp, _ := f.do(t, "POST", "/api/v1/keys", f.admin, []byte(`{"name":"new-reader","scope":"read"}`)); resp.StatusCode != http.StatusConflict {
		t.Errorf("duplicate: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, "DELETE", "/api/v1/keys/root", f.admin, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("self-delete: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, "DELETE", "/api/v1/keys/new-reader", f.admin, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, "GET", "/api/v1/targets", ck.Secret, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("deleted key: %d", resp.StatusCode)
	}
}

func TestPutTarget(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{})
	tests := []struct {
		body   string
		status int
	}{
		{`{"baseUrl":"http://127.0.0.1:8801","schedule":"@every 6h","scanConfig":"mode: safe\n"}`, http.StatusOK},
		{`{"schedule":"0 3 * * *"}`, http.StatusOK},
		{`{"schedule":"every tuesday"}`, http.StatusBadRequest},
		{`{"baseUrl":"file:///etc/passwd"}`, http.StatusBadRequest},
		{`{"baseUrl":"http://user:pw@127.0.0.1"}`, http.StatusBadRequest},
		{`{"owner":"me"}`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		if resp, body := f.do(t, "PUT", "/api/v1/targets/api", f.admin, []byte(tt.body)); resp.StatusCode != tt.status {
			t.Errorf("PUT %s: %d %s, want %d", tt.body, resp.StatusCode, body, tt.status)
		}
	}
	tg, err := f.st.Target(context.Background(), "api")
	if err != nil || tg.Schedule != "0 3 * * *" || tg.BaseURL != "" {
		t.Errorf("stored: %+v %v", tg, err)
	}
	resp, body := f.do(t, "GET", "/api/v1/targets/api", f.read, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"schedule": "0 3 * * *"`) {
		t.Errorf("GET target: %d %s", resp.StatusCode, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{})
	for _, p := range []string{"/healthz", "/login", "/api/v1/targets"} {
		resp, _ := f.do(t, "GET", p, f.read, nil)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
}

// webClient is a client with a cookie jar that posts forms as a browser
// on the same origin would.
type webClient struct {
	t   *testing.T
	c   *http.Client
	url string
}

func newBrowser(t *testing.T, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, url: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *webClient) get(path string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.url + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (b *webClient) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.url+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page: %.300s", page)
	}
	return m[1]
}

func TestLoginAndCSRF(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{})
	b := newBrowser(t, f.srv.URL)
	_, page := b.get("/login")
	tok := csrfOf(t, page)

	// Without the token, or with another, the login is refused.
	for _, bad := range []string{"", "x" + tok} {
		if resp, _ := b.post("/login", url.Values{"key": {f.read}, "csrf": {bad}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("login with CSRF %q: %d, want 403", bad, resp.StatusCode)
		}
	}
	_, page = b.get("/login")
	tok = csrfOf(t, page)
	if resp, _ := b.post("/login", url.Values{"key": {"rampart_wrong"}, "csrf": {tok}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong key: %d", resp.StatusCode)
	}
	_, page = b.get("/login")
	tok = csrfOf(t, page)
	resp, _ := b.post("/login", url.Values{"key": {f.read}, "csrf": {tok}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			sess = c
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || strings.Contains(sess.Value, f.read) {
		t.Fatalf("session cookie: %+v", sess)
	}
	resp, page = b.get("/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Targets") {
		t.Fatalf("dashboard after login: %d", resp.StatusCode)
	}
	// Logging out needs the session's CSRF token.
	if resp, _ := b.post("/logout", url.Values{"csrf": {"nope"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without the token: %d", resp.StatusCode)
	}
	// A cross-site form post is refused before it reaches the handler.
	req, _ := http.NewRequest("POST", f.srv.URL+"/logout", strings.NewReader("csrf="+csrfOf(t, page)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := b.c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: %v %v", resp.StatusCode, err)
	}
	if resp, _ := b.post("/logout", url.Values{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("dashboard after logout: %d", resp.StatusCode)
	}
}

func TestPages(t *testing.T) {
	f := newFixture(t, store.SQLite, Options{})
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	var last int64
	for i, score := range []int{30, 55, 80} {
		id, err := f.st.AddReport(ctx, "notes", sampleReport(t0.Add(time.Duration(i)*time.Hour), score, "C",
			sampleFinding("BOLA-001", "/notes/{id}", rampart.High, `<script>document.title="pwned"</script>`)))
		if err != nil {
			t.Fatal(err)
		}
		last = id
	}
	b := login(t, f, f.read)
	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/", []string{`href="/targets/notes"`, "80"}},
		{"/targets/notes", []string{"<polyline", `points="40,141 372,96 705,51"`, "<circle"}},
		{"/scans/" + itoa(last), []string{"BOLA-001", "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;"}},
		{"/scans/" + itoa(last) + "/diff", []string{`<span id="count-unchanged">1</span>`, `<span id="count-new">0</span>`}},
		{"/scans/" + itoa(last) + "/report", []string{"<!doctype html>"}},
	} {
		resp, page := b.get(tt.path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", tt.path, resp.StatusCode)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: no %q in the page", tt.path, w)
			}
		}
		if strings.Contains(page, "<script>document") {
			t.Errorf("%s: evidence unescaped", tt.path)
		}
	}
	for _, p := range []string{"/targets/nope", "/scans/999", "/scans/abc"} {
		if resp, _ := b.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

// login logs a browser in with a key through the form.
func login(t *testing.T, f *fixture, key string) *webClient {
	t.Helper()
	b := newBrowser(t, f.srv.URL)
	_, page := b.get("/login")
	resp, _ := b.post("/login", url.Values{"key": {key}, "csrf": {csrfOf(t, page)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return b
}
