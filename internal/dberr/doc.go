// Package dberr recognises database error texts that a web application leaks
// into an HTTP response body, and says which engine, driver and ORM they come
// from.
//
// It exists because Rampart's strongest runtime evidence for several families
// (sqli, sqli-identifier, txn-boundary, error-leak) and for the stack
// fingerprint is a database error the application should never have shown.
// SQLite (the ORM default in development) and MySQL/MariaDB, the other
// engines a Python API meets, word their errors their own way and are named
// per hit (`near "x": syntax error`, `unrecognized token`, `no such
// column`; MySQL's 1064 "You have an error in your SQL syntax", 1054
// "Unknown column"), with their Python drivers (sqlite3, PyMySQL,
// mysqlclient, mysql-connector) and error numbers.
// CockroachDB imitates PostgreSQL on the wire, so most error texts are shared;
// the few places where they differ (CockroachDB's `at or near "x": syntax
// error` against PostgreSQL's `syntax error at or near "x"`, CockroachDB's
// `restart transaction` retry errors, its `source SQL:` detail, libpq's
// `LINE 1:` position line) are what tells the engines apart.
//
// # Input
//
// A body may be JSON, HTML or plain text, and the error may be escaped once
// or twice on its way out (a JSON string inside an HTML page, or the other way
// round). Before matching, the first MaxScan bytes are decoded twice over:
// HTML entities, then JSON/Python string escapes. Tags are not stripped, so
// the plain-text traceback that the Werkzeug debugger hides in an HTML comment
// is matched like any other text, and CockroachDB's `<int>` operand types
// survive.
//
// # Matching
//
// Matchers run in the order the reference facts recommend: CockroachDB-only
// texts first, then PostgreSQL-only texts, then texts both engines (and their
// drivers) share, then other engines' texts (SQLite's and MySQL's, which name
// their engine, and a few more that do not), then driver and ORM
// markers (exception class names, SQLSTATE codes, SQLAlchemy's `[SQL: ` and
// sqlalche.me links). Markers that are not errors by themselves (a version
// banner, `LINE 1:`, `source SQL:`, a driver name) never make a hit; they only
// qualify one.
//
// The engine is decided per body, not per line: one response comes from one
// application talking to one database, and a CockroachDB-only marker anywhere
// means the PostgreSQL-worded messages next to it came from an old
// CockroachDB (2.0 used PostgreSQL's wording with a `source SQL:` detail).
// So CockroachDB beats PostgreSQL, which beats "unknown".
//
// # API choice
//
// Match returns every distinct kind of error in the body (one Hit per Kind),
// most specific first; Find returns the first of them. One hit per kind keeps
// the three copies of a traceback on a Werkzeug debugger page from becoming
// three findings, while still reporting a unique violation and the aborted
// transaction that followed it as two different things.
//
// IsSQLError is the strict yes/no used by checks that only need to know
// whether a response leaked a database error. It is deliberately blind to
// pages that merely talk about SQL: a hit needs a driver-shaped message, an
// exception class, or an explicit SQLSTATE code, never just the words "SQL",
// "error" or "syntax error".
package dberr
