package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/codescan"
	"github.com/rampart-sec/rampart/internal/score"
)

type codeFlags struct {
	format        []string
	output        []string
	failOn        string
	minConfidence string
	exclude       []string
	workers       int
	maxFileSize   string
	followLinks   bool
	verbose       bool
}

// newCode is `rampart code DIR`: the white-box scan of a Flask source tree.
// It reuses scan's output glue (pairFormatOutputs, writeOutputs,
// filterConfidence) so both commands write identical reports.
func newCode(env Env) *cobra.Command {
	var f codeFlags
	cmd := &cobra.Command{
		Use:   "code DIR",
		Short: "Scan Flask source code (white-box)",
		Long: `Read a Flask application's Python source and report the insecure designs
that cause runtime flaws: SQL built from request data, routes that never check
the caller owns the object, admin routes without a role check, transactions
without commit or a 40001 retry, read-modify-write races, mass assignment,
debug mode, hard-coded secrets and JWT keys, and more ('rampart code --rules').

Findings carry the file, line and column, the route they belong to (method
and path template, as in an OpenAPI spec) and a fix, and use the same model,
score and report formats as 'rampart scan'. Nothing is executed or sent.

Paths in the report are DIR joined with each file's path inside it, so
'rampart code testbed/vulnerable' reports testbed/vulnerable/app.py.

The scan never leaves DIR: a symbolic link to a file or directory outside
it is skipped with a note, unless --follow-symlinks (even then, /proc, /sys
and /dev are never entered). Only regular files are read; code nested more
than 500 levels deep is analysed down to that depth, with a note.

Examples:
  rampart code .
  rampart code src/ -f text,json -o -,code.json --fail-on medium
  rampart code app/ --exclude 'tests/*' --min-confidence firm`,
		Args: func(cmd *cobra.Command, args []string) error {
			if rules, _ := cmd.Flags().GetBool("rules"); rules {
				return nil
			}
			if len(args) != 1 {
				return usageErr("code takes one directory, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if rules, _ := cmd.Flags().GetBool("rules"); rules {
				return listRules(env, false)
			}
			return runCode(cmd.Context(), env, args[0], &f)
		},
	}
	fl := cmd.Flags()
	addReportFlags(fl, &f.format, &f.output, &f.verbose)
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity: info, low, medium, high, critical, none")
	fl.StringVar(&f.minConfidence, "min-confidence", "tentative", "drop findings below this confidence: tentative, firm, confirmed")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "path glob, relative to DIR, of files or directories to skip (repeatable)")
	fl.IntVar(&f.workers, "workers", 0, "files parsed and analysed at once (default: number of CPUs)")
	fl.StringVar(&f.maxFileSize, "max-file-size", "2MiB", "skip larger files")
	fl.BoolVar(&f.followLinks, "follow-symlinks", false, "follow symbolic links to files and directories outside DIR (never into /proc, /sys, /dev)")
	fl.Bool("rules", false, "list the white-box rules and exit")
	return cmd
}

func runCode(ctx context.Context, env Env, dir string, f *codeFlags) error {
	var g gate
	var err error
	if strings.EqualFold(f.failOn, "none") {
		g.never = true
	} else if g.failOn, err = rampart.ParseSeverity(f.failOn); err != nil {
		return usageErr("--fail-on: %v (or none)", err)
	}
	if g.minConf, err = rampart.ParseConfidence(f.minConfidence); err != nil {
		return usageErr("--min-confidence: %v", err)
	}
	maxSize, err := parseSize(f.maxFileSize)
	if err != nil || maxSize <= 0 {
		return usageErr("--max-file-size %q: want a size such as 2MiB", f.maxFileSize)
	}
	if f.workers < 0 || f.workers > 256 {
		return usageErr("--workers %d: want 0 (one per CPU) to 256", f.workers)
	}
	outs, err := pairFormatOutputs(f.format, f.output)
	if err != nil {
		return err
	}
	for _, g := range f.exclude {
		if err := codescan.CheckExclude(g); err != nil {
			return usageErr("%v", err)
		}
	}
	st, err := os.Stat(dir)
	if err != nil {
		return usageErr("%s: %v", dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return usageErr("%s is not a directory", dir)
	}
	if err := checkOutputs(outs); err != nil {
		return err
	}
	// Most of what an analysis keeps is packed syntax trees, which the
	// collector does not scan: collecting when the heap has grown by half
	// (instead of the default doubling) keeps the peak near what is live
	// for a few percent of CPU (docs/benchmarks.md, "White-box speed and
	// memory").
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	started := time.Now()
	opts := codescan.Options{Workers: f.workers, MaxFileSize: int64(maxSize), Exclude: f.exclude, FollowSymlinks: f.followLinks}
	if env.Getenv != nil && env.Getenv("RAMPART_TRACE") != "" {
		opts.Trace = func(phase string, d time.Duration) {
			fmt.Fprintf(env.Stderr, "rampart: trace: %-40s %v\n", phase, d.Round(time.Microsecond))
		}
	}
	res, runErr := codescan.Analyze(ctx, dir, opts)
	if res == nil {
		if errors.Is(runErr, context.Canceled) {
			return &ExitError{Code: ExitInterrupted, Err: runErr}
		}
		return &ExitError{Code: ExitCannotRun, Err: runErr}
	}
	rep := codeReport(res, dir, started)
	rep.Findings = filterConfidence(rep.Findings, g.minConf)
	sc := score.Score(rep.Findings)
	rep.Score, rep.Grade, rep.Categories = sc.Score, sc.Grade, sc.Categories
	if runErr != nil {
		rep.Incomplete = true
	}
	wo := writeOptions{Verbose: f.verbose, Color: env.colour(), FailOn: g.failOn, FailNever: g.never, MinConfidence: max(g.minConf, rampart.Firm)}
	wrote := time.Now()
	if err := writeOutputs(rep, outs, env, wo); err != nil {
		return &ExitError{Code: ExitCannotRun, Err: err}
	}
	if opts.Trace != nil {
		opts.Trace("report", time.Since(wrote))
	}
	return g.verdict(rep, runErr, env)
}

// codeReport builds the report of a white-box run.
func codeReport(res *codescan.Result, dir string, started time.Time) *rampart.Report {
	rep := &rampart.Report{
		SchemaVersion: rampart.SchemaVersion,
		Tool:          rampart.Tool{Name: "rampart", Version: Version()},
		Source:        dir,
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
