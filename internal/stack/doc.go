// Package stack fingerprints the target's stack from the responses a scan
// already receives: framework (Flask and its extensions, FastAPI, and the
// common non-Python ones: Express, Spring, ASP.NET), server and language,
// and database engine, version, driver and ORM.
//
// Fingerprinting is passive on purpose. Every check's responses are fed to
// one Observer, so the fingerprint improves as the scan goes on without
// extra requests, and the stack-specific advice (a CockroachDB retry loop
// rather than a PostgreSQL one, Flask-Login rather than generic session
// advice) can be chosen at report time.
//
// The Observer is an accumulator, not a classifier of single responses:
//
//   - Strong Flask signals (a Werkzeug Server header, a Werkzeug error or
//     debugger page, an itsdangerous-signed session cookie, Flask-RESTful's
//     404 help, Flask-JWT-Extended's {"msg": …} bodies, flask/ in a
//     traceback path) establish the framework; weak ones (Vary: Cookie)
//     are only reported as supporting evidence once it is established,
//     because Django and others send them too.
//   - The database only ever becomes more specific: a PostgreSQL-compatible
//     error (psycopg2's UndefinedTable, which CockroachDB raises too) gives
//     "PostgreSQL"; a PostgreSQL-only wording confirms it; a
//     CockroachDB-only marker seen at any time wins, because CockroachDB
//     imitates PostgreSQL and never the other way round. So the order in
//     which concurrent checks report does not change the result. SQLite,
//     MySQL and MariaDB (which words most errors as MySQL does) are named
//     by their own texts and beat a merely PostgreSQL-compatible sighting;
//     what the advice for a finding says follows this engine.
//   - Every conclusion carries Evidence lines saying why, and evidence never
//     quotes a cookie value or the debugger's SECRET: reports must not carry
//     credentials.
//
// Responses to probes that echo the scanner's own payload can contain
// anything the scanner sent. Callers should therefore avoid payloads that
// contain engine markers (`CockroachDB CCL v…`, `go.crdb.dev`) verbatim.
package stack
