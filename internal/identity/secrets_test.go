package identity

import (
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestSecrets(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("carol:s3cr3t-pw"))
	tests := []struct {
		name     string
		headers  http.Header
		login    *rampart.Login
		want     []string
		wantNone []string
	}{
		{name: "bearer: the token, not the scheme", headers: http.Header{"Authorization": {"Bearer tok-123456"}},
			want: []string{"tok-123456"}, wantNone: []string{"Bearer tok-123456"}},
		{name: "basic: base64, user:pass, password", headers: http.Header{"Authorization": {"Basic " + basic}},
			want: []string{basic, "carol:s3cr3t-pw", "s3cr3t-pw"}},
		{name: "cookies", headers: http.Header{"Cookie": {"session=abc.def.ghi; theme=dark"}},
			want: []string{"abc.def.ghi", "dark"}},
		{name: "api key", headers: http.Header{"X-Api-Key": {"k-123456"}}, want: []string{"k-123456"}},
		{name: "not a credential", headers: http.Header{"Accept": {"application/json"}}, wantNone: []string{"application/json"}},
		{name: "login body: named like a secret, at any depth", login: &rampart.Login{URL: "/login", JSON: map[string]any{
			"username": "dave", "password": "pw-123456",
			"mfa":      map[string]any{"otp": 123456, "device": "phone"},
			"client":   map[string]any{"client_secret": "cs-abcdef"},
			"api_keys": []any{"key-one-111", "key-two-222"},
		}}, want: []string{"pw-123456", "123456", "cs-abcdef", "key-one-111", "key-two-222"}, wantNone: []string{"dave", "phone"}},
		{name: "login body: marked by the config", login: &rampart.Login{URL: "/login", Form: map[string]string{"user": "dave", "code": "c-987654", "passwd": "pw-654321"},
			SecretFields: []string{"code"}}, want: []string{"c-987654", "pw-654321"}, wantNone: []string{"dave"}},
		{name: "login URL and headers", login: &rampart.Login{URL: "https://user:url-pass-1@host/login?api_key=lk-123456&lang=en",
			Headers: map[string]string{"X-Client-Token": "ct-123456", "Content-Type": "application/json"}},
			want: []string{"lk-123456", "url-pass-1", "ct-123456"}, wantNone: []string{"en", "application/json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := New("x", RoleUser, tt.headers)
			if tt.login != nil {
				id.Login = &Login{Login: *tt.login}
			}
			got := id.Secrets()
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("Secrets() = %q, lacks %q", got, w)
				}
			}
			for _, w := range tt.wantNone {
				if slices.Contains(got, w) {
					t.Errorf("Secrets() = %q, holds %q", got, w)
				}
			}
		})
	}
}

// TestParseFlagErrorsHideTheValue: the errors are printed, and the value
// of an identity header is a credential.
func TestParseFlagErrorsHideTheValue(t *testing.T) {
	for _, in := range []string{
		"alice:root=Authorization: Bearer tok-secret-123456",
		"anonymous=Authorization: Bearer tok-secret-123456",
		"alice:user=Bad Name: tok-secret-123456",
		"alice:user=Authorization: Bearer tok-secret-123456\nx",
		":user=Authorization: Bearer tok-secret-123456",
		"tok-secret-123456-pasted-without-any-name-or-header",
	} {
		_, _, _, _, err := ParseFlag(in)
		if !errors.Is(err, ErrBadSpec) {
			t.Errorf("ParseFlag(%q) = %v, want ErrBadSpec", in, err)
			continue
		}
		if strings.Contains(err.Error(), "tok-secret-123456") {
			t.Errorf("ParseFlag(%q) error shows the credential: %v", in, err)
		}
	}
}
