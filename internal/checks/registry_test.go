package checks

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md from the checks' metadata")

var (
	idRe    = regexp.MustCompile(`^[A-Z]+-\d{3}$`)
	cweRe   = regexp.MustCompile(`^CWE-\d+$`)
	owaspRe = regexp.MustCompile(`^API([1-9]|10):2023$`)
)

// Every check carries complete metadata: it feeds `rampart checks`,
// `rampart explain`, SARIF rules and every finding.
func TestMetadataIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		m := c.Meta
		t.Run(m.ID, func(t *testing.T) {
			if !idRe.MatchString(m.ID) {
				t.Errorf("ID %q is not FAMILY-NNN", m.ID)
			}
			if seen[m.ID] {
				t.Errorf("duplicate ID")
			}
			seen[m.ID] = true
			if !m.Family.Valid() {
				t.Errorf("family %q is not in the vocabulary", m.Family)
			}
			if !cweRe.MatchString(m.CWE) {
				t.Errorf("CWE %q", m.CWE)
			}
			if !owaspRe.MatchString(m.OWASP) {
				t.Errorf("OWASP %q", m.OWASP)
			}
			for name, v := range map[string]string{"Title": m.Title, "Summary": m.Summary, "Detects": m.Detects, "Requests": m.Requests, "Fix": m.Fix} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", name)
				}
			}
			if m.Kind != rampart.KindRuntime {
				t.Errorf("kind %q", m.Kind)
			}
			if m.Doc != "docs/checks.md#"+strings.ToLower(m.ID) {
				t.Errorf("doc %q", m.Doc)
			}
			if c.Run == nil {
				t.Errorf("no Run")
			}
			if c.Last && c.Exclusive {
				t.Errorf("a check runs last or exclusively, not both")
			}
		})
	}
}

func TestMatches(t *testing.T) {
	m := rampart.Meta{ID: "LEAK-001", Family: rampart.FamilyErrorLeak}
	for pat, want := range map[string]bool{"LEAK-001": true, "leak-*": true, "error-leak": true, "error-*": true, "LEAK-002": false, "cors": false} {
		if got := Matches(m, pat); got != want {
			t.Errorf("Matches(%q) = %v", pat, got)
		}
	}
}

func renderDoc() string {
	var b strings.Builder
	b.WriteString("# Checks\n\nGenerated from the checks' metadata by `go test ./internal/checks -update`; do not edit by hand.\n")
	b.WriteString("`rampart checks` lists them and `rampart explain ID` prints one.\n\n")
	b.WriteString("| ID | family | severity | mode | finds |\n|---|---|---|---|---|\n")
	for _, c := range All() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s |\n", c.ID, strings.ToLower(c.ID), c.Family, c.Severity, c.Mode, c.Summary)
	}
	for _, c := range All() {
		m := c.Meta
		fmt.Fprintf(&b, "\n## %s\n\n**%s** — family `%s`, default severity %s, needs `--mode %s`, %s, OWASP %s.\n\n",
			m.ID, m.Title, m.Family, m.Severity, m.Mode, m.CWE, m.OWASP)
		fmt.Fprintf(&b, "**Detects.** %s\n\n**Requests.** %s\n\n**Fix.** %s\n", m.Detects, m.Requests, m.Fix)
	}
	return b.String()
}

func TestChecksDocIsCurrent(t *testing.T) {
	const path = "../../docs/checks.md"
	want := renderDoc()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/checks -update)", err)
	}
	if string(got) != want {
		t.Fatal("docs/checks.md is stale: run go test ./internal/checks -update")
	}
}
