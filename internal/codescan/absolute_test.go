package codescan

import (
	"strings"
	"testing"
)

// absoluteBySplit is how absolute resolved relative imports before it
// trimmed the package in place; the two must agree.
func absoluteBySplit(pkg, q string) string {
	dots := len(q) - len(strings.TrimLeft(q, "."))
	base := strings.Split(pkg, ".")
	if pkg == "" {
		base = nil
	}
	up := min(dots-1, len(base))
	base = base[:len(base)-up]
	rest := q[dots:]
	if len(base) == 0 {
		return rest
	}
	return strings.Join(base, ".") + "." + rest
}

func TestAbsolute(t *testing.T) {
	for _, c := range []struct{ pkg, q, want string }{
		{"app.api.v1", ".models", "app.api.v1.models"},
		{"app.api.v1", "..models", "app.api.models"},
		{"app.api.v1", "...db.session", "app.db.session"},
		{"app.api.v1", "....x", "x"},
		{"app.api.v1", "........x", "x"},
		{"app", ".", "app."},
		{"", ".x", "x"},
		{"a..b", "..x", "a..x"},
		{"app", "os.path", "os.path"}, // not relative: as written (no project to look in)
	} {
		f := &fileState{pkg: c.pkg}
		got := f.absolute(c.q)
		if got != c.want {
			t.Errorf("absolute(%q) in %q = %q, want %q", c.q, c.pkg, got, c.want)
		}
		if strings.HasPrefix(c.q, ".") {
			if old := absoluteBySplit(c.pkg, c.q); got != old {
				t.Errorf("absolute(%q) in %q = %q, before %q", c.q, c.pkg, got, old)
			}
		}
	}
}
