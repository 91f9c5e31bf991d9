// Package advice is Rampart's remediation knowledge base: for a finding's
// family and the stack the scan detected, the fix in that stack's terms
// (psycopg2 versus SQLAlchemy, CockroachDB versus PostgreSQL).
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

// Keys returns the stack keys that apply to a fingerprint, most specific
// first. Without a detected database both engines' advice applies: Flask
// apps on CockroachDB are what Rampart is for.
func Keys(fp rampart.Fingerprint) []string {
	var keys []string
	switch fp.Database {
	case "CockroachDB":
		keys = append(keys, "cockroachdb")
	case "PostgreSQL":
		keys = append(keys, "postgresql")
	default:
		keys = append(keys, "cockroachdb", "postgresql")
	}
	switch {
	case fp.ORM == "SQLAlchemy":
		keys = append(keys, "sqlalchemy")
	case fp.Driver == "psycopg2" || fp.Driver == "" || fp.Driver == "psycopg":
		keys = append(keys, "psycopg2")
	}
	if fp.Framework == "Flask" || fp.Framework == "" {
		keys = append(keys, "flask")
	}
	return keys
}

// For returns the stack-specific advice for a family, or "".
func For(family rampart.Family, fp rampart.Fingerprint) string {
	once.Do(load)
	m := entries[family]
	if m == nil {
		return ""
	}
	var parts []string
	for _, k := range Keys(fp) {
		if t := m[k]; t != "" {
			parts = append(parts, t)
		}
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
