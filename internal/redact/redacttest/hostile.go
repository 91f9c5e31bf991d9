// Package redacttest serves a hostile API for redaction tests, on loopback:
// it echoes the credentials it receives, and those of every identity it
// knows (the tokens its login issued included), in every place an API
// controls (error texts, JSON bodies, headers, redirect targets, error
// pages, stack traces, its OpenAPI document) and in the encodings echoing
// APIs produce. Leaks then tells whether any of them, in any encoding,
// reached an output.
package redacttest

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/redact"
)

// The configured credentials. They hold the characters encoders change
// ('/', '+', '=', '"', '<', '&', space) so that each encoding differs.
const (
	AliceToken    = "alice.T0k/en+Xy=Z~9-AbCdEfGh_1234567890"
	AliceKey      = "ak_live_Q1w2E3r4/T5y6+U7i8"
	BobSession    = "bob-sess.eyJ1aWQiOjJ9.Zm9v/YmFy+YmF6=="
	CarolPassword = `c4r0l p@ss"<w0rd>&'x`
	DavePassword  = `d4ve/p+ss w0rd"<&>'!`
	// LoginKey is a credential in the login URL's query (?api_key=).
	LoginKey = "lk-9f8e7d6c5b4a/3210+zz"
)

// CarolBasic is carol's Authorization credential, base64 of carol:password.
var CarolBasic = base64.StdEncoding.EncodeToString([]byte("carol:" + CarolPassword))

// basePath is where the API lives, as the OpenAPI document's servers say:
// alice's token is in every operation's URL.
var basePath = "/api/" + AliceToken

// Server is the hostile API.
type Server struct {
	*httptest.Server
	// LoginFails makes /login answer 500, echoing what it was sent.
	LoginFails bool
	// OnRequest, when set, sees the count of requests so far (a test
	// cancels the scan mid-way with it).
	OnRequest func(n int)

	mu       sync.Mutex
	requests int
	logins   int
	issued   []string // every token and session cookie /login gave
	token    string   // dave's current token and cookie
	sid      string
	uses     int // requests with dave's current token
}

// ExpireAfter is how many requests dave's token lasts: the scan logs in
// again several times, so the secrets change while it runs.
const ExpireAfter = 3

// New starts the server; it stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{}
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// Identities are alice (bearer token and API key), bob (a session cookie),
// carol (Basic) and dave (a login flow that returns a token and a cookie).
func (s *Server) Identities() []rampart.Identity {
	return []rampart.Identity{
		{Name: "alice", Role: "user", Headers: http.Header{"Authorization": {"Bearer " + AliceToken}, "X-Api-Key": {AliceKey}}},
		{Name: "bob", Role: "user", Headers: http.Header{"Cookie": {"session=" + BobSession + "; theme=dark"}}},
		{Name: "carol", Role: "admin", Headers: http.Header{"Authorization": {"Basic " + CarolBasic}}},
		{Name: "dave", Role: "user", Login: &rampart.Login{
			Method: "POST", URL: "/login?api_key=" + url.QueryEscape(LoginKey),
			JSON:    map[string]any{"username": "dave", "password": DavePassword},
			Token:   &rampart.TokenSource{From: "body", Path: "token"},
			Cookies: []string{"sid"},
		}},
	}
}

// Logins is how many times /login was called.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// Secrets returns every credential the outputs must not hold: the
// configured ones, what Basic auth is made of, and each token and cookie
// the login issued so far.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{AliceToken, AliceKey, BobSession, CarolPassword, DavePassword, LoginKey, CarolBasic, "carol:" + CarolPassword}
	return append(out, s.issued...)
}

// Encodings returns the forms of a secret to look for in outputs: as it
// is, and as echoing APIs and report writers encode it.
func Encodings(secret string) map[string]string {
	j, _ := json.Marshal(secret)
	js := string(j[1 : len(j)-1])
	var x strings.Builder
	xml.EscapeText(&x, []byte(secret))
	m := map[string]string{
		"raw":         secret,
		"query":       url.QueryEscape(secret),
		"path":        url.PathEscape(secret),
		"json":        js,
		"json \\/":    strings.ReplaceAll(js, "/", `\/`),
		"json \\u":    uEscape(secret),
		"html":        html.EscapeString(secret),
		"xml":         x.String(),
		"base64":      base64.StdEncoding.EncodeToString([]byte(secret)),
		"markdown":    mdEscape(secret),
		"html of url": html.EscapeString(url.QueryEscape(secret)),
	}
	return m
}

func uEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && (r == '/' || r == '+' || r == '=' || r == '"' || r == '<' || r == '>' || r == '&' || r == '\'' || r == ' ') {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdEscape backslash-escapes Markdown punctuation, as a writer may.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()#+-.!|<>~=\"'&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Leaks returns, for an output, each secret it holds in any encoding (or a
// run of redact.FragmentLen bytes of one: a secret cut by a snippet), also
// once white space is removed (a writer that wraps lines).
func Leaks(out string, secrets []string) []string {
	squeezed := strings.Join(strings.Fields(out), "")
	var leaks []string
	for _, sec := range secrets {
		for name, enc := range Encodings(sec) {
			if len(enc) < redact.MinLen {
				continue
			}
			if strings.Contains(out, enc) {
				leaks = append(leaks, fmt.Sprintf("%s (%s)", sec, name))
			} else if !strings.ContainsAny(enc, " \t\n") && strings.Contains(squeezed, enc) {
				leaks = append(leaks, fmt.Sprintf("%s (%s, across lines)", sec, name))
			}
		}
		for i := 0; i+redact.FragmentLen <= len(sec); i++ {
			if frag := sec[i : i+redact.FragmentLen]; strings.Contains(out, frag) {
				leaks = append(leaks, fmt.Sprintf("%s (fragment %q)", sec, frag))
				break
			}
		}
	}
	return leaks
}

// echo is what the server knows to repeat in an answer: what this request
// carried, then every secret it knows.
func (s *Server) echo(r *http.Request) []string {
	got := []string{r.Header.Get("Authorization"), r.Header.Get("Cookie"), r.Header.Get("X-Api-Key")}
	for _, c := range r.Cookies() {
		got = append(got, c.Value)
	}
	var out []string
	for _, g := range got {
		if g != "" {
			out = append(out, g)
		}
	}
	return append(out, s.Secrets()...)
}

// encoded lists every echoed value in every encoding, one a line.
func encoded(vals []string) string {
	var b strings.Builder
	for _, v := range vals {
		for _, name := range []string{"raw", "query", "path", "json", "json \\/", "json \\u", "html", "base64"} {
			fmt.Fprintf(&b, "%s: %s\n", name, Encodings(v)[name])
		}
	}
	return b.String()
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	n := s.requests
	s.mu.Unlock()
	if s.OnRequest != nil {
		s.OnRequest(n)
	}
	echo := s.echo(r)
	auth := r.Header.Get("Authorization")
	// Every answer carries the request's credentials in its headers.
	h := w.Header()
	h.Set("Server", "Werkzeug/2.2.2 Python/3.11.2 (auth "+auth+")")
	h.Set("X-Powered-By", "Flask; cookie="+r.Header.Get("Cookie"))
	h.Set("X-Echo-Authorization", auth)
	h.Set("X-Echo-Key", url.QueryEscape(r.Header.Get("X-Api-Key")))
	h.Add("Set-Cookie", "echo="+url.QueryEscape(auth)+"; Path=/")
	h.Set("Link", "</api/next?token="+url.QueryEscape(strings.Join(echo, ","))+">; rel=next")

	path := r.URL.Path
	if path == "/openapi.json" {
		s.spec(w)
		return
	}
	if path == "/login" {
		s.login(w, r)
		return
	}
	if path == "/console" {
		// Werkzeug's debugger console, with the credentials in its page.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><head><title>Console // Werkzeug Debugger</title>"+
			"<script>var CONSOLE_MODE = true, EVALEX = true, EVALEX_TRUSTED = true, SECRET = \"AbCdEfGhIjKlMnOpQrSt\";"+
			" var AUTH = %q;</script></head><body>%s</body></html>", auth, html.EscapeString(encoded(echo)))
		return
	}
	if path == "/" {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><body><a href=%q>api</a> %s</body></html>", basePath+"/items", html.EscapeString(strings.Join(echo, " ")))
		return
	}
	path, ok := strings.CutPrefix(path, basePath)
	if !ok {
		s.json(w, 404, map[string]any{"error": "no route " + r.URL.Path, "you_sent": echo})
		return
	}
	if !s.authorised(r) {
		h.Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="api", error="invalid_token", error_description="the token %s expired"`, auth))
		s.json(w, 401, map[string]any{"error": "token expired: " + auth, "you_sent": echo, "encoded": encoded(echo)})
		return
	}
	switch {
	case path == "/items" && r.Method == http.MethodGet:
		q := r.URL.Query().Get("q")
		if strings.ContainsAny(q, `'"\`) {
			// The database error echoes the request's credentials on the
			// line LEAK-001 quotes, then every other form on the next ones.
			w.WriteHeader(500)
			fmt.Fprintf(w, "psycopg2.errors.SyntaxError: unterminated quoted string at or near \"%s\" (Authorization: %s, X-Api-Key: %s)\n"+
				"LINE 1: SELECT * FROM items WHERE name = '%s'\n%s",
				q, auth, r.Header.Get("X-Api-Key"), q, encoded(echo))
			return
		}
		s.json(w, 200, []map[string]any{{"id": 1, "name": "lamp", "owner_token": auth, "echo": echo}})
	case strings.HasPrefix(path, "/items/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(path, "/items/")
		if strings.ContainsAny(id, `'"\`) {
			s.json(w, 500, map[string]any{"error": fmt.Sprintf(`psycopg2.errors.InvalidTextRepresentation: invalid input syntax for type integer: "%s" token %s`, id, auth)})
			return
		}
		s.json(w, 200, map[string]any{"id": id, "name": "lamp", "note": "fetched with " + auth, "encoded": encoded(echo)})
	case path == "/search":
		term := r.URL.Query().Get("term")
		if strings.ContainsAny(term, `'"\`) {
			// A stack trace whose frames show the credentials.
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(500)
			fmt.Fprintf(w, "Traceback (most recent call last):\n  File \"/app/api.py\", line 42, in search\n    rows = db.search(%q, auth=%q)\n"+
				"  File \"/app/db.py\", line 7, in search\n    raise ValueError(%q)\nValueError: bad term for %s\n%s",
				term, auth, r.Header.Get("Cookie"), strings.Join(echo, " "), encoded(echo))
			return
		}
		s.json(w, 200, map[string]any{"results": []string{}, "searched_as": auth})
	case path == "/go":
		http.Redirect(w, r, basePath+"/landing?token="+url.QueryEscape(auth)+"&all="+url.QueryEscape(strings.Join(echo, "|")), http.StatusFound)
	case path == "/away":
		// Off scope (another loopback address): never followed.
		http.Redirect(w, r, "http://127.0.0.2:9/steal?t="+url.QueryEscape(auth), http.StatusFound)
	case path == "/debug":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(500)
		fmt.Fprintf(w, "<!doctype html><html><head><title>Console // Werkzeug Debugger</title>"+
			"<script>var CONSOLE_MODE = true, EVALEX = true, SECRET = %q;</script></head><body>"+
			"<pre>Traceback (most recent call last):\n  File \"/app/api.py\", line 42, in debug\n    check(token=%s)\n"+
			"  File \"/app/auth.py\", line 7, in check\n    raise ValueError(%s)\nValueError: bad credential</pre>%s</body></html>",
			AliceKey, html.EscapeString(auth), html.EscapeString(strings.Join(echo, " ")), html.EscapeString(encoded(echo)))
	case path == "/me":
		s.json(w, 200, map[string]any{"id": 4, "username": "dave", "token": auth, "password": DavePassword, "api_key": AliceKey})
	default:
		s.json(w, 200, map[string]any{"ok": true, "you_sent": echo, "encoded": encoded(echo)})
	}
}

// authorised accepts the static credentials and dave's current token or
// cookie, which expire after ExpireAfter requests.
func (s *Server) authorised(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "Bearer "+AliceToken, auth == "Basic "+CarolBasic:
		return true
	}
	if c, err := r.Cookie("session"); err == nil && c.Value == BobSession {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sid, _ := r.Cookie("sid")
	if s.token == "" || (auth != "Bearer "+s.token && (sid == nil || sid.Value != s.sid)) {
		return false
	}
	s.uses++
	return s.uses <= ExpireAfter
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	pw, _ := body["password"].(string)
	if s.LoginFails {
		s.json(w, 500, map[string]any{"error": "login failed for password " + pw + " and key " + r.URL.Query().Get("api_key")})
		return
	}
	if pw != DavePassword || r.URL.Query().Get("api_key") != LoginKey {
		s.json(w, 401, map[string]any{"error": "wrong password " + pw})
		return
	}
	s.mu.Lock()
	s.logins++
	s.token = fmt.Sprintf("dave.Tok/%d+QmFzZTY0/c2VjcmV0=-%08x", s.logins, uint32(s.logins)*2654435761)
	s.sid = fmt.Sprintf("sid~%d-%08x.session-cookie", s.logins, uint32(s.logins)*40503)
	s.issued = append(s.issued, s.token, s.sid)
	s.uses = 0
	tok, sid := s.token, s.sid
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/"})
	s.json(w, 200, map[string]any{"token": tok, "user": "dave", "you_sent": pw})
}

func (s *Server) json(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// spec is the OpenAPI document: the secrets are in its descriptions, its
// examples and its servers (alice's token is in the base path).
func (s *Server) spec(w http.ResponseWriter) {
	all := strings.Join(s.Secrets(), " ")
	op := func(summary string, params ...map[string]any) map[string]any {
		o := map[string]any{"summary": summary + " " + all, "description": "Send " + all,
			"responses": map[string]any{"200": map[string]any{"description": "ok " + all}}}
		if len(params) > 0 {
			o["parameters"] = params
		}
		return o
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "hostile " + AliceToken, "version": "1", "description": all},
		"servers": []any{map[string]any{"url": basePath, "description": all}},
		"components": map[string]any{"securitySchemes": map[string]any{
			"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": all}}},
		"security": []any{map[string]any{"bearer": []any{}}},
		"paths": map[string]any{
			"/items": map[string]any{
				"get": op("list items", map[string]any{"name": "q", "in": "query", "description": all,
					"schema": map[string]any{"type": "string", "example": AliceKey}}),
				"post": map[string]any{"summary": all, "requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{
					"schema": map[string]any{"type": "object", "properties": map[string]any{
						"name": map[string]any{"type": "string", "example": BobSession},
						"role": map[string]any{"type": "string"}}}}}},
					"responses": map[string]any{"201": map[string]any{"description": all}}},
			},
			"/items/{item_id}": map[string]any{
				"get": op("one item", map[string]any{"name": "item_id", "in": "path", "required": true,
					"schema": map[string]any{"type": "integer", "example": 1}}),
				"delete": op("delete item", map[string]any{"name": "item_id", "in": "path", "required": true,
					"schema": map[string]any{"type": "integer"}}),
			},
			"/search": map[string]any{"get": op("search", map[string]any{"name": "term", "in": "query",
				"schema": map[string]any{"type": "string", "example": DavePassword}})},
			"/go":    map[string]any{"get": op("redirect")},
			"/away":  map[string]any{"get": op("redirect off scope")},
			"/debug": map[string]any{"get": op("debug page")},
			"/me":    map[string]any{"get": op("who am I")},
		},
	}
	s.json(w, 200, doc)
}
