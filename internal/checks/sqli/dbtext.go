package sqli

import (
	"github.com/rampart-sec/rampart/internal/dberr"
)

// dbError is what a body says about a database error, for an injection
// oracle: whether there is one, of which kind, from which engine.
type dbError struct {
	Hit dberr.Hit
	OK  bool
}

// findDBError returns the first database error in a body.
func findDBError(body []byte) dbError {
	h, ok := dberr.Find(body)
	return dbError{Hit: h, OK: ok}
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
