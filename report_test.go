package rampart

import "testing"

func TestFingerprintSummary(t *testing.T) {
	tests := []struct {
		f    Fingerprint
		want string
	}{
		{Fingerprint{Framework: "Flask", FrameworkVersion: "2.2.2", Server: "Werkzeug/2.2.2 Python/3.11.2", Database: "PostgreSQL", Driver: "psycopg2"},
			"Flask 2.2.2 on Werkzeug 2.2.2 · PostgreSQL · psycopg2"},
		{Fingerprint{Framework: "Flask", Server: "gunicorn", ServerVersion: "21.2", Database: "CockroachDB", DatabaseVersion: "23.1.11", Driver: "psycopg", ORM: "SQLAlchemy"},
			"Flask on gunicorn 21.2 · CockroachDB 23.1.11 · psycopg · SQLAlchemy"},
		{Fingerprint{Server: "nginx/1.25.3"}, "nginx 1.25.3"},
		{Fingerprint{Language: "Python", Database: "PostgreSQL"}, "Python · PostgreSQL"},
		{Fingerprint{Language: "Python", LanguageVersion: "3.11", Server: "Werkzeug/3.0.1"}, "Python 3.11 on Werkzeug 3.0.1"},
		{Fingerprint{Server: "   "}, ""},
		{Fingerprint{}, ""},
	}
	for _, tt := range tests {
		if got := tt.f.Summary(); got != tt.want {
			t.Errorf("%+v.Summary() = %q, want %q", tt.f, got, tt.want)
		}
	}
}
