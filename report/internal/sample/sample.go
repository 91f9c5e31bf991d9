package sample

import (
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/score"
)

// Started is fixed so that golden files do not change from run to run.
var Started = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// Report is a safe-mode black-box scan of the vulnerable testbed, correlated
// with its source, with every field the model has set somewhere.
func Report() *rampart.Report {
	findings := []rampart.Finding{
		{
			ID: "F-0003", Check: "SQLI-001", Family: rampart.FamilySQLi,
			Title:    "SQL injection in a query parameter",
			Message:  "A single quote in q made the server return a PostgreSQL syntax error; the value reaches the SQL text unescaped.",
			Severity: rampart.High, Confidence: rampart.Confirmed,
			CWE: "CWE-89", OWASP: "API8:2023",
			Location: rampart.Location{Method: "GET", Path: "/search", URL: "http://127.0.0.1:5000/search?q=%27", Param: "q"},
			Evidence: []rampart.Evidence{{
				Request:  "GET /search?q=%27 HTTP/1.1\r\nHost: 127.0.0.1:5000\r\nAuthorization: [redacted]\r\n",
				Response: "HTTP/1.1 500 INTERNAL SERVER ERROR\r\nContent-Type: application/json\r\n\r\n{\"error\": \"unterminated quoted string at or near \\\"'''\\\"\\nLINE 1: SELECT id, title FROM notes WHERE title LIKE '%'%'\"}",
				Note:     "psycopg2.errors.SyntaxError: the database parsed the injected quote",
			}},
			Curl:        "curl -s -H \"Authorization: $ALICE_AUTHORIZATION\" 'http://127.0.0.1:5000/search?q=%27'",
			Remediation: "Pass q as a query parameter: cur.execute(\"SELECT id, title FROM notes WHERE title LIKE %s\", (f\"%{q}%\",)). psycopg2 then sends it separately from the SQL text.\n\n    cur.execute(\"SELECT id, title FROM notes WHERE title LIKE %s\", (pattern,))",
			Related: []rampart.Related{{
				Location: rampart.Location{File: "app.py", Line: 57, Column: 5},
				Note:     "f-string SQL passed to cursor.execute",
			}},
		},
		{
			ID: "F-0001", Check: "AUTHZ-001", Family: rampart.FamilyBOLA,
			Title:    "Another identity can read an object (BOLA)",
			Message:  "bob read note 7, which alice created; the response contained alice's canary rampart-7f3a9c.",
			Severity: rampart.Critical, Confidence: rampart.Confirmed,
			CWE: "CWE-639", OWASP: "API1:2023",
			Location: rampart.Location{Method: "GET", Path: "/notes/{note_id}", URL: "http://127.0.0.1:5000/notes/7", Param: "note_id", File: "app.py", Line: 42},
			Evidence: []rampart.Evidence{
				{
					Request:  "GET /notes/7 HTTP/1.1\nHost: 127.0.0.1:5000\nAuthorization: [redacted: bob]",
					Response: "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"id\": 7, \"owner_id\": 1, \"title\": \"rampart-7f3a9c\", \"body\": \"<b>alice's</b> & nobody else's\"}",
				},
				{Note: "alice (owner) got the same body; anonymous got 401; note 999999 gave 404"},
			},
			Curl:        "curl -s -H \"Authorization: $BOB_AUTHORIZATION\" http://127.0.0.1:5000/notes/7",
			Remediation: "Filter by the caller in the query itself, not after it: SELECT ... FROM notes WHERE id = %s AND owner_id = %s, with the id from the path and the owner from the session. Return 404, not 403, so ids cannot be enumerated.",
			Related: []rampart.Related{
				{
					Location: rampart.Location{Method: "POST", Path: "/notes", URL: "http://127.0.0.1:5000/notes"},
					Note:     "alice created the note carrying the canary",
					Curl:     "curl -s -X POST -H \"Authorization: $ALICE_AUTHORIZATION\" -H 'Content-Type: application/json' -d '{\"title\":\"rampart-7f3a9c\"}' http://127.0.0.1:5000/notes",
				},
				{Location: rampart.Location{File: "app.py", Line: 42, Column: 9}, Note: "SELECT ... WHERE id = %s has no owner condition"},
			},
		},
		{
			ID: "F-0002", Check: "DEBUG-001", Family: rampart.FamilyDebugExposure,
			Title:    "Werkzeug debugger console is exposed",
			Message:  "GET /console returned the interactive debugger with the PIN disabled: anyone who can reach the server can run Python on it.",
			Severity: rampart.Critical, Confidence: rampart.Confirmed,
			CWE: "CWE-489", OWASP: "API8:2023",
			Location:    rampart.Location{Method: "GET", Path: "/console", URL: "http://127.0.0.1:5000/console"},
			Evidence:    []rampart.Evidence{{Request: "GET /console HTTP/1.1\nHost: 127.0.0.1:5000", Response: "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n\n" + longPage()}},
			Curl:        "curl -s http://127.0.0.1:5000/console",
			Remediation: "Never start the app with debug=True outside a developer machine. Read the flag from the environment (FLASK_DEBUG) and leave it unset in every deployed environment; serve the app with gunicorn, which has no debugger.",
			Related:     []rampart.Related{{Location: rampart.Location{File: "app.py", Line: 211}, Note: "app.run(debug=True)"}},
		},
		{
			ID: "F-0004", Check: "MASS-001", Family: rampart.FamilyMassAssignment,
			Title:    "Mass assignment of a privileged field",
			Message:  "PATCH /users/{user_id} accepted role=admin from bob and a read-back showed it stored.",
			Severity: rampart.High, Confidence: rampart.Firm,
			CWE: "CWE-915", OWASP: "API3:2023",
			Location:    rampart.Location{Method: "PATCH", Path: "/users/{user_id}", URL: "http://127.0.0.1:5000/users/2", Param: "role"},
			Curl:        "curl -s -X PATCH -H \"Authorization: $BOB_AUTHORIZATION\" -H 'Content-Type: application/json' -d '{\"role\":\"admin\"}' http://127.0.0.1:5000/users/2",
			Remediation: "Copy only the fields a user may change from request.json (an allow-list such as {\"display_name\", \"email\"}); never UPSERT the request's keys.",
		},
		{
			ID: "F-0005", Check: "TXN-101", Family: rampart.FamilyTxnBoundary,
			Title:    "Transaction without retry on serialization failure",
			Message:  "transfer() commits a multi-statement transaction with no retry loop on SQLSTATE 40001; under contention CockroachDB aborts it and the client gets a 500.",
			Severity: rampart.Medium, Confidence: rampart.Tentative,
			CWE:         "CWE-362",
			Location:    rampart.Location{File: "app.py", Line: 133, Column: 5},
			Remediation: "Wrap the transaction in a retry loop that catches psycopg2.errors.SerializationFailure, rolls back and retries with backoff (3 to 5 attempts).",
		},
		{
			ID: "F-0006", Check: "HDR-001", Family: rampart.FamilyHeaders,
			Title:    "Missing security headers",
			Message:  "Responses lack X-Content-Type-Options and Content-Security-Policy.",
			Severity: rampart.Low, Confidence: rampart.Confirmed,
			CWE: "CWE-693", OWASP: "API8:2023",
			Location:    rampart.Location{Method: "GET", Path: "/", URL: "http://127.0.0.1:5000/"},
			Curl:        "curl -sI http://127.0.0.1:5000/",
			Remediation: "Set X-Content-Type-Options: nosniff and a restrictive Content-Security-Policy on every response (an after_request hook, or flask-talisman).",
		},
		{
			ID: "F-0007", Check: "CORS-001", Family: rampart.FamilyCORS,
			Title:    "CORS reflects any origin",
			Message:  "Access-Control-Allow-Origin echoed https://evil.example, without credentials.",
			Severity: rampart.Medium, Confidence: rampart.Firm,
			CWE: "CWE-942", OWASP: "API8:2023",
			Location:    rampart.Location{Method: "GET", Path: "/notes", URL: "http://127.0.0.1:5000/notes"},
			Curl:        "curl -s -H 'Origin: https://evil.example' http://127.0.0.1:5000/notes",
			Remediation: "List the allowed origins explicitly in flask-cors instead of reflecting the request's Origin.",
		},
		{
			ID: "F-0008", Check: "FP-001", Family: rampart.FamilyFingerprint,
			Title:    "Stack fingerprint",
			Message:  "Flask 2.2.2 on Werkzeug 2.2.2, PostgreSQL 15 through psycopg2.",
			Severity: rampart.Info, Confidence: rampart.Confirmed,
			Location: rampart.Location{Method: "GET", Path: "/", URL: "http://127.0.0.1:5000/"},
		},
	}
	r := &rampart.Report{
		SchemaVersion: rampart.SchemaVersion,
		Tool:          rampart.Tool{Name: "rampart", Version: "0.1.0"},
		Target:        "http://127.0.0.1:5000",
		Source:        "testbed/vulnerable",
		Mode:          rampart.Safe,
		Started:       Started,
		DurationMS:    12_340,
		Stats:         rampart.Stats{Requests: 1234, BytesSent: 301_228, BytesRecv: 2_044_113, Refused: 3},
		Operations:    4,
		Identities:    []string{"alice", "bob", "anonymous"},
		Fingerprint: rampart.Fingerprint{
			Framework: "Flask", FrameworkVersion: "2.2.2",
			Server: "Werkzeug/2.2.2 Python/3.11.2", ServerVersion: "2.2.2",
			Language: "Python",
			Database: "PostgreSQL", Driver: "psycopg2",
			Evidence: []string{"Server: Werkzeug/2.2.2 Python/3.11.2", "psycopg2.errors.SyntaxError in a 500 body"},
		},
		Findings: findings,
		Errors: []rampart.CheckError{
			{Check: "SQLI-003", Operation: "GET /search", Error: "time-based probe: context deadline exceeded after 10s"},
		},
		Skipped: []rampart.Skipped{
			{Check: "AUTHZ-002", Reason: "needs --mode active"},
			{Check: "IDEM-001", Reason: "needs --mode active"},
			{Check: "RACE-001", Reason: "needs --mode active"},
			{Check: "RACE-002", Reason: "needs --mode active"},
			{Check: "MASS-002", Reason: "needs --mode active"},
			{Check: "SESS-002", Reason: "no session cookie seen"},
		},
		Checks: []rampart.CheckRun{
			{Check: "LEAK-001", Units: 9, Requests: 31, MaxUnitRequests: 5, DurationMS: 1_840, MaxUnitMS: 420},
			{Check: "TXN-002", Units: 14, Requests: 38, MaxUnitRequests: 9, Budget: 24, DurationMS: 2_315, MaxUnitMS: 600},
		},
		Coverage: Coverage(),
		Replay: []rampart.ReplayVariable{
			{Name: "ALICE_AUTHORIZATION", Identity: "alice", Header: "Authorization", Shape: "Bearer …"},
			{Name: "BOB_AUTHORIZATION", Identity: "bob", Header: "Authorization", Shape: "Bearer …"},
		},
		Notes:         []string{"3 requests to http://cdn.example were refused: out of scope"},
		InputWarnings: InputWarnings(),
		Footprint: &rampart.Footprint{
			Accounts: []rampart.Account{
				{Name: "rampart-tmp-1f2e3d4c", Email: "rampart-tmp-1f2e3d4c@example.com", Via: "POST /signup", Use: "victim",
					Removed: true, Note: "deleted as itself with DELETE /me; it no longer logs in"},
			},
			Changes: []rampart.Change{
				{Check: "BOLA-002", Action: "created", Object: "/notes/1043", Via: "POST /notes", Owner: "alice",
					State: rampart.StateRemoved, Note: "deleted by bob (DELETE /notes/1043, the check's probe); a read-back shows it gone"},
				{Check: "BOLA-002", Action: "changed", Object: "/account/2", Via: "POST /account/{user_id}", Owner: "bob",
					Fields: []string{"nickname"}, State: rampart.StateRestored, Note: "written back by bob; a read-back shows the original values"},
				{Check: "IDEM-001", Action: "created", Object: "5005", Via: "POST /transfers", Owner: "alice",
					State: rampart.StateLeft, Note: "no DELETE operation removes it"},
			},
		},
	}
	sc := score.Score(r.Findings)
	r.Score, r.Grade, r.Categories = sc.Score, sc.Grade, sc.Categories
	return r
}

// InputWarnings are what a sloppy spec and a HAR recording needed
// repaired: more than the text report lists without -v, with and without
// a line.
func InputWarnings() []rampart.InputWarning {
	return []rampart.InputWarning{
		{File: "api.yaml", Line: 3, Path: "servers[0].url", Problem: "names https://api.example.com, not the target", Repair: "requests go to the target"},
		{File: "api.yaml", Line: 42, Path: "paths./notes/{id}.get.parameters[0]", Problem: "required is a boolean on a property", Repair: "read as required: [title]"},
		{File: "api.yaml", Line: 118, Path: "components.schemas.Note.properties.owner", Problem: "$ref #/components/schemas/User does not resolve", Repair: "dropped this schema"},
		{File: "traffic.har", Path: "log.entries[12].request.headers[2]", Problem: "an Authorization header that belongs to no identity", Repair: "credentials removed"},
		{File: "traffic.har", Path: "log.entries[40].request", Problem: "host cdn.example is out of scope"},
	}
}

// Empty is a clean run: nothing found, nothing skipped.
func Empty() *rampart.Report {
	return &rampart.Report{
		SchemaVersion: rampart.SchemaVersion,
		Tool:          rampart.Tool{Name: "rampart", Version: "0.1.0"},
		Target:        "http://127.0.0.1:5001",
		Mode:          rampart.Safe,
		Started:       Started,
		DurationMS:    850,
		Stats:         rampart.Stats{Requests: 96, BytesSent: 9_120, BytesRecv: 40_332},
		Operations:    18,
		Score:         100,
		Grade:         "A",
	}
}

// Incomplete is a run interrupted after its first findings.
func Incomplete() *rampart.Report {
	r := Report()
	r.Findings = r.Findings[:2]
	r.DurationMS = 3_200
	r.Stats = rampart.Stats{Requests: 212, BytesSent: 50_001, BytesRecv: 390_442}
	r.Incomplete = true
	r.Errors = nil
	r.Skipped = nil
	r.Notes = nil
	sc := score.Score(r.Findings)
	r.Score, r.Grade, r.Categories = sc.Score, sc.Grade, sc.Categories
	return r
}

// Unhealthy is a scan of a target that redirected every request to its
// login page: its results are not meaningful, and its grade is capped.
func Unhealthy() *rampart.Report {
	r := Empty()
	const warning = "the results are not meaningful: every request was redirected to http://127.0.0.1:5001/login: scan that URL, or give credentials (--identity, or a login flow in --config)"
	r.Health = &rampart.Health{
		Verdict: rampart.HealthUnusable, Warning: warning,
		Redirects: 95, Failed: 1, Timeouts: 1, RedirectTo: "http://127.0.0.1:5001/login",
		ThrottledRoutes: 2, Throttled: 14, ThrottleWaitMS: 10_200,
	}
	r.Errors = []rampart.CheckError{
		{Check: "LEAK-001", Operation: "GET /notes/{note_id}", Error: "GET /notes/1: timed out after 10s"},
	}
	r.Notes = []string{warning, "attack surface: crawl"}
	sc := score.Capped(score.Score(r.Findings), score.CeilingUnhealthy)
	r.Score, r.Grade, r.Categories = sc.Score, sc.Grade, sc.Categories
	return r
}

// longPage is a response far longer than any terminal should print.
func longPage() string {
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html><head><title>Console // Werkzeug Debugger</title></head>\n<body>\n")
	for i := range 60 {
		b.WriteString("  <div class=\"traceback\">frame ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("</div>\n")
	}
	b.WriteString("<script>var CONSOLE_MODE = true, EVALEX = true, SECRET = \"[redacted]\";</script>\n</body></html>")
	return b.String()
}
