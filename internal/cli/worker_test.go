package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/queue"
	"github.com/rampart-sec/rampart/internal/tbtest"
)

// Environment of a re-executed test binary that is to act as `rampart
// worker`: its arguments (JSON), and the PostgreSQL URL of the runs table
// its Recorder writes to.
const (
	workerArgsEnv = "RAMPART_TEST_WORKER_ARGS"
	workerRunsEnv = "RAMPART_TEST_WORKER_RUNS"
)

func TestMain(m *testing.M) {
	if os.Getenv(workerArgsEnv) != "" {
		os.Exit(workerProcess())
	}
	os.Exit(m.Run())
}

// workerProcess is `rampart worker` as main runs it, with a Recorder that
// writes each completed run, and the process that ran it, to a table: the
// test's witness of what ran where.
func workerProcess() int {
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(workerArgsEnv)), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	workerBackends = func(ctx context.Context, f *workerFlags) (queue.Recorder, queue.Schedule, error) {
		pool, err := pgxpool.New(ctx, os.Getenv(workerRunsEnv))
		if err != nil {
			return nil, nil, err
		}
		return runsRecorder{pool}, nil, nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := Execute(ctx, args, Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	return Code(err)
}

type runsRecorder struct{ pool *pgxpool.Pool }

const runsTable = `CREATE TABLE runs (job_id bigint NOT NULL, attempt int NOT NULL, target text NOT NULL, pid int NOT NULL, grade text NOT NULL)`

func (r runsRecorder) Record(ctx context.Context, run queue.Run, rep *rampart.Report) (queue.Result, error) {
	_, err := r.pool.Exec(ctx, `INSERT INTO runs (job_id, attempt, target, pid, grade) VALUES ($1, $2, $3, $4, $5)`,
		run.JobID, run.Attempt, run.Target, os.Getpid(), rep.Grade)
	return queue.Result{ScanID: run.JobID}, err
}

// workerProc is one `rampart worker` process of a test.
type workerProc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
}

func startWorker(t *testing.T, runsDB string, args ...string) *workerProc {
	t.Helper()
	a, _ := json.Marshal(append([]string{"worker"}, args...))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerArgsEnv+"="+string(a), workerRunsEnv+"="+runsDB)
	w := &workerProc{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("worker %d stderr:\n%s", cmd.Process.Pid, w.stderr.String())
		}
	})
	waitFor(t, "worker "+strconv.Itoa(cmd.Process.Pid)+" to start", func() bool {
		return bytes.Contains(w.stderr.Bytes(), []byte(`msg="worker started"`))
	})
	return w
}

// waitFor polls cond; the bound is generous (CI has two busy cores): the
// wait is the point, not its length.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// holdGate is a reverse proxy to the testbed that holds the first request it
// gets until it is opened: a scan of it is certainly mid-scan while held.
type holdGate struct {
	arrived chan struct{}
	open    chan struct{}
	once    sync.Once
}

func newGate(t *testing.T, target string) (*holdGate, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	g := &holdGate{arrived: make(chan struct{}), open: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(u)
	// The killed worker's request ends in an error the test expects.
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.once.Do(func() { close(g.arrived) })
		select {
		case <-g.open:
		case <-r.Context().Done():
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-g.open:
		default:
			close(g.open)
		}
	})
	return g, srv.URL
}

// fastConfig is a real scan of the testbed cut to three checks: the
// queue, not the scanner, is under test.
const fastConfig = `mode: safe
checks: [HDR-001, HDR-003, AUTH-001]
identities:
  - name: alice
    role: user
    headers:
      Authorization: Bearer ${TB_ALICE_TOKEN}
`

// TestWorkersShareOneQueue: two `rampart worker` processes on one
// PostgreSQL queue run 50 queued scans of the testbed, each exactly once;
// then the worker running a scan is killed mid-scan, and the other one
// completes its job on a retry.
func TestWorkersShareOneQueue(t *testing.T) {
	tb := tbtest.Require(t)
	db := tbtest.PostgresDB(t)
	tb.Lock(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, runsTable); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	// --scan-timeout and --rescue-after are short so that the killed
	// worker's job is rescued within the test; a scan here takes well
	// under a second.
	flags := []string{"--db", db, "--concurrency", "2", "--scan-timeout", "10s", "--rescue-after", "11s", "--poll-interval", "200ms"}
	a := startWorker(t, db, flags...)
	b := startWorker(t, db, flags...)
	pids := map[int]*workerProc{a.cmd.Process.Pid: a, b.cmd.Process.Pid: b}

	q, err := queue.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	const scans = 50
	slot := queue.ManualSlot(time.Now())
	var ids []int64
	for i := range scans {
		in, err := q.Enqueue(ctx, queue.ScanArgs{Target: fmt.Sprintf("api-%02d", i), URL: tb.Vuln, Config: fastConfig, Slot: slot})
		if err != nil || in.Duplicate {
			t.Fatalf("enqueue %d: %+v, %v", i, in, err)
		}
		ids = append(ids, in.ID)
		// The same target and slot again is the same job, whoever asks.
		dup, err := q.Enqueue(ctx, queue.ScanArgs{Target: fmt.Sprintf("api-%02d", i), URL: tb.Vuln, Config: fastConfig, Slot: slot})
		if err != nil || !dup.Duplicate || dup.ID != in.ID {
			t.Fatalf("enqueue %d again: %+v, %v; want a duplicate of job %d", i, dup, err, in.ID)
		}
	}
	completed := func(id ...int64) int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'completed' AND id = ANY($1)`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, "50 scans to complete", func() bool { return completed(ids...) == scans })
	t.Logf("50 scans on 2 workers: %v", time.Since(started).Round(100*time.Millisecond))

	type run struct {
		job     int64
		attempt int
		pid     int
		grade   string
	}
	readRuns := func() map[int64][]run {
		rows, err := pool.Query(ctx, `SELECT job_id, attempt, pid, grade FROM runs`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[int64][]run{}
		for rows.Next() {
			var r run
			if err := rows.Scan(&r.job, &r.attempt, &r.pid, &r.grade); err != nil {
				t.Fatal(err)
			}
			out[r.job] = append(out[r.job], r)
		}
		return out
	}
	runs := readRuns()
	byPid := map[int]int{}
	for _, id := range ids {
		rs := runs[id]
		if len(rs) != 1 {
			t.Errorf("job %d recorded %d times, want once: %+v", id, len(rs), rs)
			continue
		}
		if pids[rs[0].pid] == nil {
			t.Errorf("job %d ran in process %d, not one of the workers", id, rs[0].pid)
		}
		if rs[0].grade == "" {
			t.Errorf("job %d: a report without a grade", id)
		}
		byPid[rs[0].pid]++
	}
	if len(runs) != scans {
		t.Errorf("%d jobs recorded, want %d", len(runs), scans)
	}
	if len(byPid) != 2 {
		t.Errorf("scans per worker %v: want both workers to take part", byPid)
	}
	t.Logf("scans per worker: %v", byPid)
	if t.Failed() {
		return
	}

	// A worker killed mid-scan: whichever takes the slow job is killed
	// while the gate holds its first request.
	g, slowURL := newGate(t, tb.Vuln)
	cfg := filepath.Join(t.TempDir(), "rampart.yaml")
	if err := os.WriteFile(cfg, []byte(fastConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Execute(ctx, []string{"worker", "--db", db, "--enqueue", slowURL, "--config", cfg, "--name", "slow"},
		Env{Stdout: &out, Stderr: &out, Getenv: os.Getenv}); err != nil {
		t.Fatalf("--enqueue: %v: %s", err, out.String())
	}
	m := regexp.MustCompile(`queued a scan of slow: job (\d+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("--enqueue said %q", out.String())
	}
	slow, _ := strconv.ParseInt(m[1], 10, 64)
	select {
	case <-g.arrived:
	case <-time.After(3 * time.Minute):
		t.Fatal("the slow scan never reached the target")
	}
	startedRe := regexp.MustCompile(fmt.Sprintf(`msg="scan started" pid=(\d+) job=%d `, slow))
	var victim, survivor int
	waitFor(t, "the log line of the slow scan's start", func() bool {
		for pid, w := range pids {
			if startedRe.Match(w.stderr.Bytes()) {
				victim = pid
			} else {
				survivor = pid
			}
		}
		return victim != 0
	})
	killed := time.Now()
	if err := pids[victim].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	close(g.open)
	waitFor(t, "the killed worker's job to be retried and completed", func() bool { return completed(slow) == 1 })
	t.Logf("killed worker's job completed %v after the kill", time.Since(killed).Round(100*time.Millisecond))
	rs := readRuns()[slow]
	if len(rs) != 1 || rs[0].pid != survivor || rs[0].attempt != 2 {
		t.Errorf("slow job's runs %+v: want one, by the surviving worker %d, on attempt 2", rs, survivor)
	}
	var rescued bool
	if err := pool.QueryRow(ctx, `SELECT errors::text LIKE '%Stuck job rescued%' FROM river_job WHERE id = $1`, slow).Scan(&rescued); err != nil {
		t.Fatal(err)
	}
	if !rescued {
		t.Error("the slow job was not retried by River's rescuer")
	}
	t.Logf("total: %v", time.Since(started).Round(100*time.Millisecond))
}
