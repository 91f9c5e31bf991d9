package doclink

import "testing"

func TestResolve(t *testing.T) {
	tests := []struct{ base, doc, want string }{
		{DefaultBase, "docs/checks.md#debug-001", DefaultBase + "docs/checks.md#debug-001"},
		{DefaultBase, "/docs/scoring.md", DefaultBase + "docs/scoring.md"},
		{DefaultBase, "  docs/whitebox.md#py-sqli-001 ", DefaultBase + "docs/whitebox.md#py-sqli-001"},
		{"https://docs.example.test/rampart/", "checks.md", "https://docs.example.test/rampart/checks.md"},
		{DefaultBase, "https://owasp.org/API-Security/", "https://owasp.org/API-Security/"},
		{DefaultBase, "http://example.test/x", "http://example.test/x"},
		{DefaultBase, "", ""},
		{DefaultBase, "   ", ""},
		{DefaultBase, "javascript:alert(1)", ""},
		{DefaultBase, "file:///etc/passwd", ""},
		{"", "docs/checks.md", ""},
		{"not a base", "docs/checks.md", ""},
		{DefaultBase, "%zz", ""},
	}
	for _, tt := range tests {
		if got := Resolve(tt.base, tt.doc); got != tt.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", tt.base, tt.doc, got, tt.want)
		}
	}
}
