package dberr

import (
	"os"
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzMatch feeds hostile bodies to Match and checks the invariants callers
// rely on: no panic, at most one hit per kind, bounded valid snippets, and
// fields drawn only from their documented sets.
func FuzzMatch(f *testing.F) {
	for _, fx := range fixtures {
		f.Add([]byte(fx.text))
	}
	for _, fx := range moreFixtures {
		f.Add([]byte(fx.text))
	}
	for _, fx := range dialectFixtures {
		f.Add([]byte(fx.text))
	}
	if page, err := os.ReadFile("testdata/werkzeug_debugger.html"); err == nil {
		f.Add([]byte(werkzeugPage(string(page), fixtures[0].text, "except psycopg2.errors.UniqueViolation:")))
	}
	f.Add([]byte(`{"error": "syntax error at or near \"\u00e9\ud83d\" SQLSTATE[42601] \\u"}`))
	f.Add([]byte("&#34;&quot;&amp;quot;\\\\\\\"\xff\xfe at or near \"\": syntax error"))
	f.Fuzz(func(t *testing.T, body []byte) {
		hits := Match(body)
		if len(hits) > int(Retry)+1 {
			t.Fatalf("%d hits", len(hits))
		}
		var kinds []Kind
		for _, h := range hits {
			if h.Kind > Retry {
				t.Fatalf("bad kind %d", h.Kind)
			}
			if slices.Contains(kinds, h.Kind) {
				t.Fatalf("kind %v twice", h.Kind)
			}
			kinds = append(kinds, h.Kind)
			switch h.Engine {
			case "", CockroachDB, PostgreSQL:
				if h.Engine != "" && !h.PGCompatible {
					t.Fatalf("engine %s but not PG-compatible", h.Engine)
				}
			case SQLite, MySQL, MariaDB:
				if h.PGCompatible {
					t.Fatalf("engine %s but PG-compatible", h.Engine)
				}
			default:
				t.Fatalf("bad engine %q", h.Engine)
			}
			if h.Version != "" && h.Engine == "" {
				t.Fatalf("version %q without engine", h.Version)
			}
			if h.SQLState != "" && !validSQLState(h.SQLState) {
				t.Fatalf("bad SQLSTATE %q", h.SQLState)
			}
			if len(h.Snippet) > MaxSnippet || !utf8.ValidString(h.Snippet) {
				t.Fatalf("bad snippet %q", h.Snippet)
			}
		}
		first, ok := Find(body)
		if ok != (len(hits) > 0) || (ok && first != hits[0]) || IsSQLError(body) != ok {
			t.Fatalf("Find/IsSQLError disagree with Match")
		}
		if again := Match(body); !slices.Equal(again, hits) {
			t.Fatalf("Match is not deterministic")
		}
		if e, v, ok := DetectVersion(body); ok && (e == "" || v == "") || !ok && (e != "" || v != "") {
			t.Fatalf("DetectVersion = %q, %q, %v", e, v, ok)
		}
	})
}
