package sqli

import (
	"strconv"

	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
)

// A dialect is the SQL of a family of engines, as far as the probes must
// differ. The broken quote and the boolean conditions read the same
// everywhere; what differs is how a string is continued without changing
// it (PostgreSQL and SQLite concatenate with ||, which MySQL reads as OR:
// there adjacent literals concatenate), which expression makes the engine
// print its version in an error, and how to make it wait (pg_sleep, MySQL's
// SLEEP; SQLite has no sleep function, so a recursive query counts rows,
// calibrated to the target's speed).
type dialect struct {
	name    string   // for messages: "PostgreSQL or CockroachDB"
	engines []string // the dberr engine names it covers, the family's base engine first
	// concat: || joins strings; otherwise only adjacent literals do.
	concat bool
	// work: the time probe asks for rows to count, not seconds to sleep,
	// so the time they take must be measured first (see calibrate).
	work bool
}

var (
	dialectPG     = &dialect{name: "PostgreSQL or CockroachDB", engines: []string{dberr.PostgreSQL, dberr.CockroachDB}, concat: true}
	dialectSQLite = &dialect{name: "SQLite", engines: []string{dberr.SQLite}, concat: true, work: true}
	dialectMySQL  = &dialect{name: "MySQL or MariaDB", engines: []string{dberr.MySQL, dberr.MariaDB}}
	// allDialects is the order tried when nothing names the engine:
	// Rampart's home first, then the ORMs' development default, then MySQL.
	allDialects = []*dialect{dialectPG, dialectSQLite, dialectMySQL}
)

// dialectOf returns the dialect of an engine name, nil when unknown.
func dialectOf(engine string) *dialect {
	for _, d := range allDialects {
		for _, e := range d.engines {
			if e == engine {
				return d
			}
		}
	}
	return nil
}

// candidates lists the dialects worth trying, most likely first: the one
// an error named, else the one the scan's fingerprint knows, else all.
func candidates(p *check.Pass, engine string) []*dialect {
	if d := dialectOf(engine); d != nil {
		return []*dialect{d}
	}
	if p.Stack != nil {
		if d := dialectOf(p.Stack.Database()); d != nil {
			return []*dialect{d}
		}
	}
	return allDialects
}

// timeCandidates is candidates for the delay probes, with MySQL before
// SQLite when nothing names the engine: MySQL 8 also runs SQLite's
// recursive counter, while SQLite has no SLEEP, so this order names each
// engine right.
func timeCandidates(p *check.Pass) []*dialect {
	ds := candidates(p, "")
	if len(ds) == len(allDialects) {
		return []*dialect{dialectPG, dialectMySQL, dialectSQLite}
	}
	return ds
}

// ownForm is the value written so that only the dialect's engines accept
// it, keeping its meaning: a function only they have (SQLite's
// sqlite_version(), PostgreSQL's and CockroachDB's current_database(),
// MySQL's database()), or, for a MySQL string, adjacent literals. Where
// errors are hidden, it tells apart engines that read the same repair
// alike.
func (d *dialect) ownForm(c sqlContext, v string) string {
	f := "current_database()"
	switch d {
	case dialectSQLite:
		f = "sqlite_version()"
	case dialectMySQL:
		if c != ctxNumeric {
			return d.repaired(c, v)
		}
		f = "database()"
	}
	if c == ctxNumeric {
		return v + "+0*length(" + f + ")"
	}
	return v + "'||substr(" + f + ",1,0)||'"
}

// repaired is the broken probe made valid again in the context, with the
// same meaning as the value: `v'||'` is 'v' concatenated with ” where ||
// concatenates, `v' '` is 'v' followed by the adjacent literal ” in MySQL,
// `v-0` is v in a numeric context. An application that puts the value in
// SQL answers it like the baseline; one that does not treats it like the
// broken probe.
func (d *dialect) repaired(c sqlContext, v string) string {
	switch {
	case c == ctxNumeric:
		return v + "-0"
	case d.concat:
		return v + "'||'"
	}
	return v + "' '"
}

// versionProbe is valid SQL whose evaluation fails with the engine's
// version in the message, which proves the database evaluated it:
//
//	PostgreSQL  CAST(version() AS INT): invalid input syntax for type integer: "PostgreSQL 16.2 …"
//	CockroachDB the same: could not parse "CockroachDB CCL v23.2.3 …" as type int
//	SQLite      json_extract('{}', sqlite_version()): JSON path error near '3.40.1'
//	MySQL       extractvalue(1, concat(0x7e, version())): XPATH syntax error: '~8.0.35'
//
// MySQL's form compares instead of concatenating (a comparison evaluates
// both sides, and || would be OR).
func (d *dialect) versionProbe(c sqlContext, v string) string {
	var expr string
	switch d {
	case dialectSQLite:
		expr = "json_extract('{}',sqlite_version())"
	case dialectMySQL:
		expr = "extractvalue(1,concat(0x7e,version()))"
	default:
		expr = "CAST(version() AS INT)"
	}
	switch {
	case c == ctxNumeric:
		return v + "+" + expr
	case d.concat:
		return v + "'||" + expr + "||'"
	}
	return v + "'=" + expr + "='"
}

// unknownFunction is a function name no engine has.
const unknownFunction = "rmpt_nofn"

// functionPair returns two values that differ only in a function's name:
// one every engine knows (abs, lower), one none does. Outside SQL they are
// the same kind of text; a database resolves the names before it runs the
// statement, so only it answers the second with an error. This is the
// second signal of an error-based pair whose error page shows no database
// text.
func (d *dialect) functionPair(c sqlContext, v string) (known, unknown string) {
	switch {
	case c == ctxNumeric:
		return v + "+abs(0)", v + "+" + unknownFunction + "(0)"
	case d.concat:
		return v + "'||lower('')||'", v + "'||" + unknownFunction + "('')||'"
	}
	return v + "'=lower('')='", v + "'=" + unknownFunction + "('')='"
}

// sleepProbe makes the database wait while it evaluates the value: for
// amount seconds (PostgreSQL, MySQL), or while it counts amount rows
// (SQLite). Every form is an uncorrelated subquery, which the engines
// evaluate once per statement rather than once per row, and leaves the
// value unchanged where the dialect allows (MySQL's comparison form does
// not, in an UPDATE's SET; in its default strict mode the statement then
// fails after the wait and writes nothing).
//
//	PostgreSQL  (SELECT CAST(pg_sleep(D) AS TEXT)): '' on PostgreSQL (void), 'true' on CockroachDB
//	MySQL       (SELECT 1 FROM (SELECT SLEEP(D))x): a derived table, materialised once
//	SQLite      (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT N) SELECT count(*) FROM c)
func (d *dialect) sleepProbe(c sqlContext, v string, amount float64) string {
	var s string
	switch d {
	case dialectSQLite:
		s = "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT " +
			strconv.FormatInt(int64(amount), 10) + ") SELECT count(*) FROM c)"
	case dialectMySQL:
		s = "(SELECT 1 FROM (SELECT SLEEP(" + strconv.FormatFloat(amount, 'f', -1, 64) + "))x)"
	default:
		s = "(SELECT CAST(pg_sleep(" + strconv.FormatFloat(amount, 'f', -1, 64) + ") AS TEXT))"
	}
	switch {
	case c == ctxNumeric && d == dialectPG:
		return v + "+0*length(" + s + ")"
	case c == ctxNumeric:
		return v + "+0*" + s
	case d == dialectSQLite:
		return v + "'||substr(" + s + ",1,0)||'"
	case d.concat:
		return v + "'||" + s + "||'"
	}
	return v + "'=" + s + "='"
}

// sleepName is how a finding names the delay.
func (d *dialect) sleepName() string {
	switch d {
	case dialectSQLite:
		return "a recursive query counting rows (SQLite has no sleep function)"
	case dialectMySQL:
		return "SLEEP()"
	}
	return "pg_sleep"
}

// identQuote spells a name as a quoted identifier: "name" in standard
// SQL (PostgreSQL, SQLite), `name` in MySQL, where "name" is a string.
func (d *dialect) identQuote(name string) string {
	if d == dialectMySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}
