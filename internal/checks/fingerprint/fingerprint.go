// Package fingerprint reports what the scan learned about the target's
// stack: framework, server, database engine, driver and ORM.
package fingerprint

import (
	"context"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

// Stack is FP-001.
var Stack = check.Check{
	Meta: rampart.Meta{
		ID:       "FP-001",
		Family:   rampart.FamilyFingerprint,
		Title:    "Technology stack identified",
		Severity: rampart.Info,
		CWE:      "CWE-200",
		OWASP:    "API8:2023",
		Mode:     rampart.Passive,
		Kind:     rampart.KindRuntime,
		Summary:  "framework, language, database engine, driver and ORM as seen in traffic",
		Detects: "The framework and server (Server header, Werkzeug error pages, Flask session cookies; FastAPI's " +
			"validation and default error bodies; Express, PHP, ASP.NET, Spring and Go by their headers, cookies and " +
			"default pages), the database engine (CockroachDB versus PostgreSQL, SQLite, MySQL or MariaDB, from " +
			"error texts seen anywhere in the scan) and the driver and ORM (psycopg2, sqlite3, PyMySQL, SQLAlchemy " +
			"error formats). Informational: it selects the remediation advice of every other finding, so that a " +
			"SQLite, MySQL or non-Python service gets no psycopg2 or CockroachDB advice.",
		Requests: "None of its own: it reads every answer the scan received.",
		Fix:      "Nothing to fix; reduce what the stack reveals with HDR-003 and LEAK-001.",
		Doc:      "docs/checks.md#fp-001",
	},
	Last: true,
	Run: func(ctx context.Context, p *check.Pass) error {
		fp := p.Stack.Fingerprint()
		var parts []string
		add := func(name, version string) {
			if name == "" {
				return
			}
			if version != "" {
				name += " " + version
			}
			parts = append(parts, name)
		}
		add(fp.Framework, fp.FrameworkVersion)
		if fp.Framework == "" {
			add(fp.Language, fp.LanguageVersion)
		}
		add(fp.Server, "")
		add(fp.Database, fp.DatabaseVersion)
		add(fp.Driver, "")
		add(fp.ORM, "")
		// It judges every answer of the scan, and sends nothing itself.
		p.Tested()
		if len(parts) == 0 {
			return nil
		}
		f := p.Finding("Stack: " + strings.Join(parts, ", ") + ".")
		f.Location = rampart.Location{Path: "*"}
		f.Confidence = rampart.Firm
		for _, e := range fp.Evidence {
			f.Evidence = append(f.Evidence, rampart.Evidence{Note: e})
		}
		p.Report(f)
		return nil
	},
}
