package sqli

import (
	"regexp"

	"github.com/rampart-sec/rampart/internal/dberr"
)

// dbError is what a body says about a database error, for an injection
// oracle: whether there is one, of which kind, from which engine.
type dbError struct {
	Hit dberr.Hit
	OK  bool
}

// extra recognises PostgreSQL and CockroachDB errors that a quote in a
// value produces and that internal/dberr does not list: when the value
// appears twice in a statement, a single quote pairs with the next
// occurrence's and the parser then fails on operators between string
// literals. They are taken only with the engine's position line (libpq's
// `LINE n:`, CockroachDB's `source SQL:`), so prose never matches.
var extra = []struct {
	re     *regexp.Regexp
	kind   dberr.Kind
	engine string
}{
	{regexp.MustCompile(`\boperator is not unique: [^\n]{1,80}\n?LINE \d+: `), dberr.TypeCast, dberr.PostgreSQL},
	{regexp.MustCompile(`\bargument of (?:AND|OR|WHERE|NOT|JOIN/ON|HAVING) must be type boolean, not type \w+\s*\n?LINE \d+: `), dberr.TypeCast, dberr.PostgreSQL},
	{regexp.MustCompile(`\bcould not determine data type of parameter \$\d+`), dberr.TypeCast, ""},
	{regexp.MustCompile(`\bambiguous (?:binary )?operator: <\w+> [^\n]{1,8} <\w+>`), dberr.TypeCast, dberr.CockroachDB},
}

// findDBError returns the first database error in a body. JSON-escaped
// bodies are matched too ("\n" as two characters), since dberr normalises
// them and the extra rules are written for its output.
func findDBError(body []byte) dbError {
	if h, ok := dberr.Find(body); ok {
		return dbError{Hit: h, OK: true}
	}
	s := unescapeJSONish(body)
	for _, e := range extra {
		if loc := e.re.FindStringIndex(s); loc != nil {
			end := min(loc[1]+80, len(s))
			return dbError{OK: true, Hit: dberr.Hit{Kind: e.kind, Engine: e.engine, PGCompatible: true, Snippet: s[loc[0]:end]}}
		}
	}
	return dbError{}
}

// unescapeJSONish turns the escapes a JSON string carries (\n, \", \t) into
// the characters, without parsing: good enough to read an error message a
// JSON body quotes.
func unescapeJSONish(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			switch b[i+1] {
			case 'n':
				out = append(out, '\n')
				i++
				continue
			case 't':
				out = append(out, '\t')
				i++
				continue
			case '"', '\\', '/':
				out = append(out, b[i+1])
				i++
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

// syntaxError reports whether a body carries a parse error.
func syntaxError(body []byte) (dberr.Hit, bool) {
	for _, h := range dberr.Match(body) {
		if h.Kind == dberr.Syntax {
			return h, true
		}
	}
	return dberr.Hit{}, false
}

// injectionKind reports whether an error kind is one a malformed value can
// cause (as opposed to a transaction left aborted or a retry error, which
// say nothing about this request's value).
func injectionKind(k dberr.Kind) bool {
	return !k.Transactional() && k != dberr.Unique
}
