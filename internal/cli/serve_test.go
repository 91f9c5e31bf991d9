package cli

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var servingRE = regexp.MustCompile(`serving (http://127\.0\.0\.1:\d+)`)

// startServe runs `rampart serve` on a free loopback port with its data in
// dir, and returns its URL and what it printed on stdout (the first admin
// key) once it listens.
func startServe(t *testing.T, dir string) (base, stdout string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Execute(ctx, []string{"serve", "--data", dir, "--listen", "127.0.0.1:0"}, Env{
			Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
			IsTerminal: func(io.Writer) bool { return false },
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve ended with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop in 30s")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingRE.FindStringSubmatch(errb.String()); m != nil {
			return m[1], out.String()
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v; stderr %s", err, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start in 30s: %s", errb.String())
	return "", ""
}

func TestServeFirstKeyAndUpload(t *testing.T) {
	dir := t.TempDir()
	base, out := startServe(t, dir)
	admin := strings.TrimSpace(out)
	if !strings.HasPrefix(admin, "rampart_") {
		t.Fatalf("no admin key printed on first start: %q", out)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/keys", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the printed admin key: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()

	// --create-key prints a key and exits, beside the running server.
	code, key, stderr := run(t, nil, "serve", "--data", dir, "--create-key", "ci:upload")
	key = strings.TrimSpace(key)
	if code != ExitOK || !strings.HasPrefix(key, "rampart_") || strings.Contains(stderr, key) {
		t.Fatalf("--create-key: exit %d, key %q, stderr %s", code, key, stderr)
	}
	if code, _, stderr := run(t, nil, "serve", "--data", dir, "--create-key", "ci:upload"); code != ExitUsage {
		t.Errorf("--create-key twice: exit %d %s", code, stderr)
	}
	if code, _, _ := run(t, nil, "serve", "--data", dir, "--create-key", "ci"); code != ExitUsage {
		t.Errorf("--create-key without scope: exit %d", code)
	}

	_, reader, _ := run(t, nil, "serve", "--data", dir, "--create-key", "viewer:read")
	reader = strings.TrimSpace(reader)
	srv := target(t)
	env := map[string]string{uploadKeyEnv: key}
	code, _, stderr = run(t, env, "scan", srv.URL, "--fail-on", "none", "--upload", base)
	if code != ExitOK || !strings.Contains(stderr, "uploaded as scan 1 of 127.0.0.1:") || !strings.Contains(stderr, base+"/scans/1") {
		t.Fatalf("scan --upload: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = run(t, env, "scan", srv.URL, "--fail-on", "none", "--upload", base+"/", "--upload-target", "named")
	if code != ExitOK || !strings.Contains(stderr, "uploaded as scan 2 of named: ") {
		t.Fatalf("scan --upload --upload-target: exit %d, stderr %s", code, stderr)
	}
	// A second upload of the same target diffs against the first.
	code, _, stderr = run(t, env, "scan", srv.URL, "--fail-on", "none", "--upload", base, "--upload-target", "named")
	if code != ExitOK || !strings.Contains(stderr, "0 new, 0 fixed, ") {
		t.Fatalf("second upload: exit %d, stderr %s", code, stderr)
	}

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		says string
	}{
		{"no key", nil, []string{"--upload", base}, ExitUsage, "RAMPART_UPLOAD_KEY"},
		{"not a URL", env, []string{"--upload", "ftp://x"}, ExitUsage, "base URL"},
		{"credentials in the URL", env, []string{"--upload", "http://u:p@127.0.0.1:1"}, ExitUsage, "no credentials"},
		{"target without upload", env, []string{"--upload-target", "x"}, ExitUsage, "need --upload"},
		{"unknown key", map[string]string{uploadKeyEnv: "rampart_nope"}, []string{"--upload", base}, ExitCannotRun, "unknown or deleted"},
		{"wrong key in --upload-key", nil, []string{"--upload", base, "--upload-key", admin + "x"}, ExitCannotRun, "answered 401"},
		{"read key", map[string]string{uploadKeyEnv: reader}, []string{"--upload", base}, ExitCannotRun, "answered 403"},
		{"server down", env, []string{"--upload", "http://127.0.0.1:1"}, ExitCannotRun, "did not answer"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.env, append([]string{"scan", srv.URL, "--fail-on", "none"}, tt.args...)...)
		if code != tt.code || !strings.Contains(stderr, tt.says) {
			t.Errorf("%s: exit %d, stderr %s; want %d saying %q", tt.name, code, stderr, tt.code, tt.says)
		}
		if strings.Contains(stderr, key) || strings.Contains(stderr, admin) {
			t.Errorf("%s: a key on stderr", tt.name)
		}
	}
}

// A second start prints no key: one exists.
func TestServeSecondStartPrintsNoKey(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, nil, "serve", "--data", dir, "--create-key", "me:read"); code != ExitOK {
		t.Fatalf("--create-key: %d %s", code, stderr)
	}
	_, out := startServe(t, dir)
	if out != "" {
		t.Errorf("a key was printed though one exists: %q", out)
	}
}

func TestServeRefuses(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"serve", "--db", "mysql://x"}, ExitCannotRun},
		{[]string{"serve", "--db", "postgres://127.0.0.1:1/x", "--data", "/tmp"}, ExitUsage},
		{[]string{"serve", "extra"}, ExitUsage},
	} {
		if code, _, stderr := run(t, nil, tt.args...); code != tt.code || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want %d and one line", tt.args, code, stderr, tt.code)
		}
	}
}
