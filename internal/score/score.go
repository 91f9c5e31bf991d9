package score

import (
	"github.com/rampart-sec/rampart"
)

// Result is the outcome of scoring one set of findings.
type Result struct {
	Score      int
	Grade      string
	Categories []rampart.CategoryScore
}

// Grades and their lower bounds. The ceilings below are expressed as the top
// score of a grade so that the score and the grade can never disagree.
const (
	minA = 90
	minB = 80
	minC = 70
	minD = 60
)

// Deductions are kept in quarter points so that every weight, and the per-check
// cap, is an exact integer; rounding happens once, on the total.
const quarter = 4

// severityPoints is the deduction of one confirmed finding, in whole points.
var severityPoints = [...]int{
	rampart.Info:     0,
	rampart.Low:      2,
	rampart.Medium:   8,
	rampart.High:     20,
	rampart.Critical: 40,
}

// confidenceQuarters scales a deduction by how well the finding is
// established: a pattern match should not cost as much as a proof.
var confidenceQuarters = [...]int{
	rampart.Tentative: 1, // ×0.25
	rampart.Firm:      3, // ×0.75
	rampart.Confirmed: 4, // ×1
}

// A check deducts at most capNum/capDen times its largest single deduction,
// so a check that fires on every endpoint (a missing header, say) costs a
// little more than firing once, and cannot sink the grade on its own.
const (
	capNum = 3
	capDen = 2
)

// Ceilings: the best score a set of findings can reach when it holds a
// confirmed finding of that severity, whatever else it holds.
const (
	ceilingConfirmedCritical = minC - 1 // at best D
	ceilingConfirmedHigh     = minB - 1 // at best C
)

// CeilingUnhealthy is the best score of a scan whose target mostly answered
// with server errors, redirects or failures (docs/scoring.md, "Target
// health"): what was not answered was not tested, so the findings cannot
// vouch for the API. At best C.
const CeilingUnhealthy = minB - 1

// CeilingIncomplete is the best score of a scan that tested less than half
// of the operation × family cells that applied (docs/scoring.md,
// "Coverage"): findings are scored over what was tested, and what was not
// cannot earn an A or a B. At best C.
const CeilingIncomplete = minB - 1

// Capped lowers a result's score to ceiling when it is above it; the grade
// follows the score, so the two never disagree. Category scores are left as
// they are: they describe the findings, and the cap is about what is
// missing.
func Capped(r Result, ceiling int) Result {
	if r.Score > ceiling {
		r.Score = max(ceiling, 0)
		r.Grade = Grade(r.Score)
	}
	return r
}

// Score applies the published rules to findings. It never fails and never
// looks at anything but severity, confidence, check ID and family.
func Score(findings []rampart.Finding) Result {
	s := scoreOf(findings)
	return Result{Score: s, Grade: Grade(s), Categories: categories(findings)}
}

// Grade maps a score to its letter: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F.
func Grade(score int) string {
	switch {
	case score >= minA:
		return "A"
	case score >= minB:
		return "B"
	case score >= minC:
		return "C"
	case score >= minD:
		return "D"
	default:
		return "F"
	}
}

// scoreOf is the rule for one set of findings; the overall score and every
// category score use it, so they can never follow different rules.
func scoreOf(findings []rampart.Finding) int {
	type perCheck struct{ total, largest int }
	checks := map[string]*perCheck{}
	for _, f := range findings {
		d := deduction(f)
		if d == 0 {
			continue
		}
		c := checks[f.Check]
		if c == nil {
			c = &perCheck{}
			checks[f.Check] = c
		}
		c.total += d
		c.largest = max(c.largest, d)
	}
	total := 0 // quarter points
	for _, c := range checks {
		total += min(c.total, c.largest*capNum/capDen)
	}
	// Round the deduction up: any finding that counts must cost at least a
	// point, or a run full of tentative lows would still read 100.
	s := 100 - (total+quarter-1)/quarter
	s = min(s, ceiling(findings))
	return max(s, 0)
}

// deduction is what one finding costs, in quarter points, before the cap.
func deduction(f rampart.Finding) int {
	if f.Family == rampart.FamilyFingerprint {
		return 0 // describing the stack is not a flaw, whatever severity a check gave it
	}
	return severityPoints[clampSeverity(f.Severity)] * confidenceQuarters[clampConfidence(f.Confidence)]
}

// ceiling is the best score allowed by the worst confirmed finding.
func ceiling(findings []rampart.Finding) int {
	best := 100
	for _, f := range findings {
		if f.Family == rampart.FamilyFingerprint || clampConfidence(f.Confidence) != rampart.Confirmed {
			continue
		}
		switch clampSeverity(f.Severity) {
		case rampart.Critical:
			best = min(best, ceilingConfirmedCritical)
		case rampart.High:
			best = min(best, ceilingConfirmedHigh)
		}
	}
	return best
}

// Out-of-range values cannot come from a parsed report, but a buggy check
// could build one; clamping keeps Score total instead of panicking, and
// rounds an over-large severity towards the more cautious end.
func clampSeverity(s rampart.Severity) rampart.Severity {
	return min(max(s, rampart.Info), rampart.Critical)
}

func clampConfidence(c rampart.Confidence) rampart.Confidence {
	return min(max(c, rampart.Tentative), rampart.Confirmed)
}

// categories scores each family by the same rule. Families without findings
// are omitted rather than shown as 100: a family the run never tested is not
// a family that passed. Fingerprint findings describe the stack, so they get
// no category; nor do unknown families, which the report schema rejects.
func categories(findings []rampart.Finding) []rampart.CategoryScore {
	byFamily := map[rampart.Family][]rampart.Finding{}
	for _, f := range findings {
		byFamily[f.Family] = append(byFamily[f.Family], f)
	}
	var out []rampart.CategoryScore
	for _, fam := range rampart.Families {
		fs := byFamily[fam]
		if len(fs) == 0 || fam == rampart.FamilyFingerprint {
			continue
		}
		out = append(out, rampart.CategoryScore{Family: fam, Score: scoreOf(fs), Findings: len(fs)})
	}
	return out
}
