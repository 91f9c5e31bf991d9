package found

import (
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestSummary(t *testing.T) {
	row := func(op, source string) rampart.OperationCoverage {
		return rampart.OperationCoverage{Operation: op, Source: source}
	}
	tests := []struct {
		name string
		cov  *rampart.Coverage
		want string
	}{
		{"no coverage", nil, ""},
		{"old report, no sources", &rampart.Coverage{Operations: []rampart.OperationCoverage{row("", ""), row("GET /a", "")}}, ""},
		{"counted in source order, whole API and unsourced rows left out", &rampart.Coverage{Operations: []rampart.OperationCoverage{
			row("", ""), row("GET /z", rampart.SourceProbe), row("GET /a", rampart.SourceSpec), row("GET /b", rampart.SourceCode),
			row("GET /c", rampart.SourceSpec), row("GET /d", ""), row("GET /e", rampart.SourceHAR),
		}}, "2 from the spec, 1 from HAR traffic, 1 from code, 1 by probing common paths"},
		{"a source this version does not know, last", &rampart.Coverage{Operations: []rampart.OperationCoverage{
			row("GET /a", "graphql"), row("GET /b", rampart.SourceCrawl),
		}}, "1 by following links, 1 from graphql"},
	}
	for _, tt := range tests {
		if got := Summary(tt.cov); got != tt.want {
			t.Errorf("%s: Summary = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := Operations(14, &rampart.Coverage{Operations: []rampart.OperationCoverage{row("GET /a", rampart.SourceSpec)}}); got != "14 — 1 from the spec" {
		t.Errorf("Operations = %q", got)
	}
	if got := Operations(14, nil); got != "14" {
		t.Errorf("Operations without sources = %q, want the bare number", got)
	}
}

// Every source has its own words: a new constant without them would be
// phrased "from xyz" in every report.
func TestEverySourceHasWords(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Sources {
		if _, ok := words[s]; !ok {
			t.Errorf("source %q has no phrase or label", s)
		}
		if seen[Phrase(s)] || seen[Label(s)] {
			t.Errorf("source %q shares its words with another", s)
		}
		seen[Phrase(s)], seen[Label(s)] = true, true
	}
	if len(Sources) != 7 {
		t.Errorf("%d sources, want the 7 of input.go", len(Sources))
	}
}

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		op   rampart.OperationCoverage
		want string
	}{
		{rampart.OperationCoverage{Operation: "GET /a"}, ""},
		{rampart.OperationCoverage{Operation: "GET /a", Source: rampart.SourceSpec}, "spec"},
		{rampart.OperationCoverage{Operation: "GET /a", Source: rampart.SourceHAR, Origin: "traffic.har (3 requests)"}, "HAR: traffic.har (3 requests)"},
	} {
		if got := Of(tt.op); got != tt.want {
			t.Errorf("Of(%+v) = %q, want %q", tt.op, got, tt.want)
		}
	}
}
