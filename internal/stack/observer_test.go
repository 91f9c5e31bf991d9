package stack

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/dberr"
)

// resp is one response as the engine hands it to the Observer.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// loadHTTP reads a raw response captured from a real Flask app by
// testdata/gen_fixtures.py.
func loadHTTP(t testing.TB, name string) resp {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer r.Body.Close()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return resp{r.StatusCode, r.Header, body}
}

// mk builds a hand-written response from header lines "Name: value".
func mk(status int, body string, headers ...string) resp {
	h := http.Header{}
	for _, l := range headers {
		k, v, _ := strings.Cut(l, ": ")
		h.Add(k, v)
	}
	return resp{status, h, []byte(body)}
}

const (
	crdbSyntax = `{"error": "psycopg2.errors.SyntaxError: at or near \"x\": syntax error\nDETAIL:  source SQL:\nSELECT * FROM notes WHERE id = 1x\n                                ^\nHINT:  try \\h SELECT"}`
	pgShared   = `{"error": "(psycopg2.errors.UndefinedTable) relation \"notez\" does not exist"}`
	pgOnly     = "psycopg2.errors.SyntaxError: syntax error at or near \"'\"\nLINE 1: SELECT * FROM notes WHERE id = '''\n                                       ^\n"
	restful404 = `{"message": "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again. You have requested this URI [/user/1] but did you mean /users/<int:id> or /users ?"}`
)

func TestObserveFixtures(t *testing.T) {
	tests := []struct {
		name  string
		resps []resp
		want  rampart.Fingerprint // Evidence: every line must be present
		lang  string              // Language() version
		exts  []string
	}{
		{
			name:  "Werkzeug dev server 404 (real)",
			resps: []resp{loadHTTP(t, "werkzeug_404.http")},
			want: rampart.Fingerprint{Framework: Flask, Server: "Werkzeug/3.1.8 Python/3.11.7", ServerVersion: "3.1.8", Language: Python,
				Evidence: []string{"Server header: Werkzeug/3.1.8 Python/3.11.7", "Werkzeug ≥ 2.1.2 HTML error page: 404 Not Found"}},
			lang: "3.11.7",
		},
		{
			name:  "405 and 403 pages (real)",
			resps: []resp{loadHTTP(t, "werkzeug_405.http"), loadHTTP(t, "werkzeug_403.http")},
			want: rampart.Fingerprint{Framework: Flask, Server: "Werkzeug/3.1.8 Python/3.11.7", ServerVersion: "3.1.8", Language: Python,
				Evidence: []string{"Werkzeug ≥ 2.1.2 HTML error page: 405 Method Not Allowed", "Werkzeug ≥ 2.1.2 HTML error page: 403 Forbidden"}},
			lang: "3.11.7",
		},
		{
			name: "gunicorn with a pre-2.1.2 Werkzeug page",
			resps: []resp{mk(404, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n",
				"Server: gunicorn/20.1.0", "Content-Type: text/html")},
			want: rampart.Fingerprint{Framework: Flask, Server: "gunicorn/20.1.0", ServerVersion: "20.1.0", Language: Python,
				Evidence: []string{"Server header: gunicorn/20.1.0", "Werkzeug < 2.1.2 HTML error page: 404 Not Found"}},
		},
		{
			name:  "session cookie with Flask-Login and Flask-WTF keys (real)",
			resps: []resp{loadHTTP(t, "session_login.http")},
			want: rampart.Fingerprint{Framework: Flask, Server: "Werkzeug/3.1.8 Python/3.11.7", ServerVersion: "3.1.8", Language: Python,
				Evidence: []string{"Set-Cookie: session is an itsdangerous-signed Flask session cookie",
					"session cookie keys _fresh, _user_id, csrf_token (Flask-Login, Flask-WTF)",
					"Vary: Cookie (Flask adds it whenever the session is accessed)"}},
			lang: "3.11.7",
			exts: []string{ExtLogin, ExtWTF},
		},
		{
			name: "compressed session cookie behind nginx",
			resps: []resp{func() resp {
				r := loadHTTP(t, "session_big.http")
				r.header.Set("Server", "nginx/1.25.3")
				return r
			}()},
			want: rampart.Fingerprint{Framework: Flask, Server: "nginx/1.25.3", ServerVersion: "1.25.3", Language: Python,
				Evidence: []string{"Set-Cookie: session is an itsdangerous-signed Flask session cookie (zlib-compressed)"}},
		},
		{
			name:  "debug mode JSON decode error (real)",
			resps: []resp{loadHTTP(t, "debug_bad_json.http")},
			want: rampart.Fingerprint{Framework: Flask, Server: "Werkzeug/3.1.8 Python/3.11.7", ServerVersion: "3.1.8", Language: Python,
				Evidence: []string{"Flask debug mode: a 400 body carries the JSON decoder's message (\"Failed to decode JSON object: …\")"}},
			lang: "3.11.7",
		},
		{
			name:  "debugger page with a CockroachDB retry error (real)",
			resps: []resp{loadHTTP(t, "debugger_crdb_retry.http")},
			want: rampart.Fingerprint{Framework: Flask, Server: "Werkzeug/3.1.8 Python/3.11.7", ServerVersion: "3.1.8", Language: Python,
				Database: dberr.CockroachDB, DatabaseVersion: "23.1", Driver: dberr.Psycopg2,
				Evidence: []string{"Werkzeug debugger page (EVALEX = true, EVALEX_TRUSTED = false)",
					"database error text: psycopg2.errors.SerializationFailure: restart transaction:",
					"(CockroachDB 23.1; psycopg2)", "traceback path: site-packages/flask/"}},
			lang: "3.11.7",
		},
		{
			name: "debugger behind gunicorn gives Python's version from the traceback",
			resps: []resp{func() resp {
				r := loadHTTP(t, "debugger_crdb_retry.http")
				r.header.Set("Server", "gunicorn")
				return r
			}()},
			want: rampart.Fingerprint{Framework: Flask, Server: "gunicorn", Language: Python,
				Database: dberr.CockroachDB, DatabaseVersion: "23.1", Driver: dberr.Psycopg2,
				Evidence: []string{"traceback path: python3.11/site-packages"}},
			lang: "3.11",
		},
		{
			name:  "Flask-RESTful 404 help leaks routes",
			resps: []resp{mk(404, restful404, "Content-Type: application/json", "Server: uWSGI")},
			want: rampart.Fingerprint{Framework: Flask, Server: "uWSGI", Language: Python,
				Evidence: []string{`Flask-RESTful/RESTX 404 help: "You have requested this URI [/user/1] but did you mean /users/<int:id> or /users ?"`}},
			exts: []string{ExtRESTful},
		},
		{
			name:  "Flask-JWT-Extended missing header",
			resps: []resp{mk(401, `{"msg":"Missing Authorization Header"}`, "Content-Type: application/json")},
			want: rampart.Fingerprint{Framework: Flask, Language: Python,
				Evidence: []string{`Flask-JWT-Extended error body: {"msg": "Missing Authorization Header"}`}},
			exts: []string{ExtJWT},
		},
		{
			name:  "Flask-JWT-Extended bad header",
			resps: []resp{mk(422, `{"msg": "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'"}`)},
			want: rampart.Fingerprint{Framework: Flask, Language: Python,
				Evidence: []string{`Flask-JWT-Extended error body: {"msg": "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'"}`}},
			exts: []string{ExtJWT},
		},
		{
			name:  "Flask-RESTX validation",
			resps: []resp{mk(400, `{"errors": {"title": "'title' is a required property"}, "message": "Input payload validation failed"}`)},
			want:  rampart.Fingerprint{Framework: Flask, Language: Python},
			exts:  []string{ExtRESTX},
		},
		{
			name:  "custom JSON handler returning Werkzeug's description",
			resps: []resp{mk(405, `{"error": "The method is not allowed for the requested URL."}`, "Allow: OPTIONS, GET, HEAD")},
			want: rampart.Fingerprint{Framework: Flask, Language: Python,
				Evidence: []string{`Werkzeug error description in a response body: "The method is not allowed for the requested URL."`}},
		},
		{
			name:  "remember_token",
			resps: []resp{mk(200, `{}`, "Set-Cookie: remember_token=1|"+strings.Repeat("ab", 64)+"; Expires=Sat, 27 Nov 2027 11:27:17 GMT; HttpOnly; Path=/")},
			want: rampart.Fingerprint{Framework: Flask, Language: Python,
				Evidence: []string{"Set-Cookie: remember_token is a Flask-Login remember-me cookie (user id | HMAC)"}},
			exts: []string{ExtLogin},
		},
		{
			name:  "PostgreSQL-compatible error alone",
			resps: []resp{mk(500, pgShared)},
			want: rampart.Fingerprint{Database: dberr.PostgreSQL, Driver: dberr.Psycopg2,
				Evidence: []string{`database error text: (psycopg2.errors.UndefinedTable) relation "notez" does not exist (PostgreSQL-compatible; psycopg2)`}},
		},
		{
			name:  "PostgreSQL-compatible, then CockroachDB-only",
			resps: []resp{mk(500, pgShared), mk(500, crdbSyntax)},
			want: rampart.Fingerprint{Database: dberr.CockroachDB, Driver: dberr.Psycopg2,
				Evidence: []string{"(PostgreSQL-compatible; psycopg2)", `database error text: psycopg2.errors.SyntaxError: at or near "x": syntax error (CockroachDB; psycopg2)`}},
		},
		{
			name:  "CockroachDB first, PostgreSQL wording later does not demote it",
			resps: []resp{mk(500, crdbSyntax), mk(500, pgOnly), mk(500, pgShared)},
			want:  rampart.Fingerprint{Database: dberr.CockroachDB, Driver: dberr.Psycopg2},
		},
		{
			name:  "PostgreSQL-only wording with LINE 1",
			resps: []resp{mk(500, pgShared), mk(500, pgOnly)},
			want: rampart.Fingerprint{Database: dberr.PostgreSQL, Driver: dberr.Psycopg2,
				Evidence: []string{`(PostgreSQL; psycopg2)`}},
		},
		{
			name:  "PostgreSQL version from an error-based probe, SQLAlchemy",
			resps: []resp{mk(500, "sqlalchemy.exc.DataError: (psycopg2.errors.InvalidTextRepresentation) invalid input syntax for type integer: \"PostgreSQL 16.2 (Debian 16.2-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\"\n[SQL: SELECT * FROM notes WHERE id = CAST(version() AS INT)]\n(Background on this error at: https://sqlalche.me/e/20/9h9h)")},
			want:  rampart.Fingerprint{Database: dberr.PostgreSQL, DatabaseVersion: "16.2", Driver: dberr.Psycopg2, ORM: dberr.SQLAlchemy},
		},
		{
			name:  "version() leaked by a health endpoint",
			resps: []resp{mk(200, `{"status": "ok", "db": "CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)"}`)},
			want: rampart.Fingerprint{Database: dberr.CockroachDB, DatabaseVersion: "23.1.11",
				Evidence: []string{"database version banner in a response: CockroachDB 23.1.11"}},
		},
		{
			name:  "CockroachDB console",
			resps: []resp{mk(200, `<!DOCTYPE html><html><head><title>Cockroach Console</title></head><body><script>window.dataFromServer = {"ExperimentalUseLogin":false,"LoginEnabled":false,"LoggedInUser":null,"Tag":"v22.1.0","Version":"v22.1","NodeID":"1","OIDCAutoLogin":false,"Insecure":true};</script></body></html>`)},
			want: rampart.Fingerprint{Database: dberr.CockroachDB, DatabaseVersion: "22.1.0",
				Evidence: []string{"CockroachDB admin UI (Cockroach Console) reports version 22.1.0"}},
		},
		{
			name:  "CockroachDB /_status/vars",
			resps: []resp{mk(200, "# HELP build_timestamp Build information\n# TYPE build_timestamp gauge\nbuild_timestamp{tag=\"v23.2.3\",go_version=\"go1.21.8\"} 1.710861917e+09\n")},
			want:  rampart.Fingerprint{Database: dberr.CockroachDB, DatabaseVersion: "23.2.3"},
		},
		{
			name: "Django-like stack is not Flask, and Vary: Cookie stays out",
			resps: []resp{mk(200, `<html><body>ok</body></html>`, "Server: WSGIServer/0.2 CPython/3.10.12", "Vary: Cookie",
				"Set-Cookie: csrftoken=Zx3oNbUq0aW2pZk6tO3dHq0QhxD0bCz1; expires=Sat, 27 Nov 2027 11:27:17 GMT; Path=/; SameSite=Lax")},
			want: rampart.Fingerprint{Server: "WSGIServer/0.2 CPython/3.10.12", ServerVersion: "0.2", Language: Python,
				Evidence: []string{"Server header: WSGIServer/0.2 CPython/3.10.12"}},
			lang: "3.10.12",
		},
		{
			name:  "SQLite error text through sqlite3",
			resps: []resp{mk(500, `{"error": "database_error", "message": "sqlite3.OperationalError: near \"x\": syntax error"}`, "Server: Werkzeug/3.0.1 Python/3.11.2")},
			want: rampart.Fingerprint{Framework: Flask, Server: "Werkzeug/3.0.1 Python/3.11.2", ServerVersion: "3.0.1", Language: Python,
				Database: dberr.SQLite, Driver: dberr.SQLite3,
				Evidence: []string{`database error text: sqlite3.OperationalError: near "x": syntax error (SQLite; sqlite3)`}},
			lang: "3.11.2",
		},
		{
			name:  "SQLite version from the JSON path probe",
			resps: []resp{mk(500, `{"message": "unrecognized token: \"'x'\""}`), mk(500, `{"message": "JSON path error near '3.40.1'"}`)},
			want:  rampart.Fingerprint{Database: dberr.SQLite, DatabaseVersion: "3.40.1"},
		},
		{
			name:  "a definite SQLite text beats a PostgreSQL-compatible one",
			resps: []resp{mk(500, pgShared), mk(500, `no such column: nam`)},
			want:  rampart.Fingerprint{Database: dberr.SQLite, Driver: dberr.Psycopg2},
		},
		{
			name:  "MySQL through PyMySQL",
			resps: []resp{mk(500, `pymysql.err.ProgrammingError: (1064, "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''x''' at line 1")`)},
			want: rampart.Fingerprint{Database: dberr.MySQL, Driver: dberr.PyMySQL,
				Evidence: []string{"(MySQL; PyMySQL)"}},
		},
		{
			name: "MariaDB and its version, after MySQL-worded errors",
			resps: []resp{mk(500, `(1054, "Unknown column 'nam' in 'where clause'")`),
				mk(500, `pymysql.err.OperationalError: (1105, "XPATH syntax error: '~10.11.19-MariaDB-0+deb12u1'")`)},
			want: rampart.Fingerprint{Database: dberr.MariaDB, DatabaseVersion: "10.11.19", Driver: dberr.PyMySQL},
		},
		{
			name:  "FastAPI on uvicorn",
			resps: []resp{mk(422, `{"detail":[{"loc":["body","amount","currency"],"msg":"value is not a valid enumeration member; permitted: 'EUR', 'USD'","type":"type_error.enum"}]}`, "Server: uvicorn"), mk(404, `{"detail":"Not Found"}`)},
			want: rampart.Fingerprint{Framework: FastAPI, Server: "uvicorn", Language: Python,
				Evidence: []string{"FastAPI (pydantic) validation error body", `FastAPI (Starlette) default error body: {"detail":"Not Found"}`}},
		},
		{
			name:  "Express",
			resps: []resp{mk(404, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET /nope</pre>\n</body>\n</html>\n", "X-Powered-By: Express")},
			want: rampart.Fingerprint{Framework: Express, Language: JavaScript,
				Evidence: []string{"X-Powered-By: Express", `Express default 404 page ("Cannot GET …")`}},
		},
		{
			name:  "PHP behind nginx",
			resps: []resp{mk(200, `{}`, "Server: nginx/1.25.3", "X-Powered-By: PHP/8.2.7", "Set-Cookie: PHPSESSID=abc123; path=/")},
			want: rampart.Fingerprint{Server: "nginx/1.25.3", ServerVersion: "1.25.3", Language: PHP,
				Evidence: []string{"X-Powered-By: PHP/8.2.7", "Set-Cookie: PHPSESSID (a PHP stack's session cookie)"}},
			lang: "8.2.7",
		},
		{
			name:  "Spring Boot",
			resps: []resp{mk(404, `{"timestamp":"2024-05-01T10:00:00.000+00:00","status":404,"error":"Not Found","path":"/nope"}`, "Set-Cookie: JSESSIONID=0123456789ABCDEF; Path=/; HttpOnly")},
			want: rampart.Fingerprint{Framework: Spring, Language: Java,
				Evidence: []string{`Spring Boot error body`}},
		},
		{
			name:  "Go net/http",
			resps: []resp{mk(404, "404 page not found\n", "Content-Type: text/plain; charset=utf-8")},
			want: rampart.Fingerprint{Language: Go,
				Evidence: []string{`Go net/http default 404 body`}},
		},
		{
			name:  "plain nginx, nothing else",
			resps: []resp{mk(200, `{"items": []}`, "Server: nginx/1.25.3")},
			want:  rampart.Fingerprint{Server: "nginx/1.25.3", ServerVersion: "1.25.3", Evidence: []string{"Server header: nginx/1.25.3"}},
		},
		{
			name:  "an application server replaces a proxy's banner",
			resps: []resp{mk(502, "bad gateway", "Server: nginx/1.25.3"), mk(404, "", "Server: Werkzeug/2.2.2 Python/3.11.2")},
			want: rampart.Fingerprint{Framework: Flask, Server: "Werkzeug/2.2.2 Python/3.11.2", ServerVersion: "2.2.2", Language: Python,
				Evidence: []string{"Server header: nginx/1.25.3", "Server header: Werkzeug/2.2.2 Python/3.11.2"}},
			lang: "3.11.2",
		},
		{
			name: "not Flask: JSON msg outside 4xx, unknown msg, message without help",
			resps: []resp{mk(200, `{"msg": "Token has expired"}`), mk(401, `{"msg": "nope"}`), mk(401, `{"msg": "Token has expired", "code": 7}`),
				mk(404, `{"message": "not here"}`), mk(200, `<!doctype html><html lang=en><title>Home</title>`)},
			want: rampart.Fingerprint{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := New()
			for _, r := range tt.resps {
				o.Observe(r.status, r.header, r.body)
			}
			got := o.Fingerprint()
			want := tt.want
			want.LanguageVersion = tt.lang
			checkFingerprint(t, got, want)
			if _, v := o.Language(); v != tt.lang {
				t.Errorf("Language() version = %q, want %q", v, tt.lang)
			}
			if exts := o.Extensions(); !slices.Equal(exts, tt.exts) {
				t.Errorf("Extensions() = %q, want %q", exts, tt.exts)
			}
			if o.IsFlask() != (tt.want.Framework == Flask) {
				t.Errorf("IsFlask() = %v", o.IsFlask())
			}
			if o.Database() != tt.want.Database {
				t.Errorf("Database() = %q", o.Database())
			}
		})
	}
}

// checkFingerprint compares every field exactly, and requires each wanted
// evidence fragment to appear in some evidence line.
func checkFingerprint(t *testing.T, got, want rampart.Fingerprint) {
	t.Helper()
	for _, w := range want.Evidence {
		if !slices.ContainsFunc(got.Evidence, func(e string) bool { return strings.Contains(e, w) }) {
			t.Errorf("no evidence line contains %q; evidence:\n  %s", w, strings.Join(got.Evidence, "\n  "))
		}
	}
	if len(want.Evidence) == 0 && want.Framework == "" && want.Database == "" && want.Server == "" && len(got.Evidence) > 0 {
		t.Errorf("unexpected evidence: %q", got.Evidence)
	}
	got.Evidence, want.Evidence = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fingerprint\n got %+v\nwant %+v", got, want)
	}
}

// Evidence must never carry a credential: no cookie value, no debugger
// SECRET.
func TestEvidenceCarriesNoSecrets(t *testing.T) {
	o := New()
	login := loadHTTP(t, "session_login.http")
	dbg := loadHTTP(t, "debugger_crdb_retry.http")
	remember := mk(200, "", "Set-Cookie: remember_token=1|"+strings.Repeat("cd", 64)+"; Path=/")
	for _, r := range []resp{login, dbg, remember} {
		o.Observe(r.status, r.header, r.body)
	}
	ev := strings.Join(o.Fingerprint().Evidence, "\n")
	for _, secret := range []string{"eyJfZnJlc2gi", "sEDeT1iPVHY1887WYhMagzY3aF0", "pia0TeKeEiOHS3k22sPy", "SECRET", "3b1f0c6a9d", strings.Repeat("cd", 20)} {
		if strings.Contains(ev, secret) {
			t.Errorf("evidence leaks %q:\n%s", secret, ev)
		}
	}
}

// A target that varies its banners on every response must not grow the
// report without bound, and hostile text must come out printable.
func TestEvidenceIsBounded(t *testing.T) {
	o := New()
	for i := range 500 {
		o.Observe(500, http.Header{"Server": {fmt.Sprintf("node-%d\x1b[31m\r\nX-Evil: 1", i)}},
			[]byte(fmt.Sprintf(`{"e": "psycopg2.errors.UndefinedTable: relation \"t%d\" does not exist"}`, i)))
	}
	fp := o.Fingerprint()
	if len(fp.Evidence) > 4+8 {
		t.Errorf("%d evidence lines", len(fp.Evidence))
	}
	for _, e := range fp.Evidence {
		if strings.ContainsAny(e, "\x1b\r\n") || len(e) > maxEvidenceLen+len("…") {
			t.Errorf("evidence not cleaned: %q", e)
		}
	}
	if fp.Database != dberr.PostgreSQL {
		t.Errorf("Database = %q", fp.Database)
	}
}

func TestObserveHostileInput(t *testing.T) {
	o := New()
	o.Observe(0, nil, nil)
	o.Observe(-1, http.Header{}, []byte{})
	big := bytes.Repeat([]byte("relation \"x\" does not exist "), 100000)
	o.Observe(500, http.Header{"Set-Cookie": {"session=.!!!.abcd.", "session=.eJzz.abcdef." + strings.Repeat("A", 27)}}, big)
	// A compressed "session" that is a zlib bomb must not be inflated fully.
	o.Observe(200, http.Header{"Set-Cookie": {"session=" + zlibBomb(t) + ".abcdef." + strings.Repeat("A", 27)}}, nil)
	var zero Observer
	zero.Observe(200, http.Header{"Server": {"Werkzeug/3.1.8"}}, nil)
	if !zero.IsFlask() {
		t.Error("zero Observer did not learn")
	}
	if fp := New().Fingerprint(); fp.Framework != "" || fp.Database != "" || len(fp.Evidence) != 0 {
		t.Errorf("empty observer: %+v", fp)
	}
}

// Fingerprint returns a snapshot the caller may keep and modify.
func TestFingerprintIsSnapshot(t *testing.T) {
	o := New()
	r := loadHTTP(t, "werkzeug_404.http")
	o.Observe(r.status, r.header, r.body)
	fp := o.Fingerprint()
	fp.Evidence[0] = "changed"
	if o.Fingerprint().Evidence[0] == "changed" {
		t.Error("Fingerprint shares its evidence slice")
	}
}

// The conclusion must not depend on the order in which concurrent checks
// report. Run with -race.
func TestObserveConcurrently(t *testing.T) {
	resps := []resp{
		loadHTTP(t, "werkzeug_404.http"), loadHTTP(t, "session_login.http"), loadHTTP(t, "werkzeug_500.http"),
		mk(500, pgShared), mk(500, pgOnly), mk(500, crdbSyntax), loadHTTP(t, "debugger_crdb_retry.http"),
		mk(401, `{"msg":"Missing Authorization Header"}`), mk(200, `{"ok": true}`, "Vary: Cookie"),
	}
	for round := range 5 {
		o := New()
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 40 {
					r := resps[(g*7+i*(round+1))%len(resps)]
					o.Observe(r.status, r.header, r.body)
					if i%5 == 0 {
						_ = o.Fingerprint()
						_ = o.IsFlask()
						_ = o.Database()
						_ = o.Extensions()
						_, _ = o.Language()
					}
				}
			}()
		}
		wg.Wait()
		// Every goroutine covers all responses, so the outcome is fixed.
		fp := o.Fingerprint()
		if fp.Framework != Flask || fp.Database != dberr.CockroachDB || fp.DatabaseVersion != "23.1" || fp.Driver != dberr.Psycopg2 {
			t.Fatalf("round %d: %+v", round, fp)
		}
		if exts := o.Extensions(); !slices.Contains(exts, ExtJWT) || !slices.Contains(exts, ExtLogin) {
			t.Fatalf("round %d: extensions %q", round, exts)
		}
	}
}

func TestClean(t *testing.T) {
	tests := map[string]string{
		"  a\tb\r\nc  ":               "a b c",
		"\x00\x1b[31mred\x7f":         "[31mred",
		"é" + strings.Repeat("x", 20): "éxxxxxxxx…",
		"bad \xff utf8":               "bad utf8",
	}
	for in, want := range tests {
		if got := clean(in, 10); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// zlibBomb is a compressed session payload that inflates to 4 MiB, far
// beyond maxSessionPayload.
func zlibBomb(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	w.Write([]byte(`{"a":"`))
	w.Write(bytes.Repeat([]byte("A"), 4<<20))
	w.Close()
	return "." + base64.RawURLEncoding.EncodeToString(b.Bytes())
}

// TestObservingAnAnswerAgainReadsNothing: an API answers the same body
// again and again; the second look must cost no body analysis and change
// nothing (the analysis allocates for every database pattern it tries).
func TestObservingAnAnswerAgainReadsNothing(t *testing.T) {
	r := mk(500, strings.Repeat("padding ", 8000)+pgOnly)
	o := New()
	o.Observe(r.status, r.header, r.body)
	want := o.Fingerprint()
	if allocs := testing.AllocsPerRun(20, func() { o.Observe(r.status, r.header, r.body) }); allocs > 10 {
		t.Errorf("observing the same answer again made %.0f allocations", allocs)
	}
	if got := o.Fingerprint(); !reflect.DeepEqual(got, want) {
		t.Errorf("fingerprint changed: %+v, was %+v", got, want)
	}
	// A different status with the same body is read again: the status
	// tells framework error pages from look-alikes.
	other := New()
	other.Observe(200, nil, r.body)
	other.Observe(r.status, nil, r.body)
	if got := other.Fingerprint().Database; got != want.Database {
		t.Errorf("database %q after the same body with another status, want %q", got, want.Database)
	}
}

// TestObserverForgetsOldAnswers: the memory of answers is bounded.
func TestObserverForgetsOldAnswers(t *testing.T) {
	o := New()
	for i := range 3 * rememberedBodies {
		o.Observe(200, nil, []byte(fmt.Sprintf(`{"n":%d}`, i)))
	}
	if len(o.bodies) > rememberedBodies {
		t.Errorf("%d answers remembered", len(o.bodies))
	}
	if !o.firstSight(200, []byte(`{"n":0}`)) {
		t.Error("the oldest answer is still remembered")
	}
}

// A check that proved the engine by what it accepted (SQLite's
// sqlite_version() in a value) tells the observer, which then names it
// like an error text would, without demoting a more specific sighting.
func TestInfer(t *testing.T) {
	o := New()
	o.Observe(500, nil, []byte(pgShared))
	o.Infer(dberr.SQLite, "the value accepts sqlite_version(), which only SQLite has")
	fp := o.Fingerprint()
	if fp.Database != dberr.SQLite || !slices.ContainsFunc(fp.Evidence, func(e string) bool { return strings.Contains(e, "sqlite_version()") }) {
		t.Errorf("fingerprint %+v", fp)
	}
	o = New()
	o.Observe(500, nil, []byte(crdbSyntax))
	o.Infer(dberr.PostgreSQL, "pg_sleep")
	if got := o.Database(); got != dberr.CockroachDB {
		t.Errorf("Database() = %q after inferring PostgreSQL on CockroachDB", got)
	}
	o.Infer("", "nothing")
	if got := o.Database(); got != dberr.CockroachDB {
		t.Errorf("Database() = %q", got)
	}
}
