package sqli

import "fmt"

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

// brk closes the value's quoting: a parameterised query treats it as data,
// string-built SQL fails to parse (or, when the value appears twice, to
// type-check). It breaks numeric and quoted contexts alike.
func brk(v string) string { return v + "'" }

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
