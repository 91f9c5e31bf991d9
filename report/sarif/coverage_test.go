package sarif

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

// The run's properties carry the coverage a CI tool can gate on, and each
// reason is one notification: a warning for what the scan could not do, a
// note (in the configuration) for what the user chose not to test.
func TestCoverage(t *testing.T) {
	tests := []struct {
		name       string
		r          *rampart.Report
		percent    float64
		incomplete bool
		families   int
		exec, conf []string // reason of each coverage notification, in order
	}{
		{"report", sample.Report(), 70, false, 7, []string{"no-values", "needs-second-user"}, []string{"needs-active"}},
		{"uncovered", sample.Uncovered(), 40, true, 3, []string{"needs-identity", "body-rejected"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l struct {
				Runs []struct {
					Properties struct {
						Coverage *struct {
							Percent    float64          `json:"percent"`
							Tested     int              `json:"tested"`
							Applicable int              `json:"applicable"`
							Incomplete bool             `json:"incomplete"`
							Families   []map[string]any `json:"families"`
							Reasons    []map[string]any `json:"reasons"`
						} `json:"coverage"`
					} `json:"properties"`
					Invocations []struct {
						Exec []notification `json:"toolExecutionNotifications"`
						Conf []notification `json:"toolConfigurationNotifications"`
					} `json:"invocations"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(write(t, tt.r, Options{}), &l); err != nil {
				t.Fatal(err)
			}
			c := l.Runs[0].Properties.Coverage
			if c == nil {
				t.Fatal("no coverage in runs[0].properties")
			}
			if c.Percent != tt.percent || c.Incomplete != tt.incomplete || c.Applicable != tt.r.Coverage.Applicable || c.Tested != tt.r.Coverage.Tested {
				t.Errorf("coverage %+v", c)
			}
			if len(c.Families) != tt.families || c.Families[0]["family"] != string(tt.r.Coverage.Families[0].Family) {
				t.Errorf("families %v", c.Families)
			}
			for _, r := range c.Reasons {
				if r["action"] == "" || r["summary"] == "" {
					t.Errorf("reason without action or summary: %v", r)
				}
			}
			got := func(ns []notification, level string) []string {
				var out []string
				for _, n := range ns {
					if !strings.HasPrefix(n.Message.Text, "Coverage: ") {
						continue
					}
					if n.Level != level {
						t.Errorf("%s: level %s, want %s", n.Message.Text, n.Level, level)
					}
					out = append(out, n.Properties["reason"].(string))
				}
				return out
			}
			inv := l.Runs[0].Invocations[0]
			if e := got(inv.Exec, "warning"); strings.Join(e, ",") != strings.Join(tt.exec, ",") {
				t.Errorf("execution notifications for %v, want %v", e, tt.exec)
			}
			if c := got(inv.Conf, "note"); strings.Join(c, ",") != strings.Join(tt.conf, ",") {
				t.Errorf("configuration notifications for %v, want %v", c, tt.conf)
			}
		})
	}
	// The message says how many, why and what to do.
	l := decoded(t, sample.Uncovered(), Options{})
	want := "Coverage: 1 operation × family cell not tested: request body rejected. To test it: add a valid example request body to the spec for the operation; the API's own validation message is in the detail. For example SQLI-001 POST /orders: the API answered 422: field required: items."
	found := false
	for _, n := range l.Runs[0].Invocations[0].ToolExecutionNotifications {
		found = found || n.Message.Text == want
	}
	if !found {
		t.Errorf("no notification %q", want)
	}
	// No coverage (a white-box report): no property, no notification.
	e := decoded(t, sample.Empty(), Options{})
	if _, ok := e.Runs[0].Properties["coverage"]; ok {
		t.Errorf("coverage property without coverage")
	}
}

func TestCoverageLongExample(t *testing.T) {
	r := sample.Uncovered()
	r.Coverage.Reasons[1].Examples = []string{"SQLI-001 POST /orders: " + strings.Repeat("x", 100_000)}
	out := string(write(t, r, Options{}))
	if len(out) > 30_000 || !strings.Contains(out, "xxx…") {
		t.Errorf("example not cut (%d bytes)", len(out))
	}
}
