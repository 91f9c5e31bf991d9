package dberr

import "fmt"

// Kind is what went wrong, at the granularity checks care about: a syntax
// error proves that input reached the SQL text, a type-cast error that it
// reached a typed position, an undefined table or column that identifiers are
// taken from the request, and the transaction kinds that concurrency is not
// handled.
type Kind uint8

const (
	// Other is any recognised database error of no more specific kind
	// (connection failures, division by zero, not-null violations, …).
	Other Kind = iota
	// Syntax is a parse error (SQLSTATE 42601 and its lexical variants).
	Syntax
	// TypeCast is a value or operand of the wrong type: 22P02 invalid text
	// representation, 42804 datatype mismatch, operator type mismatches.
	TypeCast
	// UndefinedTable is 42P01.
	UndefinedTable
	// UndefinedColumn is 42703.
	UndefinedColumn
	// Unique is a unique violation, 23505.
	Unique
	// Serialization is SQLSTATE 40001 as PostgreSQL (or a driver class name
	// alone) reports it: could not serialize access.
	Serialization
	// AbortedTxn is 25P02, "current transaction is aborted", and
	// SQLAlchemy's equivalent (PendingRollbackError, code 7s2a). It shows that
	// an earlier failure was never rolled back, usually on a shared
	// connection.
	AbortedTxn
	// Retry is CockroachDB's 40001 family ("restart transaction",
	// TransactionRetryWithProtoRefreshError, RETRY_*, ABORT_REASON_*): a
	// refinement of Serialization that also identifies the engine. KindOf
	// never returns it, because the SQLSTATE alone cannot tell.
	Retry
)

var kindNames = [...]string{"other", "syntax", "type-cast", "undefined-table",
	"undefined-column", "unique", "serialization", "aborted-txn", "retry"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// MarshalText makes kinds readable in JSON reports and evidence.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Transactional reports whether the error comes from how transactions are
// handled rather than from the statement's text: what the txn-boundary family
// looks for.
func (k Kind) Transactional() bool {
	return k == Serialization || k == Retry || k == AbortedTxn
}

// sqlStateKinds maps the SQLSTATE codes whose kind matters. Codes not listed
// are Other. ODBC/MySQL codes (42S02, 42S22) are included because PDO and
// JDBC report them with the same SQLSTATE syntax.
var sqlStateKinds = map[string]Kind{
	"42601": Syntax,
	"42000": Syntax, // syntax_error_or_access_rule_violation; MySQL's syntax errors
	"22P02": TypeCast,
	"22007": TypeCast, // invalid_datetime_format
	"22008": TypeCast, // datetime_field_overflow
	"42804": TypeCast, // datatype_mismatch
	"42846": TypeCast, // cannot_coerce
	"42P01": UndefinedTable,
	"42S02": UndefinedTable,
	"42703": UndefinedColumn,
	"42S22": UndefinedColumn,
	"23505": Unique,
	"40001": Serialization,
	"25P02": AbortedTxn,
}

// KindOf returns the kind of a SQLSTATE code, Other when the code is unknown
// or carries no kind Rampart distinguishes. Codes are matched exactly
// (upper-case, five characters).
func KindOf(sqlstate string) Kind {
	return sqlStateKinds[sqlstate]
}

// SQLStates returns a copy of the SQLSTATE → Kind mapping KindOf uses, for
// documentation and for callers that read codes from elsewhere (a driver's
// pgcode, a white-box rule's `except` clause).
func SQLStates() map[string]Kind {
	m := make(map[string]Kind, len(sqlStateKinds))
	for k, v := range sqlStateKinds {
		m[k] = v
	}
	return m
}

// pgClassCodes maps psycopg2/psycopg 3 exception class names (psycopg2.errors
// and psycopg.errors are generated from the same SQLSTATE table) to their
// code, so that a class name in a traceback counts as a visible SQLSTATE.
var pgClassCodes = map[string]string{
	"SyntaxError":                      "42601",
	"SyntaxErrorOrAccessRuleViolation": "42000",
	"UndefinedTable":                   "42P01",
	"UndefinedColumn":                  "42703",
	"UndefinedFunction":                "42883",
	"UndefinedObject":                  "42704",
	"UndefinedParameter":               "42P02",
	"AmbiguousColumn":                  "42702",
	"AmbiguousFunction":                "42725",
	"DuplicateTable":                   "42P07",
	"GroupingError":                    "42803",
	"InvalidColumnReference":           "42P10",
	"WrongObjectType":                  "42809",
	"InsufficientPrivilege":            "42501",
	"InvalidTextRepresentation":        "22P02",
	"InvalidDatetimeFormat":            "22007",
	"DatetimeFieldOverflow":            "22008",
	"DatatypeMismatch":                 "42804",
	"CannotCoerce":                     "42846",
	"NumericValueOutOfRange":           "22003",
	"DivisionByZero":                   "22012",
	"StringDataRightTruncation":        "22001",
	"InvalidParameterValue":            "22023",
	"InvalidRegularExpression":         "2201B",
	"IntegrityConstraintViolation":     "23000",
	"UniqueViolation":                  "23505",
	"ForeignKeyViolation":              "23503",
	"NotNullViolation":                 "23502",
	"CheckViolation":                   "23514",
	"CardinalityViolation":             "21000",
	"InFailedSqlTransaction":           "25P02",
	"ActiveSqlTransaction":             "25001",
	"NoActiveSqlTransaction":           "25P01",
	"ReadOnlySqlTransaction":           "25006",
	"TransactionRollback":              "40000",
	"SerializationFailure":             "40001",
	"StatementCompletionUnknown":       "40003",
	"DeadlockDetected":                 "40P01",
	"FeatureNotSupported":              "0A000",
	"InvalidCursorName":                "34000",
	"InvalidSchemaName":                "3F000",
	"LockNotAvailable":                 "55P03",
	"QueryCanceled":                    "57014",
	"AdminShutdown":                    "57P01",
	"InternalError_":                   "XX000",
}

// asyncpgClassCodes is asyncpg's naming of the same table: mostly the
// psycopg name plus "Error", with a few historical exceptions.
var asyncpgClassCodes = func() map[string]string {
	m := make(map[string]string, len(pgClassCodes)+4)
	for name, code := range pgClassCodes {
		m[name+"Error"] = code
	}
	delete(m, "SyntaxErrorError")
	delete(m, "InternalError_Error")
	delete(m, "InFailedSqlTransactionError")
	delete(m, "SerializationFailureError")
	m["PostgresSyntaxError"] = "42601"
	m["InternalServerError"] = "XX000"
	m["InFailedSQLTransactionError"] = "25P02"
	m["SerializationError"] = "40001"
	return m
}()

// sqlStateClasses are the two-character classes of SQLSTATE codes seen in
// practice (PostgreSQL's list plus ODBC's HY and IM). Requiring one keeps a
// five-letter word after "sqlstate" from being taken for a code.
var sqlStateClasses = map[string]bool{
	"00": true, "01": true, "02": true, "03": true, "08": true, "09": true,
	"0A": true, "0B": true, "0F": true, "0L": true, "0P": true, "0Z": true,
	"20": true, "21": true, "22": true, "23": true, "24": true, "25": true,
	"26": true, "27": true, "28": true, "2B": true, "2D": true, "2F": true,
	"34": true, "38": true, "39": true, "3B": true, "3D": true, "3F": true,
	"40": true, "42": true, "44": true, "53": true, "54": true, "55": true,
	"57": true, "58": true, "72": true, "F0": true, "HV": true, "P0": true,
	"XX": true, "HY": true, "IM": true,
}

// validSQLState reports whether s looks like a real SQLSTATE code.
func validSQLState(s string) bool {
	if len(s) != 5 || !sqlStateClasses[s[:2]] {
		return false
	}
	digit := false
	for i := 0; i < 5; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return digit
}
