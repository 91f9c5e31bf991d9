package advice

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestForPicksTheStack(t *testing.T) {
	flaskSQLite := rampart.Fingerprint{Framework: "Flask", Language: "Python", Database: "SQLite", Driver: "sqlite3"}
	fastMySQL := rampart.Fingerprint{Framework: "FastAPI", Language: "Python", Database: "MySQL", Driver: "PyMySQL"}
	nodePG := rampart.Fingerprint{Framework: "Express", Language: "JavaScript", Database: "PostgreSQL"}
	tests := []struct {
		name    string
		family  rampart.Family
		fp      rampart.Fingerprint
		want    []string
		notWant []string
	}{
		{"CockroachDB and psycopg2 retry", rampart.FamilyTxnBoundary, rampart.Fingerprint{Database: "CockroachDB", Driver: "psycopg2"},
			[]string{"run_transaction", "ThreadedConnectionPool", "SerializationFailure"}, []string{"could not serialize access"}},
		{"PostgreSQL and SQLAlchemy", rampart.FamilyTxnBoundary, rampart.Fingerprint{Database: "PostgreSQL", ORM: "SQLAlchemy"},
			[]string{"could not serialize access", "Session.begin"}, []string{"run_transaction", "ThreadedConnectionPool"}},
		{"unknown stack: generic only", rampart.FamilySQLi, rampart.Fingerprint{},
			[]string{"bound parameter", "placeholder"}, []string{"psycopg2", "CockroachDB", "pg_sleep", "cur.execute"}},
		{"Flask on SQLite", rampart.FamilySQLi, flaskSQLite,
			[]string{"conn.execute(\"SELECT … WHERE name = ?\"", "sqlite_master"}, []string{"psycopg2", "CockroachDB", "%s"}},
		{"FastAPI on MySQL", rampart.FamilySQLi, fastMySQL,
			[]string{"PyMySQL", "%s", "LOAD_FILE"}, []string{"psycopg2", "CockroachDB", "sqlite"}},
		{"MariaDB is MySQL", rampart.FamilySQLi, rampart.Fingerprint{Database: "MariaDB"},
			[]string{"LOAD_FILE", "cur.execute(\"SELECT … WHERE name = %s\""}, []string{"psycopg2"}},
		{"Node on PostgreSQL: engine advice, no Python", rampart.FamilySQLi, nodePG,
			[]string{"statement_timeout", "bound parameter"}, []string{"psycopg2", "cur.execute", "sqlite3"}},
		{"Node on CockroachDB: no Python retry", rampart.FamilyTxnBoundary, rampart.Fingerprint{Framework: "Express", Language: "JavaScript", Database: "CockroachDB"},
			[]string{"40001", "SAVEPOINT cockroach_restart"}, []string{"psycopg2", "run_transaction", "sqlalchemy"}},
		{"SQLite transactions: no retry advice", rampart.FamilyTxnBoundary, flaskSQLite,
			[]string{"BEGIN IMMEDIATE", "with conn:"}, []string{"retry", "40001", "run_transaction", "psycopg2"}},
		{"MySQL transactions: no retry advice", rampart.FamilyTxnBoundary, fastMySQL,
			[]string{"FOR UPDATE", "conn.rollback()"}, []string{"retry", "40001", "run_transaction", "psycopg2"}},
		{"Java: generic transactions", rampart.FamilyTxnBoundary, rampart.Fingerprint{Framework: "Spring", Language: "Java"},
			[]string{"roll back on every error"}, []string{"psycopg2", "retry"}},
		{"FastAPI mass assignment", rampart.FamilyMassAssignment, rampart.Fingerprint{Framework: "FastAPI"},
			[]string{"extra"}, []string{"request.get_json", "Accept only the fields the caller may set (an allowlist"}},
		{"Flask mass assignment: no generic on top", rampart.FamilyMassAssignment, rampart.Fingerprint{Framework: "Flask"},
			[]string{"request.get_json"}, []string{"Accept only the fields the caller may set (an allowlist"}},
		{"FastAPI on SQLite error leak", rampart.FamilyErrorLeak, rampart.Fingerprint{Framework: "FastAPI", Database: "SQLite"},
			[]string{"exception_handler", "no such column"}, []string{"errorhandler(Exception)", "CockroachDB"}},
		{"user enumeration, unknown stack", rampart.FamilyUserEnum, rampart.Fingerprint{},
			[]string{"dummy hash"}, []string{"abort(401"}},
		{"no advice for CORS", rampart.FamilyCORS, rampart.Fingerprint{Database: "CockroachDB"}, nil, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := For(tt.family, tt.fp)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("advice lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("advice has %q:\n%s", w, got)
				}
			}
		})
	}
}

// Whatever the family, a service that is not Python, or that runs on SQLite
// or MySQL, never reads psycopg2's or CockroachDB's advice.
func TestNoForeignAdvice(t *testing.T) {
	fps := map[string]rampart.Fingerprint{
		"Express":          {Framework: "Express", Language: "JavaScript"},
		"PHP on MySQL":     {Language: "PHP", Database: "MySQL"},
		"Spring on PG":     {Framework: "Spring", Language: "Java", Database: "PostgreSQL"},
		"Flask on SQLite":  {Framework: "Flask", Language: "Python", Database: "SQLite"},
		"FastAPI on Maria": {Framework: "FastAPI", Language: "Python", Database: "MariaDB", Driver: "PyMySQL"},
		"Go":               {Language: "Go"},
	}
	for name, fp := range fps {
		for _, fam := range rampart.Families {
			got := For(fam, fp)
			for _, bad := range []string{"psycopg2", "CockroachDB", "cockroach_restart"} {
				if strings.Contains(got, bad) {
					t.Errorf("%s, %s: advice mentions %s:\n%s", name, fam, bad, got)
				}
			}
			if fp.Language != "Python" && (strings.Contains(got, "sqlite3.connect") || strings.Contains(got, "@app.") || strings.Contains(got, "SQLAlchemy")) {
				t.Errorf("%s, %s: Python advice for a %s service:\n%s", name, fam, fp.Language, got)
			}
		}
	}
}

func TestKnowledgeBaseFilesAreFamilies(t *testing.T) {
	once.Do(load)
	if len(entries) == 0 {
		t.Fatal("empty knowledge base")
	}
	valid := map[string]bool{}
	for _, k := range []string{KeyCockroachDB, KeyPostgreSQL, KeySQLite, KeyMySQL} {
		valid[k], valid[k+"-python"] = true, true
	}
	for _, k := range []string{KeyPsycopg2, KeySQLite3, KeyPyMySQL, KeySQLAlchemy, KeyFlask, KeyFastAPI, KeyGeneric} {
		valid[k] = true
	}
	for fam, m := range entries {
		if !fam.Valid() {
			t.Errorf("kb/%s.md is not a family", fam)
		}
		for k := range m {
			if !valid[k] {
				t.Errorf("kb/%s.md: unknown stack key %q", fam, k)
			}
		}
		if len(m[KeyGeneric]) == 0 {
			t.Errorf("kb/%s.md has no generic section: a stack nobody saw would get no advice", fam)
		}
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	fs := []rampart.Finding{{Family: rampart.FamilyRace, Remediation: "Do it in one statement."}}
	fp := rampart.Fingerprint{Database: "PostgreSQL"}
	Apply(fs, fp)
	Apply(fs, fp)
	if strings.Count(fs[0].Remediation, "FOR UPDATE") != 1 || !strings.HasPrefix(fs[0].Remediation, "Do it") {
		t.Fatalf("remediation %q", fs[0].Remediation)
	}
}

// BenchmarkApply: a report of many findings of a few rules (a generated
// application gives 1,437 of a dozen checks).
func BenchmarkApply(b *testing.B) {
	fp := rampart.Fingerprint{Framework: "Flask", Language: "Python", Database: "CockroachDB", Driver: "psycopg2"}
	var base []rampart.Finding
	for i := 0; i < 1500; i++ {
		fam := []rampart.Family{rampart.FamilySQLi, rampart.FamilyBOLA, rampart.FamilyTxnBoundary}[i%3]
		base = append(base, rampart.Finding{Family: fam, Check: "PY-X", Remediation: "Bind the value as a parameter.",
			Location: rampart.Location{Method: "GET", Path: fmt.Sprintf("/items%d/{id}", i%40)}})
	}
	fs := make([]rampart.Finding, len(base))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		copy(fs, base)
		Apply(fs, fp)
	}
}
