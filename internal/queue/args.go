package queue

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/rampart-sec/rampart/internal/webhook"
)

// The queues jobs go to: scans get their own workers so that a burst of
// webhook deliveries never waits behind long scans, or the reverse.
const (
	QueueScans    = "scans"
	QueueWebhooks = "webhooks"
)

// ScanArgs is a scan job: which API, and the scan config as the YAML of a
// rampart.yaml. The config is kept as written, ${VAR} references included:
// secrets stay in the environment of the workers, never in the queue.
type ScanArgs struct {
	Target string `json:"target" river:"unique"`
	URL    string `json:"url"`
	Config string `json:"config,omitempty"`
	// Slot is the schedule slot the job is for (an RFC 3339 time), or
	// "manual:" and the time it was asked for: with Target it makes the job
	// unique, so a slot is scanned once however many workers see it due.
	Slot string `json:"slot" river:"unique"`
}

// Kind is River's name for the job.
func (ScanArgs) Kind() string { return "rampart_scan" }

// InsertOpts makes scan jobs unique by target and slot for as long as one
// is waiting, running, retried or completed (River's default states).
func (ScanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueScans, MaxAttempts: scanAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// scanAttempts: a scan that failed three times (target down, worker killed
// each time) waits for its next slot rather than hammering the target.
const scanAttempts = 3

// ManualSlot is the slot of a scan asked for by hand at t: asking twice in
// the same second queues one scan.
func ManualSlot(t time.Time) string { return "manual:" + t.UTC().Format(time.RFC3339) }

// WebhookArgs is one delivery of one event to one hook. The hook is named by
// its ID, not its URL: a Slack URL is a credential, and the queue is not the
// place for credentials. Every worker must be given the same hooks.
type WebhookArgs struct {
	Hook  string        `json:"hook" river:"unique"`
	Event webhook.Event `json:"event"`
	// ScanID with Hook makes a delivery unique: a scan job retried after
	// its report was recorded does not notify twice.
	ScanID int64 `json:"scanId" river:"unique"`
}

// Kind is River's name for the job.
func (WebhookArgs) Kind() string { return "rampart_webhook" }

// InsertOpts sends deliveries to their own queue, unique per hook and scan.
func (WebhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: webhookAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// webhookAttempts with the doubling backoff (30s base) keep trying for
// about four hours before a delivery is given up.
const webhookAttempts = 10

// scheduleArgs is the periodic job that turns due targets into scan jobs.
type scheduleArgs struct{}

func (scheduleArgs) Kind() string { return "rampart_schedule" }
