package codescan

import (
	"fmt"

	"github.com/rampart-sec/rampart"
)

// Error leaks: exception text that reaches the client.

var errorsFamily = family{name: "errors", rules: []*Rule{ErrorLeak}, perAnalysis: (*fileState).checkErrorLeak}

var ErrorLeak = rule("PY-ERR-001", rampart.FamilyErrorLeak, rampart.Medium, rampart.Firm, "CWE-209", "API8:2023", "P10",
	"Exception text returned to the client",
	"str(e) of a database or unexpected error goes into a response",
	"An except clause or errorhandler for psycopg2.Error, SQLAlchemyError or Exception puts str(e), repr(e), "+
		"e.args or traceback.format_exc() into jsonify(), a returned body or abort(). On CockroachDB and "+
		"PostgreSQL the text carries the SQL, table names and internal transaction keys.",
	"Log the exception (`app.logger.exception(...)`) and return a fixed message; register an errorhandler "+
		"that never echoes exception text.")

func (f *fileState) checkErrorLeak(a *analysis) {
	for _, r := range a.responses {
		if r.ret && a.route == nil && !a.handler {
			continue // a helper's return value is not a response
		}
		if r.v.has(lExc) {
			c := f.add(ErrorLeak, r.node, a, fmt.Sprintf("exception text reaches the client in `%s`", f.snippet(r.node)))
			c.key = "exc"
		}
	}
}
