package codescan

import "github.com/rampart-sec/rampart"

// Rule is one white-box rule: its metadata (Kind "code"), the confidence of
// its findings unless a finding says otherwise, and the pattern of
// docs/whitebox.md it implements.
type Rule struct {
	rampart.Meta
	Confidence rampart.Confidence `json:"confidence"`
	Pattern    string             `json:"pattern,omitempty"`
}

func rule(id string, fam rampart.Family, sev rampart.Severity, conf rampart.Confidence, cwe, owasp, pattern, title, summary, detects, fix string) *Rule {
	return &Rule{
		Meta: rampart.Meta{
			ID: id, Family: fam, Title: title, Severity: sev, CWE: cwe, OWASP: owasp,
			Mode: rampart.Passive, Kind: rampart.KindCode, Summary: summary, Detects: detects, Fix: fix,
			Doc: "docs/whitebox.md#" + lowerID(id),
		},
		Confidence: conf,
		Pattern:    pattern,
	}
}

func lowerID(id string) string {
	b := []byte(id)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// allRules is the registry, in the order of the family table.
var allRules = tableRules()

// Rules returns every white-box rule.
func Rules() []Rule {
	out := make([]Rule, len(allRules))
	for i, r := range allRules {
		out[i] = *r
	}
	return out
}

// LookupRule returns the rule with this ID (case-insensitive), or nil.
func LookupRule(id string) *Rule {
	for _, r := range allRules {
		if lowerID(r.ID) == lowerID(id) {
			c := *r
			return &c
		}
	}
	return nil
}
