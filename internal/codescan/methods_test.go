package codescan

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rampart-sec/rampart"
)

// A static method that formats its parameter into SQL, called from a
// route through its class, gives the route's firm finding with the
// method's statement as related location (as a module-level helper
// does), and no finding of its own.
func TestMethodSummaryReachedFromRoute(t *testing.T) {
	res, err := Analyze(context.Background(), "testdata/projects/methods", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got *rampart.Finding
	for i, f := range res.Findings {
		if filepath.Base(f.Location.File) != "app.py" {
			// every method that runs SQL is reached from a route
			t.Errorf("finding in a method's own file: %s at %s:%d (%s)", f.Check, filepath.Base(f.Location.File), f.Location.Line, f.Confidence)
			continue
		}
		if f.Check == "PY-SQLI-001" && f.Location.Line == 17 {
			got = &res.Findings[i]
		}
	}
	if got == nil {
		t.Fatal("no PY-SQLI-001 at app.py:17 (User.by_name(username))")
	}
	if got.Confidence != rampart.Firm || got.Location.Method != "GET" || got.Location.Path != "/users/{username}" {
		t.Errorf("finding: %s %s %s, want firm GET /users/{username}", got.Confidence, got.Location.Method, got.Location.Path)
	}
	related := false
	for _, r := range got.Related {
		if filepath.Base(r.Location.File) == "models.py" && r.Location.Line == 12 {
			related = true
		}
	}
	if !related {
		t.Errorf("related locations %+v: want models.py:12, the statement", got.Related)
	}
}
