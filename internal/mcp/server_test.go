package mcp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
)

func TestListTools(t *testing.T) {
	cs := connect(t, newTestServer(t, Config{}))
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if len(tool.Description) < 80 {
			t.Errorf("%s: description too short for a model to use it: %q", tool.Name, tool.Description)
		}
		if tool.OutputSchema == nil {
			t.Errorf("%s: no output schema", tool.Name)
		}
	}
	slices.Sort(names)
	if want := []string{"checks", "code", "explain", "report", "scan"}; !slices.Equal(names, want) {
		t.Fatalf("tools %v, want %v", names, want)
	}
	// The scan tool's schema lists the modes, and only target is required.
	for _, tool := range res.Tools {
		if tool.Name != "scan" {
			continue
		}
		sch := tool.InputSchema.(map[string]any)
		if req, _ := sch["required"].([]any); len(req) != 1 || req[0] != "target" {
			t.Errorf("scan: required %v, want [target]", sch["required"])
		}
		mode := sch["properties"].(map[string]any)["mode"].(map[string]any)
		if enum, _ := mode["enum"].([]any); len(enum) != 3 {
			t.Errorf("scan: mode enum %v, want passive, safe, active", mode["enum"])
		}
	}
}

func TestScanSafe(t *testing.T) {
	api := fakeAPI(t)
	cs := connect(t, newTestServer(t, Config{}))
	res, text := call(t, cs, "scan", map[string]any{"target": " " + api.URL + " ", "checks": []string{"headers"}})
	if res.IsError {
		t.Fatalf("scan failed: %s", text)
	}
	sum := structured[Summary](t, res)
	if sum.Mode != "safe" {
		t.Errorf("mode %q, want safe by default", sum.Mode)
	}
	if sum.Format != "markdown" || !strings.HasPrefix(text, "#") {
		t.Errorf("format %q, report starts %.40q: want markdown", sum.Format, text)
	}
	found := false
	for _, f := range sum.Findings {
		if f.Check == "HDR-003" && f.Path != "" || f.Check == "HDR-001" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no HDR-001 or HDR-003 finding in %+v", sum.Findings)
	}
	if !strings.Contains(text, "HDR-") {
		t.Errorf("the report text does not mention the findings")
	}
}

func TestScanJSONFormat(t *testing.T) {
	api := fakeAPI(t)
	cs := connect(t, newTestServer(t, Config{}))
	res, text := call(t, cs, "scan", map[string]any{"target": api.URL, "checks": []string{"HDR-003"}, "format": "json"})
	if res.IsError {
		t.Fatalf("scan failed: %s", text)
	}
	if !strings.HasPrefix(text, "{") || !strings.Contains(text, `"schemaVersion"`) {
		t.Fatalf("not a JSON report: %.80q", text)
	}
}

// An active scan runs on a loopback target; elsewhere it is refused before
// anything is sent, unless the host was allow-listed.
func TestScanActive(t *testing.T) {
	api := fakeAPI(t)
	cs := connect(t, newTestServer(t, Config{}))
	res, text := call(t, cs, "scan", map[string]any{"target": api.URL, "mode": "active", "checks": []string{"HDR-003"}})
	if res.IsError {
		t.Fatalf("active scan of a loopback target refused: %s", text)
	}
	if m := structured[Summary](t, res).Mode; m != "active" {
		t.Errorf("mode %q, want active", m)
	}
	// A host that is not loopback (nothing listens there: the scan is
	// refused before any connection is tried).
	res, text = call(t, cs, "scan", map[string]any{"target": "http://api.example.test:8080", "mode": "active"})
	if !res.IsError || !strings.Contains(text, "active mode refused") || !strings.Contains(text, "--allow-active") {
		t.Fatalf("active scan of a non-loopback host: error %v, %q; want refused, naming --allow-active", res.IsError, text)
	}
}

func TestCheckMode(t *testing.T) {
	s := newTestServer(t, Config{AllowActive: []string{"staging.internal", "10.1.2.3:8443", "[fd00::1]:443", "FD00:0::2"}})
	tests := []struct {
		target string
		ok     bool
	}{
		{"http://127.0.0.1:8000", true},
		{"http://127.5.6.7/", true},
		{"http://[::1]:9000/api", true},
		{"http://LOCALHOST:5000", true},
		{"http://staging.internal:1234/v1", true},
		{"https://Staging.Internal.", true},
		{"https://10.1.2.3:8443/", true},
		{"http://10.1.2.3:8080/", false}, // allowed on another port only
		{"https://[fd00::1]/", true},     // 443 is https's port
		{"http://[fd00::1]/", false},
		{"http://[fd00::2]:1/", true},
		{"http://localhost.evil.test/", false},
		{"http://127.0.0.1.nip.io/", false},
		{"http://api.example.com/", false},
		{"http://0.0.0.0:8000/", false},
		{"not a url", false},
	}
	for _, tc := range tests {
		err := s.checkMode(tc.target, 2)
		if (err == nil) != tc.ok {
			t.Errorf("active %s: err %v, want allowed %v", tc.target, err, tc.ok)
		}
		if err := s.checkMode(tc.target, 1); err != nil {
			t.Errorf("safe %s: %v, want allowed anywhere", tc.target, err)
		}
	}
}

func TestAllowActiveRefusesNonHosts(t *testing.T) {
	for _, bad := range []string{"", "https://staging.internal/", "*.internal", "host/path", "user@host", "host:port:x"} {
		if _, err := newServer(Config{AllowActive: []string{bad}}); err == nil {
			t.Errorf("--allow-active %q accepted", bad)
		}
	}
}

func TestScanBadInputs(t *testing.T) {
	dir := t.TempDir()
	notSpec := filepath.Join(dir, "big.json")
	if err := os.WriteFile(notSpec, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	cs := connect(t, newTestServer(t, Config{}))
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"no target", map[string]any{}, "target"},
		{"blank target", map[string]any{"target": " "}, "target is required"},
		{"not http", map[string]any{"target": "ftp://127.0.0.1/"}, "http://"},
		{"unknown mode", map[string]any{"target": "http://127.0.0.1:1", "mode": "loud"}, "mode"},
		{"unknown format", map[string]any{"target": "http://127.0.0.1:1", "format": "pdf"}, "format"},
		{"identity without role", map[string]any{"target": "http://127.0.0.1:1", "identities": []string{"alice=Authorization: Bearer s3cr3t-t0ken"}}, "role"},
		{"role changes", map[string]any{"target": "http://127.0.0.1:1", "identities": []string{"a:user=X-A: 1", "a:admin=X-B: 2"}}, "role"},
		{"empty header", map[string]any{"target": "http://127.0.0.1:1", "identities": []string{"alice:user=Authorization:"}}, "identities"},
		{"spec missing", map[string]any{"target": "http://127.0.0.1:1", "spec": filepath.Join(dir, "none.yaml")}, "no such file"},
		{"spec a directory", map[string]any{"target": "http://127.0.0.1:1", "spec": dir}, "directory"},
		{"spec a URL", map[string]any{"target": "http://127.0.0.1:1", "spec": "http://127.0.0.1:1/openapi.json"}, "local file"},
		{"bad exclude", map[string]any{"target": "http://127.0.0.1:1", "exclude": []string{"admin"}}, "exclude"},
		{"unknown check", map[string]any{"target": "http://127.0.0.1:1", "checks": []string{"NOPE-999"}}, "NOPE-999"},
		{"unreachable", map[string]any{"target": "http://127.0.0.1:1"}, "unreachable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, text := call(t, cs, "scan", tc.args)
			if !res.IsError {
				t.Fatalf("accepted: %.200s", text)
			}
			if !strings.Contains(strings.ToLower(text), strings.ToLower(tc.want)) {
				t.Errorf("error %q does not mention %q", text, tc.want)
			}
			if strings.Contains(text, "s3cr3t-t0ken") {
				t.Errorf("error echoes the credential: %q", text)
			}
		})
	}
}

// Cancelling the call cancels the scan: the engine's requests end, and the
// scan returns context.Canceled (not the end of a per-request timeout).
func TestScanCancelledByClient(t *testing.T) {
	hit := make(chan struct{}, 1)
	api := blockingAPI(t, hit)
	s := newTestServer(t, Config{Timeout: time.Hour})
	done := make(chan error, 1)
	s.scanDone = func(err error) { done <- err }
	cs := connect(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-hit
		cancel()
	}()
	_, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "scan", Arguments: map[string]any{"target": api.URL, "checks": []string{"HDR-001"}}})
	if err == nil {
		t.Fatal("cancelled call returned a result")
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("scan ended with %v, want context.Canceled", err)
	}
}

// The server's time limit stops a scan; the call returns what was found,
// marked partial.
func TestScanTimeout(t *testing.T) {
	api := blockingAPI(t, nil)
	cs := connect(t, newTestServer(t, Config{Timeout: 2 * time.Second}))
	res, text := call(t, cs, "scan", map[string]any{"target": api.URL, "checks": []string{"HDR-001"}})
	if res.IsError {
		t.Fatalf("error %q, want the partial report", text)
	}
	sum := structured[Summary](t, res)
	if !sum.Incomplete || !slices.ContainsFunc(sum.Notes, func(n string) bool { return strings.Contains(n, "time limit") }) {
		t.Fatalf("incomplete %v, notes %q: want a partial report naming the time limit", sum.Incomplete, sum.Notes)
	}
}

// blockingAPI serves a spec; its one operation never answers until the
// request is cancelled (hit is told of the first such request).
func blockingAPI(t *testing.T, hit chan<- struct{}) *httptest.Server {
	t.Helper()
	spec := `{"openapi":"3.0.3","info":{"title":"slow","version":"1"},
"paths":{"/slow":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openapi.json" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(spec))
			return
		}
		if r.URL.Path != "/slow" {
			http.NotFound(w, r)
			return
		}
		if hit != nil {
			select {
			case hit <- struct{}{}:
			default:
			}
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCode(t *testing.T) {
	cs := connect(t, newTestServer(t, Config{}))
	res, text := call(t, cs, "code", map[string]any{"dir": "testdata/flaskapp"})
	if res.IsError {
		t.Fatalf("code failed: %s", text)
	}
	sum := structured[Summary](t, res)
	var ids []string
	for _, f := range sum.Findings {
		ids = append(ids, f.Check)
	}
	for _, want := range []string{"PY-SQLI-001", "PY-DEBUG-001"} {
		if !slices.Contains(ids, want) {
			t.Errorf("no %s finding in %v", want, ids)
		}
	}
	if !strings.Contains(text, "app.py") {
		t.Errorf("report does not name the file")
	}
}

func TestCodeBadInputs(t *testing.T) {
	cs := connect(t, newTestServer(t, Config{}))
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"no dir", map[string]any{}, "dir"},
		{"missing", map[string]any{"dir": "testdata/none"}, "no such file"},
		{"a file", map[string]any{"dir": "testdata/flaskapp/app.py"}, "not a directory"},
		{"confidence", map[string]any{"dir": "testdata/flaskapp", "minConfidence": "sure"}, "minConfidence"},
		{"format", map[string]any{"dir": "testdata/flaskapp", "format": "pdf"}, "format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, text := call(t, cs, "code", tc.args)
			if !res.IsError || !strings.Contains(text, tc.want) {
				t.Fatalf("error %v %q, want an error naming %q", res.IsError, text, tc.want)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	cs := connect(t, newTestServer(t, Config{}))
	for _, id := range []string{"BOLA-001", "py-sqli-001"} {
		res, text := call(t, cs, "explain", map[string]any{"id": id})
		if res.IsError {
			t.Fatalf("%s: %s", id, text)
		}
		out := structured[ExplainOutput](t, res)
		if !strings.EqualFold(out.ID, id) || out.Fix == "" || !strings.Contains(text, "How to fix") {
			t.Errorf("%s: %+v\n%s", id, out, text)
		}
	}
	for _, id := range []string{"NOPE-1", ""} {
		res, text := call(t, cs, "explain", map[string]any{"id": id})
		if !res.IsError || !strings.Contains(text, "checks tool") && !strings.Contains(text, "required") {
			t.Errorf("explain %q: error %v, %q", id, res.IsError, text)
		}
	}
}

func TestReport(t *testing.T) {
	cs := connect(t, newTestServer(t, Config{}))
	res, text := call(t, cs, "code", map[string]any{"dir": "testdata/flaskapp", "format": "json"})
	if res.IsError {
		t.Fatal(text)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "code.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	for format, want := range map[string]string{"": "PY-SQLI-001", "sarif": `"version": "2.1.0"`, "junit": "<testsuites", "html": "<html", "text": "PY-SQLI-001"} {
		args := map[string]any{"path": path}
		if format != "" {
			args["format"] = format
		}
		res, out := call(t, cs, "report", args)
		if res.IsError || !strings.Contains(out, want) {
			t.Errorf("format %q: error %v, output lacks %q: %.200s", format, res.IsError, want, out)
		}
	}
	notReport := filepath.Join(dir, "other.json")
	os.WriteFile(notReport, []byte(`{"password":"hunter2"}`), 0o600)
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"path": filepath.Join(dir, "none.json")}, "no such file"},
		{map[string]any{"path": dir}, "directory"},
		{map[string]any{"path": notReport}, "other.json"},
		{map[string]any{"path": path, "format": "pdf"}, "format"},
		{map[string]any{}, "path"},
	} {
		res, out := call(t, cs, "report", tc.args)
		if !res.IsError || !strings.Contains(out, tc.want) {
			t.Errorf("%v: error %v %q, want an error naming %q", tc.args, res.IsError, out, tc.want)
		}
		if strings.Contains(out, "hunter2") {
			t.Errorf("error quotes the file: %q", out)
		}
	}
}

func TestChecks(t *testing.T) {
	cs := connect(t, newTestServer(t, Config{}))
	nRuntime, nCode := len(checks.All()), len(codescan.Rules())
	for kind, want := range map[string]int{"": nRuntime + nCode, "all": nRuntime + nCode, "runtime": nRuntime, "code": nCode} {
		args := map[string]any{}
		if kind != "" {
			args["kind"] = kind
		}
		res, text := call(t, cs, "checks", args)
		if res.IsError {
			t.Fatalf("%q: %s", kind, text)
		}
		if got := len(structured[ChecksOutput](t, res).Checks); got != want {
			t.Errorf("kind %q: %d checks, want %d", kind, got, want)
		}
	}
	if res, _ := call(t, cs, "checks", map[string]any{"kind": "other"}); !res.IsError {
		t.Error("kind other accepted")
	}
}

// A panic in a tool is a tool error, and the server goes on.
func TestGuardRecovers(t *testing.T) {
	var log strings.Builder
	h := guard(&log, "boom", func(context.Context, *sdk.CallToolRequest, ExplainInput) (*sdk.CallToolResult, ExplainOutput, error) {
		panic("kaboom")
	})
	_, _, err := h(context.Background(), nil, ExplainInput{})
	if err == nil || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("err %v, want an internal error", err)
	}
	if !strings.Contains(log.String(), "kaboom") {
		t.Errorf("the panic is not logged: %q", log.String())
	}
}

// parseTargetHost is the host the scan engine connects to for target.
func parseTargetHost(target string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil {
		return "", err
	}
	return canonHost(u.Hostname()), nil
}

// An identity refused everywhere stops the scan, and the error names the
// argument that scans without it; with keepGoing the scan runs and says so.
func TestScanRefusedIdentity(t *testing.T) {
	spec := `{"openapi":"3.0.3","info":{"title":"locked","version":"1"},
"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}},
"security":[{"bearer":[]}],
"paths":{"/me":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/openapi.json" {
			w.Write([]byte(spec))
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"unauthorized"}`))
	}))
	t.Cleanup(api.Close)
	cs := connect(t, newTestServer(t, Config{}))
	args := map[string]any{"target": api.URL, "identities": []string{"alice:user=Authorization: Bearer refused-token-123"}}
	res, text := call(t, cs, "scan", args)
	if !res.IsError || !strings.Contains(text, "keepGoing: true") || strings.Contains(text, "--keep-going") {
		t.Fatalf("error %v %q: want the scan stopped, naming keepGoing", res.IsError, text)
	}
	if strings.Contains(text, "refused-token-123") {
		t.Errorf("error echoes the token: %q", text)
	}
	args["keepGoing"] = true
	res, text = call(t, cs, "scan", args)
	if res.IsError {
		t.Fatalf("keepGoing: %s", text)
	}
	sum := structured[Summary](t, res)
	if !slices.ContainsFunc(sum.Notes, func(n string) bool { return strings.Contains(n, "alice") }) {
		t.Errorf("notes %q do not say alice was left out", sum.Notes)
	}
}
