// Package sqli finds SQL injection in the dialects a Python API meets:
// CockroachDB and PostgreSQL, SQLite and MySQL/MariaDB (dialect.go):
// error-based (SQLI-001, also where errors hide behind a bare 500),
// boolean-based (SQLI-002), identifiers taken from the request (SQLI-003)
// and time-based (SQLI-004, which runs last and only on points the others
// could not prove).
//
// Every check works on the same injection points (points.go): path, query,
// header and cookie parameters of read operations in any mode; in active
// mode also the body fields of POSTs that only read (login, token, search)
// and every parameter and body field of creates and updates (writes.go),
// sent in a request the API accepts and, for updates, written back
// afterwards (update.go). Each
// probe is written for the value's SQL context (contexts.go) and every
// finding needs a control: a repaired probe, a false condition, a zero
// delay, an invalid name. Payloads never use OR (MySQL reads the || of a
// repaired value as one, which selects what the original value selects),
// comments that cut the statement or stacked queries, so no probe can widen
// what a statement reads or writes.
package sqli

import (
	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

const (
	owasp = "API8:2023"
	cwe   = "CWE-89"
)

// ErrorBased is SQLI-001.
var ErrorBased = check.Check{
	Meta: rampart.Meta{
		ID:       "SQLI-001",
		Family:   rampart.FamilySQLi,
		Title:    "SQL injection (error-based)",
		Severity: rampart.Critical,
		CWE:      cwe,
		OWASP:    owasp,
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a quote breaks the SQL statement, the repaired value does not, and an expression the database evaluates names the engine",
		Detects: "Values concatenated into SQL text (f-strings, `%`, `+` or `.format()` into `cursor.execute` or " +
			"`text()`), on CockroachDB, PostgreSQL, SQLite and MySQL/MariaDB. A quote appended to the value must make " +
			"the answer carry a database error (the engines' own texts, their drivers' and SQLAlchemy's wrappers) that " +
			"the original value does not; the same quote balanced again for the value's context and dialect " +
			"(`v'||'` where || concatenates, `v' '` in MySQL, where adjacent literals do; `v-0` numeric), which SQL " +
			"reads as the original value, must be answered like the original without any database error, so a page " +
			"that always shows a SQL error or that rejects every quote is never reported; an expression then makes " +
			"the database print its version in an error (`CAST(version() AS INT)` on PostgreSQL and CockroachDB, " +
			"`json_extract('{}',sqlite_version())` on SQLite, `extractvalue(1,concat(0x7e,version()))` on MySQL), " +
			"which confirms execution and names the engine for the fingerprint. Where errors are hidden (a bare 500 " +
			"or a traceback page without database text), the broken value must fail three times, the repaired value " +
			"be answered normally and, in a quoted context, a lone double quote too (a shell-like parser fails on " +
			"it, SQL does not): that is firm; it is confirmed when the value with a known function (`lower('')`) is " +
			"answered normally and with an unknown one fails, which only a database resolving names explains, and a " +
			"form only one engine accepts (`sqlite_version()`, `current_database()`, MySQL's adjacent literals) " +
			"names the engine. The driver and ORM seen in the errors pick the remediation.",
		Requests: "Per operation one baseline; per injection point one request with a quote appended, and only when " +
			"it fails: with a database error, up to three repaired probes and two version probes; without one " +
			"(errors hidden), the broken value twice more, up to three repaired probes, a double-quote guard, two " +
			"pairs of function probes and three engine probes. 1 request per clean point, at most 13 per vulnerable " +
			"one. Points: path, query, header and cookie parameters of GET operations; in active mode also JSON and " +
			"form body fields of POSTs that read (login, token, search), with a user name that does not exist in " +
			"login bodies, and every parameter and body field of writes (see below). At most 12 points per " +
			"operation. " + writesNote,
		Fix: "Pass values as bound parameters (`?` for sqlite3, `%s` for psycopg2 and PyMySQL, `:name` with " +
			"SQLAlchemy's `text()`, or the ORM); never format them into the SQL string. Run the app as a SQL user " +
			"with minimal privileges.",
		Doc: "docs/checks.md#sqli-001",
		// Budget is the worst case of Requests, for maxPoints points.
		Budget: 1 + maxPoints*13 + writeOverhead,
	},
	Applies: applicable,
	Run:     withRestore(runError),
}

// Boolean is SQLI-002.
var Boolean = check.Check{
	Meta: rampart.Meta{
		ID:       "SQLI-002",
		Family:   rampart.FamilySQLi,
		Title:    "SQL injection (boolean-based)",
		Severity: rampart.Critical,
		CWE:      cwe,
		OWASP:    owasp,
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a true condition in the value's SQL context keeps the answer, a false one changes it, three times",
		Detects: "Blind SQL injection where errors are hidden. The baseline is sent twice and must be stable (what " +
			"varies between the two samples, such as timestamps or nonces, is left out of every comparison, and a " +
			"page that changes on every request is not tested). Then, in the value's own context (numeric " +
			"`v AND 3917=3917`, quoted `v' AND 'rMp'='rMp`, LIKE pattern `v%' AND 'rMp%'='rMp`), the true condition " +
			"must give the baseline's answer and the false one a different answer, in three rounds. Values " +
			"the answer echoes are normalised first. Login operations are skipped (their answer does " +
			"not depend on the condition for a user that does not exist); SQLI-001 and SQLI-004 cover them.",
		Requests: "Per operation two baseline requests; per injection point and context one true probe, and only " +
			"when it matches the baseline a false probe, then two more true/false rounds: 1 request per context " +
			"on most clean points, at most 6 per context and 12 per point; none for points SQLI-001 already " +
			"proved in this scan. Runs alone after the parallel checks so that their writes do not change the " +
			"answers it compares. " + writesNote,
		Fix: "Pass values as bound parameters (psycopg2 `%s` placeholders with a tuple; SQLAlchemy `text()` with " +
			"named binds or the ORM) and build LIKE patterns in Python with their wildcards escaped.",
		Doc: "docs/checks.md#sqli-002",
		// Budget is the worst case of Requests, for maxPoints points.
		Budget: 2 + maxPoints*2*2*rounds + writeOverhead,
	},
	// Logins answer the same for both conditions: see runBoolean.
	Applies:   func(op *rampart.Operation) bool { return applicable(op) && !authLike(op) },
	Run:       withRestore(runBoolean),
	Exclusive: true,
}

// TimeBased is SQLI-004.
var TimeBased = check.Check{
	Meta: rampart.Meta{
		ID:       "SQLI-004",
		Family:   rampart.FamilySQLi,
		Title:    "SQL injection (time-based)",
		Severity: rampart.Critical,
		CWE:      cwe,
		OWASP:    owasp,
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a delay in the value (pg_sleep, SLEEP, SQLite's counted rows) tracks the requested time, confirmed by regression",
		Detects: "Fully blind SQL injection. Each dialect's delay sits in an uncorrelated subquery, which the engines " +
			"run once per statement, not once per row: `v'||(SELECT CAST(pg_sleep(D) AS TEXT))||'` on PostgreSQL " +
			"(void) and CockroachDB (boolean); `v'=(SELECT 1 FROM (SELECT SLEEP(D))x)='` on MySQL (a derived table, " +
			"materialised once); on SQLite, which has no sleep function, `v'||substr((WITH RECURSIVE c(x) AS " +
			"(SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT N) SELECT count(*) FROM c),1,0)||'`, a counter that reads " +
			"no table and keeps the value unchanged (numeric contexts add `0*…`). The fingerprint's engine is tried " +
			"alone; unknown, PostgreSQL, MySQL and SQLite in turn (MySQL 8 also runs the counter, SQLite has no " +
			"SLEEP). A first one-unit probe must be slow by a whole number k of units (k > 1 when the value appears " +
			"k times in the statement; above 4 the check stops); on SQLite it measures how many rows a second the " +
			"database counts, and the series asks for delays at that rate. Then 7 more probes alternate no delay " +
			"and 2/k or 1/k units: every zero-delay answer must stay within half a unit of the fastest baseline, " +
			"every delayed one must take k times its delay, and the times must fit a line of slope k with R² ≥ 0.95. " +
			"A slow or randomly delayed server fails these (no false positive in 300 000 simulated points with " +
			"random latency of up to twice the probe delay, nor of four times). Points that SQLI-001, SQLI-002 or " +
			"SQLI-003 already proved in this scan are not timed again; on a login, each dialect's probes use a user " +
			"name of their own.",
		Requests: "Per operation two or three baseline requests; per injection point, context and dialect one delayed " +
			"probe, which returns at once on a clean point (one dialect when the fingerprint names the engine, " +
			"three otherwise); a vulnerable point takes up to 13 probes and about 6 seconds. Contexts: quoted (also " +
			"covers LIKE) and, for numbers, numeric. Runs alone after the parallel checks so that their load does " +
			"not disturb the timing. " + writesNote,
		Fix: "Pass values as bound parameters (`?` for sqlite3, `%s` for psycopg2 and PyMySQL, named binds with " +
			"SQLAlchemy's `text()`); on PostgreSQL set a `statement_timeout` (MySQL: `max_execution_time`) for the " +
			"application's SQL user so that a slow query cannot hold a connection.",
		Doc: "docs/checks.md#sqli-004",
		// Budget is the worst case of Requests, for maxPoints points.
		Budget: 3 + maxPoints*13 + writeOverhead,
	},
	Applies:   applicable,
	Run:       withRestore(runTime),
	Exclusive: true,
}

// Identifier is SQLI-003.
var Identifier = check.Check{
	Meta: rampart.Meta{
		ID:       "SQLI-003",
		Family:   rampart.FamilySQLiIdentifier,
		Title:    "SQL identifier taken from the request",
		Severity: rampart.High,
		CWE:      cwe,
		OWASP:    owasp,
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a sort, order, column, field or table value is put into SQL text as a name",
		Detects: "Parameters, path segments and body fields whose name or description says they name a column " +
			"or table (sort, order_by, column, field, table, dataset). With a valid name from the request, the " +
			"spec's example, enum or description: the quoted identifier `\"name\"` and `name/**/` (spellings only a " +
			"SQL parser reads as the same name) must be answered like the name itself and an unknown name " +
			"differently; or, where errors are visible, `name\"` (an unbalanced identifier quote) must fail to " +
			"parse while the balanced spellings parse, which also holds on an endpoint whose transaction was left " +
			"aborted. An allowlist, an ORM attribute lookup and psycopg2.sql.Identifier all reject the quoted " +
			"spellings, so they are never reported.",
		Requests: "Per candidate point two requests with the valid name, one or two spellings, one unknown name " +
			"and, only when the answers do not already prove it, one broken quote: at most 6, plus one per " +
			"documented value the operation rejects before one is accepted (at most 8); none for points " +
			"SQLI-001 or SQLI-002 already proved. Runs alone after the parallel checks. " + writesNote,
		Fix: "Map the request's value through an allowlist (`SORTS = {\"-price\": \"price DESC\", …}`, " +
			"400 for anything else); when a name must be dynamic, quote it with " +
			"`psycopg2.sql.SQL(\"… FROM {}\").format(sql.Identifier(name))` after the allowlist; with SQLAlchemy map " +
			"names to columns instead of `order_by(text(name))`.",
		Doc: "docs/checks.md#sqli-003",
		// Budget is the worst case of Requests, for maxPoints points.
		Budget: maxPoints*8 + writeOverhead,
	},
	Applies:   identApplies,
	Run:       withRestore(runIdentifier),
	Exclusive: true,
}
