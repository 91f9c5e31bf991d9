package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/queue"
	"github.com/rampart-sec/rampart/internal/webhook"
)

// TestJobOptions: a job's config is read as `rampart scan --config` reads
// a file, ${VAR} from the worker's environment, the job's URL the target.
func TestJobOptions(t *testing.T) {
	env := Env{Getenv: func(k string) string { return map[string]string{"TOKEN": "t0ken"}[k] }}
	opts := jobOptions(env)
	ctx := context.Background()
	cfg := `target: http://127.0.0.1:1/ignored
mode: passive
checks: [HDR-001, cors]
concurrency: 3
timeout: 4s
identities:
  - name: alice
    role: user
    headers:
      Authorization: Bearer ${TOKEN}
`
	opt, err := opts(ctx, queue.ScanArgs{Target: "api", URL: "http://127.0.0.1:8801", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if opt.Target != "http://127.0.0.1:8801" || opt.Mode != rampart.Passive || strings.Join(opt.Checks, ",") != "HDR-001,cors" ||
		opt.Concurrency != 3 || opt.Timeout != 4*time.Second {
		t.Errorf("options %+v", opt)
	}
	if len(opt.Identities) != 1 || opt.Identities[0].Headers.Get("Authorization") != "Bearer t0ken" {
		t.Errorf("identities %+v: want alice with the token from the environment", opt.Identities)
	}

	// No config: the flags' defaults.
	opt, err = opts(ctx, queue.ScanArgs{Target: "api", URL: "http://127.0.0.1:8801"})
	if err != nil {
		t.Fatal(err)
	}
	if opt.Mode != rampart.Safe || opt.Concurrency != 8 || opt.Timeout != 10*time.Second || opt.MaxBody != 2<<20 {
		t.Errorf("default options %+v: want safe, 8, 10s, 2MiB", opt)
	}

	for _, bad := range []string{
		"mode: reckless\n",
		"identities:\n  - name: bob\n    role: user\n    headers: {Authorization: \"Bearer ${UNSET}\"}\n",
		"nosuchkey: 1\n",
		"mode: [\n",
	} {
		_, err := opts(ctx, queue.ScanArgs{Target: "api", URL: "http://127.0.0.1:8801", Config: bad})
		if Code(err) != ExitUsage {
			t.Errorf("config %q: %v (exit %d), want a usage error", bad, err, Code(err))
		} else if !strings.Contains(err.Error(), "target api") {
			t.Errorf("config %q: error %q does not name the target", bad, err)
		}
	}
}

func TestWorkerUsage(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "q.db")
	badCfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badCfg, []byte("mode: reckless\n"), 0o600)
	for _, args := range [][]string{
		{"worker", "--db", db, "--dashboard", "ftp://rampart.example.com"},
		{"worker", "--db", db, "--dashboard", "https://rampart.example.com/?x=1"},
		{"worker", "--db", db, "--reports", dir, "--scan-timeout", "10m", "--rescue-after", "5m"},
		{"worker", "--db", db, "--reports", dir, "--webhook", "ftp://x/y"},
		{"worker", "--db", db, "--reports", dir, "--concurrency", "0"},
		{"worker", "--db", db, "--enqueue", "127.0.0.1:8801"},
		{"worker", "--db", db, "--enqueue", "http://127.0.0.1:8801", "--config", badCfg},
		{"worker", "--db", db, "--enqueue", "http://127.0.0.1:8801", "--config", filepath.Join(dir, "missing.yaml")},
	} {
		var out bytes.Buffer
		err := Execute(context.Background(), args, Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }})
		if Code(err) != ExitUsage {
			t.Errorf("%q: exit %d (%v), want 2", args, Code(err), err)
		}
		if lines := strings.Count(strings.TrimSpace(out.String()), "\n"); lines != 0 {
			t.Errorf("%q: %d lines of error, want one: %s", args, lines+1, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "q.db")); err == nil {
		t.Error("a refused command created the queue's database")
	}
}

// TestEnqueue: --enqueue queues one job with the config's text, as written.
func TestEnqueue(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "q.db")
	cfgPath := filepath.Join(dir, "rampart.yaml")
	cfg := "checks: [HDR-001]\nidentities:\n  - name: a\n    role: user\n    headers: {Authorization: \"Bearer ${TOKEN}\"}\n"
	os.WriteFile(cfgPath, []byte(cfg), 0o600)
	var out bytes.Buffer
	env := Env{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return map[string]string{"TOKEN": "x"}[k] }}
	if err := Execute(context.Background(), []string{"worker", "--db", db, "--enqueue", "http://127.0.0.1:8801/api", "--config", cfgPath}, env); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if got := out.String(); got != "queued a scan of 127.0.0.1:8801: job 1\n" {
		t.Errorf("output %q", got)
	}
	q, err := queue.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	job, err := q.Job(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var args queue.ScanArgs
	if err := json.Unmarshal(job.EncodedArgs, &args); err != nil {
		t.Fatal(err)
	}
	if args.Config != cfg || args.URL != "http://127.0.0.1:8801/api" || !strings.HasPrefix(args.Slot, "manual:") {
		t.Errorf("job args %+v: want the config as written (${TOKEN} unexpanded), the URL and a manual slot", args)
	}
}

// TestWorkerEndToEnd: `rampart worker` on SQLite keeps a queued scan's
// report in --reports and tells --webhook, signed with the secret from
// the environment, and --slack-webhook.
func TestWorkerEndToEnd(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"openapi":"3.0.3","info":{"title":"tiny","version":"1"},"paths":{"/items":{"get":{"responses":{"200":{"description":"ok"}}}}}}`)
	})
	mux.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `[{"id":1}]`) })
	api := httptest.NewServer(mux)
	defer api.Close()
	type delivery struct {
		body      []byte
		signedErr error
	}
	got := make(chan delivery, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{body, webhook.Verify([]byte("s3cret"), r.Header.Get(webhook.SignatureHeader), r.Header.Get(webhook.TimestampHeader), body, time.Now(), time.Minute)}
	}))
	defer receiver.Close()
	slackGot := make(chan []byte, 4)
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		slackGot <- body
	}))
	defer slack.Close()

	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "q.db")
	reports := filepath.Join(dir, "reports")
	cfgPath := filepath.Join(dir, "rampart.yaml")
	os.WriteFile(cfgPath, []byte("spec: "+api.URL+"/openapi.json\nchecks: [HDR-*]\n"), 0o600)
	getenv := func(k string) string { return map[string]string{"RAMPART_WEBHOOK_SECRET": "s3cret"}[k] }
	var enq bytes.Buffer
	if err := Execute(context.Background(), []string{"worker", "--db", db, "--enqueue", api.URL, "--config", cfgPath, "--name", "tiny"},
		Env{Stdout: &enq, Stderr: &enq, Getenv: getenv}); err != nil {
		t.Fatalf("%v: %s", err, enq.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Execute(ctx, []string{"worker", "--db", db, "--reports", reports, "--poll-interval", "50ms",
			"--webhook", receiver.URL, "--slack-webhook", slack.URL}, Env{Stdout: &logs, Stderr: &logs, Getenv: getenv})
	}()
	var d delivery
	select {
	case d = <-got:
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatalf("no webhook delivery; worker said:\n%s", logs.String())
	}
	select {
	case b := <-slackGot:
		if !bytes.Contains(b, []byte(`"blocks"`)) || !bytes.Contains(b, []byte(`Rampart scan of tiny`)) {
			t.Errorf("Slack body %s", b)
		}
	case <-time.After(2 * time.Minute):
		t.Error("no Slack delivery")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v\n%s", err, logs.String())
	}
	if d.signedErr != nil {
		t.Errorf("signature: %v", d.signedErr)
	}
	var ev webhook.Event
	if err := json.Unmarshal(d.body, &ev); err != nil || ev.Target != "tiny" || ev.ScanID != 1 || ev.Grade == "" || ev.New != ev.Findings {
		t.Errorf("event %s (%v): want tiny's first scan, every finding new", d.body, err)
	}
	files, _ := filepath.Glob(filepath.Join(reports, "tiny-*", "000000000001.json"))
	if len(files) != 1 {
		t.Fatalf("reports: %v, want tiny's job 1", files)
	}
	data, _ := os.ReadFile(files[0])
	var rep rampart.Report
	if err := json.Unmarshal(data, &rep); err != nil || rep.Target != api.URL || rep.Grade != ev.Grade {
		t.Errorf("report %s... (%v): want the scan of %s, grade %s", data[:min(len(data), 200)], err, api.URL, ev.Grade)
	}
}
