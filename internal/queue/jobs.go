package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/rampart-sec/rampart/internal/redact"
	"github.com/rampart-sec/rampart/internal/webhook"
	"github.com/rampart-sec/rampart/scan"
)

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	cfg *Config
	ins *inserter
}

// Timeout is the scan timeout: River cancels the scan's context then, and
// the rescuer leaves the job alone until it has passed.
func (w *scanWorker) Timeout(*river.Job[ScanArgs]) time.Duration { return w.cfg.ScanTimeout }

func (w *scanWorker) Work(ctx context.Context, job *river.Job[ScanArgs]) error {
	a := job.Args
	log := w.cfg.Logger.With("job", job.ID, "target", a.Target, "attempt", job.Attempt)
	opt, err := w.cfg.Options(ctx, a)
	if err != nil {
		// A config that does not load will not load on the next attempt.
		log.Error("scan config refused: job cancelled", "err", err)
		return river.JobCancel(fmt.Errorf("config of %s: %w", a.Target, err))
	}
	// The scan's errors go to the log and to the job's row: never with an
	// identity's secret in them (tokens from logins included).
	if opt.Redactor == nil {
		opt.Redactor = redact.NewRedactor(func(msg string) { log.Warn(msg) })
	}
	log.Info("scan started", "url", a.URL)
	rep, err := scan.Run(ctx, opt)
	err = opt.Redactor.Error(err)
	if err != nil {
		var ce *scan.ConfigError
		if errors.As(err, &ce) {
			log.Error("scan config refused: job cancelled", "err", err)
			return river.JobCancel(fmt.Errorf("scan of %s: %w", a.Target, err))
		}
		// Unreachable target, timeout, shutdown: a partial report is not
		// recorded; the job is retried.
		log.Warn("scan failed: will retry", "err", err)
		return fmt.Errorf("scan of %s: %w", a.Target, err)
	}
	res, err := w.cfg.Recorder.Record(ctx, Run{JobID: job.ID, Attempt: job.Attempt, Target: a.Target, URL: a.URL, Slot: a.Slot}, rep)
	if err != nil {
		log.Warn("cannot record the report: will retry", "err", err)
		return fmt.Errorf("record the scan of %s: %w", a.Target, err)
	}
	ev := webhook.Event{
		Event: webhook.EventScanCompleted, Target: a.Target, URL: a.URL, ScanID: res.ScanID,
		Grade: rep.Grade, Score: rep.Score, Findings: len(rep.Findings),
		New: res.New, Fixed: res.Fixed, Unchanged: res.Unchanged, Link: res.Link,
		Finished: time.Now().UTC().Truncate(time.Second),
	}
	for _, h := range w.cfg.Hooks {
		if _, err := w.ins.insert(ctx, WebhookArgs{Hook: h.ID(), Event: ev, ScanID: res.ScanID}); err != nil {
			return err
		}
	}
	log.Info("scan recorded", "scan", res.ScanID, "grade", rep.Grade, "score", rep.Score,
		"findings", len(rep.Findings), "new", res.New, "fixed", res.Fixed, "webhooks", len(w.cfg.Hooks))
	return nil
}

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	hooks   map[string]webhook.Hook
	sender  *webhook.Sender
	backoff time.Duration
	log     *slog.Logger
}

func (w *webhookWorker) Timeout(*river.Job[WebhookArgs]) time.Duration {
	return 2 * webhook.DefaultTimeout
}

// NextRetry doubles the wait from the first (backoff) on, up to an hour:
// a receiver that is down for minutes still gets the event.
func (w *webhookWorker) NextRetry(job *river.Job[WebhookArgs]) time.Time {
	return time.Now().Add(backoff(w.backoff, job.Attempt))
}

// backoff is the wait after the attempt-th failure.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < maxWebhookBackoff; i++ {
		d *= 2
	}
	return min(d, maxWebhookBackoff)
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	a := job.Args
	log := w.log.With("job", job.ID, "webhook", a.Hook, "scan", a.ScanID, "attempt", job.Attempt)
	h, ok := w.hooks[a.Hook]
	if !ok {
		// Another worker may have it (a rolling restart with new flags):
		// retried, not dropped.
		log.Warn("webhook not configured on this worker: give every worker the same --webhook flags")
		return fmt.Errorf("webhook %s is not configured on this worker", a.Hook)
	}
	err := w.sender.Send(ctx, h, a.Event)
	if err == nil {
		log.Info("webhook delivered")
		return nil
	}
	var we *webhook.Error
	if errors.As(err, &we) && !we.Temporary {
		log.Error("webhook refused: delivery cancelled", "err", err)
		return river.JobCancel(err)
	}
	log.Warn("webhook failed: will retry", "err", err)
	return err
}

type scheduleWorker struct {
	river.WorkerDefaults[scheduleArgs]
	schedule Schedule
	ins      *inserter
	log      *slog.Logger
}

func (w *scheduleWorker) Timeout(*river.Job[scheduleArgs]) time.Duration { return time.Minute }

func (w *scheduleWorker) Work(ctx context.Context, job *river.Job[scheduleArgs]) error {
	due, err := w.schedule.DueTargets(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("due targets: %w", err)
	}
	for _, t := range due {
		in, err := w.ins.insert(ctx, ScanArgs{Target: t.Name, URL: t.URL, Config: t.Config, Slot: t.Slot.UTC().Format(time.RFC3339)})
		if err != nil {
			return err
		}
		if !in.Duplicate {
			w.log.Info("scheduled scan queued", "job", in.ID, "target", t.Name, "slot", t.Slot.UTC().Format(time.RFC3339))
		}
	}
	return nil
}
