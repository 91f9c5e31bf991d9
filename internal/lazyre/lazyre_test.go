package lazyre

import (
	"regexp"
	"testing"
)

func TestLazySameAsCompiled(t *testing.T) {
	tests := []struct {
		expr, in string
	}{
		{`(?i)missing (\w+)`, "Missing field"},
		{`^a+$`, "aaa"},
		{`x(y)?`, "no match"},
	}
	for _, tt := range tests {
		l, re := New(tt.expr), regexp.MustCompile(tt.expr)
		if got, want := l.MatchString(tt.in), re.MatchString(tt.in); got != want {
			t.Errorf("%q MatchString(%q) = %v, want %v", tt.expr, tt.in, got, want)
		}
		if got, want := l.FindStringSubmatch(tt.in), re.FindStringSubmatch(tt.in); len(got) != len(want) || (got != nil && got[0] != want[0]) {
			t.Errorf("%q FindStringSubmatch(%q) = %q, want %q", tt.expr, tt.in, got, want)
		}
		if l.String() != tt.expr || l.Regexp().String() != tt.expr {
			t.Errorf("String() = %q / %q, want %q", l.String(), l.Regexp().String(), tt.expr)
		}
	}
}

func TestCompiledOnFirstUseOnly(t *testing.T) {
	bad := New(`(unclosed`) // would panic if New compiled
	defer func() {
		mu.Lock()
		all = all[:len(all)-1] // the others test CompileAll
		mu.Unlock()
		if recover() == nil {
			t.Error("first use of an invalid expression did not panic")
		}
	}()
	bad.MatchString("x")
}

func TestCompileAllPanicsOnInvalid(t *testing.T) {
	New(`[z-a]`)
	defer func() {
		mu.Lock()
		all = all[:len(all)-1]
		mu.Unlock()
		if recover() == nil {
			t.Error("CompileAll did not panic on an invalid expression")
		}
	}()
	CompileAll()
}
