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
		Summary:  "Flask/Werkzeug, CockroachDB or PostgreSQL, psycopg2 and SQLAlchemy as seen in traffic",
		Detects: "The framework and server (Server header, Werkzeug error pages, Flask session cookies), the " +
			"database engine (CockroachDB versus PostgreSQL, from error texts seen anywhere in the scan) and the " +
			"driver and ORM (psycopg2, SQLAlchemy error formats). Informational: it selects the remediation " +
			"advice of every other finding.",
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
		add(fp.Server, "")
		add(fp.Database, fp.DatabaseVersion)
		add(fp.Driver, "")
		add(fp.ORM, "")
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
