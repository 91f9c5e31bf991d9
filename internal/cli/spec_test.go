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
	"strings"
	"syscall"
	"testing"
	"time"
)

type answer struct {
	status int
	body   string
}

// apiTarget answers the given paths as told and every other one with others.
func apiTarget(t *testing.T, answers map[string]answer, others answer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok {
			a = others
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(a.status)
		w.Write([]byte(a.body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// schemaBomb is a 1 KB alias bomb that go-yaml's own heuristic lets
// through: kin-openapi decodes each schema with a fresh decoder.
func schemaBomb() string {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: bomb, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n")
	b.WriteString("    l0: &l0 {type: object, properties: {a: {type: string}, b: {type: string}}}\n")
	for l := 1; l < 9; l++ {
		fmt.Fprintf(&b, "    l%d: &l%d {type: object, properties: {", l, l)
		for i := range 10 {
			fmt.Fprintf(&b, "p%d: *l%d, ", i, l-1)
		}
		b.WriteString("}}\n")
	}
	return b.String()
}

func refSpec(ref string) string {
	return `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "` + ref + `"}
`
}

// Exit codes say what happened to the spec: one given with --spec that is
// bad is a usage error (2); a discovered one that is bad or refused is
// noted and the API crawled instead; nothing learned at all cannot run (3).
func TestScanSpecOutcomes(t *testing.T) {
	const secret = "sk_live_PLANTED0123456789abcdef"
	dir := t.TempDir()
	api := filepath.Join(dir, "api")
	files := map[string]string{
		"api/bomb.yaml":    schemaBomb(),
		"api/creds":        "API_KEY=" + secret + "\n",
		"api/to-creds.yml": refSpec("creds"),
		"api/to-fifo.yaml": refSpec("fifo.yaml#/X"),
		"api/to-out.yaml":  refSpec("../outside.yaml#/X"),
		"outside.yaml":     "X: {type: object}\n",
		// The document: a Swagger habit kin-openapi refuses.
		"api/sloppy.yaml": `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {type: string, required: false}
      responses:
        "200": {description: ok}
`,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(api, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := answer{200, `{"items": "/items"}`}
	tests := []struct {
		name    string
		answers map[string]answer
		others  answer
		args    []string
		code    int
		stderr  []string // each must appear
		note    string   // must be among the report's notes
	}{
		{
			name:    "discovered spec malformed",
			answers: map[string]answer{"/openapi.json": {200, `{"openapi": "3.0.3", "paths": [1]}`}, "/": links},
			others:  answer{200, `[]`},
			code:    ExitOK,
			note:    "/openapi.json is not a usable OpenAPI document (line 1: paths: want a mapping, got a list): learned operations by probing common paths and following links instead",
		},
		{
			name:    "discovered spec refused",
			answers: map[string]answer{"/openapi.json": {401, `{"error": "login"}`}, "/": links},
			others:  answer{200, `[]`},
			code:    ExitOK,
			note:    "GET /openapi.json answered 401: learned operations by probing common paths and following links instead",
		},
		{
			name:    "discovered alias bomb",
			answers: map[string]answer{"/openapi.json": {200, schemaBomb()}, "/": links},
			others:  answer{200, `[]`},
			code:    ExitOK,
			note:    "more than 1000000 nodes, the limit (an alias bomb?)): learned operations by probing common paths and following links instead",
		},
		{
			name:   "nothing learned",
			others: answer{401, `{"error": "login"}`},
			code:   ExitCannotRun,
			stderr: []string{"rampart: could not learn any operation: GET / answered 401 and linked to nothing; GET /openapi.json answered 401 (as did 19 other usual spec locations); probed 400 common paths: 0 answered: give --spec"},
		},
		{
			name:   "given alias bomb",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "bomb.yaml")},
			code:   ExitUsage,
			stderr: []string{"bomb.yaml: line 11: its YAML aliases expand the spec by more than 1000000 nodes, the limit"},
		},
		{
			name:   "given FIFO",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "fifo.yaml")},
			code:   ExitUsage,
			stderr: []string{"fifo.yaml: is a named pipe: not a regular file"},
		},
		{
			name:   "given spec refs a FIFO",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "to-fifo.yaml")},
			code:   ExitUsage,
			stderr: []string{"to-fifo.yaml: line 11: ", "fifo.yaml: is a named pipe: not a regular file"},
		},
		{
			name:   "given spec refs outside its folder",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "to-out.yaml")},
			code:   ExitUsage,
			stderr: []string{"is outside the spec's folder " + api, "pass --spec-refs-outside"},
		},
		{
			name:   "given spec refs outside its folder with the flag",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "to-out.yaml"), "--spec-refs-outside"},
			code:   ExitOK,
		},
		{
			name:   "given spec refs a credentials file",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "to-creds.yml")},
			code:   ExitOK,
			note:   "the spec had 1 problem Rampart repaired or worked around; see input warnings",
		},
		{
			name:   "given spec refs a credentials file under strict",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "to-creds.yml"), "--strict-spec"},
			code:   ExitUsage,
			stderr: []string{`to-creds.yml: line 11: paths./items.get.responses.200.content.application/json.schema: $ref "creds" points to a document whose top level is a string, not a mapping (refused by --strict-spec`},
		},
		{
			name:   "given sloppy spec",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "sloppy.yaml")},
			code:   ExitOK,
			note:   "the spec had 1 problem Rampart repaired or worked around; see input warnings",
		},
		{
			name:   "given sloppy spec under strict",
			others: answer{200, `[]`},
			args:   []string{"--spec", filepath.Join(api, "sloppy.yaml"), "--strict-spec"},
			code:   ExitUsage,
			stderr: []string{`sloppy.yaml: line 12: paths./items.post.requestBody.content.application/json.schema.properties.name.required: "required: false" on a property (refused by --strict-spec`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := apiTarget(t, tt.answers, tt.others)
			out := filepath.Join(t.TempDir(), "report.json")
			args := append([]string{"scan", srv.URL, "-f", "json", "-o", out}, tt.args...)
			var code int
			var stderr string
			start := time.Now()
			done := make(chan struct{})
			go func() {
				defer close(done)
				code, _, stderr = run(t, nil, args...)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("scan still running after 30s")
			}
			t.Logf("exit %d after %v", code, time.Since(start))
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr, secret[:12]) {
				t.Errorf("stderr echoes a file's content:\n%s", stderr)
			}
			if tt.note == "" {
				return
			}
			if !strings.Contains(stderr, tt.note) {
				t.Errorf("stderr lacks the note %q:\n%s", tt.note, stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var rep struct {
				Notes         []string
				InputWarnings []struct{ File, Problem string } `json:"inputWarnings"`
			}
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tt.note, "input warnings") && (len(rep.InputWarnings) == 0 || rep.InputWarnings[0].File == "") {
				t.Errorf("the report has no input warnings: %s", data)
			}
			found := false
			for _, n := range rep.Notes {
				found = found || strings.Contains(n, tt.note)
			}
			if !found {
				t.Errorf("report notes %q lack %q", rep.Notes, tt.note)
			}
		})
	}
}

// Ctrl-C while a spec loads ends the scan at once with 130 and a partial
// report, even when a $ref never finishes arriving.
func TestInterruptDuringSpecLoading(t *testing.T) {
	asked := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/spec.yaml":
			w.Write([]byte(refSpec("slow.yaml#/X")))
		case "/slow.yaml":
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("X: {"))
			w.(http.Flusher).Flush()
			select {
			case asked <- struct{}{}:
			default:
			}
			select {
			case <-r.Context().Done():
			case <-release:
			}
		default:
			w.Write([]byte(`[]`))
		}
	}))
	defer srv.Close()
	defer close(release)
	out := filepath.Join(t.TempDir(), "partial.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = Execute(ctx, []string{"scan", srv.URL, "--spec", srv.URL + "/spec.yaml", "--timeout", "30s", "-f", "json", "-o", out}, Env{
			Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" },
			IsTerminal: func(io.Writer) bool { return false },
		})
	}()
	select {
	case <-asked:
	case <-done:
		t.Fatalf("scan ended before the $ref was asked for: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the $ref was never asked for")
	}
	interrupted := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("still running 5s after the interrupt")
	}
	took := time.Since(interrupted)
	t.Logf("exit %d, %v after the interrupt", Code(err), took)
	if Code(err) != ExitInterrupted {
		t.Errorf("exit %d (%v), want %d", Code(err), err, ExitInterrupted)
	}
	// Prompt, not instant: two busy CI cores under the race detector.
	if took >= 3*time.Second {
		t.Errorf("exit took %v after the interrupt, want under 3s", took)
	}
	data, rerr := os.ReadFile(out)
	var rep struct {
		Incomplete bool `json:"incomplete"`
	}
	if rerr != nil || json.Unmarshal(data, &rep) != nil || !rep.Incomplete {
		t.Errorf("no partial report marked incomplete: %v %s", rerr, data)
	}
}
