package sqli

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// fakeDB is a tiny SQL evaluator for tests: enough of PostgreSQL's, SQLite's
// and MySQL's expression syntax (literals, ||, AND, =, LIKE/ILIKE, + - *,
// CAST, scalar subqueries, each engine's version and delay functions) that
// the checks' probes behave as they would on a real database, with each
// engine's error texts. It lets the tests build vulnerable and safe
// endpoints from query templates instead of matching payloads. What it
// does differently per dialect was checked against the real engines
// (SQLite 3.40 through Python's sqlite3, MariaDB 10.11 through PyMySQL).

type row map[string]any

var fakeRows = []row{
	{"id": int64(1), "name": "lamp", "created_at": "2024-01-01"},
	{"id": int64(2), "name": "desk lamp", "created_at": "2024-02-01"},
	{"id": int64(3), "name": "chair", "created_at": "2024-03-01"},
}

const (
	fakeVersion       = "PostgreSQL 16.2 (Debian 16.2-1) on x86_64-pc-linux-gnu, compiled by gcc 12.2.0, 64-bit"
	fakeSQLiteVersion = "3.40.1"
	fakeMySQLVersion  = "8.0.35"
)

// fakeDialect selects the engine the fake imitates.
type fakeDialect int

const (
	fakePG fakeDialect = iota
	fakeSQLite
	fakeMySQL
)

// fakeSQLiteRate is how many rows a second the fake SQLite counts in a
// recursive query: its only way to spend time.
var fakeSQLiteRate = 3e6

// sqlErr is a database error as the Python driver formats it (str(e)).
type sqlErr struct{ msg string }

func (e *sqlErr) Error() string { return e.msg }

func syntaxErr(stmt string, near string) error { return syntaxErrIn(fakePG, stmt, near) }

func syntaxErrIn(d fakeDialect, stmt, near string) error {
	switch d {
	case fakeSQLite:
		return &sqlErr{fmt.Sprintf("near %q: syntax error", near)}
	case fakeMySQL:
		return &sqlErr{fmt.Sprintf(`(1064, "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '%s' at line 1")`, near)}
	}
	return &sqlErr{fmt.Sprintf("syntax error at or near %q\nLINE 1: %s\n        ^\n", near, stmt)}
}

func unterminated(d fakeDialect, stmt, rest string) error {
	switch d {
	case fakeSQLite:
		return &sqlErr{fmt.Sprintf("unrecognized token: %q", rest)}
	case fakeMySQL:
		return syntaxErrIn(d, stmt, rest)
	}
	return &sqlErr{fmt.Sprintf("unterminated quoted string at or near %q\nLINE 1: %s\n        ^\n", rest, stmt)}
}

func noColumn(d fakeDialect, stmt, col string) error {
	switch d {
	case fakeSQLite:
		return &sqlErr{"no such column: " + col}
	case fakeMySQL:
		return &sqlErr{fmt.Sprintf(`(1054, "Unknown column '%s' in 'where clause'")`, col)}
	}
	return &sqlErr{fmt.Sprintf("column %q does not exist\nLINE 1: %s\n", col, stmt)}
}

func noFunction(d fakeDialect, name string) error {
	switch d {
	case fakeSQLite:
		return &sqlErr{"no such function: " + name}
	case fakeMySQL:
		return &sqlErr{fmt.Sprintf("(1305, 'FUNCTION shop.%s does not exist')", name)}
	}
	return &sqlErr{fmt.Sprintf("function %s() does not exist\n", name)}
}

type tok struct {
	kind string // num str ident qident op eof
	s    string
}

func lex(stmt string) ([]tok, error) { return lexIn(fakePG, stmt) }

func lexIn(d fakeDialect, stmt string) ([]tok, error) {
	var out []tok
	rs := []rune(stmt)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '/' && i+1 < len(rs) && rs[i+1] == '*':
			end := strings.Index(string(rs[i+2:]), "*/")
			if end < 0 {
				if d == fakePG {
					return nil, &sqlErr{"unterminated /* comment at or near \"/*\"\nLINE 1: " + stmt + "\n"}
				}
				return nil, unterminated(d, stmt, string(rs[i:]))
			}
			i += 2 + len([]rune(string(rs[i+2:])[:end])) + 2
		case r == '-' && i+1 < len(rs) && rs[i+1] == '-':
			i = len(rs)
		case r == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(rs) {
					return nil, unterminated(d, stmt, string(rs[i:]))
				}
				if rs[j] == '\'' {
					if j+1 < len(rs) && rs[j+1] == '\'' {
						b.WriteRune('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteRune(rs[j])
				j++
			}
			out = append(out, tok{"str", b.String()})
			i = j + 1
		case r == '"' && d == fakeMySQL:
			// A string in MySQL, an identifier elsewhere.
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j >= len(rs) {
				return nil, unterminated(d, stmt, string(rs[i:]))
			}
			out = append(out, tok{"str", string(rs[i+1 : j])})
			i = j + 1
		case r == '"' || r == '`' && d == fakeMySQL:
			j := i + 1
			for j < len(rs) && rs[j] != r {
				j++
			}
			if j >= len(rs) {
				if d == fakePG {
					return nil, &sqlErr{fmt.Sprintf("unterminated quoted identifier at or near %q\nLINE 1: %s\n        ^\n", string(rs[i:]), stmt)}
				}
				return nil, unterminated(d, stmt, string(rs[i:]))
			}
			if j == i+1 {
				return nil, &sqlErr{fmt.Sprintf("zero-length delimited identifier at or near \"\"\"\"\nLINE 1: %s\n", stmt)}
			}
			out = append(out, tok{"qident", string(rs[i+1 : j])})
			i = j + 1
		case d == fakeMySQL && r == '0' && i+1 < len(rs) && rs[i+1] == 'x':
			j := i + 2
			for j < len(rs) && strings.ContainsRune("0123456789abcdefABCDEF", rs[j]) {
				j++
			}
			b, err := hex.DecodeString(string(rs[i+2 : j]))
			if err != nil {
				return nil, syntaxErrIn(d, stmt, string(rs[i:j]))
			}
			out = append(out, tok{"str", string(b)})
			i = j
		case unicode.IsDigit(r):
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			out = append(out, tok{"num", string(rs[i:j])})
			i = j
		case unicode.IsLetter(r) || r == '_':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_') {
				j++
			}
			out = append(out, tok{"ident", strings.ToLower(string(rs[i:j]))})
			i = j
		case r == '|' && i+1 < len(rs) && rs[i+1] == '|':
			out = append(out, tok{"op", "||"})
			i += 2
		case strings.ContainsRune("=+-*(),%", r):
			out = append(out, tok{"op", string(r)})
			i++
		default:
			return nil, syntaxErrIn(d, stmt, string(r))
		}
	}
	return append(out, tok{kind: "eof"}), nil
}

// stmtEval evaluates one statement's expressions. Scalar subqueries are
// evaluated once per statement (PostgreSQL's initplans, SQLite's OP_Once,
// MySQL's materialised derived tables), plain function calls once per row.
type stmtEval struct {
	dial  fakeDialect
	stmt  string
	toks  []tok
	pos   int
	row   row
	cache map[int]any
	sleep func(time.Duration)
	// skip > 0 parses without running: SQLite and MySQL do not evaluate
	// the right side of an AND whose left is false (names are still
	// resolved: an unknown function fails anyway).
	skip int
}

func (e *stmtEval) peek() tok { return e.toks[e.pos] }
func (e *stmtEval) next() tok { t := e.toks[e.pos]; e.pos++; return t }
func (e *stmtEval) isKw(s string) bool {
	t := e.peek()
	return t.kind == "ident" && t.s == s
}
func (e *stmtEval) isOp(s string) bool {
	t := e.peek()
	return t.kind == "op" && t.s == s
}
func (e *stmtEval) expectOp(s string) error {
	if !e.isOp(s) {
		return e.syntax(e.peek().s)
	}
	e.pos++
	return nil
}
func (e *stmtEval) expectKw(s string) error {
	if !e.isKw(s) {
		return e.syntax(e.peek().s)
	}
	e.pos++
	return nil
}
func (e *stmtEval) syntax(near string) error { return syntaxErrIn(e.dial, e.stmt, near) }

// truth is a value as a condition: PostgreSQL wants a boolean, SQLite and
// MySQL take any number (a string counts as the number it starts with).
func (e *stmtEval) truth(v any) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	if e.dial == fakePG {
		return false, &sqlErr{"argument of AND must be type boolean, not type text\nLINE 1: " + e.stmt + "\n"}
	}
	return e.number(v) != 0, nil
}

// number is SQLite's and MySQL's numeric reading of a value.
func (e *stmtEval) number(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case bool:
		if x {
			return 1
		}
		return 0
	case string:
		j := 0
		for j < len(x) && (x[j] >= '0' && x[j] <= '9' || x[j] == '.' || j == 0 && x[j] == '-') {
			j++
		}
		f, _ := strconv.ParseFloat(x[:j], 64)
		return f
	}
	return 0
}

func (e *stmtEval) expr() (any, error) {
	l, err := e.cmp()
	if err != nil {
		return nil, err
	}
	// MySQL's || is a logical OR, and binds like one.
	for e.isKw("and") || e.dial == fakeMySQL && e.isOp("||") {
		or := e.next().s == "||"
		lb, err := e.truth(l)
		if err != nil {
			return nil, err
		}
		lazy := e.dial != fakePG && !or && !lb
		if lazy {
			e.skip++
		}
		r, err := e.cmp()
		if lazy {
			e.skip--
		}
		if err != nil {
			return nil, err
		}
		rb, err := e.truth(r)
		if err != nil {
			return nil, err
		}
		if or {
			l = lb || rb
		} else {
			l = lb && rb
		}
	}
	return l, nil
}

func (e *stmtEval) cmp() (any, error) {
	l, err := e.concat()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case e.isOp("="):
			e.pos++
			r, err := e.concat()
			if err != nil {
				return nil, err
			}
			l = e.equal(l, r)
			if e.dial == fakePG {
				return l, nil // no chains of comparisons
			}
		case e.isKw("like") || e.isKw("ilike"):
			fold := e.next().s == "ilike" || e.dial != fakePG
			r, err := e.concat()
			if err != nil {
				return nil, err
			}
			l = like(fmt.Sprint(l), fmt.Sprint(r), fold)
			if e.dial == fakePG {
				return l, nil
			}
			// SQLite and MySQL give LIKE and = one precedence, left to right.
		default:
			return l, nil
		}
	}
}

func (e *stmtEval) equal(l, r any) bool {
	_, lb := l.(bool)
	_, rb := r.(bool)
	_, lf := l.(float64)
	_, rf := r.(float64)
	if e.dial == fakeMySQL && (lb || rb || lf || rf) {
		return e.number(l) == e.number(r)
	}
	return str(l) == str(r)
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func (e *stmtEval) concat() (any, error) {
	l, err := e.add()
	if err != nil {
		return nil, err
	}
	for e.dial != fakeMySQL && e.isOp("||") {
		e.pos++
		r, err := e.add()
		if err != nil {
			return nil, err
		}
		l = str(l) + str(r)
	}
	return l, nil
}

func (e *stmtEval) add() (any, error) {
	l, err := e.unary()
	if err != nil {
		return nil, err
	}
	for e.isOp("+") || e.isOp("-") || e.isOp("*") || e.isOp("%") {
		op := e.next().s
		r, err := e.unary()
		if err != nil {
			return nil, err
		}
		a, ok1 := l.(float64)
		b, ok2 := r.(float64)
		if e.dial != fakePG {
			a, b, ok1, ok2 = e.number(l), e.number(r), true, true
		}
		if !ok1 || !ok2 {
			return nil, &sqlErr{fmt.Sprintf("operator is not unique: unknown %s unknown\nLINE 1: %s\n", op, e.stmt)}
		}
		switch op {
		case "+":
			l = a + b
		case "-":
			l = a - b
		case "*":
			l = a * b
		default:
			return nil, &sqlErr{"operator does not exist: numeric % numeric\nLINE 1: " + e.stmt + "\n"}
		}
	}
	return l, nil
}

func (e *stmtEval) unary() (any, error) {
	t := e.next()
	switch t.kind {
	case "num":
		f, err := strconv.ParseFloat(t.s, 64)
		if err != nil {
			return nil, e.syntax(t.s)
		}
		return f, nil
	case "str":
		s := t.s
		// MySQL concatenates adjacent string literals.
		for e.dial == fakeMySQL && e.peek().kind == "str" {
			s += e.next().s
		}
		return s, nil
	case "op":
		if t.s != "(" {
			return nil, e.syntax(t.s)
		}
		if e.isKw("select") || e.isKw("with") {
			return e.subquery()
		}
		v, err := e.expr()
		if err != nil {
			return nil, err
		}
		return v, e.expectOp(")")
	case "ident", "qident":
		if t.kind == "ident" && e.isOp("(") {
			return e.call(t.s)
		}
		if t.kind == "ident" && t.s == "cast" {
			return nil, e.syntax(t.s)
		}
		if e.row == nil {
			return nil, noColumn(e.dial, e.stmt, t.s)
		}
		v, ok := e.row[t.s]
		if !ok {
			if t.kind == "qident" && e.dial == fakeSQLite {
				return t.s, nil // SQLite reads an unknown "name" as a string
			}
			return nil, noColumn(e.dial, e.stmt, t.s)
		}
		if n, ok := v.(int64); ok {
			return float64(n), nil
		}
		return v, nil
	}
	return nil, e.syntax(t.s)
}

// subquery evaluates `(SELECT expr)`, MySQL's `(SELECT expr FROM
// (SELECT expr) alias)` and SQLite's recursive counter `(WITH RECURSIVE
// c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT n) SELECT count(*)
// FROM c)` once per statement; the opening parenthesis is read.
func (e *stmtEval) subquery() (any, error) {
	at := e.pos
	if v, ok := e.cache[at]; ok {
		return v, e.skipParen()
	}
	var v any
	var err error
	if e.isKw("with") {
		v, err = e.counter()
	} else {
		e.pos++ // select
		row := e.row
		e.row = nil // uncorrelated: no columns
		v, err = e.expr()
		if err == nil && e.isKw("from") {
			e.pos++
			if err = e.expectOp("("); err == nil {
				if !e.isKw("select") {
					err = e.syntax(e.peek().s)
				} else if _, err = e.subquery(); err == nil && e.peek().kind == "ident" {
					e.pos++ // the derived table's alias
				} else if err == nil {
					err = e.syntax(e.peek().s)
				}
			}
		}
		e.row = row
		if err == nil {
			err = e.expectOp(")")
		}
	}
	if err != nil {
		return nil, err
	}
	e.cache[at] = v
	return v, nil
}

// counter reads SQLite's recursive row counter and spends the time SQLite
// would: n rows at fakeSQLiteRate.
func (e *stmtEval) counter() (any, error) {
	if e.dial != fakeSQLite {
		return nil, e.syntax("with")
	}
	steps := []string{"with", "recursive", "c", "(", "x", ")", "as", "(", "select", "1", "union", "all", "select", "x", "+", "1",
		"from", "c", "limit", "#", ")", "select", "count", "(", "*", ")", "from", "c", ")"}
	n := 0.0
	for _, s := range steps {
		t := e.next()
		switch {
		case s == "#" && t.kind == "num":
			n, _ = strconv.ParseFloat(t.s, 64)
		case t.s != s:
			return nil, e.syntax(t.s)
		}
	}
	if e.sleep != nil && n > 0 && e.skip == 0 {
		e.sleep(time.Duration(n / fakeSQLiteRate * float64(time.Second)))
	}
	return n, nil
}

func (e *stmtEval) skipParen() error {
	depth := 1
	for depth > 0 {
		t := e.next()
		switch {
		case t.kind == "eof":
			return e.syntax("EOF")
		case t.kind == "op" && t.s == "(":
			depth++
		case t.kind == "op" && t.s == ")":
			depth--
		}
	}
	return nil
}

func (e *stmtEval) call(name string) (any, error) {
	e.pos++ // (
	if name == "cast" {
		v, err := e.expr()
		if err != nil {
			return nil, err
		}
		if err := e.expectKw("as"); err != nil {
			return nil, err
		}
		typ := e.next().s
		if err := e.expectOp(")"); err != nil {
			return nil, err
		}
		switch typ {
		case "int", "integer", "signed":
			s := str(v)
			if _, err := strconv.Atoi(s); err != nil {
				if e.dial != fakePG {
					return e.number(v), nil // SQLite and MySQL read the leading digits
				}
				return nil, &sqlErr{fmt.Sprintf("invalid input syntax for type integer: %q\n", s)}
			}
			f, _ := strconv.ParseFloat(s, 64)
			return f, nil
		case "text":
			return str(v), nil
		}
		return nil, &sqlErr{fmt.Sprintf("type %q does not exist\n", typ)}
	}
	var args []any
	for !e.isOp(")") {
		if e.peek().kind == "eof" {
			return nil, e.syntax("EOF")
		}
		v, err := e.expr()
		if err != nil {
			return nil, err
		}
		args = append(args, v)
		if e.isOp(",") {
			e.pos++
		}
	}
	e.pos++
	argc := func(n int) error {
		if len(args) != n {
			if e.dial == fakeSQLite {
				return &sqlErr{fmt.Sprintf("wrong number of arguments to function %s()", name)}
			}
			return noFunction(e.dial, name)
		}
		return nil
	}
	known := map[fakeDialect]map[string]bool{
		fakePG:     {"version": true, "length": true, "pg_sleep": true, "lower": true, "abs": true, "substr": true, "current_database": true},
		fakeSQLite: {"sqlite_version": true, "length": true, "lower": true, "abs": true, "substr": true, "json_extract": true},
		fakeMySQL:  {"version": true, "length": true, "lower": true, "abs": true, "sleep": true, "concat": true, "extractvalue": true, "database": true},
	}
	if !known[e.dial][name] {
		return nil, noFunction(e.dial, name)
	}
	if e.skip > 0 {
		return nil, nil
	}
	switch name {
	case "version":
		if e.dial == fakeMySQL {
			return fakeMySQLVersion, nil
		}
		return fakeVersion, nil
	case "sqlite_version":
		return fakeSQLiteVersion, nil
	case "current_database", "database":
		return "shop", nil
	case "length":
		if err := argc(1); err != nil {
			return nil, err
		}
		return float64(len(str(args[0]))), nil
	case "lower":
		if err := argc(1); err != nil {
			return nil, err
		}
		return strings.ToLower(str(args[0])), nil
	case "abs":
		if err := argc(1); err != nil {
			return nil, err
		}
		n := e.number(args[0])
		if n < 0 {
			n = -n
		}
		return n, nil
	case "substr":
		if err := argc(3); err != nil {
			return nil, err
		}
		s := str(args[0])
		from, n := int(e.number(args[1]))-1, int(e.number(args[2]))
		if from < 0 || from > len(s) {
			return "", nil
		}
		return s[from:min(len(s), from+max(n, 0))], nil
	case "json_extract":
		if err := argc(2); err != nil {
			return nil, err
		}
		if p := str(args[1]); !strings.HasPrefix(p, "$") {
			return nil, &sqlErr{fmt.Sprintf("JSON path error near '%s'", p)}
		}
		return nil, nil
	case "concat":
		var b strings.Builder
		for _, a := range args {
			b.WriteString(str(a))
		}
		return b.String(), nil
	case "extractvalue":
		if err := argc(2); err != nil {
			return nil, err
		}
		return nil, &sqlErr{fmt.Sprintf(`(1105, "XPATH syntax error: '%s'")`, str(args[1]))}
	case "pg_sleep", "sleep":
		if err := argc(1); err != nil {
			return nil, err
		}
		d := e.number(args[0])
		if e.sleep != nil {
			e.sleep(time.Duration(d * float64(time.Second)))
		}
		if e.dial == fakeMySQL {
			return 0.0, nil
		}
		return nil, nil // void
	}
	return nil, noFunction(e.dial, name)
}

func like(s, pattern string, fold bool) bool {
	if fold {
		s, pattern = strings.ToLower(s), strings.ToLower(pattern)
	}
	// % only, which is all the tests use.
	parts := strings.Split(pattern, "%")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

// where runs `SELECT * FROM items WHERE <cond>` (cond is SQL text) on the
// PostgreSQL fake and returns the matching rows, or the database's error.
func where(cond string, sleep func(time.Duration)) ([]row, error) {
	return whereIn(fakePG, cond, sleep)
}

// whereIn is where on one dialect's fake.
func whereIn(d fakeDialect, cond string, sleep func(time.Duration)) ([]row, error) {
	stmt := "SELECT * FROM items WHERE " + cond
	toks, err := lexIn(d, cond)
	if err != nil {
		return nil, err
	}
	e := &stmtEval{dial: d, stmt: stmt, toks: toks, cache: map[int]any{}, sleep: sleep}
	var out []row
	for _, r := range fakeRows {
		e.pos, e.row = 0, r
		v, err := e.expr()
		if err != nil {
			return nil, err
		}
		if e.peek().kind != "eof" {
			return nil, e.syntax(e.peek().s)
		}
		b, ok := v.(bool)
		if !ok && d == fakePG {
			return nil, &sqlErr{"argument of WHERE must be type boolean, not type text\nLINE 1: " + stmt + "\n"}
		}
		if !ok {
			b = e.number(v) != 0
		}
		if b {
			out = append(out, r)
		}
	}
	return out, nil
}

// valueIn evaluates a value written into a statement (`INSERT … VALUES
// (<expr>)`, `UPDATE … SET col = <expr>`) once, as a write does.
func valueIn(d fakeDialect, expr string, sleep func(time.Duration)) (any, error) {
	stmt := "UPDATE items SET note = " + expr + " WHERE id = 1"
	toks, err := lexIn(d, expr)
	if err != nil {
		return nil, err
	}
	e := &stmtEval{dial: d, stmt: stmt, toks: toks, cache: map[int]any{}, sleep: sleep, row: fakeRows[0]}
	v, err := e.expr()
	if err != nil {
		return nil, err
	}
	if e.peek().kind != "eof" {
		return nil, e.syntax(e.peek().s)
	}
	if _, isBool := v.(bool); isBool && d == fakeMySQL {
		// Strict mode refuses to store a comparison's result into text.
		return nil, &sqlErr{fmt.Sprintf(`(1292, "Truncated incorrect DECIMAL value: '%s'")`, str(fakeRows[0]["name"]))}
	}
	return v, nil
}

// orderBy runs `SELECT * FROM items ORDER BY <spec>`: a column, quoted or
// not, optionally followed by ASC or DESC.
func orderBy(spec string) ([]row, error) {
	stmt := "SELECT * FROM items ORDER BY " + spec
	toks, err := lex(spec)
	if err != nil {
		return nil, err
	}
	if len(toks) < 2 || (toks[0].kind != "ident" && toks[0].kind != "qident") {
		return nil, syntaxErr(stmt, toks[0].s)
	}
	col := toks[0].s
	desc := false
	rest := toks[1:]
	if rest[0].kind == "ident" && (rest[0].s == "asc" || rest[0].s == "desc") {
		desc = rest[0].s == "desc"
		rest = rest[1:]
	}
	if rest[0].kind != "eof" {
		return nil, syntaxErr(stmt, rest[0].s)
	}
	if _, ok := fakeRows[0][col]; !ok {
		return nil, &sqlErr{fmt.Sprintf("column %q does not exist\nLINE 1: %s\n", col, stmt)}
	}
	out := append([]row(nil), fakeRows...)
	for i := 0; i < len(out); i++ {
		for j := i + 1; j < len(out); j++ {
			a, b := fmt.Sprint(out[i][col]), fmt.Sprint(out[j][col])
			if (desc && a < b) || (!desc && a > b) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out, nil
}

// evalScalar evaluates one SQL expression (the right-hand side of a SET).
func evalScalar(expr string) (any, error) {
	stmt := "UPDATE things SET name = " + expr + " WHERE id = $1"
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	e := &stmtEval{stmt: stmt, toks: toks, cache: map[int]any{}, sleep: func(time.Duration) {}, row: fakeRows[0]}
	v, err := e.expr()
	if err != nil {
		return nil, err
	}
	if e.peek().kind != "eof" {
		return nil, syntaxErr(stmt, e.peek().s)
	}
	return v, nil
}
