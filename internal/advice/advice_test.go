package advice

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestForPicksTheStack(t *testing.T) {
	tests := []struct {
		family  rampart.Family
		fp      rampart.Fingerprint
		want    []string
		notWant []string
	}{
		{rampart.FamilyTxnBoundary, rampart.Fingerprint{Database: "CockroachDB", Driver: "psycopg2"}, []string{"run_transaction", "ThreadedConnectionPool"}, []string{"could not serialize access"}},
		{rampart.FamilyTxnBoundary, rampart.Fingerprint{Database: "PostgreSQL", ORM: "SQLAlchemy"}, []string{"could not serialize access", "Session.begin"}, []string{"run_transaction", "ThreadedConnectionPool"}},
		{rampart.FamilySQLi, rampart.Fingerprint{}, []string{"%s", "pg_sleep"}, nil},
		{rampart.FamilyCORS, rampart.Fingerprint{Database: "CockroachDB"}, nil, []string{"a"}},
	}
	for _, tt := range tests {
		got := For(tt.family, tt.fp)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %+v: advice lacks %q:\n%s", tt.family, tt.fp, w, got)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(got, w) {
				t.Errorf("%s %+v: advice has %q:\n%s", tt.family, tt.fp, w, got)
			}
		}
	}
}

func TestKnowledgeBaseFilesAreFamilies(t *testing.T) {
	once.Do(load)
	if len(entries) == 0 {
		t.Fatal("empty knowledge base")
	}
	for fam, m := range entries {
		if !fam.Valid() {
			t.Errorf("kb/%s.md is not a family", fam)
		}
		for k := range m {
			switch k {
			case "cockroachdb", "postgresql", "psycopg2", "sqlalchemy", "flask":
			default:
				t.Errorf("kb/%s.md: unknown stack key %q", fam, k)
			}
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
