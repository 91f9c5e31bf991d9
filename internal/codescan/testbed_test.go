package codescan

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// The testbed's ground truth: every seeded flaw with a code location must be
// found (same family, same file, a line inside the range), and the secure
// twin must produce nothing of severity low or above.

type truthEntry struct {
	ID     string         `json:"id"`
	Family rampart.Family `json:"family"`
	Method string         `json:"method"`
	Path   string         `json:"path"`
	Code   *struct {
		File  string `json:"file"`
		Lines [2]int `json:"lines"`
	} `json:"code"`
}

const testbedRoot = "../../"

func loadTruth(t *testing.T) []truthEntry {
	t.Helper()
	b, err := os.ReadFile(testbedRoot + "testbed/groundtruth.json")
	if err != nil {
		t.Skip("testbed/groundtruth.json absent")
	}
	var out []truthEntry
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("groundtruth.json: %v", err)
	}
	return out
}

func analyzeTestbed(t *testing.T, twin string) *Result {
	t.Helper()
	dir := testbedRoot + "testbed/" + twin
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s absent", dir)
	}
	res, err := Analyze(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestTestbedVulnerable(t *testing.T) {
	truth := loadTruth(t)
	res := analyzeTestbed(t, "vulnerable")
	withCode := 0
	for _, e := range truth {
		if e.Code == nil {
			continue
		}
		withCode++
		found := false
		for _, f := range res.Findings {
			file := strings.TrimPrefix(f.Location.File, testbedRoot)
			if f.Family == e.Family && file == e.Code.File && f.Location.Line >= e.Code.Lines[0] && f.Location.Line <= e.Code.Lines[1] {
				found = true
				break
			}
		}
		if !found {
			var near []string
			for _, f := range res.Findings {
				if f.Family == e.Family {
					near = append(near, f.Check+"@"+itoa(f.Location.Line))
				}
			}
			t.Errorf("%s (%s, %s lines %d-%d): not found; findings of that family at %v",
				e.ID, e.Family, e.Code.File, e.Code.Lines[0], e.Code.Lines[1], near)
		}
	}
	if withCode == 0 {
		t.Skip("no ground-truth entry has a code location")
	}
	t.Logf("%d ground-truth entries with code, %d findings", withCode, len(res.Findings))
}

func TestTestbedSecure(t *testing.T) {
	loadTruth(t)
	res := analyzeTestbed(t, "secure")
	for _, f := range res.Findings {
		if f.Severity >= rampart.Low {
			t.Errorf("secure twin: %s %s at %s:%d: %s", f.Check, f.Severity, f.Location.File, f.Location.Line, f.Message)
		}
	}
}

// TestTestbedRoutes checks the route model against the spec's operations.
func TestTestbedRoutes(t *testing.T) {
	truth := loadTruth(t)
	res := analyzeTestbed(t, "vulnerable")
	have := map[string]bool{}
	for _, r := range res.Routes {
		have[r.Method+" "+r.Path] = true
	}
	for _, e := range truth {
		if e.Method == "*" || e.Path == "*" || e.Method == "" {
			continue
		}
		if !have[e.Method+" "+e.Path] {
			t.Errorf("route %s %s of %s is not in the route model", e.Method, e.Path, e.ID)
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
