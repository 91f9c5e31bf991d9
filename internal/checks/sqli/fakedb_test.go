package sqli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// fakeDB is a tiny SQL evaluator for tests: enough of PostgreSQL's
// expression syntax (literals, ||, AND, =, LIKE/ILIKE, + - *, CAST, scalar
// subqueries, version(), length(), pg_sleep()) that the checks' probes
// behave as they would on a real database, with PostgreSQL's error texts.
// It lets the tests build vulnerable and safe endpoints from query
// templates instead of matching payloads.

type row map[string]any

var fakeRows = []row{
	{"id": int64(1), "name": "lamp", "created_at": "2024-01-01"},
	{"id": int64(2), "name": "desk lamp", "created_at": "2024-02-01"},
	{"id": int64(3), "name": "chair", "created_at": "2024-03-01"},
}

const fakeVersion = "PostgreSQL 16.2 (Debian 16.2-1) on x86_64-pc-linux-gnu, compiled by gcc 12.2.0, 64-bit"

// sqlErr is a database error as psycopg2 formats it (str(e)).
type sqlErr struct{ msg string }

func (e *sqlErr) Error() string { return e.msg }

func syntaxErr(stmt string, near string) error {
	return &sqlErr{fmt.Sprintf("syntax error at or near %q\nLINE 1: %s\n        ^\n", near, stmt)}
}

type tok struct {
	kind string // num str ident qident op eof
	s    string
}

func lex(stmt string) ([]tok, error) {
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
				return nil, &sqlErr{"unterminated /* comment at or near \"/*\"\nLINE 1: " + stmt + "\n"}
			}
			i += 2 + len([]rune(string(rs[i+2:])[:end])) + 2
		case r == '-' && i+1 < len(rs) && rs[i+1] == '-':
			i = len(rs)
		case r == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(rs) {
					return nil, &sqlErr{fmt.Sprintf("unterminated quoted string at or near %q\nLINE 1: %s\n        ^\n", string(rs[i:]), stmt)}
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
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j >= len(rs) {
				return nil, &sqlErr{fmt.Sprintf("unterminated quoted identifier at or near %q\nLINE 1: %s\n        ^\n", string(rs[i:]), stmt)}
			}
			if j == i+1 {
				return nil, &sqlErr{fmt.Sprintf("zero-length delimited identifier at or near \"\"\"\"\nLINE 1: %s\n", stmt)}
			}
			out = append(out, tok{"qident", string(rs[i+1 : j])})
			i = j + 1
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
			return nil, syntaxErr(stmt, string(r))
		}
	}
	return append(out, tok{kind: "eof"}), nil
}

// stmtEval evaluates one statement's expressions. Scalar subqueries are
// evaluated once per statement (PostgreSQL's initplans), plain function
// calls once per row.
type stmtEval struct {
	stmt  string
	toks  []tok
	pos   int
	row   row
	cache map[int]any
	sleep func(time.Duration)
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
		return syntaxErr(e.stmt, e.peek().s)
	}
	e.pos++
	return nil
}

func (e *stmtEval) expr() (any, error) {
	l, err := e.cmp()
	if err != nil {
		return nil, err
	}
	for e.isKw("and") {
		e.pos++
		r, err := e.cmp()
		if err != nil {
			return nil, err
		}
		lb, ok1 := l.(bool)
		rb, ok2 := r.(bool)
		if !ok1 || !ok2 {
			return nil, &sqlErr{"argument of AND must be type boolean, not type text\nLINE 1: " + e.stmt + "\n"}
		}
		l = lb && rb
	}
	return l, nil
}

func (e *stmtEval) cmp() (any, error) {
	l, err := e.concat()
	if err != nil {
		return nil, err
	}
	switch {
	case e.isOp("="):
		e.pos++
		r, err := e.concat()
		if err != nil {
			return nil, err
		}
		return fmt.Sprint(l) == fmt.Sprint(r), nil
	case e.isKw("like") || e.isKw("ilike"):
		fold := e.next().s == "ilike"
		r, err := e.concat()
		if err != nil {
			return nil, err
		}
		return like(fmt.Sprint(l), fmt.Sprint(r), fold), nil
	}
	return l, nil
}

func (e *stmtEval) concat() (any, error) {
	l, err := e.add()
	if err != nil {
		return nil, err
	}
	for e.isOp("||") {
		e.pos++
		r, err := e.add()
		if err != nil {
			return nil, err
		}
		l = fmt.Sprint(l) + fmt.Sprint(r)
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
			return nil, syntaxErr(e.stmt, t.s)
		}
		return f, nil
	case "str":
		return t.s, nil
	case "op":
		if t.s != "(" {
			return nil, syntaxErr(e.stmt, t.s)
		}
		if e.isKw("select") {
			at := e.pos
			e.pos++
			if v, ok := e.cache[at]; ok {
				if err := e.skipParen(); err != nil {
					return nil, err
				}
				return v, nil
			}
			row := e.row
			e.row = nil // uncorrelated: no columns
			v, err := e.expr()
			e.row = row
			if err != nil {
				return nil, err
			}
			e.cache[at] = v
			return v, e.expectOp(")")
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
			return nil, syntaxErr(e.stmt, t.s)
		}
		if e.row == nil {
			return nil, &sqlErr{fmt.Sprintf("column %q does not exist\nLINE 1: %s\n", t.s, e.stmt)}
		}
		v, ok := e.row[t.s]
		if !ok {
			return nil, &sqlErr{fmt.Sprintf("column %q does not exist\nLINE 1: %s\n", t.s, e.stmt)}
		}
		if n, ok := v.(int64); ok {
			return float64(n), nil
		}
		return v, nil
	}
	return nil, syntaxErr(e.stmt, t.s)
}

func (e *stmtEval) skipParen() error {
	depth := 1
	for depth > 0 {
		t := e.next()
		switch {
		case t.kind == "eof":
			return syntaxErr(e.stmt, "EOF")
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
		if !e.isKw("as") {
			return nil, syntaxErr(e.stmt, e.peek().s)
		}
		e.pos++
		typ := e.next().s
		if err := e.expectOp(")"); err != nil {
			return nil, err
		}
		switch typ {
		case "int", "integer":
			s := fmt.Sprint(v)
			if _, err := strconv.Atoi(s); err != nil {
				return nil, &sqlErr{fmt.Sprintf("invalid input syntax for type integer: %q\n", s)}
			}
			f, _ := strconv.ParseFloat(s, 64)
			return f, nil
		case "text":
			if v == nil {
				return "", nil // void
			}
			return fmt.Sprint(v), nil
		}
		return nil, &sqlErr{fmt.Sprintf("type %q does not exist\n", typ)}
	}
	var args []any
	for !e.isOp(")") {
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
	switch name {
	case "version":
		return fakeVersion, nil
	case "length":
		if len(args) != 1 {
			return nil, &sqlErr{"function length() does not exist\n"}
		}
		return float64(len(fmt.Sprint(args[0]))), nil
	case "pg_sleep":
		if len(args) != 1 {
			return nil, &sqlErr{"function pg_sleep() does not exist\n"}
		}
		d, _ := args[0].(float64)
		e.sleep(time.Duration(d * float64(time.Second)))
		return nil, nil // void
	}
	return nil, &sqlErr{fmt.Sprintf("function %s() does not exist\n", name)}
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

// where runs `SELECT * FROM items WHERE <cond>` (cond is SQL text) and
// returns the matching rows, or the database's error.
func where(cond string, sleep func(time.Duration)) ([]row, error) {
	stmt := "SELECT * FROM items WHERE " + cond
	toks, err := lex(cond)
	if err != nil {
		return nil, err
	}
	e := &stmtEval{stmt: stmt, toks: toks, cache: map[int]any{}, sleep: sleep}
	var out []row
	for _, r := range fakeRows {
		e.pos, e.row = 0, r
		v, err := e.expr()
		if err != nil {
			return nil, err
		}
		if e.peek().kind != "eof" {
			return nil, syntaxErr(stmt, e.peek().s)
		}
		if b, ok := v.(bool); !ok {
			return nil, &sqlErr{"argument of WHERE must be type boolean, not type text\nLINE 1: " + stmt + "\n"}
		} else if b {
			out = append(out, r)
		}
	}
	return out, nil
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
