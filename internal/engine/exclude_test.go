package engine

import (
	"strings"
	"testing"
)

// An --exclude glob that could never match, or would match something else
// than a shell user means, is refused with the form expected.
func TestCheckExclude(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" accepts; otherwise a part of the error
	}{
		{"/admin/reset*", ""},
		{"/notes/{note_id}/purge", ""},
		{"*/purge", ""},
		{"/a?c", ""},
		{"[", "[ and ] are not supported"},
		{"/files/[abc]", "[ and ] are not supported"},
		{"/a/{x", "unclosed {"},
		{"", "empty"},
		{"  ", "empty"},
		{"admin/reset", "starts with /"},
	} {
		err := CheckExclude(tc.in)
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckExclude(%q) = %v, want ok", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "/admin/reset*") {
			t.Errorf("CheckExclude(%q) = %v, want an error with %q and an example", tc.in, err, tc.want)
		}
	}
	if _, err := New(Config{Base: mustURL(t, "http://127.0.0.1:1"), Exclude: []string{"["}}); err == nil {
		t.Fatal("the client accepts an exclude CheckExclude refuses")
	}
}
