package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
	"github.com/rampart-sec/rampart/internal/webhook"
	"github.com/rampart-sec/rampart/scan"
)

// tinyAPI is an API with one operation, so that a job runs a real scan
// in milliseconds.
func tinyAPI(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"openapi":"3.0.3","info":{"title":"tiny","version":"1"},"paths":{"/items":{"get":{"responses":{"200":{"description":"ok"}}}}}}`)
	})
	mux.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Server", "tiny/1.2.3")
		io.WriteString(w, `[{"id":1}]`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// options is a real, small scan of the job's URL.
func options(_ context.Context, a ScanArgs) (scan.Options, error) {
	return scan.Options{Target: a.URL, Spec: a.URL + "/openapi.json", Mode: rampart.Safe, Checks: []string{"HDR-*"},
		Concurrency: 2, Timeout: 10 * time.Second, MaxBody: 1 << 20}, nil
}

// recorder is the Recorder fake: every run, in order.
type recorder struct {
	mu   sync.Mutex
	runs []Run
}

func (r *recorder) Record(_ context.Context, run Run, rep *rampart.Report) (Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, run)
	return Result{ScanID: run.JobID, New: len(rep.Findings), Link: "http://127.0.0.1/scans/1"}, nil
}

func (r *recorder) all() []Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Run(nil), r.runs...)
}

// engines are the databases a queue test runs on: SQLite always,
// PostgreSQL when the testbed's cluster is there.
func engines(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "queue.db") },
		"postgres": func(t *testing.T) string { return tbtest.PostgresDB(t) },
	}
}

// work runs a worker until the test ends.
func work(t *testing.T, q *Queue, cfg Config) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Work(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Work: %v", err)
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// jobStates counts the jobs of a kind by state, through a connection of
// the test's own.
func jobStates(t *testing.T, dsn, kind string) map[string]int {
	t.Helper()
	ctx := context.Background()
	out := map[string]int{}
	query := `SELECT state, count(*) FROM river_job WHERE kind = $1 GROUP BY state`
	if len(dsn) > 7 && dsn[:7] == "sqlite:" {
		db, err := sql.Open("sqlite", "file:"+dsn[7:]+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.QueryContext(ctx, query, kind)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int
			rows.Scan(&s, &n)
			out[s] = n
		}
		return out
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, query, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		out[s] = n
	}
	return out
}

type schedule struct {
	targets []Target
	calls   atomic.Int32
}

func (s *schedule) DueTargets(context.Context, time.Time) ([]Target, error) {
	s.calls.Add(1)
	return s.targets, nil
}

// TestScheduleQueuesEachSlotOnce: the schedule says the same two targets
// are due on every tick; each is scanned once for its slot.
func TestScheduleQueuesEachSlotOnce(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			dsn := dsn(t)
			api := tinyAPI(t)
			q, err := Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(q.Close)
			slot := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
			sched := &schedule{targets: []Target{{Name: "a", URL: api, Slot: slot}, {Name: "b", URL: api, Slot: slot}}}
			rec := &recorder{}
			work(t, q, Config{Options: options, Recorder: rec, Schedule: sched, ScheduleEvery: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond})
			waitFor(t, "two scans and several schedule ticks", func() bool { return len(rec.all()) >= 2 && sched.calls.Load() >= 4 })
			waitFor(t, "no scan job left to run", func() bool {
				st := jobStates(t, dsn, ScanArgs{}.Kind())
				return st["available"]+st["running"]+st["retryable"]+st["scheduled"] == 0
			})
			runs := rec.all()
			if len(runs) != 2 || runs[0].Target == runs[1].Target {
				t.Errorf("runs %+v: want one of a and one of b", runs)
			}
			for _, r := range runs {
				if r.Slot != slot.Format(time.RFC3339) {
					t.Errorf("run %+v: slot %q, want %q", r, r.Slot, slot.Format(time.RFC3339))
				}
			}
			if st := jobStates(t, dsn, ScanArgs{}.Kind()); st["completed"] != 2 || len(st) != 1 {
				t.Errorf("scan jobs by state %v: want 2 completed", st)
			}
		})
	}
}

// TestWebhookRetried: a receiver that fails twice with 500 gets the event
// on the third attempt, the same signed body each time; Slack's hook gets
// its own format.
func TestWebhookRetried(t *testing.T) {
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			dsn := dsn(t)
			secret := []byte("shared")
			var mu sync.Mutex
			var bodies []string
			var verr []error
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				defer mu.Unlock()
				bodies = append(bodies, string(body))
				if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), r.Header.Get(webhook.TimestampHeader), body, time.Now(), time.Minute); err != nil {
					verr = append(verr, err)
				}
				if len(bodies) <= 2 {
					http.Error(w, "down", http.StatusInternalServerError)
				}
			}))
			t.Cleanup(receiver.Close)
			var slack atomic.Value
			slackSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				slack.Store(string(body))
			}))
			t.Cleanup(slackSrv.Close)
			hook, _ := webhook.NewHook(receiver.URL, webhook.JSON, secret)
			slackHook, _ := webhook.NewHook(slackSrv.URL, webhook.Slack, nil)

			q, err := Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(q.Close)
			rec := &recorder{}
			work(t, q, Config{Options: options, Recorder: rec, Hooks: []webhook.Hook{hook, slackHook},
				WebhookBackoff: 10 * time.Millisecond, PollInterval: 50 * time.Millisecond})
			in, err := q.Enqueue(context.Background(), ScanArgs{Target: "tiny", URL: tinyAPI(t), Slot: ManualSlot(time.Now())})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the delivery after two 500s", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(bodies) >= 3
			})
			waitFor(t, "the Slack delivery", func() bool { return slack.Load() != nil })
			mu.Lock()
			defer mu.Unlock()
			if len(verr) > 0 {
				t.Errorf("signatures: %v", verr)
			}
			if len(bodies) != 3 || bodies[0] != bodies[1] || bodies[1] != bodies[2] {
				t.Fatalf("deliveries %q: want the same body three times", bodies)
			}
			var ev webhook.Event
			if err := json.Unmarshal([]byte(bodies[0]), &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Event != webhook.EventScanCompleted || ev.Target != "tiny" || ev.ScanID != in.ID || ev.Grade == "" || ev.Link == "" {
				t.Errorf("event %+v: want scan.completed of tiny, scan %d, with a grade and a link", ev, in.ID)
			}
			var msg struct {
				Text   string            `json:"text"`
				Blocks []json.RawMessage `json:"blocks"`
			}
			if err := json.Unmarshal([]byte(slack.Load().(string)), &msg); err != nil || msg.Text == "" || len(msg.Blocks) == 0 {
				t.Errorf("Slack body %q: want text and blocks (%v)", slack.Load(), err)
			}
			waitFor(t, "both deliveries completed", func() bool {
				return jobStates(t, dsn, WebhookArgs{}.Kind())["completed"] == 2
			})
		})
	}
}

// TestBadConfigCancelsTheJob: a config the scanner refuses will not load
// on a retry either: the job is cancelled, nothing recorded.
func TestBadConfigCancelsTheJob(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "queue.db")
	q, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	rec := &recorder{}
	refuse := func(context.Context, ScanArgs) (scan.Options, error) {
		return scan.Options{}, io.ErrUnexpectedEOF
	}
	work(t, q, Config{Options: refuse, Recorder: rec, PollInterval: 50 * time.Millisecond})
	if _, err := q.Enqueue(context.Background(), ScanArgs{Target: "x", URL: "http://127.0.0.1:1", Slot: "s"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job to be cancelled", func() bool { return jobStates(t, dsn, ScanArgs{}.Kind())["cancelled"] == 1 })
	if runs := rec.all(); len(runs) != 0 {
		t.Errorf("recorded %+v", runs)
	}
}

func TestConfigChecks(t *testing.T) {
	for _, c := range []Config{
		{Options: options},
		{Recorder: &recorder{}},
		{Options: options, Recorder: &recorder{}, ScanTimeout: time.Minute, RescueAfter: time.Minute},
	} {
		if err := c.fill(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	c := Config{Options: options, Recorder: &recorder{}, ScanTimeout: 10 * time.Minute}
	if err := c.fill(); err != nil || c.RescueAfter != 15*time.Minute {
		t.Errorf("fill: %v, RescueAfter %v; want scan timeout + 5m", err, c.RescueAfter)
	}
}

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 5: 8 * time.Minute, 8: time.Hour, 20: time.Hour} {
		if got := backoff(30*time.Second, attempt); got != min(want, time.Hour) {
			t.Errorf("backoff(30s, %d) = %v, want %v", attempt, got, min(want, time.Hour))
		}
	}
}

// TestTwoWorkersOneSQLiteFile: two workers, each with its own connection
// to one SQLite file as two processes would have, share the queue: every
// job runs once.
func TestTwoWorkersOneSQLiteFile(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "queue.db")
	api := tinyAPI(t)
	rec := &recorder{}
	for range 2 {
		q, err := Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(q.Close)
		work(t, q, Config{Options: options, Recorder: rec, Concurrency: 2, PollInterval: 50 * time.Millisecond})
	}
	q, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	const jobs = 10
	for i := range jobs {
		if _, err := q.Enqueue(context.Background(), ScanArgs{Target: string(rune('a' + i)), URL: api, Slot: "s"}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every job to complete", func() bool { return jobStates(t, dsn, ScanArgs{}.Kind())["completed"] == jobs })
	seen := map[int64]int{}
	for _, r := range rec.all() {
		seen[r.JobID]++
	}
	if len(seen) != jobs {
		t.Errorf("%d jobs recorded, want %d", len(seen), jobs)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("job %d recorded %d times", id, n)
		}
	}
}

// TestStoppedWorkerJobRetried: a worker stopped mid-scan cancels the scan
// once its grace has passed; the job is retried, and completed by the next
// worker.
func TestStoppedWorkerJobRetried(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "queue.db")
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"openapi":"3.0.3","info":{"title":"slow","version":"1"},"paths":{"/items":{"get":{"responses":{"200":{"description":"ok"}}}}}}`)
	})
	mux.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, `[]`)
	})
	api := httptest.NewServer(mux)
	t.Cleanup(api.Close)

	q, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- q.Work(ctx, Config{Options: options, Recorder: rec, StopGrace: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond})
	}()
	in, err := q.Enqueue(context.Background(), ScanArgs{Target: "slow", URL: api.URL, Slot: "s"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(2 * time.Minute):
		t.Fatal("the scan never reached the API")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	job, err := q.Job(context.Background(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != "retryable" && job.State != "available" || len(job.Errors) != 1 {
		t.Fatalf("stopped job: state %s, %d errors; want retryable with one error", job.State, len(job.Errors))
	}
	if len(rec.all()) != 0 {
		t.Fatalf("a cancelled scan was recorded: %+v", rec.all())
	}
	close(release)
	work(t, q, Config{Options: options, Recorder: rec, PollInterval: 50 * time.Millisecond})
	waitFor(t, "the retried job", func() bool { return len(rec.all()) == 1 })
	if r := rec.all()[0]; r.JobID != in.ID || r.Attempt != 2 {
		t.Errorf("run %+v: want job %d on attempt 2", r, in.ID)
	}
}
