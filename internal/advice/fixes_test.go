package advice_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/advice"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
)

// testbedNames are tables, columns and values of the testbed's API: an
// example that names them reads as a fix for another API.
var testbedNames = regexp.MustCompile(`\b(notes?|note_id|Note\.query|coupons?|coupon_code|coupon_redemptions|transfers?|do_transfer|accounts\.|FROM accounts|UPDATE accounts|CASHBACK\S*|alice|bob|carol)\b`)

// Every check's fix, with the advice of every stack the scan can detect,
// says each thing once and names nothing of the testbed.
func TestEveryFixSaysEachThingOnce(t *testing.T) {
	fps := map[string]rampart.Fingerprint{
		"Flask+psycopg2+PostgreSQL": {Framework: "Flask", Language: "Python", Database: "PostgreSQL", Driver: "psycopg2"},
		"Flask+CockroachDB":         {Framework: "Flask", Language: "Python", Database: "CockroachDB", Driver: "psycopg2"},
		"SQLAlchemy+PostgreSQL":     {Framework: "Flask", Language: "Python", Database: "PostgreSQL", ORM: "SQLAlchemy"},
		"FastAPI+SQLite":            {Framework: "FastAPI", Language: "Python", Database: "SQLite", Driver: "sqlite3"},
		"Flask+MySQL":               {Framework: "Flask", Language: "Python", Database: "MySQL", Driver: "PyMySQL"},
		"Express+PostgreSQL":        {Framework: "Express", Language: "JavaScript", Database: "PostgreSQL"},
		"unknown":                   {},
	}
	locs := []rampart.Location{
		{Method: "GET", Path: "/account/{user_id}", Param: "user_id"},
		{Method: "POST", Path: "/orders"},
	}
	type fixed struct {
		ID, Fix string
		Family  rampart.Family
	}
	var all []fixed
	for _, c := range checks.All() {
		all = append(all, fixed{c.ID, c.Fix, c.Family})
	}
	// White-box rules get the same advice (the code report goes through the same triage).
	for _, r := range codescan.Rules() {
		all = append(all, fixed{r.ID, r.Fix, r.Family})
	}
	for _, c := range all {
		if c.Fix == "" {
			continue
		}
		if m := testbedNames.FindString(c.Fix); m != "" {
			t.Errorf("%s: its fix names the testbed's %q: %s", c.ID, m, c.Fix)
		}
		for name, fp := range fps {
			for _, loc := range locs {
				fs := []rampart.Finding{{Check: c.ID, Family: c.Family, Location: loc, Remediation: c.Fix}}
				advice.Apply(fs, fp)
				fix := fs[0].Remediation
				if m := testbedNames.FindString(fix); m != "" {
					t.Errorf("%s on %s at %s: the fix names the testbed's %q:\n%s", c.ID, name, loc.Path, m, fix)
				}
				if a, b, ok := repeated(fix); ok {
					t.Errorf("%s on %s: the fix says the same thing twice:\n  %s\n  %s", c.ID, name, a, b)
				}
			}
		}
	}
}

// repeated finds two paragraphs that say the same thing, as Apply judges
// it when it drops a repeat (equal, sharing a long code example, or made
// of mostly the same words).
func repeated(fix string) (string, string, bool) {
	paras := strings.Split(fix, "\n")
	for i, a := range paras {
		for _, b := range paras[i+1:] {
			if advice.SameThing(a, b) {
				return a, b, true
			}
		}
	}
	return "", "", false
}
