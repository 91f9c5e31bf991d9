package queue

import (
	"context"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/scan"
)

// Run is one attempt of a scan job, as the Recorder is told it. JobID and
// Attempt let a store recognise a job it already recorded: a worker that
// dies after recording but before River marks the job done has the job run
// again.
type Run struct {
	JobID   int64
	Attempt int
	Target  string
	URL     string
	Slot    string
}

// Result is what the Recorder made of a report: the scan's id and how its
// findings compare with the target's previous scan.
type Result struct {
	ScanID                int64
	New, Fixed, Unchanged int
	// Link is where a person sees the scan (the dashboard), if anywhere.
	Link string
}

// Recorder stores a scan's report (rampart serve's store, at merge).
type Recorder interface {
	Record(ctx context.Context, run Run, rep *rampart.Report) (Result, error)
}

// Target is a target whose scheduled scan is due.
type Target struct {
	Name, URL string
	// Config is the scan config, the YAML of a rampart.yaml.
	Config string
	// Slot is the scheduled time this scan is for: a target seen due twice
	// for the same slot is queued once.
	Slot time.Time
}

// Schedule lists the targets due at now (rampart serve's store, at merge).
type Schedule interface {
	DueTargets(ctx context.Context, now time.Time) ([]Target, error)
}

// OptionsFunc turns a job into the options of scan.Run: the CLI's reading
// of a rampart.yaml, so a queued scan is the scan `rampart scan --config`
// would run.
type OptionsFunc func(ctx context.Context, args ScanArgs) (scan.Options, error)
