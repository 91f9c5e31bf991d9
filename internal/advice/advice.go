// Package advice is Rampart's remediation knowledge base: for a finding's
// family and the stack the scan detected, the fix in that stack's terms
// (psycopg2 versus sqlite3 versus PyMySQL, SQLAlchemy, CockroachDB versus
// PostgreSQL, SQLite or MySQL, Flask versus FastAPI), and language-neutral
// advice where the stack is unknown or not Python.
package advice

import (
	"embed"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
)

//go:embed kb/*.md
var kb embed.FS

var (
	once    sync.Once
	entries map[rampart.Family]map[string]string // family → stack key → text
)

func load() {
	entries = map[rampart.Family]map[string]string{}
	files, _ := kb.ReadDir("kb")
	for _, f := range files {
		data, err := kb.ReadFile("kb/" + f.Name())
		if err != nil {
			continue
		}
		fam := rampart.Family(strings.TrimSuffix(f.Name(), ".md"))
		m := map[string]string{}
		var key string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "## ") {
				key = strings.TrimSpace(strings.TrimPrefix(line, "## "))
				continue
			}
			if key != "" && strings.TrimSpace(line) != "" {
				m[key] = strings.TrimSpace(m[key] + " " + strings.TrimSpace(line))
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

// For returns the stack-specific advice for a family, or "". The generic
// section is used only when no driver, ORM or framework section of the
// family applies.
func For(family rampart.Family, fp rampart.Fingerprint) string {
	once.Do(load)
	m := entries[family]
	if m == nil {
		return ""
	}
	var parts []string
	code := false
	for _, k := range Keys(fp) {
		t := m[k]
		if t == "" {
			continue
		}
		if k == KeyGeneric {
			if code {
				continue
			}
		} else if codeKeys[k] {
			code = true
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, "\n")
}

// Apply appends the stack-specific advice to each finding's remediation,
// once: the check's own fix stays first.
func Apply(fs []rampart.Finding, fp rampart.Fingerprint) {
	for i := range fs {
		extra := For(fs[i].Family, fp)
		if extra == "" || strings.Contains(fs[i].Remediation, extra) {
			continue
		}
		if fs[i].Remediation != "" {
			fs[i].Remediation += "\n"
		}
		fs[i].Remediation += extra
	}
}
