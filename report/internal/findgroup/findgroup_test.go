package findgroup

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestOf(t *testing.T) {
	f := func(check string, sev rampart.Severity, fix string) rampart.Finding {
		return rampart.Finding{Check: check, Title: check, Severity: sev, Remediation: fix}
	}
	groups := Of([]rampart.Finding{
		f("A", rampart.High, "own a\nshared\n\n    code()"),
		f("B", rampart.High, "b"),
		f("A", rampart.High, "shared\n\n    code()\nown a2"),
		f("A", rampart.Low, "low"),
	})
	var got []string
	for _, g := range groups {
		got = append(got, g.Severity.String()+" "+g.Check+" "+strings.Repeat("*", len(g.Findings)))
	}
	if want := []string{"high A **", "high B *", "low A *"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("groups %q, want %q", got, want)
	}
	a := groups[0]
	if a.Fix != "shared\n\n    code()" || !reflect.DeepEqual(a.Own, []string{"own a", "own a2"}) {
		t.Errorf("fix %q own %q", a.Fix, a.Own)
	}
	if groups[1].Fix != "b" || groups[1].Own[0] != "" {
		t.Errorf("a group of one keeps its whole fix: %q %q", groups[1].Fix, groups[1].Own)
	}
}

func TestParagraphs(t *testing.T) {
	got := Paragraphs("First.\nSecond:\n\n    code()\n    more()\n\nThird.\n")
	want := []string{"First.", "Second:\n\n    code()\n    more()", "Third."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}
