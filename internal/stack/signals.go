package stack

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart/internal/dberr"
)

// maxBody is how much of a body the Observer reads: Flask's own pages and
// error bodies are small, and dberr caps its own scan the same way.
const maxBody = dberr.MaxScan

// Extension names.
const (
	ExtLogin      = "Flask-Login"
	ExtWTF        = "Flask-WTF"
	ExtJWT        = "Flask-JWT-Extended"
	ExtRESTful    = "Flask-RESTful/RESTX"
	ExtRESTX      = "Flask-RESTX"
	ExtSQLAlchemy = "Flask-SQLAlchemy"
	ExtCORS       = "Flask-CORS"
)

// pythonServers are Server products that only run Python applications.
var pythonServers = map[string]bool{
	"werkzeug": true, "gunicorn": true, "uwsgi": true, "waitress": true,
	"hypercorn": true, "uvicorn": true, "wsgiserver": true, "cheroot": true,
	"tornadoserver": true, "daphne": true, "meinheld": true, "bjoern": true,
}

func observeHeaders(s *sighting, h http.Header) {
	if h == nil {
		return
	}
	for _, v := range h.Values("Server") {
		observeServer(s, v)
	}
	observeCookies(s, h)
	observePoweredBy(s, h)
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Cookie") {
				s.add(catWeak, "Vary: Cookie (Flask adds it whenever the session is accessed)")
			}
		}
	}
}

// observeServer reads `Werkzeug/2.2.2 Python/3.11.2`, `gunicorn/21.2.0`,
// `WSGIServer/0.2 CPython/3.11.2` and the like.
func observeServer(s *sighting, v string) {
	v = clean(v, 120)
	if v == "" {
		return
	}
	rank := 1
	version, first := "", true
	for _, tok := range strings.Fields(v) {
		if strings.HasPrefix(tok, "(") {
			continue // a comment, e.g. (Ubuntu)
		}
		name, ver, _ := strings.Cut(tok, "/")
		lname := strings.ToLower(name)
		if first && lname != "python" && lname != "cpython" {
			version, first = ver, false // the server product, not the language
		}
		switch {
		case lname == "werkzeug":
			s.flask = true
			rank = 2
		case pythonServers[lname]:
			rank = 2
		case lname == "python" || lname == "cpython":
			if s.langRank < langFromHeader {
				s.language, s.langVersion, s.langRank = Python, ver, langFromHeader
			}
		case otherServers[lname] != "" && s.langRank < langFromServer:
			s.language, s.langRank = otherServers[lname], langFromServer
		}
	}
	if rank == 2 && s.langRank == 0 {
		s.language, s.langRank = Python, langFromServer
	}
	if rank > s.serverRank {
		s.server, s.serverVersion, s.serverRank = v, version, rank
	}
	s.add(catServer, "Server header: "+v)
}

// flaskSessionValue is itsdangerous' URLSafeTimedSerializer output:
// payload.timestamp.signature, base64url, a leading dot when compressed,
// and a 27-character HMAC-SHA1 signature.
var flaskSessionValue = lazyRegexp(`^\.?[\w-]+\.[\w-]{4,8}\.[\w-]{27}$`)

var rememberValue = lazyRegexp(`^[^|%]{1,64}(?:\||%7[Cc])[0-9a-f]{40,128}$`)

// otherServers are Server products that only run one other language.
var otherServers = map[string]string{
	"kestrel": CSharp, "jetty": Java, "apache-coyote": Java, "undertow": Java, "tomcat": Java,
	"puma": Ruby, "unicorn": Ruby, "passenger": Ruby, "webrick": Ruby,
}

// observePoweredBy reads what Express, PHP and ASP.NET announce by default:
// `X-Powered-By: Express`, `PHP/8.2.7`, `ASP.NET` (and X-AspNet-Version).
func observePoweredBy(s *sighting, h http.Header) {
	for _, v := range h.Values("X-Powered-By") {
		v = clean(v, 80)
		name, ver, _ := strings.Cut(v, "/")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "express":
			s.framework = Express
			s.language, s.langRank = JavaScript, langFromHeader
		case "php":
			s.language, s.langVersion, s.langRank = PHP, ver, langFromHeader
		case "asp.net":
			s.framework = ASPNET
			s.language, s.langRank = CSharp, langFromHeader
		case "next.js":
			s.language, s.langRank = JavaScript, langFromHeader
		default:
			continue
		}
		s.add(catServer, "X-Powered-By: "+v)
	}
	if v := h.Get("X-AspNet-Version"); v != "" {
		s.framework = ASPNET
		s.language, s.langRank = CSharp, langFromHeader
		s.add(catServer, "X-AspNet-Version: "+clean(v, 40))
	}
}

// nonPythonCookies are session cookies only one language's stack sets.
var nonPythonCookies = map[string]string{"JSESSIONID": Java, "PHPSESSID": PHP, "ASP.NET_SessionId": CSharp, "connect.sid": JavaScript}

func observeCookies(s *sighting, h http.Header) {
	if len(h.Values("Set-Cookie")) == 0 {
		return
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		name := clean(c.Name, 64)
		if lang := nonPythonCookies[c.Name]; lang != "" && s.langRank < langFromServer {
			s.language, s.langRank = lang, langFromServer
			s.add(catServer, "Set-Cookie: "+name+" (a "+lang+" stack's session cookie)")
		}
		switch {
		case flaskSessionValue().MatchString(c.Value):
			s.flask = true
			what := "an itsdangerous-signed Flask session cookie"
			if strings.HasPrefix(c.Value, ".") {
				what += " (zlib-compressed)"
			}
			s.add(catFlask, "Set-Cookie: "+name+" is "+what)
			observeSessionKeys(s, c.Value)
		case c.Name == "remember_token" && rememberValue().MatchString(c.Value):
			s.flask = true
			s.extensions = append(s.extensions, ExtLogin)
			s.add(catFlask, "Set-Cookie: remember_token is a Flask-Login remember-me cookie (user id | HMAC)")
		}
	}
}

// sessionKeyExtensions are keys that extensions keep in the session.
var sessionKeyExtensions = map[string]string{
	"_user_id": ExtLogin, "_fresh": ExtLogin, "_id": ExtLogin, "_remember": ExtLogin,
	"csrf_token": ExtWTF,
}

// maxSessionPayload bounds decompression of a hostile cookie.
const maxSessionPayload = 64 << 10

// observeSessionKeys decodes the session payload for its key names only;
// values can hold personal data and never reach evidence.
func observeSessionKeys(s *sighting, v string) {
	compressed := strings.HasPrefix(v, ".")
	payload, _, _ := strings.Cut(strings.TrimPrefix(v, "."), ".")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(payload, "="))
	if err != nil {
		return
	}
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return
		}
		raw, err = io.ReadAll(io.LimitReader(zr, maxSessionPayload))
		if err != nil {
			return
		}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	var keys, exts []string
	for k := range m {
		if ext, ok := sessionKeyExtensions[k]; ok {
			keys = append(keys, k)
			if !slices.Contains(exts, ext) {
				exts = append(exts, ext)
			}
		}
	}
	if len(keys) == 0 {
		return
	}
	slices.Sort(keys)
	slices.Sort(exts)
	s.extensions = append(s.extensions, exts...)
	s.add(catExt, "session cookie keys "+strings.Join(keys, ", ")+" ("+strings.Join(exts, ", ")+")")
}

var (
	// Werkzeug ≥ 2.1.2 HTTPException.get_body.
	werkzeugPage = lazyRegexp(`^<!doctype html>\r?\n<html lang=en>\r?\n<title>(\d{3}) ([^<\n]{1,100})</title>\r?\n<h1>([^<\n]{1,100})</h1>`)
	// Before 2.1.2.
	werkzeugOldPage = lazyRegexp(`^<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3\.2 Final//EN">\r?\n<title>(\d{3}) ([^<\n]{1,100})</title>\r?\n<h1>([^<\n]{1,100})</h1>`)

	debuggerMarkers = []string{
		"// Werkzeug Debugger</title>",
		"?__debugger__=yes&amp;cmd=resource",
		"The debugger caught an exception in your WSGI application",
	}
	evalexRe = lazyRegexp(`\bEVALEX = (true|false),\s*EVALEX_TRUSTED = (true|false)`)

	// Werkzeug's default descriptions, also seen in JSON bodies of custom
	// error handlers that return e.description. The 403 one is matched
	// after its apostrophe, which is escaped differently everywhere.
	werkzeugDescriptions = []string{
		"The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
		"The method is not allowed for the requested URL.",
		"The browser (or proxy) sent a request that this server could not understand.",
		"The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
		"have the permission to access the requested resource. It is either read-protected or not readable by the server.",
		"Did not attempt to load JSON data because the request Content-Type was not",
	}

	// Matched at the end of the text before a "-packages" needle, so that
	// the common case (no traceback) costs one substring search.
	tracebackPython = lazyRegexp(`[\\/]python(\d\.\d{1,2})[\\/](?:site|dist)$`)
	tracebackPkg    = lazyRegexp(`^[\\/](flask(?:_[a-z]+)?)[\\/]`)

	crdbConsoleTag = lazyRegexp(`"Tag"\s*:\s*"v(\d+\.\d+[\w.+-]{0,40})"`)
	crdbVarsTag    = lazyRegexp(`^build_timestamp\{[^}\n]{0,200}?\btag="v(\d+\.\d+[\w.+-]{0,40})"`)
)

// tracebackExtensions maps package directories to extension names.
var tracebackExtensions = map[string]string{
	"flask_login": ExtLogin, "flask_wtf": ExtWTF, "flask_jwt_extended": ExtJWT,
	"flask_restful": ExtRESTful, "flask_restx": ExtRESTX, "flask_sqlalchemy": ExtSQLAlchemy,
	"flask_cors": ExtCORS,
}

// jwtExtendedMessages are Flask-JWT-Extended 4.x default error messages.
var jwtExtendedMessages = []string{
	"Missing Authorization Header",
	"Bad Authorization header. Expected ",
	"Missing JWT in ",
	"Missing cookie ",
	"Missing CSRF token",
	"CSRF double submit tokens do not match",
	"Token has expired",
	"Token has been revoked",
	"Fresh token required",
	"Signature verification failed",
	"Not enough segments",
	"Only non-refresh tokens are allowed",
	"Only refresh tokens are allowed",
	"Invalid header padding",
	"Invalid crypto padding",
	"Invalid header string",
}

func observeBody(s *sighting, status int, body []byte) {
	observeWerkzeugPages(s, body)
	observeJSON(s, status, body)
	observeOtherFrameworks(s, status, body)

	if bytes.Contains(body, []byte("Failed to decode JSON object: ")) {
		s.flask = true
		s.add(catFlask, "Flask debug mode: a 400 body carries the JSON decoder's message (\"Failed to decode JSON object: …\")")
	}
	observeTraceback(s, body)

	for _, hit := range dberr.Match(body) {
		s.dbs = append(s.dbs, dbFromHit(hit))
	}
	if engine, version, ok := dberr.DetectVersion(body); ok {
		level := dbDefinite
		if engine == dberr.CockroachDB || engine == dberr.MariaDB {
			level = dbRefined
		}
		s.dbs = append(s.dbs, dbSighting{level: level, engine: engine, version: version,
			note: "database version banner in a response: " + engine + " " + version})
	}
	observeCockroachUI(s, body)
}

func observeWerkzeugPages(s *sighting, body []byte) {
	for _, p := range []struct {
		re   func() *regexp.Regexp
		what string
	}{{werkzeugPage, "Werkzeug ≥ 2.1.2"}, {werkzeugOldPage, "Werkzeug < 2.1.2"}} {
		if m := p.re().FindSubmatch(body); m != nil && bytes.Equal(m[2], m[3]) {
			s.flask = true
			s.add(catFlask, p.what+" HTML error page: "+string(m[1])+" "+string(m[2]))
			return
		}
	}
	debugger := false
	for _, mk := range debuggerMarkers {
		if bytes.Contains(body, []byte(mk)) {
			debugger = true
			break
		}
	}
	if debugger {
		s.flask = true
		what := "Werkzeug debugger page"
		if bytes.Contains(body, []byte("CONSOLE_MODE = true")) {
			what = "Werkzeug debugger console"
		}
		if m := evalexRe().FindSubmatch(body); m != nil {
			what += " (EVALEX = " + string(m[1]) + ", EVALEX_TRUSTED = " + string(m[2]) + ")"
		}
		s.add(catFlask, what)
		return
	}
	for _, d := range werkzeugDescriptions {
		if bytes.Contains(body, []byte(d)) {
			s.flask = true
			s.add(catFlask, "Werkzeug error description in a response body: \""+clean(d, 60)+"\"")
			return
		}
	}
}

// observeJSON recognises the JSON error bodies of Flask extensions.
func observeJSON(s *sighting, status int, body []byte) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' || len(t) > 64<<10 {
		return
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(t, &m) != nil {
		return
	}
	str := func(k string) (string, bool) {
		var v string
		raw, ok := m[k]
		if !ok || json.Unmarshal(raw, &v) != nil {
			return "", false
		}
		return v, true
	}
	// Flask-JWT-Extended answers {"msg": …} and nothing else.
	if msg, ok := str("msg"); ok && len(m) == 1 && status >= 400 && status < 500 {
		for _, known := range jwtExtendedMessages {
			if strings.HasPrefix(msg, known) {
				s.flask = true
				s.extensions = append(s.extensions, ExtJWT)
				s.add(catExt, "Flask-JWT-Extended error body: {\"msg\": \""+clean(msg, 80)+"\"}")
				return
			}
		}
	}
	msg, ok := str("message")
	if !ok {
		return
	}
	// ERROR_404_HELP, on by default, also leaks route names.
	if i := strings.Index(msg, "You have requested this URI ["); i >= 0 {
		s.flask = true
		s.extensions = append(s.extensions, ExtRESTful)
		s.add(catExt, "Flask-RESTful/RESTX 404 help: \""+clean(msg[i:], 160)+"\"")
		return
	}
	if _, hasErrors := m["errors"]; hasErrors && msg == "Input payload validation failed" {
		s.flask = true
		s.extensions = append(s.extensions, ExtRESTX)
		s.add(catExt, "Flask-RESTX validation error body (\"Input payload validation failed\")")
	}
}

var (
	// Starlette's default HTTPException bodies.
	starletteDefaults = map[string]bool{`{"detail":"Not Found"}`: true, `{"detail":"Method Not Allowed"}`: true}
	// Spring Boot's whitelabel JSON error.
	springError     = lazyRegexp(`^\{"timestamp":"[^"]{10,40}","status":\d{3},"error":"[^"]{1,60}",(?:"message":"[^"]{0,200}",)?"path":"`)
	expressNotFound = lazyRegexp(`<pre>Cannot (?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /[^<\n]{0,200}</pre>`)
)

// fastAPIValidation recognises FastAPI's (pydantic's) validation error:
// {"detail": [{"loc": [...], "msg": ..., "type": ...}]}.
func fastAPIValidation(body []byte) bool {
	if len(body) == 0 || body[0] != '{' || len(body) > 64<<10 {
		return false
	}
	var v struct {
		Detail []struct {
			Loc  []any  `json:"loc"`
			Msg  string `json:"msg"`
			Type string `json:"type"`
		} `json:"detail"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Detail) == 0 {
		return false
	}
	for _, d := range v.Detail {
		if len(d.Loc) == 0 || d.Msg == "" || d.Type == "" {
			return false
		}
	}
	return true
}

// observeOtherFrameworks recognises the default error bodies of FastAPI
// (Starlette), Express, Spring Boot and Go's net/http: what tells a
// service that is not Flask, so that advice is not written for Flask.
func observeOtherFrameworks(s *sighting, status int, body []byte) {
	t := bytes.TrimSpace(body)
	switch {
	case status == 422 && fastAPIValidation(t):
		s.framework = FastAPI
		s.add(catFlask, "FastAPI (pydantic) validation error body: {\"detail\": [{\"loc\": …, \"msg\": …}]}")
	case (status == 404 || status == 405) && starletteDefaults[string(t)]:
		s.framework = FastAPI
		s.add(catFlask, "FastAPI (Starlette) default error body: "+string(t))
	case status >= 400 && springError().Match(t):
		s.framework = Spring
		s.add(catServer, "Spring Boot error body {\"timestamp\", \"status\", \"error\", \"path\"}")
	case status == 404 && expressNotFound().Match(t):
		s.framework = Express
		s.add(catServer, "Express default 404 page (\"Cannot GET …\")")
	case status == 404 && string(t) == "404 page not found":
		if s.langRank < langFromServer {
			s.language, s.langRank = Go, langFromServer
		}
		s.add(catServer, "Go net/http default 404 body (\"404 page not found\")")
	}
}

// observeCockroachUI recognises CockroachDB's own HTTP endpoints when the
// user adds the database's host to the scope: the console and the
// Prometheus /_status/vars page both publish the version without login.
func observeCockroachUI(s *sighting, body []byte) {
	if bytes.Contains(body, []byte("<title>Cockroach Console</title>")) {
		d := dbSighting{level: dbCockroachDB, engine: dberr.CockroachDB, note: "CockroachDB admin UI (Cockroach Console)"}
		if m := crdbConsoleTag().FindSubmatch(body); m != nil {
			d.version = string(m[1])
			d.note += " reports version " + d.version
		}
		s.dbs = append(s.dbs, d)
	}
	if i := bytes.Index(body, []byte("build_timestamp{")); i < 0 {
		return
	} else if m := crdbVarsTag().FindSubmatch(body[i:min(len(body), i+512)]); m != nil {
		s.dbs = append(s.dbs, dbSighting{level: dbCockroachDB, engine: dberr.CockroachDB, version: string(m[1]),
			note: "CockroachDB /_status/vars: build_timestamp tag v" + string(m[1])})
	}
}

// observeTraceback reads package paths in a traceback
// (…/python3.11/site-packages/flask_login/…): proof of Flask, of its
// extensions and of Python's minor version, even behind gunicorn.
func observeTraceback(s *sighting, body []byte) {
	needle := []byte("-packages")
	for off, n := 0, 0; n < 64; n++ {
		i := bytes.Index(body[off:], needle)
		if i < 0 {
			return
		}
		i += off
		off = i + len(needle)
		m := tracebackPkg().FindSubmatch(body[off:min(len(body), off+40)])
		if m == nil {
			continue
		}
		pkg := string(m[1])
		if p := tracebackPython().FindSubmatch(body[max(0, i-24):i]); p != nil && s.langRank < langFromTraceback {
			s.language, s.langVersion, s.langRank = Python, string(p[1]), langFromTraceback
			s.add(catLang, "traceback path: python"+string(p[1])+"/site-packages")
		}
		s.flask = true
		if ext, ok := tracebackExtensions[pkg]; ok {
			s.extensions = append(s.extensions, ext)
			s.add(catExt, "traceback path: site-packages/"+pkg+"/ ("+ext+")")
		} else if pkg == "flask" {
			s.add(catFlask, "traceback path: site-packages/flask/")
		}
	}
}

func dbFromHit(h dberr.Hit) dbSighting {
	d := dbSighting{engine: h.Engine, driver: h.Driver, orm: h.ORM}
	label := h.Engine
	switch {
	case h.Engine == dberr.CockroachDB || h.Engine == dberr.MariaDB:
		d.level = dbRefined
	case h.Engine != "":
		d.level = dbDefinite
	case h.PGCompatible:
		d.level = dbPGCompatible
		d.engine = dberr.PostgreSQL
		label = "PostgreSQL-compatible"
	default:
		label = "engine unknown"
	}
	if h.Engine != "" {
		d.version = h.Version
		if h.Version != "" {
			label += " " + h.Version
		}
	}
	if via := strings.Trim(h.Driver+", "+h.ORM, ", "); via != "" {
		label += "; " + via
	}
	// The label says what the text proves; shorten the quote, not it.
	label = " (" + clean(label, 80) + ")"
	d.note = "database error text: " + clean(h.Snippet, maxEvidenceLen-len("database error text: ")-len(label)-len("…")) + label
	return d
}

// lazyRegexp compiles an expression on first use. Bounded repetitions
// such as [^<\n]{1,100} compile into large programs: compiled at start-up,
// these cost every run of the binary a few milliseconds, `rampart code`
// and `rampart version` included.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
