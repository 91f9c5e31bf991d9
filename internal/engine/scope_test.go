package engine

import (
	"strings"
	"testing"
)

// A --scope value is a host or host:port; anything else is refused with the
// form expected, because it would never match (x/y, a bad port) or would
// match more than meant (a URL, whose scheme and path would be dropped).
func TestCheckScope(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" accepts; otherwise a part of the error
	}{
		{"api.test", ""},
		{"API.test.", ""},
		{"localhost:8443", ""},
		{"10.0.0.5", ""},
		{"10.0.0.5:80", ""},
		{"[::1]:9000", ""},
		{"[::1]", ""},
		{"::1", ""},
		{"internal_host", ""},
		{"http://x/", "--scope x"},
		{"https://api.test:8443/v1", "--scope api.test:8443"},
		{"", "empty"},
		{"   ", "empty"},
		{"x:99999", "port"},
		{"x:0", "port"},
		{"x:", "port"},
		{"x:http", "port"},
		{"x/y", "not part of a host name"},
		{"x?y", "not part of a host name"},
		{"user@x", "not part of a host name"},
		{"a,b", "not a host name"},
		{"*.example.com", "not a host name"},
		{"a..b", "not a host name"},
		{"[::1", "brackets"},
		{"[nothost]:80", "not an IPv6 address"},
		{"1:2:3", "not a host"},
	} {
		err := CheckScope(tc.in)
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckScope(%q) = %v, want ok", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--scope") {
			t.Errorf("CheckScope(%q) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}

// The client refuses what CheckScope refuses: the library and the CLI hold
// one rule.
func TestNewRefusesABadScope(t *testing.T) {
	if _, err := New(Config{Base: mustURL(t, "http://127.0.0.1:1"), Scope: []string{"http://x/"}}); err == nil {
		t.Fatal("a URL as scope accepted")
	}
}
