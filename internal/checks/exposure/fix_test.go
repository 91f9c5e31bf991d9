package exposure

import (
	"strings"
	"testing"
)

// DATA-003's fix speaks of the kinds of data the finding found, and only those.
func TestPIIFixFitsTheShape(t *testing.T) {
	tests := []struct {
		name    string
		kinds   map[string]int
		want    []string
		notWant []string
	}{
		{"e-mail only", map[string]int{"e-mail address": 4}, []string{"e-mail addresses", "a***@example.com"}, []string{"card", "national"}},
		{"phone only", map[string]int{"phone number": 1}, []string{"phone numbers"}, []string{"card", "national"}},
		{"card only", map[string]int{"card number": 1}, []string{"last four digits"}, []string{"e-mail", "national"}},
		{"national id", map[string]int{"national id": 2}, []string{"national identification"}, []string{"e-mail", "card"}},
		{"card and e-mail", map[string]int{"card number": 1, "e-mail address": 1}, []string{"last four digits", "e-mail addresses"}, []string{"national"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := piiFix(tt.kinds)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("fix lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("fix mentions %q:\n%s", w, got)
				}
			}
		})
	}
}
