package score

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/rampart-sec/rampart"
)

// f builds a finding; the family defaults to one that deducts.
func f(check string, sev rampart.Severity, conf rampart.Confidence) rampart.Finding {
	return rampart.Finding{Check: check, Family: rampart.FamilyBOLA, Severity: sev, Confidence: conf}
}

func fam(x rampart.Finding, family rampart.Family) rampart.Finding {
	x.Family = family
	return x
}

func repeat(n int, x rampart.Finding) []rampart.Finding {
	out := make([]rampart.Finding, n)
	for i := range out {
		out[i] = x
	}
	return out
}

func join(parts ...[]rampart.Finding) []rampart.Finding {
	var out []rampart.Finding
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

const (
	info   = rampart.Info
	low    = rampart.Low
	medium = rampart.Medium
	high   = rampart.High
	crit   = rampart.Critical

	tent  = rampart.Tentative
	firm  = rampart.Firm
	confd = rampart.Confirmed
)

func TestSingleFinding(t *testing.T) {
	// The published table in docs/scoring.md: 100 minus the deduction
	// rounded up, then the ceiling.
	tests := []struct {
		sev  rampart.Severity
		conf rampart.Confidence
		want int
	}{
		{crit, confd, 60}, {crit, firm, 70}, {crit, tent, 90},
		{high, confd, 79}, // 80 by deduction, ceiling makes it a C
		{high, firm, 85}, {high, tent, 95},
		{medium, confd, 92}, {medium, firm, 94}, {medium, tent, 98},
		{low, confd, 98}, {low, firm, 98}, {low, tent, 99}, // 1.5 and 0.5 round up
		{info, confd, 100}, {info, firm, 100}, {info, tent, 100},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s-%s", tt.sev, tt.conf), func(t *testing.T) {
			got := Score([]rampart.Finding{f("X-001", tt.sev, tt.conf)})
			if got.Score != tt.want {
				t.Errorf("score = %d, want %d", got.Score, tt.want)
			}
			if got.Grade != Grade(tt.want) {
				t.Errorf("grade = %s, want %s", got.Grade, Grade(tt.want))
			}
		})
	}
}

func TestScore(t *testing.T) {
	tests := []struct {
		name     string
		findings []rampart.Finding
		score    int
		grade    string
	}{
		{"no findings", nil, 100, "A"},
		{"empty slice", []rampart.Finding{}, 100, "A"},
		{"info never deducts", repeat(50, f("X-001", info, confd)), 100, "A"},
		{"fingerprint never deducts, whatever its severity",
			[]rampart.Finding{fam(f("FP-001", crit, confd), rampart.FamilyFingerprint)}, 100, "A"},

		// Cap: 1.5 × the check's largest single deduction.
		{"cap on a noisy low check", repeat(30, f("HDR-001", low, confd)), 97, "A"},           // 60 → 3
		{"cap on a noisy medium check", repeat(5, f("HDR-002", medium, confd)), 88, "B"},      // 40 → 12
		{"two tentative mediums hit the cap", repeat(2, f("HDR-002", medium, tent)), 97, "A"}, // 4 → 3
		{"findings under the cap are summed", join(
			[]rampart.Finding{f("CORS-001", medium, confd)}, // 8, cap 12
			[]rampart.Finding{f("CORS-001", low, confd)},    // +2 = 10
		), 90, "A"},
		{"cap follows the largest finding", join(
			[]rampart.Finding{f("SQLI-001", high, firm)}, // 15, cap 22.5
			repeat(10, f("SQLI-001", low, confd)),        // +20, capped
		), 77, "C"},
		{"the cap is per check, not global", join(
			repeat(5, f("HDR-001", low, confd)), // 10 → 3
			repeat(5, f("HDR-002", low, confd)), // 10 → 3
			repeat(5, f("HDR-003", low, confd)), // 10 → 3
		), 91, "A"},
		{"rounding happens once on the total", join(
			[]rampart.Finding{f("A-001", low, tent)}, // 0.5
			[]rampart.Finding{f("B-001", low, tent)}, // 0.5
		), 99, "A"},

		// Ceilings.
		{"confirmed high caps the grade at C", []rampart.Finding{f("AUTHZ-002", high, confd)}, 79, "C"},
		{"firm high has no ceiling", []rampart.Finding{f("AUTHZ-002", high, firm)}, 85, "B"},
		{"confirmed critical is at best D", []rampart.Finding{f("DEBUG-001", crit, confd)}, 60, "D"},
		{"a confirmed fingerprint critical has no ceiling",
			[]rampart.Finding{fam(f("FP-001", crit, confd), rampart.FamilyFingerprint), f("HDR-001", low, confd)}, 98, "A"},

		// Floor.
		{"never below zero", join(
			[]rampart.Finding{f("A-001", crit, confd)},
			[]rampart.Finding{f("B-001", crit, confd)},
			[]rampart.Finding{f("C-001", crit, confd)},
			[]rampart.Finding{f("D-001", crit, confd)},
		), 0, "F"},
		{"a single check cannot reach zero", repeat(100, f("AUTHZ-001", crit, confd)), 40, "F"},

		// Values a buggy check could build still score, cautiously.
		{"severity above critical counts as critical", []rampart.Finding{f("X-001", rampart.Severity(9), confd)}, 60, "D"},
		{"negative severity counts as info", []rampart.Finding{f("X-001", rampart.Severity(-3), confd)}, 100, "A"},
		{"confidence above confirmed counts as confirmed", []rampart.Finding{f("X-001", high, rampart.Confidence(7))}, 79, "C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Score(tt.findings)
			if got.Score != tt.score || got.Grade != tt.grade {
				t.Errorf("Score = %d %s, want %d %s", got.Score, got.Grade, tt.score, tt.grade)
			}
		})
	}
}

// The critical ceiling is implied by today's weights (a confirmed critical
// alone deducts 40), so it is tested directly: it must hold if the weights
// are ever retuned.
func TestCeiling(t *testing.T) {
	tests := []struct {
		name     string
		findings []rampart.Finding
		want     int
	}{
		{"none", nil, 100},
		{"confirmed medium", []rampart.Finding{f("X", medium, confd)}, 100},
		{"firm critical", []rampart.Finding{f("X", crit, firm)}, 100},
		{"tentative critical", []rampart.Finding{f("X", crit, tent)}, 100},
		{"confirmed high", []rampart.Finding{f("X", high, confd)}, 79},
		{"confirmed critical", []rampart.Finding{f("X", crit, confd)}, 69},
		{"the worst wins", []rampart.Finding{f("X", high, confd), f("Y", crit, confd), f("Z", high, confd)}, 69},
		{"fingerprint excluded", []rampart.Finding{fam(f("X", crit, confd), rampart.FamilyFingerprint)}, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ceiling(tt.findings)
			if got != tt.want {
				t.Errorf("ceiling = %d, want %d", got, tt.want)
			}
			// A ceiling must be the top score of a grade, or the grade it
			// promises would not be the best one reachable.
			if got < 100 && Grade(got) == Grade(got+1) {
				t.Errorf("ceiling %d is not the top score of grade %s", got, Grade(got))
			}
		})
	}
}

func TestGrade(t *testing.T) {
	tests := []struct {
		score int
		want  string
	}{
		{100, "A"}, {90, "A"}, {89, "B"}, {80, "B"}, {79, "C"}, {70, "C"},
		{69, "D"}, {60, "D"}, {59, "F"}, {0, "F"}, {-5, "F"},
	}
	for _, tt := range tests {
		if got := Grade(tt.score); got != tt.want {
			t.Errorf("Grade(%d) = %s, want %s", tt.score, got, tt.want)
		}
	}
}

func TestCategories(t *testing.T) {
	findings := []rampart.Finding{
		fam(f("HDR-001", low, confd), rampart.FamilyHeaders),
		fam(f("HDR-001", low, confd), rampart.FamilyHeaders),
		fam(f("HDR-001", low, confd), rampart.FamilyHeaders),
		fam(f("AUTHZ-002", high, confd), rampart.FamilyBFLA),
		fam(f("FP-001", info, confd), rampart.FamilyFingerprint),
		fam(f("ERR-001", info, firm), rampart.FamilyErrorLeak),
		fam(f("X-001", high, confd), rampart.Family("made-up")),
	}
	got := Score(findings)
	// Known families only, in rampart.Families order; a family with only
	// info findings is listed (it was tested and found something) at 100.
	want := []rampart.CategoryScore{
		{Family: rampart.FamilyBFLA, Score: 79, Findings: 1}, // ceiling applies per category too
		{Family: rampart.FamilyErrorLeak, Score: 100, Findings: 1},
		{Family: rampart.FamilyHeaders, Score: 97, Findings: 3},
	}
	if !reflect.DeepEqual(got.Categories, want) {
		t.Errorf("categories:\n got %+v\nwant %+v", got.Categories, want)
	}
	// The unknown family still costs in the overall score: 20 + 20 + 3.
	if got.Score != 57 {
		t.Errorf("score = %d, want 57", got.Score)
	}
	if Score(nil).Categories != nil {
		t.Errorf("no findings should give no categories")
	}
}

// TestWorkedExample is the example in docs/scoring.md; if this test changes,
// that page must change with it.
func TestWorkedExample(t *testing.T) {
	findings := []rampart.Finding{
		fam(f("BOLA-003", crit, confd), rampart.FamilyBOLA),           // PUT /notes/{note_id}
		fam(f("BOLA-003", crit, confd), rampart.FamilyBOLA),           // DELETE /notes/{note_id}
		fam(f("SQLI-001", high, firm), rampart.FamilySQLi),            // /search?q=
		fam(f("HDR-001", low, confd), rampart.FamilyHeaders),          // x4
		fam(f("HDR-001", low, confd), rampart.FamilyHeaders),          //
		fam(f("HDR-001", low, confd), rampart.FamilyHeaders),          //
		fam(f("HDR-001", low, confd), rampart.FamilyHeaders),          //
		fam(f("PY-TXN-003", medium, tent), rampart.FamilyTxnBoundary), // app.py:88
		fam(f("PY-JWT-003", low, tent), rampart.FamilyJWT),            // exp-less tokens, code
		fam(f("FP-001", info, confd), rampart.FamilyFingerprint),      // Flask on Werkzeug
	}
	got := Score(findings)
	want := Result{Score: 19, Grade: "F", Categories: []rampart.CategoryScore{
		{Family: rampart.FamilyBOLA, Score: 40, Findings: 2},
		{Family: rampart.FamilySQLi, Score: 85, Findings: 1},
		{Family: rampart.FamilyTxnBoundary, Score: 98, Findings: 1},
		{Family: rampart.FamilyJWT, Score: 99, Findings: 1},
		{Family: rampart.FamilyHeaders, Score: 97, Findings: 4},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("worked example:\n got %+v\nwant %+v", got, want)
	}

	// And the smaller one: a lone confirmed high plus a tentative low.
	got = Score([]rampart.Finding{
		fam(f("BFLA-001", high, confd), rampart.FamilyBFLA),
		fam(f("CORS-001", low, tent), rampart.FamilyCORS),
	})
	if got.Score != 79 || got.Grade != "C" {
		t.Errorf("ceiling example = %d %s, want 79 C", got.Score, got.Grade)
	}
}

// Order must not matter: the scanner streams findings from concurrent checks.
func TestOrderIndependent(t *testing.T) {
	findings := []rampart.Finding{
		fam(f("HDR-001", low, confd), rampart.FamilyHeaders),
		fam(f("SQLI-001", high, firm), rampart.FamilySQLi),
		fam(f("HDR-001", medium, confd), rampart.FamilyHeaders),
		fam(f("AUTHZ-001", crit, tent), rampart.FamilyBOLA),
		fam(f("HDR-001", low, tent), rampart.FamilyHeaders),
	}
	want := Score(findings)
	for i := range findings {
		rot := append(append([]rampart.Finding{}, findings[i:]...), findings[:i]...)
		for l, r := 0, len(rot)-1; l < r; l, r = l+1, r-1 {
			rot[l], rot[r] = rot[r], rot[l]
		}
		if got := Score(rot); !reflect.DeepEqual(got, want) {
			t.Fatalf("order %d: %+v, want %+v", i, got, want)
		}
	}
}

// Property: whatever the findings, the score stays in 0..100 and agrees with
// the grade, and adding a finding never raises the score.
func TestBoundsAndMonotonic(t *testing.T) {
	var all []rampart.Finding
	checks := []string{"A", "B", "C", "D"}
	prev := 100
	i := 0
	for _, sev := range []rampart.Severity{info, low, medium, high, crit} {
		for _, conf := range []rampart.Confidence{tent, firm, confd} {
			for range 3 {
				all = append(all, f(checks[i%len(checks)], sev, conf))
				i++
				r := Score(all)
				if r.Score < 0 || r.Score > 100 {
					t.Fatalf("score %d out of range after %d findings", r.Score, len(all))
				}
				if r.Grade != Grade(r.Score) {
					t.Fatalf("grade %s disagrees with score %d", r.Grade, r.Score)
				}
				if r.Score > prev {
					t.Fatalf("adding a %s %s finding raised the score from %d to %d", sev, conf, prev, r.Score)
				}
				prev = r.Score
			}
		}
	}
}

func TestCappedForAnUnhealthyTarget(t *testing.T) {
	tests := []struct {
		name      string
		findings  []rampart.Finding
		wantScore int
		wantGrade string
	}{
		{"clean: A becomes C", nil, 79, "C"},
		{"a low: A becomes C", []rampart.Finding{f("X", low, confd)}, 79, "C"},
		{"already below the cap: unchanged", []rampart.Finding{f("X", crit, confd)}, 60, "D"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full := Score(tt.findings)
			got := Capped(full, CeilingUnhealthy)
			if got.Score != tt.wantScore || got.Grade != tt.wantGrade {
				t.Errorf("capped %d %s, want %d %s", got.Score, got.Grade, tt.wantScore, tt.wantGrade)
			}
			if !reflect.DeepEqual(got.Categories, full.Categories) {
				t.Errorf("categories changed: %v, was %v", got.Categories, full.Categories)
			}
		})
	}
	if Grade(CeilingUnhealthy) == Grade(CeilingUnhealthy+1) {
		t.Errorf("CeilingUnhealthy %d is not the top score of grade %s", CeilingUnhealthy, Grade(CeilingUnhealthy))
	}
}
