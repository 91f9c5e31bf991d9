package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/codescan"
	"github.com/rampart-sec/rampart/internal/triage"
)

// CodeOptions configures one white-box scan. Zero values get the defaults
// `rampart code` documents.
//
//	rep, err := scan.Code(ctx, scan.CodeOptions{Dir: "."})
type CodeOptions struct {
	// Dir is the source tree; paths in the report are Dir joined with each
	// file's path inside it.
	Dir string
	// Workers is how many files are parsed and analysed at once, 0 to 256
	// (0: one per CPU).
	Workers int
	// MaxFileSize skips larger files (0: 2 MiB).
	MaxFileSize int64
	// Exclude lists globs, relative to Dir, of files and directories to
	// skip ("tests/*", "*_test.py").
	Exclude []string
	// FollowSymlinks follows symbolic links out of Dir (never into /proc,
	// /sys or /dev).
	FollowSymlinks bool

	// MinConfidence, Ignore and Baseline are what the report leaves out,
	// as for Run (see Options).
	MinConfidence rampart.Confidence
	Ignore        []Ignore
	Baseline      *rampart.Report
	BaselineName  string

	// Version is written into the report's tool section.
	Version string
	// OnNote sees each note about what the report left out as it is added.
	OnNote func(string)
	// Trace, if set, receives the wall-clock time of each phase.
	Trace func(phase string, d time.Duration)
}

// Validate checks what can be checked before the tree is read: Dir is a
// directory, the exclude globs and the ignore list are valid, Workers is
// in range. Errors are ConfigErrors.
func (o CodeOptions) Validate() error {
	if o.Workers < 0 || o.Workers > 256 {
		return configErr("--workers %d: want 0 (one per CPU) to 256", o.Workers)
	}
	if o.MaxFileSize < 0 {
		return configErr("--max-file-size %d: want a positive size such as 2MiB", o.MaxFileSize)
	}
	for _, g := range o.Exclude {
		if err := codescan.CheckExclude(g); err != nil {
			return &ConfigError{Err: err}
		}
	}
	if err := o.triage().Validate(); err != nil {
		return &ConfigError{Err: err}
	}
	st, err := os.Stat(o.Dir)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return configErr("%s: %w", o.Dir, err)
	}
	if !st.IsDir() {
		return configErr("%s is not a directory", o.Dir)
	}
	return nil
}

func (o CodeOptions) triage() triage.Settings {
	return triage.Settings{MinConfidence: o.MinConfidence, Ignores: o.Ignore, Baseline: o.Baseline, BaselineName: o.BaselineName, OnNote: o.OnNote}
}

// Code is Rampart's white-box scan: it analyses the Python source under
// Dir (internal/codescan) and returns one report, filtered, suppressed,
// advised and scored as Run's is. Nothing is executed or sent. A cancelled
// context returns the partial report, marked incomplete, with ctx.Err().
func Code(ctx context.Context, opt CodeOptions) (*rampart.Report, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	started := time.Now()
	res, err := codescan.Analyze(ctx, opt.Dir, codescan.Options{
		Workers: opt.Workers, MaxFileSize: opt.MaxFileSize, Exclude: opt.Exclude,
		FollowSymlinks: opt.FollowSymlinks, Trace: opt.Trace,
	})
	if res == nil {
		return nil, err
	}
	rep := codeReport(res, opt, started)
	if terr := triage.Apply(rep, opt.triage()); terr != nil {
		return nil, &ConfigError{Err: terr}
	}
	if err != nil {
		rep.Incomplete = true
		rep.Notes = append(rep.Notes, "scan interrupted: the report is partial")
		return rep, err
	}
	return rep, nil
}

// codeReport is the report of a white-box analysis, before triage.
func codeReport(res *codescan.Result, opt CodeOptions, started time.Time) *rampart.Report {
	rep := &rampart.Report{
		SchemaVersion: rampart.SchemaVersion,
		Tool:          rampart.Tool{Name: "rampart", Version: opt.Version},
		Source:        opt.Dir,
		Mode:          rampart.Passive,
		Started:       started.UTC(),
		DurationMS:    time.Since(started).Milliseconds(),
		Operations:    len(res.Routes),
		Fingerprint:   res.Fingerprint,
		Findings:      res.Findings,
	}
	if rep.Findings == nil {
		rep.Findings = []rampart.Finding{}
	}
	parsed, skipped, bytes, lines := res.Counts()
	rep.Notes = append(rep.Notes, fmt.Sprintf("white-box: %d Python files parsed (%d lines, %d bytes), %d routes, %d files skipped",
		parsed, lines, bytes, len(res.Routes), skipped))
	notes, errs := res.Outcome()
	rep.Notes = append(rep.Notes, notes...)
	rep.Errors = append(rep.Errors, errs...)
	return rep
}
