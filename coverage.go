package rampart

import "slices"

// CoverageState is what became of one family of checks on one operation.
type CoverageState string

// States, from strongest to weakest: a cell takes the strongest state of
// its checks (one proof makes the family proved; one check that ran clean
// makes it tested).
const (
	CoverageProved        CoverageState = "proved"         // a finding
	CoverageTested        CoverageState = "tested"         // ran, found nothing
	CoverageNotTested     CoverageState = "not-tested"     // could not run here: Reason says why
	CoverageNotApplicable CoverageState = "not-applicable" // nothing of this kind here: Detail says why
)

// rank orders states for CoverageCell: lower is stronger.
func (s CoverageState) rank() int {
	switch s {
	case CoverageProved:
		return 0
	case CoverageTested:
		return 1
	case CoverageNotTested:
		return 2
	}
	return 3
}

// Stronger reports whether s says more about an operation than t.
func (s CoverageState) Stronger(t CoverageState) bool { return s.rank() < t.rank() }

// Reason is why a check did not test an operation. Each reason has an
// action for the user (Reason.Action), so a report never says "not tested"
// without what to do about it.
type Reason string

// Reasons a unit (one check on one operation) was not tested.
const (
	ReasonNoValues        Reason = "no-values"         // no value known for a path/query parameter
	ReasonNoObject        Reason = "no-object"         // no object of one identity to try as another
	ReasonBodyRejected    Reason = "body-rejected"     // the API refused every body the scan could build
	ReasonRefused         Reason = "refused"           // the identities it needs were refused (401/403) on the operation
	ReasonNeedsIdentity   Reason = "needs-identity"    // needs an authenticated identity
	ReasonNeedsSecondUser Reason = "needs-second-user" // needs two user-role identities
	ReasonNeedsAdmin      Reason = "needs-admin"       // needs an admin identity
	ReasonNeedsSignup     Reason = "needs-signup"      // acts only on accounts the scan signs up, and the API offers no sign-up it can use
	ReasonNeedsActive     Reason = "needs-active"      // the check sends state-changing requests
	ReasonExcluded        Reason = "excluded"          // --checks, --skip-checks or --exclude
	ReasonThrottled       Reason = "throttled"         // gave up after repeated 429s
	ReasonBudget          Reason = "budget"            // the check's request budget ran out first
	ReasonError           Reason = "error"             // the check failed or its answers were lost
	ReasonInterrupted     Reason = "interrupted"       // the scan stopped before the unit ran
	// ReasonUnexplained is a unit that sent nothing and said nothing: a
	// check that does not account for itself. Tests keep it out of every
	// scan of the testbed and the shape zoo.
	ReasonUnexplained Reason = "unexplained"
)

// Reasons lists every reason, in the order reports explain them.
var Reasons = []Reason{
	ReasonNoValues, ReasonNoObject, ReasonBodyRejected, ReasonRefused,
	ReasonNeedsIdentity, ReasonNeedsSecondUser, ReasonNeedsAdmin, ReasonNeedsSignup, ReasonNeedsActive,
	ReasonExcluded, ReasonThrottled, ReasonBudget, ReasonError, ReasonInterrupted,
	ReasonUnexplained,
}

// Chosen reports whether the reason is the user's own choice (a mode, a
// check selection, an excluded path) rather than something the scan could
// not do: chosen units are listed but do not count against coverage.
func (r Reason) Chosen() bool { return r == ReasonNeedsActive || r == ReasonExcluded }

// Summary says the reason in a few words, for tables.
func (r Reason) Summary() string {
	switch r {
	case ReasonNoValues:
		return "no values for a parameter"
	case ReasonNoObject:
		return "no object to try"
	case ReasonBodyRejected:
		return "request body rejected"
	case ReasonRefused:
		return "credentials refused"
	case ReasonNeedsIdentity:
		return "needs an identity"
	case ReasonNeedsSecondUser:
		return "needs a second user"
	case ReasonNeedsAdmin:
		return "needs an admin identity"
	case ReasonNeedsSignup:
		return "needs a sign-up the scan can use"
	case ReasonNeedsActive:
		return "needs --mode active"
	case ReasonExcluded:
		return "excluded"
	case ReasonThrottled:
		return "throttled (429)"
	case ReasonBudget:
		return "request budget spent"
	case ReasonError:
		return "error"
	case ReasonInterrupted:
		return "scan interrupted"
	}
	return "unexplained"
}

// Action says what the user can do so that the next scan tests what this
// one could not.
func (r Reason) Action() string {
	switch r {
	case ReasonNoValues:
		return "give the parameter an example in the spec, or scan with identities that own such objects (their listings and create answers supply values)"
	case ReasonNoObject:
		return "make sure each user identity owns at least one object the API lists or lets it create (active mode creates them when it can)"
	case ReasonBodyRejected:
		return "add a valid example request body to the spec for the operation; the API's own validation message is in the detail"
	case ReasonRefused:
		return "check that each identity's token or login still works for this operation (the scan saw 401/403), or give one with the right role"
	case ReasonNeedsIdentity:
		return "add identities: --identity 'alice:user=Authorization: Bearer …' (or a login in the config)"
	case ReasonNeedsSecondUser:
		return "add a second user-role identity (--identity 'bob:user=…'), or let active mode sign up throwaway accounts"
	case ReasonNeedsAdmin:
		return "add an admin identity: --identity 'root:admin=…'"
	case ReasonNeedsSignup:
		return "these tests change or delete an account, so they act only on throwaway accounts the scan signs up: document the API's sign-up and login operations in the spec (Rampart never does this to your identities)"
	case ReasonNeedsActive:
		return "rerun with --mode active against a test deployment (see `rampart scan --help` for what active mode sends)"
	case ReasonExcluded:
		return "nothing to do: you excluded it (--checks, --skip-checks, --exclude)"
	case ReasonThrottled:
		return "rerun with a lower --rate, or ask for the scanner's address to be exempt from rate limiting on the test deployment"
	case ReasonBudget:
		return "the check stopped at its request budget; the part it reached is tested, narrow the scan (--checks, --exclude) to give the rest room"
	case ReasonError:
		return "see the errors section: the target failed or timed out on these requests (try a longer --timeout or a lower --rate)"
	case ReasonInterrupted:
		return "rerun the scan to the end"
	}
	return "report this as a Rampart bug: a check ran without saying what it tested"
}

// CheckCoverage is what one check did on one operation.
type CheckCoverage struct {
	Check  string        `json:"check"`
	State  CoverageState `json:"state"`
	Reason Reason        `json:"reason,omitempty"`
	// Detail says the reason in the operation's own terms: which parameter
	// had no values, the API's validation message, why nothing applies.
	Detail string `json:"detail,omitempty"`
}

// CoverageCell is one family on one operation: the strongest state of its
// checks, and the checks themselves when they did not all end the same way.
type CoverageCell struct {
	Family Family        `json:"family"`
	State  CoverageState `json:"state"`
	Reason Reason        `json:"reason,omitempty"`
	Detail string        `json:"detail,omitempty"`
	// Checks lists each check's own state; omitted when there is one check
	// or all ended alike.
	Checks []CheckCoverage `json:"checks,omitempty"`
}

// WholeAPI is how reports name the row of the checks that look at the API
// as a whole (OperationCoverage.Operation "").
const WholeAPI = "(whole API)"

// OperationCoverage is one row of the coverage matrix. Operation is the
// method and path template ("GET /notes/{id}"), or "" for the checks that
// look at the API as a whole (headers, debugger, session secret). Every
// operation has a row; one no check applies to has no cells.
type OperationCoverage struct {
	Operation string `json:"operation"`
	// Source and Origin say how the operation was found (Operation.Source,
	// Operation.Origin); empty on the whole-API row.
	Source string         `json:"source,omitempty"`
	Origin string         `json:"origin,omitempty"`
	Cells  []CoverageCell `json:"cells"`
}

// FamilyCoverage counts one family's cells by state.
type FamilyCoverage struct {
	Family        Family `json:"family"`
	Proved        int    `json:"proved"`
	Tested        int    `json:"tested"`
	NotTested     int    `json:"notTested"`
	NotApplicable int    `json:"notApplicable"`
	// Chosen counts the not-tested cells the user chose not to test (mode,
	// --checks, --exclude); they do not count against coverage.
	Chosen int `json:"chosen,omitempty"`
}

// ReasonCount is one reason cells were not tested, how many cells (each
// once, however many of its family's checks give that reason), and what to
// do.
type ReasonCount struct {
	Reason Reason `json:"reason"`
	Cells  int    `json:"cells"`
	Action string `json:"action"`
	// Examples are a few cells it applies to: "BOLA-001 GET /notes/{id}: no values for {id}".
	Examples []string `json:"examples,omitempty"`
}

// Coverage is what a scan tested, operation by operation and family by
// family. The percentage counts the cells the scan was asked to test
// (chosen reasons aside) that it proved or tested clean.
type Coverage struct {
	Percent int `json:"percent"`
	// Tested counts proved and tested cells; Applicable every cell but the
	// not-applicable and the chosen ones.
	Tested     int `json:"tested"`
	Applicable int `json:"applicable"`
	// Incomplete: less than half of Applicable was tested, so the findings
	// cannot vouch for the API; the grade is at best C (docs/scoring.md).
	Incomplete bool                `json:"incomplete,omitempty"`
	Families   []FamilyCoverage    `json:"families"`
	Reasons    []ReasonCount       `json:"reasons,omitempty"`
	Operations []OperationCoverage `json:"operations"`
}

// IncompleteBelow is the share of applicable cells (percent) under which a
// scan is incomplete.
const IncompleteBelow = 50

// Rows are the coverage rows with the API as a whole first, whatever order
// the report has them in: the order every writer shows them.
func (c *Coverage) Rows() []OperationCoverage {
	if c == nil {
		return nil
	}
	rows := slices.Clone(c.Operations)
	slices.SortStableFunc(rows, func(a, b OperationCoverage) int { return wholeFirst(a) - wholeFirst(b) })
	return rows
}

func wholeFirst(op OperationCoverage) int {
	if op.Operation == "" {
		return 0
	}
	return 1
}

// Cell returns the cell of a family on an operation ("" for the API as a
// whole), or nil.
func (c *Coverage) Cell(operation string, f Family) *CoverageCell {
	if c == nil {
		return nil
	}
	for i := range c.Operations {
		if c.Operations[i].Operation != operation {
			continue
		}
		for j := range c.Operations[i].Cells {
			if c.Operations[i].Cells[j].Family == f {
				return &c.Operations[i].Cells[j]
			}
		}
	}
	return nil
}

// FamiliesCovered lists the families that have at least one cell, in
// report order.
func (c *Coverage) FamiliesCovered() []Family {
	if c == nil {
		return nil
	}
	var out []Family
	for _, f := range c.Families {
		out = append(out, f.Family)
	}
	slices.SortStableFunc(out, func(a, b Family) int { return slices.Index(Families, a) - slices.Index(Families, b) })
	return out
}
