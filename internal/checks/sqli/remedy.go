package sqli

import (
	"strings"

	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
)

// The fix depends on how the application reaches the database, which the
// error texts and the scan's fingerprint tell: psycopg2 (or psycopg 3) with
// hand-written SQL, or SQLAlchemy. The engine decides the last word: on
// CockroachDB the same placeholders work, and its SQL users take the same
// GRANTs.

type stackInfo struct {
	engine, version, driver, orm string
}

// stackOf merges what one error said with what the whole scan has seen.
func stackOf(p *check.Pass, h *dberr.Hit) stackInfo {
	var s stackInfo
	if h != nil {
		s = stackInfo{engine: h.Engine, version: h.Version, driver: h.Driver, orm: h.ORM}
	}
	if p.Stack != nil {
		fp := p.Stack.Fingerprint()
		if s.engine == "" {
			s.engine = fp.Database
		}
		if s.version == "" && fp.Database == s.engine {
			s.version = fp.DatabaseVersion
		}
		if s.driver == "" {
			s.driver = fp.Driver
		}
		if s.orm == "" {
			s.orm = fp.ORM
		}
	}
	return s
}

// engineName is "CockroachDB 23.2.3", "PostgreSQL 15.18" or a neutral name.
func (s stackInfo) engineName() string {
	switch {
	case s.engine != "" && s.version != "":
		return s.engine + " " + s.version
	case s.engine != "":
		return s.engine
	}
	return "the database"
}

// valueFix is the remediation of a value injection for this stack; like
// says the value sits in a LIKE pattern.
func valueFix(s stackInfo, like bool) string {
	var b strings.Builder
	if s.orm == dberr.SQLAlchemy {
		b.WriteString("Pass the value as a bound parameter: SQLAlchemy `text()` with a named bind, " +
			"`db.session.execute(text(\"SELECT id, name FROM products WHERE shop_id = :shop AND name ILIKE :pattern\"), " +
			"{\"shop\": shop_id, \"pattern\": pattern})`, or the ORM (`select(Product).where(Product.name.ilike(pattern))`). " +
			"Never build the string with f-strings, `%` or `+`, not even inside `text()`.")
	} else {
		drv := "psycopg2"
		if s.driver == dberr.Psycopg {
			drv = "psycopg 3"
		}
		b.WriteString("Pass the value as a bound parameter with " + drv + ": keep `%s` placeholders in a constant SQL string " +
			"and the values in a tuple, `cur.execute(\"SELECT id, name FROM products WHERE shop_id = %s AND name ILIKE %s\", " +
			"(shop_id, pattern))`; never format the value into the SQL with f-strings, `%`, `+` or `.format()`.")
	}
	if like {
		b.WriteString(" For a LIKE/ILIKE search, build the pattern in Python and escape its wildcards: " +
			"`pattern = \"%\" + q.replace(\"\\\\\", \"\\\\\\\\\").replace(\"%\", \"\\\\%\").replace(\"_\", \"\\\\_\") + \"%\"`.")
	}
	b.WriteString(engineNote(s))
	return b.String()
}

// identifierFix is the remediation of an identifier taken from the request.
func identifierFix(s stackInfo) string {
	var b strings.Builder
	b.WriteString("Never put a table or column name from the request into SQL text. Map the request's value " +
		"through an allowlist of the names the endpoint supports, e.g. `SORTS = {\"price\": \"price\", " +
		"\"-price\": \"price DESC\"}` and answer 400 for anything else. ")
	if s.orm == dberr.SQLAlchemy {
		b.WriteString("With SQLAlchemy, map names to columns (`order_by(SORTS[name])` with " +
			"`SORTS = {\"price\": Product.price, \"-price\": Product.price.desc()}`) instead of `order_by(text(name))`.")
	} else {
		b.WriteString("When the name must be dynamic, check it against the allowlist and then quote it with " +
			"`psycopg2.sql`: `cur.execute(sql.SQL(\"SELECT count(*) FROM {} WHERE shop_id = %s\")" +
			".format(sql.Identifier(name)), (shop_id,))`.")
	}
	b.WriteString(engineNote(s))
	return b.String()
}

func engineNote(s stackInfo) string {
	switch s.engine {
	case dberr.CockroachDB:
		return " CockroachDB accepts the same placeholders over psycopg2/psycopg and SQLAlchemy " +
			"(sqlalchemy-cockroachdb). Run the application as a SQL user with only the GRANTs it needs " +
			"(`GRANT SELECT, INSERT, UPDATE ON TABLE products TO app`), not as `root`, so an injection cannot read " +
			"`system` tables or change the schema."
	case dberr.PostgreSQL:
		return " Run the application as a PostgreSQL role that owns nothing and has only the GRANTs it needs " +
			"(`GRANT SELECT, INSERT, UPDATE ON products TO app`), so an injection cannot read other tables, " +
			"call `pg_read_file` or change the schema."
	}
	return ""
}
