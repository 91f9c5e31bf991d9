package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/redact"
	"github.com/rampart-sec/rampart/internal/redact/redacttest"
)

// hostileConfig writes a --config file with the hostile server's
// identities: static headers, and dave's login flow.
func hostileConfig(t *testing.T, srv *redacttest.Server) string {
	t.Helper()
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) } // a JSON string is a YAML scalar
	cfg := `target: ` + srv.URL + `
identities:
  - name: alice
    role: user
    headers:
      Authorization: ` + q("Bearer "+redacttest.AliceToken) + `
      X-Api-Key: ` + q(redacttest.AliceKey) + `
  - name: bob
    role: user
    headers:
      Cookie: ` + q("session="+redacttest.BobSession+"; theme=dark") + `
  - name: carol
    role: admin
    headers:
      Authorization: ` + q("Basic "+redacttest.CarolBasic) + `
  - name: dave
    role: user
    login:
      method: POST
      url: ` + q("/login?api_key="+url.QueryEscape(redacttest.LoginKey)) + `
      json: {username: dave, password: ` + q(redacttest.DavePassword) + `}
      token: {from: body, path: token}
      cookies: [sid]
`
	path := filepath.Join(t.TempDir(), "rampart.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// scanHostile runs `rampart scan` against the hostile server, all six
// formats into a directory, and returns the exit code, stdout, stderr and
// the files written.
func scanHostile(t *testing.T, ctx context.Context, srv *redacttest.Server, extra ...string) (int, string, string, map[string]string) {
	t.Helper()
	dir := t.TempDir() + "/out/"
	args := append([]string{"scan", "--config", hostileConfig(t, srv), "--concurrency", "4", "-v",
		"-f", "text,json,sarif,html,markdown,junit", "-o", dir}, extra...)
	var stdout, stderr bytes.Buffer
	err := Execute(ctx, args, Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
	})
	files := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		data, rerr := os.ReadFile(filepath.Join(dir, e.Name()))
		if rerr != nil {
			t.Fatal(rerr)
		}
		files[e.Name()] = string(data)
	}
	return Code(err), stdout.String(), stderr.String(), files
}

func assertNoLeak(t *testing.T, what, out string, secrets []string) {
	t.Helper()
	if leaks := redacttest.Leaks(out, secrets); len(leaks) > 0 {
		t.Errorf("%s holds %d credentials: %v", what, len(leaks), leaks)
	}
}

// TestScanCommandLeaksNoCredential runs the CLI as a user would against
// an API that echoes every credential: no report file, stdout or stderr
// holds one.
func TestScanCommandLeaksNoCredential(t *testing.T) {
	if testing.Short() {
		t.Skip("a full active scan")
	}
	srv := redacttest.New(t)
	code, stdout, stderr, files := scanHostile(t, context.Background(), srv, "--mode", "active")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
	}
	if len(files) != 6 {
		t.Fatalf("wrote %d reports, want 6", len(files))
	}
	if !strings.Contains(files["rampart.json"], `"LEAK-001"`) || !strings.Contains(files["rampart.json"], redact.Marker) {
		t.Fatal("the JSON report has no LEAK-001 finding or nothing redacted: the scan did not meet the hostile answers")
	}
	secrets := srv.Secrets()
	for name, out := range files {
		assertNoLeak(t, name, out, secrets)
	}
	assertNoLeak(t, "stdout", stdout, secrets)
	assertNoLeak(t, "stderr", stderr, secrets)
	// bob's theme cookie is too short to redact: said once, without its value.
	if n := strings.Count(stderr, "rampart: warning: identity bob: 1 credential value shorter than 6"); n != 1 {
		t.Errorf("short-secret warning given %d times; stderr:\n%s", n, stderr)
	}
}

// TestScanCommandLoginFailureIsRedacted: the login error names the login
// URL, whose query holds a credential.
func TestScanCommandLoginFailureIsRedacted(t *testing.T) {
	srv := redacttest.New(t)
	srv.LoginFails = true
	code, _, stderr, _ := scanHostile(t, context.Background(), srv)
	if code != ExitUsage || !strings.Contains(stderr, "rampart: identity dave: login: POST /login?api_key="+redact.Marker+" answered 500") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	assertNoLeak(t, "stderr", stderr, srv.Secrets())
}

// TestInterruptedScanCommandIsRedacted: Ctrl-C in the middle of a scan
// writes the partial report, redacted.
func TestInterruptedScanCommandIsRedacted(t *testing.T) {
	srv := redacttest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.OnRequest = func(n int) {
		if n == 60 {
			cancel()
		}
	}
	code, stdout, stderr, files := scanHostile(t, ctx, srv, "--mode", "active")
	if code != ExitInterrupted || len(files) != 6 || !strings.Contains(files["rampart.json"], `"incomplete": true`) {
		t.Fatalf("exit %d, %d files; stderr:\n%s", code, len(files), stderr)
	}
	secrets := srv.Secrets()
	for name, out := range files {
		assertNoLeak(t, "partial "+name, out, secrets)
	}
	assertNoLeak(t, "stdout", stdout, secrets)
	assertNoLeak(t, "stderr", stderr, secrets)
}

// TestIdentityFlagErrorHidesTheCredential: a malformed --identity is
// quoted in the error without its header value.
func TestIdentityFlagErrorHidesTheCredential(t *testing.T) {
	srv := target(t)
	for _, flag := range []string{
		"alice:root=Authorization: Bearer " + redacttest.AliceToken,
		"alice:user=Authorization: Bearer " + redacttest.AliceToken + "\nx",
		"anonymous=X-Api-Key: " + redacttest.AliceKey,
	} {
		code, _, stderr := run(t, nil, "scan", srv.URL, "--identity", flag)
		if code != ExitUsage || !strings.Contains(stderr, "rampart: --identity: bad identity") {
			t.Errorf("--identity %q: exit %d, stderr %q", flag, code, stderr)
		}
		assertNoLeak(t, "stderr", stderr, []string{redacttest.AliceToken, redacttest.AliceKey})
	}
}
