package sqli

import (
	"fmt"

	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
)

// stackInfo is what a finding says about the database: the engine and
// version an error or the version() probe showed, else what the scan's
// fingerprint knows, and the driver and ORM the error texts name.
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

// The stack-specific how-to (psycopg2 placeholders, SQLAlchemy binds,
// CockroachDB privileges) comes from the remediation knowledge base, which
// the scan appends by family and fingerprint; the fingerprint learns the
// engine, driver and ORM from the very errors these checks provoke. A
// finding's own remediation says what to change for this occurrence.

// valueFix is the remediation of a value injection at one point; like says
// the value sits in a LIKE pattern.
func valueFix(pt *point, like bool) string {
	s := fmt.Sprintf("Send %s to the database as a bound parameter instead of formatting it into the SQL text "+
		"(no f-string, `%%`, `+` or `.format()` around `execute()` or `text()`).", pt.label())
	if like {
		s += " It is matched with LIKE/ILIKE: build the pattern in Python with its wildcards escaped " +
			"(`\\`, `%` and `_`) and bind the pattern."
	}
	return s
}

// identifierFix is the remediation of a name taken from the request.
func identifierFix(pt *point) string {
	return fmt.Sprintf("Do not put %s into the SQL text: map it through an allowlist of the column or table names "+
		"the operation supports and answer 400 for anything else; if the name must stay dynamic, quote only the "+
		"allowlisted name with the driver's identifier quoting (or pick an ORM column), never with string formatting.",
		pt.label())
}
