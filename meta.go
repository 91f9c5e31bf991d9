package rampart

// Meta is what a check or a white-box rule says about itself. It lives in one
// place, next to the code that implements it, and feeds `rampart checks`,
// `rampart explain`, SARIF rules and every finding it produces.
type Meta struct {
	ID       string   `json:"id"`     // stable, family-coded, e.g. AUTHZ-001
	Family   Family   `json:"family"` // one of Families
	Title    string   `json:"title"`
	Severity Severity `json:"severity"` // default severity of its findings
	CWE      string   `json:"cwe"`      // e.g. CWE-639
	OWASP    string   `json:"owasp"`    // OWASP API Security Top 10 2023, e.g. API1:2023
	Mode     Mode     `json:"mode"`     // least scan mode the check needs
	Kind     string   `json:"kind"`     // runtime or code
	Summary  string   `json:"summary"`  // one line
	Detects  string   `json:"detects"`  // what it finds and how it proves it
	Requests string   `json:"requests"` // what it sends (empty for code rules)
	// Budget is the most requests one unit of the check (one operation, or
	// the scan for a target-level check) may send; the pass refuses more.
	// Zero means the check declares no budget.
	Budget int    `json:"budget,omitempty"`
	Fix    string `json:"fix"` // remediation, generic; advice may refine it per stack
	Doc    string `json:"doc,omitempty"`
}

// Kinds of check.
const (
	KindRuntime = "runtime"
	KindCode    = "code"
)

// NewFinding starts a finding from the check's metadata so that severity,
// CWE, OWASP and remediation are never typed twice.
func (m Meta) NewFinding(loc Location, message string) Finding {
	return Finding{
		Check:       m.ID,
		Family:      m.Family,
		Title:       m.Title,
		Message:     message,
		Severity:    m.Severity,
		Confidence:  Firm,
		CWE:         m.CWE,
		OWASP:       m.OWASP,
		Location:    loc,
		Remediation: m.Fix,
	}
}
