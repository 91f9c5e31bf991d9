package baseline

import (
	"slices"
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestCompare(t *testing.T) {
	f := func(id string) rampart.Finding { return rampart.Finding{ID: id, Check: "C-" + id} }
	noID := rampart.Finding{Check: "HDR-001", Location: rampart.Location{Method: "GET", Path: "/"}}
	base := &rampart.Report{Findings: []rampart.Finding{f("A"), f("b"), f("gone"), f("hidden"), noID}}
	names := func(fs []rampart.Finding) []string {
		var out []string
		for _, x := range fs {
			out = append(out, x.Check)
		}
		return out
	}
	tests := []struct {
		name                  string
		shown, found          []rampart.Finding
		base                  *rampart.Report
		new, unchanged, fixed []string
	}{
		{"ids match case-blind, a finding without id by fingerprint",
			[]rampart.Finding{f("a"), f("B"), f("new"), noID}, nil, base,
			[]string{"C-new"}, []string{"C-a", "C-B", "HDR-001"}, []string{"C-gone", "C-hidden"}},
		{"a finding found but not shown is not fixed",
			[]rampart.Finding{f("a")}, []rampart.Finding{f("a"), f("b"), f("hidden"), noID}, base,
			nil, []string{"C-a"}, []string{"C-gone"}},
		{"no baseline: everything is new", []rampart.Finding{f("a")}, nil, nil, []string{"C-a"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Compare(tt.shown, tt.found, tt.base)
			if !slices.Equal(names(d.New), tt.new) || !slices.Equal(names(d.Unchanged), tt.unchanged) || !slices.Equal(names(d.Fixed), tt.fixed) {
				t.Errorf("new %v unchanged %v fixed %v, want %v %v %v", names(d.New), names(d.Unchanged), names(d.Fixed), tt.new, tt.unchanged, tt.fixed)
			}
		})
	}
}
