package sample

import "github.com/rampart-sec/rampart"

// Coverage is the sample scan's coverage: one row for the API as a whole
// and four operations, with every state and a few reasons, found from the
// spec, a HAR recording and by probing.
func Coverage() *rampart.Coverage {
	nt := rampart.CoverageNotTested
	return &rampart.Coverage{
		Percent: 70, Tested: 7, Applicable: 10,
		Families: []rampart.FamilyCoverage{
			{Family: rampart.FamilyBOLA, Proved: 1, NotTested: 1},
			{Family: rampart.FamilyMissingAuth, Tested: 2},
			{Family: rampart.FamilyMassAssignment, NotTested: 1, Chosen: 1},
			{Family: rampart.FamilySQLi, Proved: 1, Tested: 1, NotTested: 1},
			{Family: rampart.FamilyErrorLeak, Tested: 1, NotApplicable: 1},
			{Family: rampart.FamilyHeaders, Tested: 1},
			{Family: rampart.FamilyRateLimit, NotTested: 1, Chosen: 1},
		},
		Reasons: []rampart.ReasonCount{
			{Reason: rampart.ReasonNoValues, Cells: 2, Action: rampart.ReasonNoValues.Action(),
				Examples: []string{"BOLA-001 GET /notes/{id}: no values for {id}", "SQLI-001 GET /notes/{id}: no values for {id}"}},
			{Reason: rampart.ReasonNeedsSecondUser, Cells: 1, Action: rampart.ReasonNeedsSecondUser.Action(),
				Examples: []string{"BOLA-002 POST /notes: needs a second user-role identity"}},
			{Reason: rampart.ReasonNeedsActive, Cells: 2, Action: rampart.ReasonNeedsActive.Action(),
				Examples: []string{"MASS-001 POST /notes: MASS-001 needs --mode active", "RATE-001 POST /login: RATE-001 needs --mode active"}},
		},
		Operations: []rampart.OperationCoverage{
			{Operation: "", Cells: []rampart.CoverageCell{
				{Family: rampart.FamilyHeaders, State: rampart.CoverageTested},
			}},
			{Operation: "GET /search", Source: rampart.SourceSpec, Origin: "api.yaml", Cells: []rampart.CoverageCell{
				{Family: rampart.FamilyMissingAuth, State: rampart.CoverageTested},
				{Family: rampart.FamilySQLi, State: rampart.CoverageProved},
				{Family: rampart.FamilyErrorLeak, State: rampart.CoverageTested},
			}},
			{Operation: "GET /notes/{id}", Source: rampart.SourceSpec, Origin: "api.yaml", Cells: []rampart.CoverageCell{
				{Family: rampart.FamilyBOLA, State: rampart.CoverageProved},
				{Family: rampart.FamilyMissingAuth, State: rampart.CoverageTested},
				{Family: rampart.FamilySQLi, State: nt, Reason: rampart.ReasonNoValues, Detail: "no values for {id}"},
				{Family: rampart.FamilyErrorLeak, State: rampart.CoverageNotApplicable, Detail: "the path takes no free-form value"},
			}},
			{Operation: "POST /notes", Source: rampart.SourceHAR, Origin: "traffic.har (3 requests)", Cells: []rampart.CoverageCell{
				{Family: rampart.FamilyBOLA, State: nt, Reason: rampart.ReasonNeedsSecondUser, Detail: "needs a second user-role identity"},
				{Family: rampart.FamilyMassAssignment, State: nt, Reason: rampart.ReasonNeedsActive, Detail: "MASS-001 needs --mode active"},
				{Family: rampart.FamilySQLi, State: rampart.CoverageTested, Checks: []rampart.CheckCoverage{
					{Check: "SQLI-001", State: rampart.CoverageTested},
					{Check: "SQLI-004", State: nt, Reason: rampart.ReasonBudget},
				}},
			}},
			{Operation: "POST /login", Source: rampart.SourceProbe, Origin: "common path", Cells: []rampart.CoverageCell{
				{Family: rampart.FamilyRateLimit, State: nt, Reason: rampart.ReasonNeedsActive, Detail: "RATE-001 needs --mode active"},
			}},
		},
	}
}

// Uncovered is a scan that could exercise little of the API: most cells
// not tested, so the report is incomplete and the grade at best C.
func Uncovered() *rampart.Report {
	r := Empty()
	r.Score, r.Grade = 79, "C"
	r.Coverage = &rampart.Coverage{
		Percent: 40, Tested: 2, Applicable: 5, Incomplete: true,
		Families: []rampart.FamilyCoverage{
			{Family: rampart.FamilyBOLA, NotTested: 2},
			{Family: rampart.FamilyHeaders, Tested: 1},
			{Family: rampart.FamilySQLi, Tested: 1, NotTested: 1},
		},
		Reasons: []rampart.ReasonCount{
			{Reason: rampart.ReasonNeedsIdentity, Cells: 2, Action: rampart.ReasonNeedsIdentity.Action(),
				Examples: []string{"BOLA-001 GET /orders/{id}: needs a user-role identity"}},
			{Reason: rampart.ReasonBodyRejected, Cells: 1, Action: rampart.ReasonBodyRejected.Action(),
				Examples: []string{"SQLI-001 POST /orders: the API answered 422: field required: items"}},
		},
		Operations: []rampart.OperationCoverage{
			{Operation: "", Cells: []rampart.CoverageCell{{Family: rampart.FamilyHeaders, State: rampart.CoverageTested}}},
			{Operation: "GET /orders/{id}", Cells: []rampart.CoverageCell{
				{Family: rampart.FamilyBOLA, State: rampart.CoverageNotTested, Reason: rampart.ReasonNeedsIdentity, Detail: "needs a user-role identity"},
				{Family: rampart.FamilySQLi, State: rampart.CoverageTested},
			}},
			{Operation: "POST /orders", Cells: []rampart.CoverageCell{
				{Family: rampart.FamilyBOLA, State: rampart.CoverageNotTested, Reason: rampart.ReasonNeedsIdentity, Detail: "needs a user-role identity"},
				{Family: rampart.FamilySQLi, State: rampart.CoverageNotTested, Reason: rampart.ReasonBodyRejected, Detail: "the API answered 422: field required: items"},
			}},
		},
	}
	return r
}
