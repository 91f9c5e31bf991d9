package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Login flows send the token the way the API wants it: any scheme or none,
// in any header; and the config can turn sign-up off.
func TestConfigLoginSchemes(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "rampart.yaml")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := loadConfig(write(`
no-signup: true
identities:
  - name: alice
    role: user
    login:
      url: /auth/login
      json: {username: alice, password: "${PW}"}
      token: {from: body, path: data.access_token, header: Authorization, scheme: ""}
  - name: bob
    role: user
    login:
      url: /session
      form: {username: bob, password: "${PW}"}
      token: {from: header, path: X-Session-Token, header: X-Session-Token}
  - name: carol
    role: admin
    login:
      url: /user/login
      form: {username: carol, password: "${PW}"}
      cookies: [vulpy_session]
`), func(string) string { return "pw-123456" })
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.NoSignup {
		t.Error("no-signup not read")
	}
	a := cfg.Identities[0].Login.Token
	if a.Scheme == nil || *a.Scheme != "" {
		t.Fatalf("scheme %v, want the empty scheme", a.Scheme)
	}
	if name, v := a.Send("tok"); name != "Authorization" || v != "tok" {
		t.Errorf("sends %s: %s", name, v)
	}
	if name, v := cfg.Identities[1].Login.Token.Send("tok"); name != "X-Session-Token" || v != "tok" {
		t.Errorf("sends %s: %s", name, v)
	}
	_, err = loadConfig(write(`
identities:
  - name: alice
    role: user
    login: {url: /login, json: {u: a}, token: {path: t, scheme: Bearer, prefix: "Bearer "}}
`), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "token.scheme or token.prefix") {
		t.Errorf("scheme and prefix together: %v", err)
	}
}
