package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const (
	goodBearer  = "tok-good-7c1d9e02ab"
	wrongBearer = "tok-typo-5b3f8a6c10"
)

// gated serves a spec that secures GET /notes and GET /me, answers them to
// goodBearer only, and counts the requests no exploration sends (anything
// but a plain GET of / and the spec's reads).
func gated(t *testing.T) (*httptest.Server, func() int) {
	t.Helper()
	var mu sync.Mutex
	other := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.RequestURI() {
		case "/openapi.json":
			w.Write([]byte(`{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
  "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}],
  "paths": {"/notes": {"get": {"responses": {"200": {"description": "ok"}}}}, "/me": {"get": {"responses": {"200": {"description": "ok"}}}}}}`))
			return
		case "/notes", "/me", "/":
		default:
			mu.Lock()
			other++
			mu.Unlock()
		}
		if r.Method != http.MethodGet || r.Header.Get("Origin") != "" {
			mu.Lock()
			other++
			mu.Unlock()
		}
		if r.Header.Get("Authorization") != "Bearer "+goodBearer {
			w.WriteHeader(401)
			w.Write([]byte(`{"error": "authentication required"}`))
			return
		}
		json.NewEncoder(w).Encode([]map[string]any{{"id": 1, "title": "mine"}})
	}))
	t.Cleanup(srv.Close)
	return srv, func() int {
		mu.Lock()
		defer mu.Unlock()
		return other
	}
}

// A mistyped token is caught before any check runs: exit 2, one line that
// names the identity and what it was answered, never the token.
func TestRefusedIdentityExitsUsage(t *testing.T) {
	srv, others := gated(t)
	code, stdout, stderr := run(t, nil, "scan", srv.URL, "-f", "json",
		"--identity", "alice:user=Authorization: Bearer "+goodBearer,
		"--identity", "bob:user=Authorization: Bearer "+wrongBearer)
	if code != ExitUsage {
		t.Errorf("exit %d, want %d; stderr %s", code, ExitUsage, stderr)
	}
	want := "rampart: identity bob: refused on every operation that needs credentials (401 on GET /me, GET /notes): check its credentials, or pass --keep-going to scan without it\n"
	if stderr != want {
		t.Errorf("stderr\n%q, want\n%q", stderr, want)
	}
	if stdout != "" {
		t.Errorf("a report was written: %.200s", stdout)
	}
	if n := others(); n > 0 {
		t.Errorf("%d requests a check sends reached the API", n)
	}
	assertNoLeak(t, "stderr", stderr, []string{goodBearer, wrongBearer})
}

// --keep-going (flag or config key) scans without the refused identity,
// and the report's first note says so.
func TestKeepGoingFlagAndConfig(t *testing.T) {
	srv, others := gated(t)
	cfg := filepath.Join(t.TempDir(), "rampart.yaml")
	os.WriteFile(cfg, []byte("target: "+srv.URL+"\nkeep-going: true\nidentities:\n  - name: bob\n    role: user\n    headers: {Authorization: \"Bearer "+wrongBearer+"\"}\n"), 0o600)
	for name, args := range map[string][]string{
		"flag":   {"scan", srv.URL, "--keep-going", "--identity", "bob:user=Authorization: Bearer " + wrongBearer},
		"config": {"scan", "--config", cfg},
	} {
		t.Run(name, func(t *testing.T) {
			before := others()
			code, stdout, stderr := run(t, nil, append(args, "-f", "json", "--fail-on", "none")...)
			if code != ExitOK {
				t.Fatalf("exit %d; stderr %s", code, stderr)
			}
			var rep struct {
				Notes      []string `json:"notes"`
				Identities []string `json:"identities"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			const note = "identity bob: refused on every operation that needs credentials (401 on GET /me, GET /notes): scanned without it (--keep-going)"
			if len(rep.Notes) == 0 || rep.Notes[0] != note || len(rep.Identities) != 0 {
				t.Errorf("notes %q, identities %q", rep.Notes, rep.Identities)
			}
			if !strings.Contains(stderr, "rampart: "+note+"\n") {
				t.Errorf("stderr lacks the note: %s", stderr)
			}
			if others() == before {
				t.Error("no check ran")
			}
			assertNoLeak(t, "output", stdout+stderr, []string{wrongBearer})
		})
	}
}

// An identity without a role, or with one Rampart does not know, is a usage
// error that names the flag or the config line and shows the form.
func TestIdentityRoleRequired(t *testing.T) {
	srv := target(t)
	dir := t.TempDir()
	cfg := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("target: "+srv.URL+"\nidentities:\n"+body), 0o600)
		return p
	}
	noRole := cfg("no-role.yaml", "  - name: alice\n    role: user\n    headers: {Authorization: \"Bearer "+goodBearer+"\"}\n  - name: bob\n    headers: {Authorization: \"Bearer "+wrongBearer+"\"}\n")
	badRole := cfg("bad-role.yaml", "  - name: carol\n    headers: {Authorization: \"Bearer "+goodBearer+"\"}\n    role: root\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"flag without role", []string{"--identity", "alice=Authorization: Bearer " + goodBearer},
			`rampart: --identity: bad identity "alice=Authorization: [REDACTED]": no role: want NAME:ROLE=HEADER with ROLE user or admin, e.g. 'alice:user=Authorization: Bearer TOKEN'`},
		{"flag with empty role", []string{"--identity", "alice:=Authorization: Bearer " + goodBearer}, "no role: want NAME:ROLE=HEADER"},
		{"flag with unknown role", []string{"--identity", "alice:root=Authorization: Bearer " + goodBearer}, `role "root" (want user or admin)`},
		{"repeated name without role", []string{"--identity", "alice:user=Authorization: Bearer " + goodBearer, "--identity", "alice=X-Api-Key: " + wrongBearer}, "no role"},
		{"config without role", []string{"--config", noRole}, "rampart: config " + noRole + ":6: identities[1] (bob): role is required: add \"role: user\" or \"role: admin\""},
		{"config with unknown role", []string{"--config", badRole}, "rampart: config " + badRole + ":5: identities[0].role \"root\" (carol): want user or admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, nil, append([]string{"scan", srv.URL}, tt.args...)...)
			if tt.args[0] == "--config" {
				code, _, stderr = run(t, nil, append([]string{"scan"}, tt.args...)...)
			}
			if code != ExitUsage || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q, want one line with %q", code, stderr, tt.want)
			}
			assertNoLeak(t, "stderr", stderr, []string{goodBearer, wrongBearer})
		})
	}
}
