package coverage

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

func chk(id string, f rampart.Family, mode rampart.Mode, applies func(*rampart.Operation) bool) *check.Check {
	return &check.Check{Meta: rampart.Meta{ID: id, Family: f, Mode: mode}, Applies: applies}
}

func always(*rampart.Operation) bool { return true }

func get(op *rampart.Operation) bool { return op.Method == "GET" }

func TestBuild(t *testing.T) {
	read := &rampart.Operation{Method: "GET", Path: "/notes/{id}"}
	write := &rampart.Operation{Method: "POST", Path: "/notes"}
	all := []*check.Check{
		chk("BOLA-001", rampart.FamilyBOLA, rampart.Safe, get),
		chk("BOLA-002", rampart.FamilyBOLA, rampart.Active, always),
		chk("SQLI-001", rampart.FamilySQLi, rampart.Safe, always),
		chk("HDR-001", rampart.FamilyHeaders, rampart.Safe, nil),
		chk("LEAK-001", rampart.FamilyErrorLeak, rampart.Safe, always),
	}
	nt := rampart.CoverageNotTested
	rec := &Recorder{}
	rec.Record(nil, rampart.CheckCoverage{Check: "HDR-001", State: rampart.CoverageTested})
	rec.Record(read, rampart.CheckCoverage{Check: "BOLA-001", State: nt, Reason: rampart.ReasonNeedsSecondUser, Detail: "only alice (user) is configured"})
	rec.Record(read, rampart.CheckCoverage{Check: "SQLI-001", State: rampart.CoverageTested})
	rec.Record(write, rampart.CheckCoverage{Check: "SQLI-001", State: nt, Reason: rampart.ReasonBodyRejected, Detail: "422: field required: title"})
	rec.Record(read, rampart.CheckCoverage{Check: "LEAK-001", State: rampart.CoverageNotApplicable, Detail: "no free-form value"})
	// LEAK-001 on POST /notes never ran: the scan was interrupted.
	cov := rec.Build(Input{
		All:      all,
		Selected: map[string]bool{"BOLA-001": true, "SQLI-001": true, "HDR-001": true, "LEAK-001": true},
		Mode:     rampart.Safe,
		Ops:      []*rampart.Operation{read, write},
		Findings: []rampart.Finding{
			{Check: "LEAK-001", Family: rampart.FamilyErrorLeak, Location: rampart.Location{Method: "GET", Path: "/notes/{id}"}},
			{Check: "PY-SQLI-001", Family: rampart.FamilySQLi, Origin: "code", Location: rampart.Location{File: "app.py"}},
		},
	})
	cell := func(op string, f rampart.Family) rampart.CoverageCell {
		t.Helper()
		c := cov.Cell(op, f)
		if c == nil {
			t.Fatalf("no cell for %s × %s", op, f)
		}
		return *c
	}
	if c := cell("", rampart.FamilyHeaders); c.State != rampart.CoverageTested {
		t.Errorf("whole-API headers: %+v", c)
	}
	if c := cell("GET /notes/{id}", rampart.FamilyBOLA); c.State != nt || c.Reason != rampart.ReasonNeedsSecondUser || len(c.Checks) != 2 {
		t.Errorf("BOLA on the read: %+v (want the second user's reason, and both checks since BOLA-002 needs active)", c)
	}
	if c := cell("POST /notes", rampart.FamilyBOLA); c.Reason != rampart.ReasonNeedsActive || len(c.Checks) != 0 {
		t.Errorf("BOLA on the write is only the mode's: %+v", c)
	}
	if c := cell("GET /notes/{id}", rampart.FamilyErrorLeak); c.State != rampart.CoverageProved {
		t.Errorf("a finding at the operation proves its family even when its unit said otherwise: %+v", c)
	}
	if c := cell("POST /notes", rampart.FamilyErrorLeak); c.Reason != rampart.ReasonInterrupted {
		t.Errorf("a selected unit that never ran: %+v", c)
	}
	if c := cell("POST /notes", rampart.FamilySQLi); c.Reason != rampart.ReasonBodyRejected || c.Detail == "" {
		t.Errorf("rejected body: %+v", c)
	}
	// Cells: whole-API headers (tested); GET: BOLA (not tested), SQLi
	// (tested), leak (proved); POST: BOLA (chosen: active), SQLi (not
	// tested), leak (interrupted). Applicable leaves out the chosen one.
	if cov.Tested != 3 || cov.Applicable != 6 || cov.Percent != 50 || cov.Incomplete {
		t.Errorf("tested %d of %d (%d%%, incomplete %v), want 3 of 6 (50%%, complete)", cov.Tested, cov.Applicable, cov.Percent, cov.Incomplete)
	}
	if got := cov.Reasons[len(cov.Reasons)-1].Reason; got != rampart.ReasonNeedsActive {
		t.Errorf("the user's own choices come last among the reasons, got %s last", got)
	}
	for _, r := range cov.Reasons {
		if r.Action == "" || len(r.Examples) == 0 {
			t.Errorf("reason %s without action or example", r.Reason)
		}
	}
	var bola rampart.FamilyCoverage
	for _, f := range cov.Families {
		if f.Family == rampart.FamilyBOLA {
			bola = f
		}
	}
	if bola.NotTested != 2 || bola.Chosen != 1 {
		t.Errorf("BOLA family counts: %+v", bola)
	}
	if got := cov.Operations[0].Operation; got != Target {
		t.Errorf("the whole-API row comes first, got %q", got)
	}
}

func TestIncompleteBelowHalf(t *testing.T) {
	ops := []*rampart.Operation{{Method: "GET", Path: "/a"}, {Method: "GET", Path: "/b"}, {Method: "GET", Path: "/c"}}
	all := []*check.Check{chk("SQLI-001", rampart.FamilySQLi, rampart.Safe, always)}
	rec := &Recorder{}
	rec.Record(ops[0], rampart.CheckCoverage{Check: "SQLI-001", State: rampart.CoverageTested})
	for _, op := range ops[1:] {
		rec.Record(op, rampart.CheckCoverage{Check: "SQLI-001", State: rampart.CoverageNotTested, Reason: rampart.ReasonNoValues, Detail: "no values for {x}"})
	}
	cov := rec.Build(Input{All: all, Selected: map[string]bool{"SQLI-001": true}, Mode: rampart.Safe, Ops: ops})
	if !cov.Incomplete || cov.Percent != 33 {
		t.Errorf("1 of 3 tested: percent %d incomplete %v, want 33 and incomplete", cov.Percent, cov.Incomplete)
	}
	if len(cov.Reasons) != 1 || cov.Reasons[0].Cells != 2 || !strings.Contains(cov.Reasons[0].Examples[0], "SQLI-001 GET /b: no values for {x}") {
		t.Errorf("reasons: %+v", cov.Reasons)
	}
}

func TestAReasonCountsEachCellOnce(t *testing.T) {
	op := &rampart.Operation{Method: "GET", Path: "/notes/{id}"}
	all := []*check.Check{
		chk("SQLI-001", rampart.FamilySQLi, rampart.Safe, always),
		chk("SQLI-002", rampart.FamilySQLi, rampart.Safe, always),
	}
	rec := &Recorder{}
	for _, id := range []string{"SQLI-001", "SQLI-002"} {
		rec.Record(op, rampart.CheckCoverage{Check: id, State: rampart.CoverageNotTested, Reason: rampart.ReasonNoValues, Detail: "no values for {id}"})
	}
	cov := rec.Build(Input{All: all, Selected: map[string]bool{"SQLI-001": true, "SQLI-002": true}, Mode: rampart.Safe, Ops: []*rampart.Operation{op}})
	if len(cov.Reasons) != 1 || cov.Reasons[0].Cells != 1 || len(cov.Reasons[0].Examples) != 2 {
		t.Errorf("two checks, one cell: %+v, want 1 cell and both checks as examples", cov.Reasons)
	}
}

func TestExcludedPathsAndUnselectedChecksAreChosen(t *testing.T) {
	ops := []*rampart.Operation{{Method: "GET", Path: "/admin/reset"}, {Method: "GET", Path: "/a"}}
	all := []*check.Check{
		chk("SQLI-001", rampart.FamilySQLi, rampart.Safe, always),
		chk("LEAK-001", rampart.FamilyErrorLeak, rampart.Safe, always),
	}
	rec := &Recorder{}
	rec.Record(ops[1], rampart.CheckCoverage{Check: "SQLI-001", State: rampart.CoverageTested})
	cov := rec.Build(Input{All: all, Selected: map[string]bool{"SQLI-001": true}, Mode: rampart.Safe, Ops: ops,
		Excluded: func(op *rampart.Operation) bool { return op.Path == "/admin/reset" }})
	if c := cov.Cell("GET /admin/reset", rampart.FamilySQLi); c.Reason != rampart.ReasonExcluded || !strings.Contains(c.Detail, "--exclude") {
		t.Errorf("excluded path: %+v", c)
	}
	if c := cov.Cell("GET /a", rampart.FamilyErrorLeak); c.Reason != rampart.ReasonExcluded || !strings.Contains(c.Detail, "--checks") {
		t.Errorf("unselected check: %+v", c)
	}
	if cov.Applicable != 1 || cov.Percent != 100 || cov.Incomplete {
		t.Errorf("chosen cells must not count: %d of %d (%d%%)", cov.Tested, cov.Applicable, cov.Percent)
	}
}

func TestEveryOperationHasARow(t *testing.T) {
	ops := []*rampart.Operation{{Method: "GET", Path: "/a"}, {Method: "POST", Path: "/logout"}}
	all := []*check.Check{chk("SQLI-001", rampart.FamilySQLi, rampart.Safe, get)}
	rec := &Recorder{}
	rec.Record(ops[0], rampart.CheckCoverage{Check: "SQLI-001", State: rampart.CoverageTested})
	cov := rec.Build(Input{All: all, Selected: map[string]bool{"SQLI-001": true}, Mode: rampart.Safe, Ops: ops})
	if len(cov.Operations) != 3 || cov.Operations[2].Operation != "POST /logout" || len(cov.Operations[2].Cells) != 0 {
		t.Errorf("rows %+v: want the whole-API row and one per operation, the last without cells", cov.Operations)
	}
}
