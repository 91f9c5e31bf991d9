// Package advice is Rampart's remediation knowledge base: for a finding's
// family and the stack the scan detected, the fix in that stack's terms
// (psycopg2 versus sqlite3 versus PyMySQL, SQLAlchemy, CockroachDB versus
// PostgreSQL, SQLite or MySQL, Flask versus FastAPI), and language-neutral
// advice where the stack is unknown or not Python.
package advice

import (
	"embed"
	"slices"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
)

//go:embed kb/*.md
var kb embed.FS

var (
	once    sync.Once
	entries map[rampart.Family]map[string][]section // family → stack key → sections
)

// section is one "## key" part of a knowledge-base file. A heading
// "## key for CHECK-1, CHECK-2" limits it to findings of those checks:
// one family can hold flaws of different shapes (a transaction not
// retried, a connection shared between requests), and each finding gets
// the advice for its own.
type section struct {
	checks []string
	text   string
}

func (s section) fits(check string) bool {
	return check == "" || len(s.checks) == 0 || slices.Contains(s.checks, check)
}

func load() {
	entries = map[rampart.Family]map[string][]section{}
	files, _ := kb.ReadDir("kb")
	for _, f := range files {
		data, err := kb.ReadFile("kb/" + f.Name())
		if err != nil {
			continue
		}
		fam := rampart.Family(strings.TrimSuffix(f.Name(), ".md"))
		m := map[string][]section{}
		var cur *section
		var key string
		for _, line := range strings.Split(string(data), "\n") {
			if h, ok := strings.CutPrefix(line, "## "); ok {
				k, checks, _ := strings.Cut(h, " for ")
				key = strings.TrimSpace(k)
				sec := section{}
				for _, c := range strings.Split(checks, ",") {
					if c = strings.TrimSpace(c); c != "" {
						sec.checks = append(sec.checks, c)
					}
				}
				m[key] = append(m[key], sec)
				cur = &m[key][len(m[key])-1]
				continue
			}
			if cur != nil && strings.TrimSpace(line) != "" {
				cur.text = strings.TrimSpace(cur.text + " " + strings.TrimSpace(line))
			}
		}
		entries[fam] = m
	}
}

// Stack keys: the sections a knowledge-base file may have.
const (
	KeyCockroachDB = "cockroachdb"
	KeyPostgreSQL  = "postgresql"
	KeySQLite      = "sqlite"
	KeyMySQL       = "mysql" // MySQL and MariaDB
	KeyPsycopg2    = "psycopg2"
	KeySQLite3     = "sqlite3" // Python's sqlite3 module
	KeyPyMySQL     = "pymysql" // PyMySQL, mysqlclient, mysql-connector: the same %s parameters
	KeySQLAlchemy  = "sqlalchemy"
	KeyFlask       = "flask"
	KeyFastAPI     = "fastapi"
	// KeyGeneric is language-neutral advice: what a family's file says when
	// none of its code-level sections (driver, ORM, framework) applies.
	KeyGeneric = "generic"
)

// codeKeys says which keys name code (a driver, an ORM, a framework), as
// opposed to a database engine: without one of them, a family's advice
// falls back to its generic section.
var codeKeys = map[string]bool{
	KeyPsycopg2: true, KeySQLite3: true, KeyPyMySQL: true, KeySQLAlchemy: true, KeyFlask: true, KeyFastAPI: true,
}

// python reports whether the fingerprint allows Python advice: a Python
// language or framework, or a language nobody saw (Rampart's home stack).
func python(fp rampart.Fingerprint) bool {
	switch fp.Framework {
	case "Flask", "FastAPI":
		return true
	case "":
		return fp.Language == "" || fp.Language == "Python"
	}
	return false
}

// Keys returns the stack keys that apply to a fingerprint: the database
// engine's (and its Python variant, "<engine>-python"), then the driver's
// or ORM's (Python only), then the framework's, then KeyGeneric. A stack nobody saw (no engine, no framework, no language)
// gets generic advice only; a SQLite, MySQL or non-Python service never
// gets psycopg2's or CockroachDB's.
func Keys(fp rampart.Fingerprint) []string {
	var keys []string
	db := ""
	switch fp.Database {
	case "CockroachDB":
		db = KeyCockroachDB
	case "PostgreSQL":
		db = KeyPostgreSQL
	case "SQLite":
		db = KeySQLite
	case "MySQL", "MariaDB":
		db = KeyMySQL
	}
	py := python(fp)
	if db != "" {
		keys = append(keys, db)
		if py {
			// The engine's advice in Python's terms (run_transaction for
			// CockroachDB), kept apart so other languages never read it.
			keys = append(keys, db+"-python")
		}
	}
	switch {
	case !py:
	case fp.ORM == "SQLAlchemy":
		keys = append(keys, KeySQLAlchemy)
	case db == KeyCockroachDB || db == KeyPostgreSQL:
		if fp.Driver == "" || fp.Driver == "psycopg2" || fp.Driver == "psycopg" {
			keys = append(keys, KeyPsycopg2)
		}
	case db == KeySQLite:
		if fp.Driver == "" || fp.Driver == "sqlite3" {
			keys = append(keys, KeySQLite3)
		}
	case db == KeyMySQL:
		if fp.Driver == "" || fp.Driver == "PyMySQL" || fp.Driver == "mysqlclient" || fp.Driver == "mysql-connector" {
			keys = append(keys, KeyPyMySQL)
		}
	}
	switch fp.Framework {
	case "Flask":
		keys = append(keys, KeyFlask)
	case "FastAPI":
		keys = append(keys, KeyFastAPI)
	}
	return append(keys, KeyGeneric)
}

// For returns the stack-specific advice for a family, every shape of it,
// with generic example names, or "".
func For(family rampart.Family, fp rampart.Fingerprint) string {
	return forFinding(rampart.Finding{Family: family}, fp, true)
}

// forFinding returns the advice for one finding: the sections of its
// family for the stack, the ones limited to its check, with examples named
// after its operation. The generic section is used, when asked for, only when no driver,
// ORM or framework section applies or, in a family that has none (its
// engine sections are whole fixes), when no section applies at all.
func forFinding(f rampart.Finding, fp rampart.Fingerprint, generic bool) string {
	return NamesOf(f.Location).fill(sections(f.Family, f.Check, fp, generic))
}

// sections returns forFinding's advice before the examples are named.
func sections(family rampart.Family, check string, fp rampart.Fingerprint, generic bool) string {
	once.Do(load)
	m := entries[family]
	if m == nil {
		return ""
	}
	hasCode := false
	for k, secs := range m {
		for _, sec := range secs {
			hasCode = hasCode || (codeKeys[k] && sec.fits(check))
		}
	}
	var parts []string
	covered := false
	for _, k := range Keys(fp) {
		if k == KeyGeneric && (covered || !generic) {
			continue
		}
		for _, sec := range m[k] {
			if sec.text == "" || !sec.fits(check) || slices.Contains(parts, sec.text) {
				continue
			}
			parts = append(parts, sec.text)
			if codeKeys[k] || !hasCode {
				covered = true
			}
		}
	}
	return strings.Join(parts, "\n")
}

// Apply appends the stack-specific advice to each finding's remediation,
// once, leaving out what the remediation already says (in the same or
// other words): the check's own fix
// stays first. A finding with a fix of its own gets no generic section:
// a check's fix is already language-neutral, and the generic section
// would say it a second time.
func Apply(fs []rampart.Finding, fp rampart.Fingerprint) {
	// Findings of one rule mostly carry the same remediation and get the
	// same advice: what to add is worked out once per pair (a report of a
	// generated application has 1,437 findings and a few dozen pairs).
	type pair struct{ have, advice string }
	type rule struct {
		family  rampart.Family
		check   string
		generic bool
	}
	added := map[pair]string{}
	bySection := map[rule]string{}
	for i := range fs {
		r := rule{fs[i].Family, fs[i].Check, fs[i].Remediation == ""}
		text, ok := bySection[r]
		if !ok {
			text = sections(r.family, r.check, fp, r.generic)
			bySection[r] = text
		}
		key := pair{fs[i].Remediation, NamesOf(fs[i].Location).fill(text)}
		add, ok := added[key]
		if !ok {
			add = newAdvice(key.have, key.advice)
			added[key] = add
		}
		if add == "" {
			continue
		}
		if fs[i].Remediation != "" {
			fs[i].Remediation += "\n"
		}
		fs[i].Remediation += add
	}
}

// newAdvice returns the paragraphs of advice that say something the
// remediation does not say already (sameThing), one per line.
func newAdvice(remediation, advice string) string {
	have := strings.Split(remediation, "\n")
	var add []string
	for _, p := range strings.Split(advice, "\n") {
		if p != "" && !slices.ContainsFunc(have, func(h string) bool { return sameThing(h, p) }) {
			add = append(add, p)
			have = append(have, p)
		}
	}
	return strings.Join(add, "\n")
}
