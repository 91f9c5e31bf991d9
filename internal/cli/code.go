package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
	"github.com/rampart-sec/rampart/internal/gctune"
	"github.com/rampart-sec/rampart/scan"
)

type codeFlags struct {
	config        string
	baseline      string
	ignores       []baseline.Ignore
	format        []string
	output        []string
	failOn        string
	minConfidence string
	exclude       []string
	workers       int
	maxFileSize   string
	followLinks   bool
	verbose       bool
	upload        uploadFlags
}

// newCode is `rampart code DIR`: the white-box scan of a Flask source tree.
// It runs scan.Code, which ends as scan.Run does (internal/triage), and
// writes the report with scan's output glue, so both commands' reports,
// filters, baselines and exit codes are the same.
func newCode(env Env) *cobra.Command {
	var f codeFlags
	cmd := &cobra.Command{
		Use:   "code DIR",
		Short: "Scan Flask or FastAPI source code (white-box)",
		Long: `Read a Flask or FastAPI application's Python source and report the insecure
designs that cause runtime flaws. Routes are read from @app.route, blueprints,
class-based views, Flask-RESTful and flask-restx resources, the OpenAPI
document connexion routes by operationId, and FastAPI routers; SQL built from
parameters is reported even where no route reaches it (tentative). It finds:
SQL built from request data, routes that never check the caller owns the
object, admin routes without a role check, transactions without commit or a
40001 retry, read-modify-write races, mass assignment, debug mode, hard-coded
secrets and JWT keys, and more ('rampart code --rules').

Findings carry the file, line and column, the route they belong to (method
and path template, as in an OpenAPI spec) and a fix, and use the same model,
score and report formats as 'rampart scan'. Nothing is executed or sent.

Paths in the report are DIR joined with each file's path inside it, so
'rampart code testbed/vulnerable' reports testbed/vulnerable/app.py.

--config reads the same file as 'rampart scan --config': source (DIR when
none is given), format, output, fail-on, min-confidence, baseline, verbose,
the ignore list, and the code: section (exclude, workers, max-file-size,
follow-symlinks). The scan settings in it (target, identities, mode, ...) are
left to 'rampart scan', and a line on stderr names them. --baseline reports
only the findings an earlier JSON report did not have and says how many are
new, unchanged and fixed; the grade still counts the unchanged ones.

The scan never leaves DIR: a symbolic link to a file or directory outside
it is skipped with a note, unless --follow-symlinks (even then, /proc, /sys
and /dev are never entered). Only regular files are read; code nested more
than 500 levels deep is analysed down to that depth, with a note.

Examples:
  rampart code .
  rampart code src/ -f text,json -o -,code.json --fail-on medium
  rampart code app/ --exclude 'tests/*' --min-confidence firm
  rampart code . --config rampart.yaml --baseline main.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if rules, _ := cmd.Flags().GetBool("rules"); rules {
				return nil
			}
			if len(args) > 1 || len(args) == 0 && f.config == "" {
				return usageErr("code takes one directory, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if rules, _ := cmd.Flags().GetBool("rules"); rules {
				return listRules(env, false)
			}
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			return runCode(cmd.Context(), cmd, env, dir, &f)
		},
	}
	addCodeFlags(cmd.Flags(), &f)
	cmd.Flags().Bool("rules", false, "list the white-box rules and exit")
	return cmd
}

// addCodeFlags registers code's flags; the config reference reads the
// help and defaults of the code: keys from the same set.
func addCodeFlags(fl *pflag.FlagSet, f *codeFlags) {
	fl.StringVar(&f.config, "config", "", "YAML file with these settings (the file 'rampart scan --config' reads; see docs/config.md)")
	addReportFlags(fl, &f.format, &f.output, &f.verbose)
	fl.StringVar(&f.baseline, "baseline", "", "earlier JSON report: report only findings it did not have, and say how many are new, unchanged and fixed")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity: info, low, medium, high, critical, none")
	fl.StringVar(&f.minConfidence, "min-confidence", "tentative", "drop findings below this confidence: tentative, firm, confirmed")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "path glob, relative to DIR, of files or directories to skip (repeatable)")
	fl.IntVar(&f.workers, "workers", 0, "files parsed and analysed at once (default: number of CPUs)")
	fl.StringVar(&f.maxFileSize, "max-file-size", "2MiB", "skip larger files")
	fl.BoolVar(&f.followLinks, "follow-symlinks", false, "follow symbolic links to files and directories outside DIR (never into /proc, /sys, /dev)")
}

// codeFlagSet is code's flags on their own.
func codeFlagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("code", pflag.ContinueOnError)
	addCodeFlags(fl, &codeFlags{})
	return fl
}

// codeKeys are the config keys `rampart code` reads; every other key is a
// scan setting it leaves alone, and says so.
var codeKeys = []string{"source", "format", "output", "fail-on", "min-confidence", "baseline", "verbose", "ignore", "code"}

func runCode(ctx context.Context, cmd *cobra.Command, env Env, dir string, f *codeFlags) error {
	opt, outs, g, err := buildCodeOptions(cmd, env, dir, f)
	if err != nil {
		return err
	}
	if err := checkOutputs(outs); err != nil {
		return err
	}
	upURL, upKey, err := f.upload.check(env)
	if err != nil {
		return err
	}
	if f.baseline != "" {
		if opt.Baseline, err = baseline.Read(ctx, f.baseline); err != nil {
			return usageErr("--baseline: %v", err)
		}
		opt.BaselineName = filepath.Base(f.baseline)
	}
	// Most of what an analysis keeps is packed syntax trees, which the
	// collector does not scan: collecting when the heap has grown by half
	// (instead of the default doubling) keeps the peak near what is live.
	// A headroom of at least 16 MB spares the small heap of the first
	// seconds a collection every few megabytes, and leaves the peak as it
	// is from a live heap of 32 MB up (docs/benchmarks.md, "White-box speed
	// and memory").
	pacer := gctune.Start(16<<20, 50)
	defer pacer.Stop()
	if env.Getenv != nil && env.Getenv("RAMPART_TRACE") != "" {
		opt.Trace = func(phase string, d time.Duration) {
			fmt.Fprintf(env.Stderr, "rampart: trace: %-40s %v\n", phase, d.Round(time.Microsecond))
		}
	}
	opt.OnNote = func(msg string) { fmt.Fprintln(env.Stderr, "rampart: "+msg) }
	rep, runErr := scan.Code(ctx, opt)
	if rep == nil {
		var ce *scan.ConfigError
		switch {
		case errors.As(runErr, &ce):
			return &ExitError{Code: ExitUsage, Err: runErr}
		case errors.Is(runErr, context.Canceled):
			return &ExitError{Code: ExitInterrupted, Err: runErr}
		}
		return &ExitError{Code: ExitCannotRun, Err: runErr}
	}
	wo := writeOptions{Verbose: f.verbose, Color: env.colour(), FailOn: g.failOn, FailNever: g.never, MinConfidence: max(g.minConf, rampart.Firm)}
	wrote := time.Now()
	if err := writeOutputs(rep, outs, env, wo); err != nil {
		return &ExitError{Code: ExitCannotRun, Err: err}
	}
	if opt.Trace != nil {
		opt.Trace("report", time.Since(wrote))
	}
	if upURL != nil && runErr == nil {
		if err := upload(ctx, env, upURL, upKey, rep); err != nil {
			return err
		}
	}
	return g.verdict(rep, runErr, env)
}

// buildCodeOptions merges the config file and the flags (a flag given on
// the command line wins) and checks them before anything is read.
func buildCodeOptions(cmd *cobra.Command, env Env, dir string, f *codeFlags) (scan.CodeOptions, []output, gate, error) {
	var opt scan.CodeOptions
	var g gate
	changed := cmd.Flags().Changed
	if f.config != "" {
		cfg, err := loadConfig(f.config, env.Getenv)
		if err != nil {
			return opt, nil, g, usageErr("%v", err)
		}
		if dir == "" {
			dir = cfg.Source
		}
		m := fromConfig{changed}
		str, list := m.str, m.list
		list("format", &f.format, cfg.Format)
		list("output", &f.output, cfg.Output)
		str("fail-on", &f.failOn, cfg.FailOn)
		str("min-confidence", &f.minConfidence, cfg.MinConfidence)
		str("baseline", &f.baseline, cfg.Baseline)
		m.on("verbose", &f.verbose, cfg.Verbose)
		f.ignores = cfg.Ignore
		list("exclude", &f.exclude, cfg.Code.Exclude)
		if !changed("workers") && cfg.Code.Workers != 0 {
			f.workers = cfg.Code.Workers
		}
		str("max-file-size", &f.maxFileSize, cfg.Code.MaxFileSize)
		m.on("follow-symlinks", &f.followLinks, cfg.Code.FollowSymlinks)
		if left := scanOnlyKeys(cfg); len(left) > 0 {
			fmt.Fprintf(env.Stderr, "rampart: config %s: rampart code leaves %s to rampart scan\n", f.config, strings.Join(left, ", "))
		}
	}
	if dir == "" {
		return opt, nil, g, usageErr("code needs a directory: give one as an argument or as source: in the config")
	}
	if err := g.parse(f.failOn, f.minConfidence); err != nil {
		return opt, nil, g, err
	}
	maxSize, err := parseSize(f.maxFileSize)
	if err != nil {
		return opt, nil, g, usageErr("--max-file-size %q: want a size such as 2MiB", f.maxFileSize)
	}
	outs, err := pairFormatOutputs(f.format, f.output)
	if err != nil {
		return opt, nil, g, err
	}
	opt = scan.CodeOptions{
		Dir: dir, Workers: f.workers, MaxFileSize: maxSize, Exclude: f.exclude, FollowSymlinks: f.followLinks,
		MinConfidence: g.minConf, Ignore: f.ignores, Version: Version(),
	}
	if err := opt.Validate(); err != nil {
		return opt, nil, g, &ExitError{Code: ExitUsage, Err: err}
	}
	return opt, outs, g, nil
}

// scanOnlyKeys are the keys cfg sets that `rampart code` does not read.
func scanOnlyKeys(cfg *fileConfig) []string {
	var out []string
	v := reflect.ValueOf(cfg).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
		if !v.Field(i).IsZero() && !slices.Contains(codeKeys, name) {
			out = append(out, name)
		}
	}
	return out
}
