package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/internal/queue"
	"github.com/rampart-sec/rampart/internal/store"
	"github.com/rampart-sec/rampart/internal/webhook"
	"github.com/rampart-sec/rampart/scan"
)

type workerFlags struct {
	db           string
	concurrency  int
	scanTimeout  time.Duration
	rescueAfter  time.Duration
	scheduleTick time.Duration
	reports      string
	dashboard    string
	webhooks     []string
	slackHooks   []string
	pollInterval time.Duration
	enqueue      string
	name         string
	config       string
}

// workerBackends opens where a worker's reports go and where its schedule
// comes from: rampart serve's scan history on the queue's database, or a
// folder (--reports DIR, no schedules).
var workerBackends = func(ctx context.Context, f *workerFlags) (queue.Recorder, queue.Schedule, error) {
	if f.reports != "" {
		return queue.DirRecorder{Dir: f.reports}, nil, nil
	}
	link, err := dashboardURL(f.dashboard)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return nil, nil, &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("worker: scan history: %w", err)}
	}
	return historyRecorder{st: st, dashboard: link}, historySchedule{st: st}, nil
}

func newWorker(env Env) *cobra.Command {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker [--db DSN]",
		Short: "Run queued and scheduled scans (any number of workers share one queue)",
		Long: `Run the scans queued in a database: any number of 'rampart worker' processes,
on one machine or many, share the queue. A job runs on one worker at a time;
a worker that dies mid-scan has its job retried by another once
--rescue-after has passed (default: --scan-timeout + 5m). Each recorded scan
is posted to every --webhook (JSON, signed with HMAC-SHA256 when
RAMPART_WEBHOOK_SECRET is set) and --slack-webhook, with retries.

--db is the database 'rampart serve' uses: postgres://... (PostgreSQL, or
CockroachDB: untested) or sqlite:PATH (one machine only); without it, serve's
SQLite file in its data directory. Each scan lands in the scan history there
(the dashboard shows it, with its diff against the previous scan), and the
targets given a schedule and a scan config (PUT /api/v1/targets/{name}) are
scanned when due, by one worker each time. --reports DIR keeps the reports
in a folder instead (no schedules then). The queue's tables are created on
first use.

A job carries the scan config as the YAML of a rampart.yaml, ${VAR}
references unexpanded: each worker fills them from its own environment, so
credentials stay on the workers, never in the queue.

--enqueue URL queues one scan and exits: --config is the scan's config, and
--name the target's name (default: the URL's host).

Examples:
  rampart worker                  # beside 'rampart serve' on this machine
  rampart worker --db postgres://rampart@db/rampart --dashboard https://rampart.example.com
  rampart worker --db postgres://rampart@db/rampart --reports /var/lib/rampart/reports
  rampart worker --db sqlite:rampart.db --reports reports --concurrency 2 \
      --webhook https://hooks.example.com/rampart \
      --slack-webhook "$SLACK_WEBHOOK_URL"
  rampart worker --db sqlite:rampart.db --enqueue http://127.0.0.1:8801 \
      --config rampart.yaml --name staging-api`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.db == "" {
				dsn, err := store.DefaultDSN("")
				if err != nil {
					return usageErr("worker: no --db, and no data directory for rampart serve's database: %v", err)
				}
				f.db = dsn
			}
			if f.enqueue != "" {
				return runEnqueue(cmd.Context(), env, &f)
			}
			return runWorker(cmd.Context(), env, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.db, "db", "", "the database of the queue and the scan history: postgres://... or sqlite:PATH (default: rampart serve's SQLite file in its data directory)")
	fl.IntVar(&f.concurrency, "concurrency", 2, "scans this worker runs at once")
	fl.DurationVar(&f.scanTimeout, "scan-timeout", queue.DefaultScanTimeout, "longest a scan may run before it is cancelled and retried")
	fl.DurationVar(&f.rescueAfter, "rescue-after", 0, "how long a job may stay running before it counts as its worker's death and is retried; longer than --scan-timeout (default: --scan-timeout + 5m)")
	fl.DurationVar(&f.scheduleTick, "schedule-every", queue.DefaultScheduleEvery, "how often the elected worker looks for targets whose scheduled scan is due")
	fl.StringVar(&f.reports, "reports", "", "keep each scan's JSON report in this folder (one subfolder per target) instead of the scan history; no scheduled scans then")
	fl.StringVar(&f.dashboard, "dashboard", "", "rampart serve's address, for links to each scan in webhooks")
	fl.StringArrayVar(&f.webhooks, "webhook", nil, "URL posted a JSON summary after each scan, signed when RAMPART_WEBHOOK_SECRET is set (repeatable)")
	fl.StringArrayVar(&f.slackHooks, "slack-webhook", nil, "Slack incoming-webhook URL told of each scan (repeatable)")
	fl.DurationVar(&f.pollInterval, "poll-interval", time.Second, "how often an idle worker looks for jobs it was not told of")
	fl.StringVar(&f.enqueue, "enqueue", "", "queue one scan of this URL and exit")
	fl.StringVar(&f.name, "name", "", "with --enqueue: the target's name (default: the URL's host)")
	fl.StringVar(&f.config, "config", "", "with --enqueue: the scan's config, a rampart.yaml")
	return cmd
}

func runEnqueue(ctx context.Context, env Env, f *workerFlags) error {
	u, err := url.Parse(f.enqueue)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErr("--enqueue %q: want an http:// or https:// URL", f.enqueue)
	}
	args := queue.ScanArgs{Target: cmp.Or(f.name, u.Host), URL: f.enqueue, Slot: queue.ManualSlot(time.Now())}
	if f.config != "" {
		data, err := inputfile.Read(f.config, inputfile.MaxConfig)
		if err != nil {
			return usageErr("--config: %v", err)
		}
		args.Config = string(data)
	}
	// Refuse now a config every worker would refuse later.
	if _, err := jobOptions(env)(ctx, args); err != nil {
		return err
	}
	q, err := openQueue(ctx, f.db)
	if err != nil {
		return err
	}
	defer q.Close()
	in, err := q.Enqueue(ctx, args)
	if err != nil {
		return &ExitError{Code: ExitCannotRun, Err: err}
	}
	if in.Duplicate {
		fmt.Fprintf(env.Stdout, "a scan of %s is already queued: job %d\n", args.Target, in.ID)
		return nil
	}
	fmt.Fprintf(env.Stdout, "queued a scan of %s: job %d\n", args.Target, in.ID)
	return nil
}

func runWorker(ctx context.Context, env Env, f *workerFlags) error {
	if f.concurrency < 1 || f.concurrency > 64 {
		return usageErr("--concurrency %d: want 1 to 64", f.concurrency)
	}
	if f.scanTimeout <= 0 {
		return usageErr("--scan-timeout %v: want a positive duration such as 30m", f.scanTimeout)
	}
	if f.rescueAfter != 0 && f.rescueAfter <= f.scanTimeout {
		return usageErr("--rescue-after %v: want longer than --scan-timeout %v, or a slow scan would run twice at once", f.rescueAfter, f.scanTimeout)
	}
	if f.pollInterval <= 0 {
		return usageErr("--poll-interval %v: want a positive duration", f.pollInterval)
	}
	var secret []byte
	if env.Getenv != nil {
		secret = []byte(env.Getenv("RAMPART_WEBHOOK_SECRET"))
	}
	var hooks []webhook.Hook
	for _, s := range f.webhooks {
		h, err := webhook.NewHook(s, webhook.JSON, secret)
		if err != nil {
			return usageErr("--webhook: %v", err)
		}
		hooks = append(hooks, h)
	}
	for _, s := range f.slackHooks {
		h, err := webhook.NewHook(s, webhook.Slack, nil)
		if err != nil {
			return usageErr("--slack-webhook: %v", err)
		}
		hooks = append(hooks, h)
	}
	rec, sched, err := workerBackends(ctx, f)
	if err != nil {
		return err
	}
	if c, ok := rec.(io.Closer); ok {
		defer c.Close()
	}
	q, err := openQueue(ctx, f.db)
	if err != nil {
		return err
	}
	defer q.Close()
	log := slog.New(slog.NewTextHandler(env.Stderr, nil)).With("pid", os.Getpid())
	log.Info("worker started", "db", q.Engine, "concurrency", f.concurrency, "webhooks", len(hooks), "schedules", sched != nil)
	err = q.Work(ctx, queue.Config{
		Concurrency:   f.concurrency,
		ScanTimeout:   f.scanTimeout,
		RescueAfter:   f.rescueAfter,
		Options:       jobOptions(env),
		Recorder:      rec,
		Schedule:      sched,
		ScheduleEvery: f.scheduleTick,
		Hooks:         hooks,
		Sender:        webhook.NewSender(webhook.DefaultTimeout, "rampart/"+Version()),
		Logger:        log,
		PollInterval:  f.pollInterval,
	})
	if err != nil {
		return &ExitError{Code: ExitCannotRun, Err: err}
	}
	log.Info("worker stopped")
	return nil
}

func openQueue(ctx context.Context, dsn string) (*queue.Queue, error) {
	if dsn == "" {
		return nil, usageErr("--db is required: postgres://... or sqlite:PATH")
	}
	q, err := queue.Open(ctx, dsn)
	if err != nil {
		return nil, &ExitError{Code: ExitCannotRun, Err: err}
	}
	return q, nil
}

// jobOptions reads a job's config as `rampart scan --config` reads a file,
// with the job's URL as the target and no flag given: the same keys, the
// same checks, ${VAR} from this worker's environment.
func jobOptions(env Env) queue.OptionsFunc {
	return func(ctx context.Context, a queue.ScanArgs) (scan.Options, error) {
		var f scanFlags
		addScanFlags(pflag.NewFlagSet("job", pflag.ContinueOnError), &f) // the flags' defaults
		name := "of target " + a.Target
		var cfg *fileConfig
		if strings.TrimSpace(a.Config) != "" {
			var err error
			if cfg, err = parseConfig(name, []byte(a.Config), env.Getenv); err != nil {
				return scan.Options{}, usageErr("%v", err)
			}
			f.config = name
		}
		opt, _, _, err := optionsFrom(func(string) bool { return false }, env, a.URL, &f, cfg)
		return opt, err
	}
}
