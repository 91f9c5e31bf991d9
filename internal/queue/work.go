package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rampart-sec/rampart/internal/webhook"
)

// Defaults of Config.
const (
	DefaultScanTimeout   = 30 * time.Minute
	DefaultScheduleEvery = time.Minute
	// rescueMargin is how long past its scan timeout a job may still be
	// recording its report before it is taken for the job of a dead
	// worker.
	rescueMargin = 5 * time.Minute
	// DefaultWebhookBackoff is the first retry's wait; each next one
	// doubles it, up to maxWebhookBackoff.
	DefaultWebhookBackoff = 30 * time.Second
	maxWebhookBackoff     = time.Hour
	// webhookWorkers: deliveries are short and mostly waiting.
	webhookWorkers = 4
	// defaultStopGrace is how long a stopping worker lets running jobs
	// finish before cancelling them (they are retried).
	defaultStopGrace = 10 * time.Second
)

// Config is how a worker runs.
type Config struct {
	// Concurrency is how many scans this process runs at once.
	Concurrency int
	// ScanTimeout bounds one scan; a scan still running then is cancelled
	// and retried.
	ScanTimeout time.Duration
	// RescueAfter is how long a job may stay "running" before the leader
	// takes its worker for dead and schedules a retry: it must exceed
	// ScanTimeout, or a slow live scan would be run twice at once. Zero:
	// ScanTimeout + 5 minutes.
	RescueAfter time.Duration
	Options     OptionsFunc
	Recorder    Recorder
	// Schedule, when set, is asked every ScheduleEvery for due targets
	// by the elected leader alone.
	Schedule      Schedule
	ScheduleEvery time.Duration
	// Hooks are told about every scan, through Sender.
	Hooks          []webhook.Hook
	Sender         *webhook.Sender
	WebhookBackoff time.Duration
	Logger         *slog.Logger
	// PollInterval is how often an idle worker looks for jobs when it
	// hears of none (zero: River's default, 1s); tests shorten it.
	PollInterval time.Duration
	// StopGrace is how long a stopping worker lets running jobs finish
	// before cancelling them (zero: 10s).
	StopGrace time.Duration
}

func (c *Config) fill() error {
	if c.Options == nil || c.Recorder == nil {
		return errors.New("queue: a worker needs Options and a Recorder")
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 1
	}
	if c.ScanTimeout <= 0 {
		c.ScanTimeout = DefaultScanTimeout
	}
	if c.RescueAfter == 0 {
		c.RescueAfter = c.ScanTimeout + rescueMargin
	}
	if c.RescueAfter <= c.ScanTimeout {
		return fmt.Errorf("the rescue delay (%v) must be longer than the scan timeout (%v): a slow scan would be run twice at once", c.RescueAfter, c.ScanTimeout)
	}
	if c.ScheduleEvery <= 0 {
		c.ScheduleEvery = DefaultScheduleEvery
	}
	if c.WebhookBackoff <= 0 {
		c.WebhookBackoff = DefaultWebhookBackoff
	}
	if c.Sender == nil {
		c.Sender = webhook.NewSender(webhook.DefaultTimeout, "rampart")
	}
	if c.StopGrace <= 0 {
		c.StopGrace = defaultStopGrace
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Work processes jobs until ctx is done, then stops: running jobs get
// StopGrace to finish, and the ones cancelled after it are retried.
func (q *Queue) Work(ctx context.Context, cfg Config) error {
	if err := cfg.fill(); err != nil {
		return err
	}
	hooks := map[string]webhook.Hook{}
	for _, h := range cfg.Hooks {
		hooks[h.ID()] = h
	}
	// Jobs queue follow-up jobs (deliveries, scans) through the client,
	// which exists only once the workers are registered.
	ins := &inserter{q: q}
	workers := river.NewWorkers()
	river.AddWorker(workers, &scanWorker{cfg: &cfg, ins: ins})
	river.AddWorker(workers, &webhookWorker{hooks: hooks, sender: cfg.Sender, backoff: cfg.WebhookBackoff, log: cfg.Logger})
	queues := map[string]river.QueueConfig{
		QueueScans:    {MaxWorkers: cfg.Concurrency},
		QueueWebhooks: {MaxWorkers: webhookWorkers},
	}
	rc := &river.Config{
		// River logs every retry and rescue at info; a worker's own lines
		// say what happened to each scan.
		Logger:               slog.New(levelFloor{cfg.Logger.Handler(), slog.LevelWarn}),
		Queues:               queues,
		Workers:              workers,
		JobTimeout:           cfg.ScanTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
	}
	if cfg.PollInterval > 0 && cfg.PollInterval < river.FetchCooldownDefault {
		rc.FetchCooldown = cfg.PollInterval
	}
	if cfg.Schedule != nil {
		river.AddWorker(workers, &scheduleWorker{schedule: cfg.Schedule, ins: ins, log: cfg.Logger})
		queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: 1}
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(cfg.ScheduleEvery),
			func() (river.JobArgs, *river.InsertOpts) { return scheduleArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true},
		)}
	}
	c, err := q.newClient(rc)
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	ins.c = c
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.StopGrace)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultStopGrace)
		defer cancel()
		c.StopAndCancel(hard)
	}
	return nil
}

// inserter queues jobs through the running client.
type inserter struct {
	q *Queue
	c client
}

func (i *inserter) insert(ctx context.Context, args river.JobArgs) (Inserted, error) {
	return i.q.insert(ctx, i.c, args)
}

// levelFloor drops records below min: River's routine lines stay out of a
// worker's log, its warnings and errors do not.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}
