package codescan

import (
	"fmt"

	"github.com/rampart-sec/rampart"
)

// SQL injection: request data (or run-time strings) formatted into the
// text of a statement, as a value or as an identifier.

// Statements no route was found to reach are checked too (sinks.go), at a
// lower confidence, once the traced ones are known.
var sqliFamily = family{name: "sqli", rules: []*Rule{SQLiValue, SQLiBuilt, SQLiIdent}, perAnalysis: func(f *fileState, a *analysis) {
	f.checkSQL(a)
	f.checkSinks(a)
}}

var (
	SQLiValue = rule("PY-SQLI-001", rampart.FamilySQLi, rampart.Critical, rampart.Firm, "CWE-89", "API8:2023", "P1",
		"SQL built from request data",
		"request data is formatted into SQL text that reaches execute(), text() or exec_driver_sql()",
		"A value from request.args, .form, .json, .get_json(), .values, .headers, .cookies or a route parameter "+
			"flows (through assignments, string building and same-module helpers) into the text of a statement: an "+
			"f-string, `%` formatting, `+` concatenation, `.format()` or `.join()` reaching cursor.execute(), "+
			"executemany(), SQLAlchemy text() or exec_driver_sql(), in a value position of the SQL. A statement built "+
			"from a function's own parameters that no route was found to reach is reported too, Tentative and one "+
			"severity lower, with \"no request path found\"; a route's request data reaching it raises it.",
		"Pass values as parameters: `cur.execute(\"SELECT … WHERE name = %s\", (name,))` with psycopg2, "+
			"`text(\"… WHERE name = :name\")` with a parameter dict in SQLAlchemy. Never format request data into SQL.")

	SQLiBuilt = rule("PY-SQLI-002", rampart.FamilySQLi, rampart.Low, rampart.Tentative, "CWE-89", "API8:2023", "P1",
		"SQL built from strings",
		"SQL text is built with formatting or concatenation, though no request data was traced into it",
		"A statement's text is built at run time from non-constant parts that the analysis could not trace to "+
			"the request (function results, configuration read at run time, what another service answered for a "+
			"numeric request value). It is one refactoring away from an injection and defeats the driver's "+
			"parameter handling.",
		"Use placeholders for values and psycopg2.sql.Identifier (or an allowlist) for identifiers.")

	SQLiIdent = rule("PY-SQLI-003", rampart.FamilySQLiIdentifier, rampart.High, rampart.Firm, "CWE-89", "API8:2023", "P2",
		"SQL identifier taken from the request",
		"a table, column or sort order from the request is formatted into SQL",
		"Request data lands where SQL expects an identifier: after FROM, JOIN, INTO, UPDATE, ORDER BY or GROUP BY, "+
			"in a SET or column list, or as a sort direction; or getattr(Model, request value) picks a column. "+
			"Placeholders cannot protect identifiers, so the caller controls the statement's structure.",
		"Map the request value through an allowlist (`SORTS = {\"created\": \"created_at\"}`; reject anything else "+
			"with 400), or quote it with `psycopg2.sql.SQL(\"… ORDER BY {}\").format(sql.Identifier(col))` after "+
			"checking it against the allowed columns.")
)

func (f *fileState) checkSQL(a *analysis) {
	for _, e := range a.events {
		if e.orm {
			continue
		}
		f.checkQuery(a, e)
	}
	for _, g := range a.getattrs {
		f.add(SQLiIdent, g, a, fmt.Sprintf("`%s` picks a model attribute (a column) named by the request", f.snippet(g))).conf = rampart.Tentative
	}
}

func (f *fileState) checkQuery(a *analysis, e *sqlEvent) {
	q := e.query
	// One statement may have thousands of holes: its text is shown once.
	var code string
	snip := func() string {
		if code == "" {
			code = f.snippet(e.node)
		}
		return code
	}
	// The whole query comes from the request.
	if q.str == nil && q.has(lReq) && q.has(lInj) && !q.cnst {
		f.add(SQLiValue, e.node, a, fmt.Sprintf("the request supplies the whole statement run by `%s`", snip()))
		return
	}
	idents := holeContexts(q.str)
	reportedBuilt := false
	for i, p := range q.str {
		if !p.hole || p.safeIdent || p.v.cnst {
			continue
		}
		// A stronger finding covers the statement; request data that is
		// not injectable (an int path parameter) makes none.
		if idents[i] && p.v.has(lReq|lKey) || !idents[i] && p.v.has(lReq) && p.v.has(lInj) {
			reportedBuilt = true
		}
	}
	for i, p := range q.str {
		if !p.hole {
			continue
		}
		v := p.v
		ident := idents[i]
		if p.safeIdent || v.cnst {
			continue
		}
		switch {
		case ident && v.has(lReq|lKey):
			c := f.add(SQLiIdent, e.node, a, fmt.Sprintf("%s is formatted into the SQL of `%s` as an identifier (table, column or sort order)", describe(*v), snip()))
			c.key = "ident"
		case !ident && v.has(lReq) && v.has(lInj):
			c := f.add(SQLiValue, e.node, a, fmt.Sprintf("%s is formatted into the SQL of `%s` instead of being passed as a parameter", describe(*v), snip()))
			c.key = "value"
		case v.p == 0 && !reportedBuilt && (!v.has(lReq|lKey) || fromService(v)) && q.built:
			reportedBuilt = true
			c := f.add(SQLiBuilt, e.node, a, fmt.Sprintf("the SQL of `%s` is built with string formatting", snip()))
			c.key = "built"
		}
	}
	// Values a helper formats into its own query.
	for _, x := range e.extra {
		if x.v.cnst {
			continue
		}
		switch {
		case x.ident && x.v.has(lReq|lKey):
			c := f.add(SQLiIdent, e.node, a, fmt.Sprintf("%s is passed to a helper that formats it into SQL as an identifier", describe(x.v)))
			x.file.relate(c, x.sink, "the statement that formats it")
			c.key = "ident"
		case !x.ident && x.v.has(lReq) && x.v.has(lInj):
			c := f.add(SQLiValue, e.node, a, fmt.Sprintf("%s is passed to a helper that formats it into SQL", describe(x.v)))
			x.file.relate(c, x.sink, "the statement that formats it")
			c.key = "value"
		}
	}
}

// describe names where a value comes from, for messages.
func describe(v val) string {
	switch {
	case v.routeParam() != "":
		return "route parameter `" + v.routeParam() + "`"
	case v.has(lKey) && !v.has(lInj):
		return "a key of the request body"
	case v.has(lKey):
		return "request data (its keys)"
	case v.has(lReq):
		return "request data"
	case v.has(lIdent):
		return "the caller's identity"
	}
	return "a value"
}

// fromService reports whether a value is what an unknown call made of
// request data that is not free text (an int path parameter handed to a
// delivery service, whose answer is formatted into SQL): no request text
// reaches the statement, but unchecked text of another origin does, so it
// counts as built from strings.
func fromService(v *val) bool {
	return v.has(lReq) && v.has(lOpaque) && !v.has(lInj|lKey)
}
