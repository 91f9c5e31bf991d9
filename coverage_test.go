package rampart

import (
	"slices"
	"testing"
)

// TestCoverageRows: every writer shows the API as a whole first, the
// operations in the report's order after it.
func TestCoverageRows(t *testing.T) {
	c := &Coverage{Operations: []OperationCoverage{{Operation: "GET /b"}, {Operation: ""}, {Operation: "GET /a"}}}
	var got []string
	for _, r := range c.Rows() {
		got = append(got, r.Operation)
	}
	if want := []string{"", "GET /b", "GET /a"}; !slices.Equal(got, want) {
		t.Errorf("Rows() = %q, want %q", got, want)
	}
	if c.Operations[0].Operation != "GET /b" {
		t.Error("Rows() reordered the report's own rows")
	}
	if (*Coverage)(nil).Rows() != nil {
		t.Error("a nil coverage has rows")
	}
}
