package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Execute(context.Background(), args, Env{
		Stdout: &out, Stderr: &errb,
		Getenv:     func(k string) string { return env[k] },
		IsTerminal: func(io.Writer) bool { return false },
	})
	return Code(err), out.String(), errb.String()
}

func target(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/openapi.json":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/items":{"get":{"responses":{"200":{"description":"ok"}}}}}}`))
		case "/console":
			w.Write([]byte(`<title>Console // Werkzeug Debugger</title> EVALEX = true, EVALEX_TRUSTED = true,`))
		default:
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Write([]byte(`[]`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBadInputGivesOneLineAndExitCode(t *testing.T) {
	srv := target(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("openapi: 3.0.3\npaths: [\n"), 0o644)
	badCfg := filepath.Join(dir, "cfg.yaml")
	os.WriteFile(badCfg, []byte("target: "+srv.URL+"\nmoed: safe\n"), 0o644)
	envCfg := filepath.Join(dir, "env.yaml")
	os.WriteFile(envCfg, []byte("target: "+srv.URL+"\nidentities:\n  - name: a\n    role: user\n    headers: {Authorization: \"Bearer ${NOT_SET_TOKEN}\"}\n"), 0o644)
	wordsCfg := filepath.Join(dir, "words.yaml")
	os.WriteFile(wordsCfg, []byte("target: "+srv.URL+"\nwordlist: "+filepath.Join(dir, "nope.txt")+"\nshow-secrets: true\n"), 0o644)
	emptyHdrCfg := filepath.Join(dir, "empty-header.yaml")
	os.WriteFile(emptyHdrCfg, []byte("target: "+srv.URL+"\nidentities:\n  - name: bob\n    role: user\n    headers: {Authorization: \"\"}\n"), 0o644)
	noCredCfg := filepath.Join(dir, "no-credential.yaml")
	os.WriteFile(noCredCfg, []byte("target: "+srv.URL+"\nidentities:\n  - name: bob\n    role: user\n"), 0o644)
	covCfg := filepath.Join(dir, "coverage.yaml")
	os.WriteFile(covCfg, []byte("target: "+srv.URL+"\nmin-coverage: 101\n"), 0o644)
	scopeCfg := filepath.Join(dir, "scope.yaml")
	os.WriteFile(scopeCfg, []byte("target: "+srv.URL+"\nscope: [\"http://x/\"]\n"), 0o644)
	excludeCfg := filepath.Join(dir, "exclude.yaml")
	os.WriteFile(excludeCfg, []byte("target: "+srv.URL+"\nexclude: [\"[\"]\n"), 0o644)
	// out is where rows that name an output would write it, a directory of
	// its own for each row: a run that fails must leave nothing there (no
	// empty report, no directory).
	const out = "{out}/"
	outBase := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"empty identity header", []string{"scan", srv.URL, "--identity", "alice:user=Authorization:", "-f", "json", "-o", out}, ExitUsage, "empty value"},
		{"blank identity header", []string{"scan", srv.URL, "--identity", "alice:user=Authorization: ", "-f", "json", "-o", out}, ExitUsage, "empty value"},
		{"identity without header", []string{"scan", srv.URL, "--identity", "alice:user=", "-f", "json", "-o", out}, ExitUsage, "'Name: value'"},
		{"identity scheme without token", []string{"scan", srv.URL, "--identity", "alice:user=Authorization: Bearer ", "-f", "json", "-o", out}, ExitUsage, "no credential"},
		{"config empty header", []string{"scan", "--config", emptyHdrCfg, "-f", "json", "-o", out}, ExitUsage, "identity bob: header Authorization has an empty value"},
		{"config identity without credential", []string{"scan", "--config", noCredCfg, "-f", "json", "-o", out}, ExitUsage, "would act as anonymous"},
		{"exclude invalid glob", []string{"scan", srv.URL, "--exclude", "[", "-f", "json", "-o", out}, ExitUsage, "want a path glob such as /admin/reset*"},
		{"config exclude invalid glob", []string{"scan", "--config", excludeCfg, "-f", "json", "-o", out}, ExitUsage, `--exclude "["`},
		{"scope URL", []string{"scan", srv.URL, "--scope", "http://x/", "-f", "json", "-o", out}, ExitUsage, "write --scope x"},
		{"config scope URL", []string{"scan", "--config", scopeCfg, "-f", "json", "-o", out}, ExitUsage, "write --scope x"},
		{"scope empty", []string{"scan", srv.URL, "--scope", "", "-f", "json", "-o", out}, ExitUsage, "want a host or host:port"},
		{"scope bad port", []string{"scan", srv.URL, "--scope", "x:99999", "-f", "json", "-o", out}, ExitUsage, "from 1 to 65535"},
		{"scope with path", []string{"scan", srv.URL, "--scope", "x/y", "-f", "json", "-o", out}, ExitUsage, "want a host or host:port"},
		{"same output for two formats", []string{"scan", srv.URL, "-f", "json,sarif", "-o", out + "r.out," + out + "./r.out"}, ExitUsage, "r.out is given for both json and sarif"},
		{"unreachable with an output", []string{"scan", "http://127.0.0.1:1", "-f", "json,sarif", "-o", out}, ExitCannotRun, "unreachable"},
		{"code exclude invalid glob", []string{"code", dir, "--exclude", "[", "-f", "json", "-o", out}, ExitUsage, "not a valid glob"},
		{"unknown flag", []string{"scan", srv.URL, "--bogus"}, ExitUsage, "unknown flag: --bogus"},
		{"unknown command", []string{"scna"}, ExitUsage, "unknown command"},
		{"no target", []string{"scan"}, ExitUsage, "needs a target URL"},
		{"unreachable", []string{"scan", "http://127.0.0.1:1"}, ExitCannotRun, "unreachable"},
		{"malformed spec", []string{"scan", srv.URL, "--spec", bad}, ExitUsage, "bad.yaml"},
		{"unknown check", []string{"scan", srv.URL, "--checks", "NOPE-1"}, ExitUsage, "unknown check"},
		{"bad mode", []string{"scan", srv.URL, "--mode", "yolo"}, ExitUsage, "unknown mode"},
		{"bad fail-on", []string{"scan", srv.URL, "--fail-on", "severe"}, ExitUsage, "--fail-on"},
		{"min-coverage over 100", []string{"scan", srv.URL, "--min-coverage", "150", "-f", "json", "-o", out}, ExitUsage, "--min-coverage 150: want a percentage from 0 to 100"},
		{"min-coverage negative", []string{"scan", srv.URL, "--min-coverage", "-5"}, ExitUsage, "--min-coverage -5: want a percentage from 0 to 100"},
		{"config min-coverage over 100", []string{"scan", "--config", covCfg, "-f", "json", "-o", out}, ExitUsage, "min-coverage 101: want a percentage from 0 to 100"},
		{"bad identity", []string{"scan", srv.URL, "--identity", "alice"}, ExitUsage, "NAME:ROLE=HEADER"},
		{"bad format", []string{"scan", srv.URL, "-f", "pdf"}, ExitUsage, "--format"},
		{"outputs mismatch", []string{"scan", srv.URL, "-f", "text,json"}, ExitUsage, "more than one format"},
		{"config unknown key", []string{"scan", "--config", badCfg}, ExitUsage, "moed"},
		{"config env unset", []string{"scan", "--config", envCfg}, ExitUsage, "NOT_SET_TOKEN"},
		{"explain unknown", []string{"explain", "NOPE-1"}, ExitUsage, "unknown check"},
		{"missing wordlist", []string{"scan", srv.URL, "--wordlist", filepath.Join(dir, "no-such-words.txt")}, ExitUsage, "--wordlist"},
		{"config missing wordlist", []string{"scan", "--config", wordsCfg}, ExitUsage, "--wordlist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(outBase, strings.ReplaceAll(tt.name, " ", "-"))
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "{out}", out)
			}
			code, _, stderr := run(t, nil, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.Contains(stderr, tt.msg) || !strings.HasPrefix(stderr, "rampart: ") {
				t.Errorf("stderr should be one 'rampart: ' line with %q, got:\n%s", tt.msg, stderr)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on bad input:\n%s", stderr)
			}
			if _, err := os.Stat(out); err == nil {
				entries, _ := os.ReadDir(out)
				t.Errorf("a failed run left %s behind (%v)", out, entries)
			}
		})
	}
}

func TestScanExitCodesAndJSON(t *testing.T) {
	srv := target(t)
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := run(t, nil, "scan", srv.URL, "-f", "text,json", "-o", "-,"+out)
	if code != ExitFindings {
		t.Fatalf("exit %d with a critical finding; stderr %s", code, stderr)
	}
	if !strings.Contains(stdout, "DEBUG-001") {
		t.Errorf("text report lacks the finding:\n%s", stdout)
	}
	var rep map[string]any
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil || rep["schemaVersion"] == nil {
		t.Fatalf("json report: %v %v", err, rep["schemaVersion"])
	}
	if code, _, _ := run(t, nil, "scan", srv.URL, "--fail-on", "none"); code != ExitOK {
		t.Errorf("--fail-on none: exit %d", code)
	}
	if code, _, _ := run(t, nil, "scan", srv.URL, "--skip-checks", "debug-exposure"); code != ExitOK {
		t.Errorf("without the debugger check: exit %d", code)
	}
}

// --min-coverage (or the config's min-coverage) fails a scan that tested
// less than asked, with exit 1 and a line that names both percentages.
// partlyCovered is target with one more operation that cannot be tested
// without an identity: a read of an item that refuses anonymous callers.
func partlyCovered(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/openapi.json":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{` +
				`"/items":{"get":{"responses":{"200":{"description":"ok"}}}},` +
				`"/items/{item_id}":{"get":{"parameters":[{"name":"item_id","in":"path","required":true,"schema":{"type":"integer"}}],"security":[{"bearer":[]}],"responses":{"200":{"description":"ok"}}}}},` +
				`"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}}}`))
		case strings.HasPrefix(r.URL.Path, "/items/"):
			http.Error(w, `{"error":"login required"}`, http.StatusUnauthorized)
		default:
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Write([]byte(`[{"id": 1}]`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestScanMinCoverage(t *testing.T) {
	srv := partlyCovered(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	if code, _, stderr := run(t, nil, "scan", srv.URL, "-f", "json", "-o", out, "--fail-on", "none"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Coverage *struct {
			Percent int `json:"percent"`
		} `json:"coverage"`
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil || rep.Coverage == nil {
		t.Fatalf("no coverage in the report (%v)", err)
	}
	pct := rep.Coverage.Percent
	if pct == 100 {
		t.Fatalf("the test target is fully covered: the gate cannot be seen failing")
	}
	above := strconv.Itoa(pct + 1)
	cfg := filepath.Join(dir, "gate.yaml")
	os.WriteFile(cfg, []byte("target: "+srv.URL+"\nfail-on: none\nmin-coverage: "+above+"\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"at the coverage", []string{"scan", srv.URL, "--fail-on", "none", "--min-coverage", strconv.Itoa(pct)}, ExitOK, ""},
		{"above the coverage", []string{"scan", srv.URL, "--fail-on", "none", "--min-coverage", above},
			ExitFindings, fmt.Sprintf("rampart: coverage %d%% (", pct)},
		{"config key", []string{"scan", "--config", cfg}, ExitFindings, "is below --min-coverage " + above + "%"},
		{"flag wins over the config", []string{"scan", "--config", cfg, "--min-coverage", "0"}, ExitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			if tt.msg != "" && !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr lacks %q:\n%s", tt.msg, stderr)
			}
			if tt.msg == "" && strings.Contains(stderr, "min-coverage") {
				t.Errorf("coverage gate spoke without failing: %s", stderr)
			}
		})
	}
}

func TestChecksAndExplain(t *testing.T) {
	code, out, _ := run(t, nil, "checks")
	if code != 0 || !strings.Contains(out, "DEBUG-001") || !strings.Contains(out, "debug-exposure") {
		t.Fatalf("checks: %d\n%s", code, out)
	}
	code, out, _ = run(t, nil, "explain", "debug-001")
	for _, want := range []string{"What it detects", "Requests it sends", "How to fix", "CWE-489"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := run(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "rampart ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestInterruptWritesPartialReport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "partial.json")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(400*time.Millisecond, cancel)
	var stdout, stderr bytes.Buffer
	err := Execute(ctx, []string{"scan", srv.URL, "--concurrency", "1", "-f", "json", "-o", out}, Env{
		Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		IsTerminal: func(io.Writer) bool { return false },
	})
	if Code(err) != ExitInterrupted {
		t.Fatalf("exit %d (%v), want %d", Code(err), err, ExitInterrupted)
	}
	data, rerr := os.ReadFile(out)
	if rerr != nil {
		t.Fatal(rerr)
	}
	var rep struct {
		Incomplete bool `json:"incomplete"`
	}
	if json.Unmarshal(data, &rep) != nil || !rep.Incomplete {
		t.Fatalf("partial report not marked incomplete: %s", data)
	}
}

func TestScanBaselineSuppressesKnownFindings(t *testing.T) {
	srv := target(t)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.json"), filepath.Join(dir, "second.json")
	if code, _, stderr := run(t, nil, "scan", srv.URL, "-f", "json", "-o", first); code != ExitFindings {
		t.Fatalf("first scan: exit %d %s", code, stderr)
	}
	code, _, stderr := run(t, nil, "scan", srv.URL, "-f", "json", "-o", second, "--baseline", first)
	if code != ExitOK {
		t.Fatalf("second scan with the baseline: exit %d %s", code, stderr)
	}
	if !strings.Contains(stderr, "suppressed by the baseline") {
		t.Errorf("stderr does not say what was suppressed: %s", stderr)
	}
	var rep struct {
		Findings []any `json:"findings"`
	}
	data, _ := os.ReadFile(second)
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Findings) != 0 {
		t.Fatalf("second report has %d findings (%v)", len(rep.Findings), err)
	}
	if code, _, stderr := run(t, nil, "scan", srv.URL, "--baseline", filepath.Join(dir, "none.json")); code != ExitUsage || !strings.Contains(stderr, "--baseline") {
		t.Errorf("missing baseline: exit %d %s", code, stderr)
	}
}
