package dberr

// tier orders matchers from the most telling to the least, as the reference
// facts recommend; hits are reported in this order.
type tier uint8

const (
	tierCRDB   tier = iota // texts only CockroachDB produces
	tierPG                 // texts only PostgreSQL produces (modern CockroachDB words them differently)
	tierShared             // texts both engines and their drivers share
	tierOther              // other engines' syntax errors: kind only, engine left unknown
	tierMarker             // class names, SQLSTATE codes, ORM formats
)

// rule is a message matcher: a hit on its own.
type rule struct {
	p      *pattern
	tier   tier
	kind   Kind
	engine string // CockroachDB or PostgreSQL when the wording is exclusive
	pg     bool   // PostgreSQL wire-protocol family wording
	orm    string // the text is an ORM's own message
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

	// Other engines, so that error-based checks still work on any API. They
	// never set an engine: Rampart's fingerprint only names PostgreSQL and
	// CockroachDB.
	otherRule(Syntax, pat("You have an error in your SQL syntax", 0, `\bYou have an error in your SQL syntax\b`)),
	otherRule(UndefinedColumn, pat("Unknown column '", 0, `\bUnknown column '[^'\n]{1,200}' in '`)),
	otherRule(UndefinedTable, pat("' doesn't exist", 210, `\bTable '[^'\n]{1,200}' doesn't exist\b`)),
	otherRule(Unique, pat("Duplicate entry '", 0, `\bDuplicate entry '[^\n]{0,200}?' for key '`)),
	// SQLite's `near "x": syntax error` is a suffix of CockroachDB's
	// message, so it is only taken with SQLite's own prefix.
	otherRule(Syntax, pat(`sqlite3.OperationalError: near "|SQLITE_ERROR: near "|unrecognized token: "`, 0,
		`\b(?:sqlite3\.OperationalError|SQLITE_ERROR): near "[^\n]{0,100}?": syntax error|\bunrecognized token: "`)),
	otherRule(UndefinedTable, pat("no such table: ", 0, `\bno such table: [\w."]`)),
	otherRule(UndefinedColumn, pat("no such column: ", 0, `\bno such column: [\w."]`)),
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
	// bannerRes recognise `SELECT version()` output, which is not an error
	// but names the engine and its exact version.
	bannerRes = []engineMarker{crdbBanner, pgBanner}
)

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

// sqlaLinkKinds maps SQLAlchemy's error codes to kinds; the others are Other.
var sqlaLinkKinds = map[string]Kind{"7s2a": AbortedTxn}
