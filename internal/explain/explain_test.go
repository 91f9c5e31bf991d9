package explain

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, c := range []struct {
		id, kind string
		ok       bool
		has      []string
	}{
		{"BOLA-001", Runtime, true, []string{"BOLA-001  ", "Requests it sends", "How to fix", "mode "}},
		{" bola-001 ", Runtime, true, []string{"BOLA-001  "}},
		{"PY-SQLI-001", Code, true, []string{"PY-SQLI-001  ", "What it reads", "white-box (rampart code)", "How to fix"}},
		{"NOPE-999", "", false, nil},
		{"", "", false, nil},
	} {
		var b strings.Builder
		m, kind, ok := Lookup(&b, c.id)
		if ok != c.ok || kind != c.kind {
			t.Errorf("%q: kind %q ok %v, want %q %v", c.id, kind, ok, c.kind, c.ok)
			continue
		}
		if !ok {
			if b.Len() != 0 {
				t.Errorf("%q: wrote %q for an unknown ID", c.id, b.String())
			}
			continue
		}
		if m.ID == "" {
			t.Errorf("%q: no metadata", c.id)
		}
		for _, h := range c.has {
			if !strings.Contains(b.String(), h) {
				t.Errorf("%q: no %q in\n%s", c.id, h, b.String())
			}
		}
		for _, line := range strings.Split(b.String(), "\n") {
			if len(line) > 80 && !strings.HasPrefix(line, "More: ") {
				t.Errorf("%q: line longer than 80: %q", c.id, line)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	got := Wrap("aa bb cc dddddddd e", 5)
	want := []string{"aa bb", "cc", "dddddddd", "e"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Wrap = %q, want %q", got, want)
	}
}
