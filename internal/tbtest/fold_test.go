package tbtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/pyast"
)

func TestFoldSecure(t *testing.T) {
	src := `SECURE = opts.secure
def f(user, row):
    if SECURE and row["owner"] != user["id"]:
        raise Forbidden()
    if not SECURE:
        leak()
    else:
        safe()
    role = "user" if SECURE else body.get("role")
    if row is None or (SECURE and (row["a"] !=
                                   user["b"])):
        raise NotFound()
    if SECURE:
        return lookup(row, must_own=SECURE)
    return fallback(row)
`
	tests := []struct {
		secure bool
		has    []string
		hasNot []string
	}{
		{false, []string{"leak()", `body.get("role")`, "fallback(row)", "row is None or ((False"}, []string{"safe()", "Forbidden", `"user"`, `row["a"]`, "lookup("}},
		{true, []string{"safe()", "Forbidden", `"user" if (True`, "must_own=True", `row["a"]`}, []string{"leak()", `body.get`, "fallback("}},
	}
	for _, tt := range tests {
		out, err := FoldSecure([]byte(src), tt.secure)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(out, []byte("\n")) != strings.Count(src, "\n") || len(out) != len(src) {
			t.Errorf("secure=%v: lines or length changed", tt.secure)
		}
		tree, err := pyast.Parse(out)
		if err != nil || len(tree.SyntaxErrors()) > 0 {
			t.Errorf("secure=%v: folded source does not parse:\n%s", tt.secure, out)
		}
		for _, s := range tt.has {
			if !bytes.Contains(out, []byte(s)) {
				t.Errorf("secure=%v: %q missing from\n%s", tt.secure, s, out)
			}
		}
		for _, s := range tt.hasNot {
			if bytes.Contains(out, []byte(s)) {
				t.Errorf("secure=%v: %q left in\n%s", tt.secure, s, out)
			}
		}
	}
}
