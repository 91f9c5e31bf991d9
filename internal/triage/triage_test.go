package triage

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
	"github.com/rampart-sec/rampart/internal/score"
)

func finding(id, check string, sev rampart.Severity, conf rampart.Confidence, fam rampart.Family, file string, line int) rampart.Finding {
	return rampart.Finding{ID: id, Check: check, Family: fam, Severity: sev, Confidence: conf,
		Location: rampart.Location{File: file, Line: line}, Remediation: "fix it"}
}

var (
	sqli   = finding("a1", "PY-SQLI-001", rampart.High, rampart.Firm, rampart.FamilySQLi, "app.py", 17)
	secret = finding("b2", "PY-SECRET-001", rampart.Medium, rampart.Firm, rampart.FamilySessionSecret, "app.py", 6)
	idem   = finding("c3", "PY-IDEM-001", rampart.Low, rampart.Tentative, rampart.FamilyIdempotency, "pay.py", 9)
	debug  = finding("d4", "PY-DEBUG-001", rampart.Critical, rampart.Confirmed, rampart.FamilyDebugExposure, "run.py", 3)
	gone   = finding("e5", "PY-SQLI-001", rampart.High, rampart.Firm, rampart.FamilySQLi, "old.py", 40)
)

func ids(fs []rampart.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	slices.Sort(out)
	return out
}

// Each setting leaves out what it should, says so, and the grade counts
// what the user set aside (ignores, baseline) but not what they filtered.
func TestApply(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	all := []rampart.Finding{sqli, secret, idem, debug}
	tests := []struct {
		name    string
		s       Settings
		kept    []string
		counted []rampart.Finding // what the score is computed over
		notes   []string
	}{
		{"nothing asked", Settings{}, []string{"a1", "b2", "c3", "d4"}, all, nil},
		{"min confidence", Settings{MinConfidence: rampart.Firm}, []string{"a1", "b2", "d4"}, []rampart.Finding{sqli, secret, debug}, nil},
		{"ignore by check", Settings{Ignores: []baseline.Ignore{{Check: "PY-SECRET-*", Reason: "dev key"}}},
			[]string{"a1", "c3", "d4"}, all, []string{"1 findings suppressed by the config's ignore list; the grade still counts them"}},
		{"expired and unused ignores", Settings{Ignores: []baseline.Ignore{
			{Check: "PY-SECRET-001", Reason: "r", Expires: "2026-12-06"},
			{Check: "PY-RACE-*", Reason: "r"},
		}}, []string{"a1", "b2", "c3", "d4"}, all, []string{
			"expired ignore no longer applies: PY-SECRET-001 (expires 2026-12-06)",
			"unused ignore (matched no finding): PY-RACE-*",
		}},
		{"baseline: new, unchanged, fixed",
			Settings{Baseline: &rampart.Report{Findings: []rampart.Finding{secret, debug, gone}}, BaselineName: "main.json"},
			[]string{"a1", "c3"}, all,
			[]string{"2 findings suppressed by the baseline main.json as unchanged; the grade still counts them. Since it: 2 new, 1 fixed (PY-SQLI-001 old.py:40)"}},
		{"a baseline finding filtered out is not fixed",
			Settings{MinConfidence: rampart.Firm, Baseline: &rampart.Report{Findings: []rampart.Finding{idem}}, BaselineName: "main.json"},
			[]string{"a1", "b2", "d4"}, []rampart.Finding{sqli, secret, debug},
			[]string{"0 findings suppressed by the baseline main.json as unchanged; the grade still counts them. Since it: 3 new, 0 fixed"}},
		{"all three", Settings{MinConfidence: rampart.Firm, Ignores: []baseline.Ignore{{ID: "b2", Reason: "r"}},
			Baseline: &rampart.Report{Findings: []rampart.Finding{debug}}, BaselineName: "b.json"},
			[]string{"a1"}, []rampart.Finding{sqli, secret, debug}, []string{
				"1 findings suppressed by the config's ignore list; the grade still counts them",
				"1 findings suppressed by the baseline b.json as unchanged; the grade still counts them. Since it: 1 new, 0 fixed",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &rampart.Report{Findings: slices.Clone(all), Fingerprint: rampart.Fingerprint{Framework: "Flask", Language: "Python", Database: "PostgreSQL", Driver: "psycopg2"}}
			var told []string
			tt.s.Now = now
			tt.s.OnNote = func(n string) { told = append(told, n) }
			if err := Apply(rep, tt.s); err != nil {
				t.Fatal(err)
			}
			if got := ids(rep.Findings); !slices.Equal(got, tt.kept) {
				t.Errorf("kept %v, want %v", got, tt.kept)
			}
			if !slices.Equal(rep.Notes, tt.notes) || !slices.Equal(told, tt.notes) {
				t.Errorf("notes %q, told %q, want %q", rep.Notes, told, tt.notes)
			}
			want := score.Score(tt.counted)
			if rep.Score != want.Score || rep.Grade != want.Grade {
				t.Errorf("score %d %s, want %d %s", rep.Score, rep.Grade, want.Score, want.Grade)
			}
			if rep.Findings == nil {
				t.Error("nil findings: the JSON report would say null")
			}
		})
	}
}

// The kept findings get the stack's advice once and come out in the
// report order.
func TestApplyAdvisesAndSorts(t *testing.T) {
	rep := &rampart.Report{
		Findings:    []rampart.Finding{idem, sqli, debug},
		Fingerprint: rampart.Fingerprint{Framework: "Flask", Language: "Python", Database: "PostgreSQL", Driver: "psycopg2"},
	}
	if err := Apply(rep, Settings{}); err != nil {
		t.Fatal(err)
	}
	if got := []string{rep.Findings[0].ID, rep.Findings[1].ID, rep.Findings[2].ID}; !slices.Equal(got, []string{"d4", "a1", "c3"}) {
		t.Errorf("order %v, want by severity", got)
	}
	for _, f := range rep.Findings {
		if f.ID == "a1" && (!strings.HasPrefix(f.Remediation, "fix it\n") || !strings.Contains(f.Remediation, "psycopg2")) {
			t.Errorf("PY-SQLI-001 remediation lacks the psycopg2 advice after its own fix: %q", f.Remediation)
		}
	}
	again := slices.Clone(rep.Findings)
	if err := Apply(rep, Settings{}); err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if again[i].Remediation != rep.Findings[i].Remediation {
			t.Errorf("a second Apply changed %s's remediation", again[i].Check)
		}
	}
}

// The caps a scan report carries hold after triage: an incomplete or
// unhealthy report is at best C, whatever its findings.
func TestApplyKeepsTheCaps(t *testing.T) {
	for _, rep := range []*rampart.Report{
		{Coverage: &rampart.Coverage{Incomplete: true}},
		{Health: &rampart.Health{Verdict: rampart.HealthDegraded}},
	} {
		if err := Apply(rep, Settings{}); err != nil {
			t.Fatal(err)
		}
		if rep.Score > score.CeilingIncomplete || rep.Grade != "C" {
			t.Errorf("score %d grade %s, want at most C", rep.Score, rep.Grade)
		}
	}
	rep := &rampart.Report{Health: &rampart.Health{Verdict: rampart.HealthOK}}
	if err := Apply(rep, Settings{}); err != nil || rep.Grade != "A" {
		t.Errorf("a healthy, complete, clean report: grade %s, %v", rep.Grade, err)
	}
}

// An invalid ignore fails before anything changes.
func TestApplyRefusesAnInvalidIgnore(t *testing.T) {
	rep := &rampart.Report{Findings: []rampart.Finding{sqli, idem}}
	err := Apply(rep, Settings{MinConfidence: rampart.Firm, Ignores: []baseline.Ignore{{Check: "PY-SQLI-001"}}})
	if err == nil || !strings.Contains(err.Error(), "ignore[0]") || !strings.Contains(err.Error(), "reason") {
		t.Fatalf("err = %v", err)
	}
	if len(rep.Findings) != 2 || rep.Grade != "" {
		t.Errorf("the report changed: %d findings, grade %q", len(rep.Findings), rep.Grade)
	}
}

func TestBaselineNoteListsAtMostFive(t *testing.T) {
	var d baseline.Diff
	for i := range 7 {
		d.Fixed = append(d.Fixed, finding("x", "PY-SQLI-001", rampart.High, rampart.Firm, rampart.FamilySQLi, "a.py", i+1))
	}
	d.Fixed = append(d.Fixed, rampart.Finding{Check: "SQLI-001", Location: rampart.Location{Method: "GET", Path: "/search"}})
	got := baselineNote(d, "b.json")
	if !strings.HasSuffix(got, "8 fixed (PY-SQLI-001 a.py:1, PY-SQLI-001 a.py:2, PY-SQLI-001 a.py:3, PY-SQLI-001 a.py:4, PY-SQLI-001 a.py:5, 3 more)") {
		t.Errorf("note %q", got)
	}
	if w := where(d.Fixed[7]); w != "SQLI-001 GET /search" {
		t.Errorf("where = %q", w)
	}
}
