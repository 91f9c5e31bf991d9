package codescan

import "regexp"

// What the analysis knows about Python, Flask and the database libraries,
// as data: the interpreter (interp.go, eval.go, calls.go) and the summaries
// read these tables and hold no lists of names of their own. Rule-specific
// words (admin paths, money-moving tables, password checks) live with their
// rule in rule_*.go; identity sources and auth decorator words are
// pyast's (flask.go).

// ---------------------------------------------------------------- the request

// requestDicts are the request's attributes that carry client data and its
// keys (request.args, request.json); requestTexts carry client text
// (request.path, request.origin).
var requestDicts = map[string]bool{"args": true, "form": true, "values": true, "json": true, "files": true,
	"cookies": true, "headers": true, "view_args": true, "data": true, "authorization": true, "stream": true,
	"query_params": true, "path_params": true} // the last two: FastAPI's (Starlette's) Request

var requestTexts = map[string]bool{"path": true, "full_path": true, "url": true, "base_url": true, "host": true,
	"host_url": true, "url_root": true, "referrer": true, "remote_addr": true, "user_agent": true,
	"query_string": true, "origin": true, "access_route": true, "environ": true, "content_type": true, "mimetype": true}

// requestBodyMethods return the whole body (request.get_json(); Starlette's
// await request.json(), .form() and .body() in FastAPI).
var requestBodyMethods = map[string]bool{"get_json": true, "get_data": true, "json": true, "form": true, "body": true}

// requestFieldGetters read one field of request data (request.args.get("q")).
var requestFieldGetters = map[string]bool{"get": true, "getlist": true, "pop": true, "get_all": true, "setdefault": true}

// requestWholeViews copy or iterate request data whole (request.form.to_dict()).
var requestWholeViews = map[string]bool{"to_dict": true, "copy": true, "items": true, "keys": true, "values": true, "dict": true}

// configMappings are read at run time but written by the deployment, not
// the client.
var configMappings = map[string]bool{"os.environ": true, "app.config": true, "current_app.config": true}

// ---------------------------------------------------------------- SQL sinks and drivers

// executeNames run SQL text (mogrify only renders it).
var executeNames = map[string]bool{"execute": true, "executemany": true, "exec_driver_sql": true,
	"executescript": true, "read_sql": true, "read_sql_query": true, "mogrify": false}

// frameReaders are pandas' SQL readers: called as functions, with
// parameters passed by keyword only.
var frameReaders = map[string]bool{"read_sql": true, "read_sql_query": true}

// sqlTextKwargs and sqlParamKwargs name an execute call's statement and
// parameters when they are passed by keyword, in the order looked up.
var (
	sqlTextKwargs  = []string{"query", "sql", "statement", "operation"}
	sqlParamKwargs = []string{"params", "parameters", "vars", "args", "seq_of_parameters"}
)

// fetchNames read the rows of the statement last run on a cursor or result.
var fetchNames = map[string]bool{"fetchone": true, "fetchall": true, "fetchmany": true, "first": true, "one": true,
	"one_or_none": true, "scalar": true, "scalar_one": true, "scalar_one_or_none": true, "scalars": true,
	"all": true, "mappings": true, "fetchval": true, "fetchrow": true, "first_or_404": true, "one_or_404": true}

// connectFuncs open a connection, or an engine or pool that hands them out.
var connectFuncs = map[string]objKind{
	"psycopg2.connect": objConn, "psycopg.connect": objConn, "sqlite3.connect": objConn, "pymysql.connect": objConn,
	"MySQLdb.connect": objConn, "mysql.connector.connect": objConn, "pg8000.connect": objConn,
	"asyncpg.connect": objConn, "cx_Oracle.connect": objConn, "pyodbc.connect": objConn,
	"create_engine": objEngine, "sqlalchemy.create_engine": objEngine, "psycopg2.pool.SimpleConnectionPool": objEngine,
	"psycopg2.pool.ThreadedConnectionPool": objEngine, "psycopg_pool.ConnectionPool": objEngine,
	"pool.ThreadedConnectionPool": objEngine, "pool.SimpleConnectionPool": objEngine,
	"ThreadedConnectionPool": objEngine, "SimpleConnectionPool": objEngine, "ConnectionPool": objEngine,
	"asyncpg.create_pool": objEngine,
}

// ---------------------------------------------------------------- values that lose or keep taint

// sanitizers turn any input into a value that cannot change a statement's
// structure (a number, a hash, a date).
var sanitizers = map[string]bool{"int": true, "float": true, "bool": true, "complex": true, "Decimal": true,
	"decimal.Decimal": true, "UUID": true, "uuid.UUID": true, "abs": true, "round": true, "hexdigest": true,
	"digest": true, "generate_password_hash": true, "secure_filename": true, "quote_ident": true,
	"hash_password": true, "hashpw": true, "Literal": true, "Placeholder": true, "fromisoformat": true,
	"strptime": true, "date": true, "datetime": true, "timedelta": true, "ord": true, "chr": false}

// opaque calls return a value unrelated to their arguments' content.
var opaque = map[string]bool{"len": true, "isinstance": true, "hasattr": true, "callable": true, "type": true,
	"id": true, "time": true, "now": true, "utcnow": true, "token_hex": true, "token_urlsafe": true,
	"uuid4": true, "randint": true, "random": true, "uniform": true, "sleep": true, "urandom": true, "compile": true}

// passThrough keeps a whole row whole: dict(row) and jsonify(row) still
// hold every column.
var passThrough = map[string]bool{"dict": true, "list": true, "tuple": true, "jsonify": true, "make_response": true,
	"Response": true, "dumps": true, "str": true, "repr": true, "format": true, "asdict": true, "copy": true,
	"to_dict": true, "_asdict": true, "deepcopy": true}

// ---------------------------------------------------------------- responses and exceptions

// responseFuncs put their arguments into the response.
var responseFuncs = map[string]bool{"jsonify": true, "make_response": true, "Response": true, "abort": true,
	"render_template_string": true, "JSONResponse": true}

// tracebackFormatters turn the exception being handled into text.
var tracebackFormatters = map[string]bool{"format_exc": true, "format_exception": true, "format_tb": true, "print_exc": true}

// httpExceptionBases are werkzeug's (and marshmallow's) exceptions whose
// text is written for the client; a module's subclasses of them are too.
var httpExceptionBases = []string{"HTTPException", "NotFound", "BadRequest", "Forbidden", "Unauthorized",
	"Conflict", "MethodNotAllowed", "UnprocessableEntity", "TooManyRequests", "ServiceUnavailable",
	"ValidationError", "InternalServerError", "Gone", "RequestEntityTooLarge"}

// broadExceptions, and any exception of dbErrorModules, may carry SQL,
// table names or internal state in their text.
var broadExceptions = map[string]bool{"Exception": true, "BaseException": true, "Error": true, "DatabaseError": true,
	"OperationalError": true, "ProgrammingError": true, "IntegrityError": true, "DataError": true, "InternalError": true,
	"InterfaceError": true, "SQLAlchemyError": true, "DBAPIError": true, "StatementError": true, "NotSupportedError": true,
	"TransactionRollbackError": true, "SerializationFailure": true, "InFailedSqlTransaction": true, "UniqueViolation": true}

var dbErrorModules = []string{"psycopg", "sqlalchemy", "sqlite3", "pymysql", "asyncpg", "MySQLdb", "pg8000", "mysql", "django.db"}

// terminatingCalls end the request or the process: a guard that calls one
// stops the route.
var terminatingCalls = map[string]bool{"abort": true, "flask.abort": true, "sys.exit": true, "exit": true,
	"os._exit": true, "werkzeug.exceptions.abort": true}

// abortCalls, ending a helper's body, make it a helper that always raises
// (forbidden()).
var abortCalls = map[string]bool{"abort": true, "flask.abort": true}

// numericTypeNames, checked with isinstance, leave a value that cannot
// carry SQL.
var numericTypeNames = map[string]bool{"int": true, "float": true, "bool": true, "Decimal": true, "UUID": true,
	"complex": true, "date": true, "datetime": true, "Integral": true, "Number": true}

// ---------------------------------------------------------------- transactions

// txnOpeners, as a with statement's expression, open a managed transaction
// (connect only for psycopg, whose connection commits at the block's end).
var txnOpeners = map[string]bool{"begin": true, "begin_nested": true, "transaction": true, "atomic": true, "connect": true}

// commitCallRe marks a function that commits.

var commitCallRe = markers(".commit(")

// crdbMarkers say the database is CockroachDB (its name, its port).
var crdbMarkers = markers("cockroach", "26257", "crdb")

// autocommitRe turns autocommit on (see mentionsAutocommit for why every
// form contains the word).
var autocommitRe = regexp.MustCompile(`autocommit\s*=\s*true|isolation_level_autocommit|isolation_level\s*=\s*["']autocommit`)

// serializationRe names serialization failures (40001) an except clause
// retries on.
var serializationRe = regexp.MustCompile(`SerializationFailure|TransactionRollbackError|DeadlockDetected|OperationalError|40001|restart transaction|RetryError|serialization`)

// ---------------------------------------------------------------- identity

// identityishRe names an attribute of flask.g that holds the caller
// (g.user, g.current_account).
var identityishRe = regexp.MustCompile(`(?i)user|identity|account|principal`)

// stringMethods change a string's case or spacing and keep its structure:
// what was free text stays free text, what was a number stays one.
var stringMethods = map[string]bool{"strip": true, "lower": true, "upper": true, "replace": true, "lstrip": true,
	"rstrip": true, "encode": true, "decode": true, "title": true, "capitalize": true}
