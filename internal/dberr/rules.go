package dberr

import "strings"

// tier orders matchers from the most telling to the least, as the reference
// facts recommend; hits are reported in this order.
type tier uint8

const (
	tierCRDB   tier = iota // texts only CockroachDB produces
	tierPG                 // texts only PostgreSQL produces (modern CockroachDB words them differently)
	tierShared             // texts both engines and their drivers share
	tierOther              // other engines: SQLite and MySQL name their engine, the rest leave it unknown
	tierMarker             // class names, SQLSTATE codes, ORM formats
)

// rule is a message matcher: a hit on its own.
type rule struct {
	p      *pattern
	tier   tier
	kind   Kind
	engine string // the engine when the wording is exclusive
	pg     bool   // PostgreSQL wire-protocol family wording
	orm    string // the text is an ORM's own message
	// notAfter rejects a match that this text immediately precedes.
	notAfter string
}

func crdbRule(k Kind, p *pattern) rule {
	return rule{p: p, tier: tierCRDB, kind: k, engine: CockroachDB, pg: true}
}

func pgRule(k Kind, p *pattern) rule {
	return rule{p: p, tier: tierPG, kind: k, engine: PostgreSQL, pg: true}
}

func sharedRule(k Kind, p *pattern) rule {
	return rule{p: p, tier: tierShared, kind: k, pg: true}
}

func otherRule(k Kind, p *pattern) rule {
	return rule{p: p, tier: tierOther, kind: k}
}

// sqliteRule and mysqlRule are other engines' texts that name their
// engine: each hit gets it (Hit.Engine), unlike the PostgreSQL family,
// whose engine is decided per body.
func sqliteRule(k Kind, p *pattern, notAfter string) rule {
	return rule{p: p, tier: tierOther, kind: k, engine: SQLite, notAfter: notAfter}
}

func mysqlRule(k Kind, p *pattern) rule {
	return rule{p: p, tier: tierOther, kind: k, engine: MySQL}
}

var rules = []rule{
	// CockroachDB. Retry errors always carry 40001; any one of these names is
	// enough, since each is a CockroachDB-internal type or enum.
	crdbRule(Retry, pat("restart transaction:", 0, `\brestart transaction:`)),
	crdbRule(Retry, pat("TransactionRetryWithProtoRefreshError|HandledRetryableTxnError", 0,
		`\b(?:TransactionRetryWithProtoRefreshError|HandledRetryableTxnError)\b`)),
	crdbRule(Retry, pat("TransactionRetryError: retry txn|retry txn (RETRY_", 0,
		`\bTransactionRetryError: retry txn\b|\bretry txn \(RETRY_[A-Z_]+`)),
	crdbRule(Retry, pat("RETRY_", 0,
		`\bRETRY_(?:WRITE_TOO_OLD|SERIALIZABLE|ASYNC_WRITE_FAILURE|COMMIT_DEADLINE_EXCEEDED|DELETE_RANGE|POSSIBLE_REPLAY|REASON_UNKNOWN)\b`)),
	crdbRule(Retry, pat("ABORT_REASON_", 0, `\bABORT_REASON_[A-Z_]{4,}`)),
	crdbRule(Retry, pat("ReadWithinUncertaintyIntervalError|WriteTooOldError", 0,
		`\b(?:ReadWithinUncertaintyIntervalError|WriteTooOldError)\b`)),
	// CockroachDB puts the token first: `at or near "x": syntax error`.
	crdbRule(Syntax, pat(`at or near "`, 0, `\bat or near "[^\n]{0,100}?": syntax error`)),
	crdbRule(Syntax, pat("lexical error: unterminated string", 0, `\blexical error: unterminated string`)),
	// `strconv.ParseInt` alone is any Go program's error, so it only
	// qualifies (see engineMarkers); the CockroachDB wrapper is the message.
	crdbRule(TypeCast, pat(`could not parse "`, 0, `\bcould not parse "[^\n]{0,200}?" as type [A-Za-z]`)),
	crdbRule(TypeCast, pat("error in argument for $", 0, `\berror in argument for \$\d+: `)),
	crdbRule(TypeCast, pat("unsupported ", 0, `\bunsupported (?:comparison|binary) operator: <\w+(?:\[\])?> `)),
	crdbRule(TypeCast, pat("value type ", 0, `\bvalue type \w+ doesn't match type \w+ of column "`)),
	// A quote pairing with the next occurrence of a value leaves operators
	// between string literals.
	crdbRule(TypeCast, pat("ambiguous ", 0, `\bambiguous (?:binary )?operator: <\w+> [^\n]{1,8} <\w+>`)),
	// CockroachDB 1.x put the key inside the message.
	crdbRule(Unique, pat("duplicate key value (", 0,
		`\bduplicate key value \([^)\n]{0,200}\)=\([^\n]{0,200}?\) violates unique constraint "`)),

	// PostgreSQL (also CockroachDB before 19.2, which a `source SQL:` marker
	// then reveals).
	pgRule(Syntax, pat("syntax error at ", 0, `\bsyntax error at (?:or near "|end of input)`)),
	pgRule(Syntax, pat("unterminated ", 0,
		`\bunterminated (?:quoted string|quoted identifier|dollar-quoted string) at or near "`)),
	pgRule(Syntax, pat("zero-length delimited identifier at or near", 0, `\bzero-length delimited identifier at or near "`)),
	pgRule(TypeCast, pat("invalid input syntax for ", 0, `\binvalid input syntax for (?:type )?[a-z][a-z0-9 ]{0,40}: "`)),
	pgRule(TypeCast, pat("invalid input value for enum ", 0, `\binvalid input value for enum [\w."]{1,128}: "`)),
	pgRule(TypeCast, pat("operator does not exist: ", 0, `\boperator does not exist: \S`)),
	// What a quote produces when the value appears twice in a statement: it
	// pairs with the next occurrence's, and the parser fails on what lies
	// between the literals. Only with libpq's position line, so prose never
	// matches.
	pgRule(TypeCast, pat("operator is not unique: ", 0, `\boperator is not unique: [^\n]{1,80}\n?LINE \d+: `)),
	pgRule(TypeCast, pat("argument of ", 0,
		`\bargument of (?:AND|OR|WHERE|NOT|JOIN/ON|HAVING) must be type boolean, not type \w+\s*\n?LINE \d+: `)),
	pgRule(Serialization, pat("could not serialize access due to ", 0,
		`\bcould not serialize access due to (?:read/write dependencies among transactions|concurrent (?:update|delete))`)),
	// CockroachDB says `unknown function: f()`; PostgreSQL says this, which
	// is what a CockroachDB-only probe such as unique_rowid() gets on it.
	pgRule(Other, pat(") does not exist", 240, `\bfunction [\w."]{1,128}\([^)\n]{0,100}\) does not exist`)),

	// Shared by PostgreSQL and CockroachDB.
	sharedRule(UndefinedTable, pat(`relation "`, 0, `\brelation "[^\n]{1,200}?" does not exist`)),
	// Unquoted column names only when qualified, so that "the column name
	// does not exist" in prose is not an error.
	sharedRule(UndefinedColumn, pat(" does not exist", 220, `\bcolumn (?:"[^\n]{1,200}?"|[\w$]{1,100}\.[\w$.]{1,100}) does not exist`)),
	sharedRule(Unique, pat(`duplicate key value violates unique constraint "`, 0, `\bduplicate key value violates unique constraint "`)),
	sharedRule(AbortedTxn, pat("current transaction is aborted, commands ignored", 0,
		`\bcurrent transaction is aborted, commands ignored until end of transaction block`)),
	sharedRule(TypeCast, pat(" but expression is of type", 260, `\bcolumn "[^\n]{1,200}?" is of type [\w ]{1,40} but expression is of type`)),
	sharedRule(Other, pat(`null value in column "`, 0,
		`\bnull value in column "[^\n]{1,200}?" (?:of relation "[^\n]{1,200}?" )?violates not-null constraint`)),
	sharedRule(Other, pat(`violates foreign key constraint "`, 0, `\bviolates foreign key constraint "`)),
	sharedRule(TypeCast, pat("could not determine data type of parameter $", 0, `\bcould not determine data type of parameter \$\d+`)),
	sharedRule(Other, pat(`connection to server at "|could not connect to server: |server closed the connection unexpectedly`, 0,
		`\bconnection to server at "[^"\n]{1,200}" \([^)\n]{1,100}\), port \d+ failed|\bcould not connect to server: |\bserver closed the connection unexpectedly\b`)),
	// SQLAlchemy's own messages.
	{p: pat("This Session's transaction has been rolled back due to a previous exception", 0,
		`\bThis Session's transaction has been rolled back due to a previous exception`), tier: tierShared, kind: AbortedTxn, orm: SQLAlchemy},
	{p: pat("Can't reconnect until invalid transaction is rolled back", 0,
		`\bCan't reconnect until invalid transaction is rolled back`), tier: tierShared, kind: AbortedTxn, orm: SQLAlchemy},
	{p: pat("Could not determine version from string '", 0, `\bCould not determine version from string '`),
		tier: tierShared, kind: Other, pg: true, orm: SQLAlchemy},

	// SQLite (the sqlite3 module's str(e), and the same texts through
	// SQLAlchemy, PDO, node-sqlite3 and JDBC), from sqlite3_errmsg and
	// SQLite's parser and constraint messages. SQLite's `near "x": syntax
	// error` is a suffix of CockroachDB's `at or near "x": syntax error`,
	// so a match preceded by "at or " is CockroachDB's (see rule.notAfter).
	sqliteRule(Syntax, pat(`near "`, 0, `\bnear "[^\n]{0,100}?": syntax error`), "at or "),
	sqliteRule(Syntax, pat(`unrecognized token: "`, 0, `\bunrecognized token: "`), ""),
	sqliteRule(Syntax, pat("incomplete input", 60,
		`\b(?:sqlite3\.(?:Operational|Programming|Database)Error\)?:?|SQLITE_ERROR:) incomplete input\b`), ""),
	sqliteRule(UndefinedTable, pat("no such table: ", 0, `\bno such table: [\w."]`), ""),
	sqliteRule(UndefinedColumn, pat("no such column: ", 0, `\bno such column: [\w."]`), ""),
	sqliteRule(Other, pat("no such function: ", 0, `\bno such function: \w`), ""),
	sqliteRule(Other, pat("wrong number of arguments to function ", 0, `\bwrong number of arguments to function \w+\(\)`), ""),
	sqliteRule(Unique, pat("UNIQUE constraint failed: ", 0, `\bUNIQUE constraint failed: [\w."]`), ""),
	sqliteRule(Other, pat("NOT NULL constraint failed: |CHECK constraint failed: |FOREIGN KEY constraint failed", 0,
		`\b(?:(?:NOT NULL|CHECK) constraint failed: [\w."]|FOREIGN KEY constraint failed\b)`), ""),
	sqliteRule(Other, pat("sub-select returns ", 0, `\bsub-select returns \d+ columns - expected 1\b`), ""),
	// What SQLI-001's version probe json_extract('{}', sqlite_version())
	// answers: 3.40 words it `JSON path error near '3.40.1'`, 3.45 and
	// later `bad JSON path: '3.45.1'`.
	sqliteRule(Other, pat("JSON path error near '|bad JSON path: '", 0, `\b(?:JSON path error near|bad JSON path:) '`), ""),
	sqliteRule(Other, pat("database is locked", 60,
		`\b(?:sqlite3\.OperationalError\)?:?|SQLITE_BUSY:) database is locked\b`), ""),
	sqliteRule(TypeCast, pat("datatype mismatch", 60,
		`\b(?:sqlite3\.(?:Integrity|Operational)Error\)?:?|SQLITE_MISMATCH:) datatype mismatch\b`), ""),

	// MySQL and MariaDB (the server's message as PyMySQL, mysqlclient and
	// mysql-connector print it), from the server error reference: 1064
	// ER_PARSE_ERROR, 1054, 1146, 1062, 1305, 1105 (XPATH), 1292, 1366,
	// 1241, 1242, 1048, 1213, 1205, 2003, 2006, 2013, 1045.
	mysqlRule(Syntax, pat("You have an error in your SQL syntax", 0, `\bYou have an error in your SQL syntax\b`)),
	mysqlRule(UndefinedColumn, pat("Unknown column '", 0, `\bUnknown column '[^'\n]{1,200}' in '`)),
	mysqlRule(UndefinedTable, pat("' doesn't exist", 210, `\bTable '[^'\n]{1,200}' doesn't exist\b`)),
	mysqlRule(Unique, pat("Duplicate entry '", 0, `\bDuplicate entry '[^\n]{0,200}?' for key '`)),
	mysqlRule(Other, pat(" does not exist", 140, `\bFUNCTION [\w.$]{1,128} does not exist\b`)),
	// What SQLI-001's version probe extractvalue(1, concat(0x7e,
	// version())) answers: `XPATH syntax error: '~8.0.35'`.
	mysqlRule(Other, pat("XPATH syntax error: '", 0, `\bXPATH syntax error: '`)),
	mysqlRule(TypeCast, pat("Truncated incorrect |Incorrect ", 0,
		`\bTruncated incorrect \w+ value: '|\bIncorrect \w+ value: '[^\n]{0,200}?' for column '`)),
	mysqlRule(Other, pat("Subquery returns more than 1 row|Operand should contain ", 0,
		`\bSubquery returns more than 1 row\b|\bOperand should contain \d+ column\(s\)`)),
	mysqlRule(Other, pat("' cannot be null", 210, `\bColumn '[^'\n]{1,200}' cannot be null\b`)),
	mysqlRule(Serialization, pat("Deadlock found when trying to get lock", 0,
		`\bDeadlock found when trying to get lock; try restarting transaction\b`)),
	mysqlRule(Other, pat("Lock wait timeout exceeded|MySQL server", 20,
		`\bLock wait timeout exceeded; try restarting transaction\b|\bCan't connect to MySQL server on\b|\bLost connection to MySQL server\b|\bMySQL server has gone away\b`)),
	mysqlRule(Other, pat("Access denied for user '", 0, `\bAccess denied for user '[^'\n]{0,100}'@'`)),

	// Other engines, so that error-based checks still work on any API.
	// They never set an engine: the fingerprint names the engines above.
	otherRule(Syntax, pat("Unclosed quotation mark after the character string|Incorrect syntax near '", 0,
		`\bUnclosed quotation mark after the character string\b|\bIncorrect syntax near '`)),
	otherRule(Syntax, pat("ORA-0", 0, `\bORA-0(?:0933|0907|1756|0936|0911):`)),
	otherRule(UndefinedTable, pat("ORA-00942:", 0, `\bORA-00942:`)),
	otherRule(UndefinedColumn, pat("ORA-00904:", 0, `\bORA-00904:`)),
	otherRule(TypeCast, pat("ORA-01722:", 0, `\bORA-01722:`)),
	otherRule(Unique, pat("ORA-00001:", 0, `\bORA-00001:`)),
}

// Markers that qualify hits but are never hits by themselves.
type engineMarker struct {
	p       *pattern
	engine  string
	version bool // submatch 1 is a version
}

var (
	crdbBanner = engineMarker{p: pat("CockroachDB ", 0, `\bCockroachDB (?:CCL|OSS) v(\d+\.\d+[\w.+-]*)`), engine: CockroachDB, version: true}
	pgBanner   = engineMarker{p: pat("PostgreSQL ", 0, `\bPostgreSQL (\d+(?:\.\d+)?(?:beta\d+|rc\d+|devel)?)(?: \([^)\n]{0,100}\))? on [\w.-]+`), engine: PostgreSQL, version: true}
	// The version probes of SQLI-001 on SQLite and MySQL answer errors that
	// quote the version: `JSON path error near '3.40.1'`, `XPATH syntax
	// error: '~8.0.35'` (or '~10.11.6-MariaDB-0+deb12u1').
	sqliteBanner = engineMarker{p: pat("JSON path error near '|bad JSON path: '", 0,
		`\b(?:JSON path error near|bad JSON path:) '(\d+\.\d+\.\d+(?:\.\d+)?)'`), engine: SQLite, version: true}
	mysqlBanner = engineMarker{p: pat("XPATH syntax error: '~", 0,
		`\bXPATH syntax error: '~(\d+\.\d+\.\d+[\w.+-]{0,40})'?`), engine: MySQL, version: true}
	// bannerRes recognise `SELECT version()` output, which is not an error
	// but names the engine and its exact version.
	bannerRes = []engineMarker{crdbBanner, pgBanner, sqliteBanner, mysqlBanner}
)

// otherMarkers qualify hits of engines outside the PostgreSQL family: the
// version their probes print, and MariaDB's own wording.
var otherMarkers = []engineMarker{
	sqliteBanner,
	mysqlBanner,
	{p: pat("MariaDB", 0, `\bMariaDB server version\b|\d-MariaDB\b`), engine: MariaDB},
}

// mariaDBVersion splits MySQL's version() when it is MariaDB's
// ("10.11.6-MariaDB-0+deb12u1" is MariaDB 10.11.6).
func mariaDBVersion(v string) (string, bool) {
	i := strings.Index(v, "-MariaDB")
	if i < 0 {
		return v, false
	}
	return v[:i], true
}

var engineMarkers = []engineMarker{
	crdbBanner,
	{p: pat("go.crdb.dev/issue-v/", 0, `\bgo\.crdb\.dev/issue-v/\d+/v(\d+\.\d+[\w.-]*)`), engine: CockroachDB, version: true},
	{p: pat("cockroachlabs.com/docs/v", 0, `\bcockroachlabs\.com/docs/v(\d+\.\d+)/`), engine: CockroachDB, version: true},
	{p: pat("go.crdb.dev/", 0, `\bgo\.crdb\.dev/`), engine: CockroachDB},
	{p: pat("source SQL:", 0, `\bsource SQL:`), engine: CockroachDB},
	{p: pat(`try \h`, 16, `(?i:\bhint):[ \t\n]{0,8}try \\h\b`), engine: CockroachDB},
	{p: pat(`"sql txn" `, 0, `"sql txn" (?:id|meta)=`), engine: CockroachDB},
	// PostgreSQL's default primary key is "<table>_pkey"; "primary" is
	// CockroachDB's before 22.1 (and a reserved word in PostgreSQL).
	{p: pat(`violates unique constraint "primary"`, 0, `\bviolates unique constraint "primary"`), engine: CockroachDB},
	{p: pat("unimplemented: this syntax", 0, `\bunimplemented: this syntax\b`), engine: CockroachDB},
	{p: pat("strconv.Parse", 0, `\bstrconv\.Parse(?:Int|Uint|Float|Bool)\b`), engine: CockroachDB},
	{p: patFold("cockroachdb", 12, `(?i:\bcockroachdb(?:\+\w+)?://|\bsqlalchemy[_-]cockroachdb\b)`), engine: CockroachDB},
	{p: pat("26257", 6, `\bport 26257\b|:26257\b`), engine: CockroachDB},
	{p: pat("unknown function: ", 0, `\bunknown function: [\w.]{1,128}\(\)`), engine: CockroachDB},
	pgBanner,
	// libpq's position line; CockroachDB sends no position.
	{p: pat("LINE ", 0, `\bLINE \d+: `), engine: PostgreSQL},
}

// Drivers and ORMs, in the order they are preferred when several appear
// (the class name in the exception beats a word elsewhere on the page).
type nameMarker struct {
	p    *pattern
	name string
	pg   bool
}

// Driver and ORM names.
const (
	Psycopg2   = "psycopg2"
	Psycopg    = "psycopg"
	Asyncpg    = "asyncpg"
	JDBC       = "JDBC"
	PGX        = "pgx"
	GoPG       = "go-pg"
	LibPQ      = "lib/pq"
	PDO        = "PDO"
	SQLx       = "sqlx"
	SQLite3    = "sqlite3"         // Python's standard module
	PyMySQL    = "PyMySQL"         // pymysql, and aiomysql built on it
	MySQLdb    = "mysqlclient"     // MySQLdb
	MySQLConn  = "mysql-connector" // Oracle's mysql.connector
	SQLAlchemy = "SQLAlchemy"
	Django     = "Django"
	Peewee     = "peewee"
	Hibernate  = "Hibernate"
	Sequelize  = "Sequelize"
)

var driverMarkers = []nameMarker{
	{p: pat("psycopg2", 0, `\bpsycopg2\b`), name: Psycopg2, pg: true},
	{p: pat("psycopg", 0, `\bpsycopg\b`), name: Psycopg, pg: true},
	{p: pat("asyncpg", 0, `\basyncpg\b`), name: Asyncpg, pg: true},
	{p: pat("PSQLException|org.postgresql.", 0, `\bPSQLException\b|\borg\.postgresql\.`), name: JDBC, pg: true},
	{p: pat("(SQLSTATE |jackc/pgx|pgconn", 0, `\(SQLSTATE [0-9A-Z]{5}\)|\bjackc/pgx\b|\bpgconn\b`), name: PGX, pg: true},
	{p: pat("ERROR #|go-pg", 0, `\bERROR #[0-9A-Z]{5} |\bgo-pg\b`), name: GoPG, pg: true},
	{p: pat("pq: |lib/pq", 1, `(?:^|[\s"'(:>\[])pq: [a-z]|\blib/pq\b`), name: LibPQ, pg: true},
	{p: pat("SQLSTATE[|PDOException", 0, `\bSQLSTATE\[[0-9A-Z]{5}\]|\bPDOException\b`), name: PDO},
	{p: pat("error returned from database: ", 0, `\berror returned from database: `), name: SQLx},
	{p: pat("sqlite3", 0, `\bsqlite3\.(?:Operational|Integrity|Programming|Database|Data|Interface|Internal|NotSupported)Error\b`), name: SQLite3},
	{p: pat("pymysql", 0, `\bpymysql\b`), name: PyMySQL},
	{p: pat("MySQLdb", 0, `\bMySQLdb\b`), name: MySQLdb},
	{p: pat("mysql.connector", 0, `\bmysql\.connector\b`), name: MySQLConn},
}

var ormMarkers = []nameMarker{
	{p: patFold("sqlalchemy|sqlalche.me/e/|[sql: ", 0, `(?i:\bsqlalchemy\b)|\bsqlalche\.me/e/|\[SQL: `), name: SQLAlchemy},
	{p: pat("django.db", 0, `\bdjango\.db\b`), name: Django},
	{p: pat("peewee.", 0, `\bpeewee\.`), name: Peewee},
	{p: pat("org.hibernate.", 0, `\borg\.hibernate\.`), name: Hibernate},
	{p: pat("Sequelize", 0, `\bSequelize[A-Z]\w*Error\b`), name: Sequelize},
}

// Exception classes and error codes: hits when no message explains them,
// otherwise the source of Hit.SQLState.
var (
	pgClassRe      = pat("psycopg2.errors.|psycopg.errors.", 0, `\b(psycopg2?)\.errors\.([A-Z][A-Za-z_]*)`)
	pgBaseClassRe  = pat("psycopg2.|psycopg.", 0, `\b(psycopg2?)\.(?:extensions\.)?(ProgrammingError|OperationalError|DataError|IntegrityError|InternalError|DatabaseError|InterfaceError|NotSupportedError|TransactionRollbackError|QueryCanceledError)\b`)
	asyncpgClassRe = pat("asyncpg.exceptions.", 0, `\basyncpg\.exceptions\.([A-Z][A-Za-z_]*)`)
	sqlaClassRe    = pat("sqlalchemy.exc.", 0, `\bsqlalchemy\.exc\.(OperationalError|ProgrammingError|IntegrityError|DataError|InternalError|DatabaseError|InterfaceError|NotSupportedError|DBAPIError|PendingRollbackError)\b`)
	djangoClassRe  = pat("django.db.utils.", 0, `\bdjango\.db\.utils\.(?:OperationalError|ProgrammingError|IntegrityError|DataError|InternalError|DatabaseError)\b`)
	peeweeClassRe  = pat("peewee.", 0, `\bpeewee\.(?:OperationalError|ProgrammingError|IntegrityError|DataError|InternalError)\b`)
	jdbcClassRe    = pat("PSQLException", 0, `\bPSQLException\b`)
	sqlaFormatRe   = pat("[SQL: ", 0, `\[SQL: `)
	sqlaLinkRe     = pat("sqlalche.me/e/", 0, `\bsqlalche\.me/e/(?:\d+/)?([0-9a-z]{4})\b`)
	// SQLite's exception classes in Python, Java, Ruby and node-sqlite3.
	sqliteClassRe = pat("sqlite3.|SQLiteException|SQLITE_|SQLite3::", 0,
		`\bsqlite3\.(?:Operational|Integrity|Programming|Database|Data|Interface|Internal|NotSupported)Error\b|\borg\.sqlite\.SQLiteException\b|\bSQLITE_(?:ERROR|CONSTRAINT|BUSY|LOCKED|MISMATCH|READONLY)\b|\bSQLite3::\w+Exception\b`)
	// MySQL drivers' exception classes: PyMySQL, mysqlclient,
	// mysql-connector, MariaDB Connector/Python, asyncmy.
	mysqlClassRe = pat("pymysql.err.|MySQLdb.|mysql.connector.errors.|mariadb.|asyncmy.errors.", 0,
		`\b(?:pymysql\.err|MySQLdb(?:\._exceptions)?|mysql\.connector\.errors|mariadb|asyncmy\.errors)\.(?:Operational|Integrity|Programming|Database|Data|Interface|Internal|NotSupported)Error\b`)
	// MySQL's server error numbers as the drivers print them: PyMySQL and
	// mysqlclient `(1064, "…")`, mysql-connector `1064 (42000): …`. They
	// keep a localised message (lc_messages) recognisable.
	mysqlTupleRe = pat("(1|(2", 0, `\((1\d{3}|20\d{2}), ['"]`)
	mysqlConnRe  = pat("): ", 13, `\b(1\d{3}|20\d{2}) \(([0-9A-Z]{5})\): `)
	// SQLSTATE spellings: PDO `SQLSTATE[42601]`, pgx `(SQLSTATE 40001)`,
	// CockroachDB's CLI `SQLSTATE: 22P02`, Spring's `SQL state [40001]`,
	// psycopg2's `pgcode`, go-pg `ERROR #40001`, psql verbose
	// `ERROR:  22P02:`, and `[42601] ERROR:`.
	codeRes = []*pattern{
		patFold("sqlstate|sql state|sql_state", 0, `(?i:\bsql[ _]?state)[ \t]*[:=]?[ \t]*[\[('"]?[ \t]*([0-9A-Z]{5})\b`),
		patFold("pgcode", 0, `(?i:\bpgcode)[ \t]*[:=][ \t]*['"]?([0-9A-Z]{5})\b`),
		pat("ERROR #", 0, `\bERROR #([0-9A-Z]{5}) `),
		pat("ERROR:", 0, `\bERROR:[ \t]+([0-9A-Z]{5}): `),
		pat("] ERROR:", 6, `\[([0-9A-Z]{5})\] ERROR:`),
	}
)

// mysqlCodeKinds maps MySQL's server error numbers to kinds. Only these
// numbers make a mark: any other four-digit number in parentheses is not a
// MySQL error.
var mysqlCodeKinds = map[string]Kind{
	"1064": Syntax, "1149": Syntax, "1054": UndefinedColumn, "1146": UndefinedTable, "1062": Unique,
	"1292": TypeCast, "1366": TypeCast, "1305": Other, "1105": Other, "1241": Other, "1242": Other,
	"1048": Other, "1213": Serialization, "1205": Other, "1045": Other, "2003": Other, "2006": Other,
	"2013": Other,
}

// sqlaLinkKinds maps SQLAlchemy's error codes to kinds; the others are Other.
var sqlaLinkKinds = map[string]Kind{"7s2a": AbortedTxn}
