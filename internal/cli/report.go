package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
	"github.com/rampart-sec/rampart/internal/render"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// reportFormats are the formats every command writes, in the order help
// lists them.
var reportFormats = render.Formats

// formatFiles names each format's file when -o is a directory.
var formatFiles = map[string]string{
	"text": "rampart.txt", "json": "rampart.json", "sarif": "rampart.sarif",
	"html": "rampart.html", "markdown": "rampart.md", "junit": "rampart.junit.xml",
}

// formatHelp is the text of a --format flag.
var formatHelp = "report formats, comma-separated: " + strings.Join(reportFormats, ", ")

// outputHelp is the text of an --output flag.
const outputHelp = "output file per format, in the same order ('-' is stdout; default: stdout), " +
	"or one directory for all of them (rampart.txt, rampart.json, rampart.sarif, rampart.html, rampart.md, rampart.junit.xml)"

// normalizeFormat returns the canonical name of a format, or false.
func normalizeFormat(name string) (string, bool) { return render.Normalize(name) }

// writeOptions is what the writers need beyond the report.
type writeOptions = render.Options

// allRuleMetas is the metadata of every runtime check and white-box rule.
func allRuleMetas() []rampart.Meta { return render.AllRules() }

// writeFormat writes rep in one format.
func writeFormat(w io.Writer, format string, rep *rampart.Report, opt writeOptions) error {
	return render.Write(w, format, rep, opt)
}

type reportFlags struct {
	format      []string
	output      []string
	failOn      string
	minCoverage int
	baseline    string
	verbose     bool
}

// newReport is `rampart report FILE.json`: a saved JSON report written
// again in any format.
func newReport(env Env) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report FILE.json",
		Short: "Write a saved JSON report in other formats (SARIF, HTML, Markdown, JUnit, text)",
		Long: `Read a JSON report that 'rampart scan' or 'rampart code' wrote (-f json) and
write it in other formats, so a scan runs once and its results go everywhere:
SARIF for GitHub code scanning, HTML for people, Markdown for a pull-request
comment, JUnit XML for a CI test view, text for a terminal.

--baseline drops the findings an earlier JSON report already had (matched by
their stable id) and says how many it dropped.

By default the exit code only says whether the conversion worked (0). With
--fail-on it also gates: 1 when a finding of at least firm confidence is at
or above that severity. --fail-on also sets which findings fail JUnit test
cases (default high). With --min-coverage PCT it exits 1 when the report
tested less than PCT% of the applicable operation × family cells.

Examples:
  rampart report scan.json -f sarif -o scan.sarif
  rampart report scan.json -f html,markdown,junit -o reports/
  rampart report scan.json -f markdown --baseline main.json > comment.md
  rampart report scan.json -f junit -o junit.xml --fail-on medium
  rampart report scan.json -f markdown -o comment.md --min-coverage 60`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("report takes one JSON report file, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd, env, args[0], &f)
		},
	}
	fl := cmd.Flags()
	addReportFlags(fl, &f.format, &f.output, &f.verbose)
	fl.StringVar(&f.failOn, "fail-on", "high", "severity at which JUnit test cases fail, and, when given, at which the command exits 1: info, low, medium, high, critical, none")
	fl.IntVar(&f.minCoverage, "min-coverage", 0, "exit 1 when the report tested less than this percentage (0-100) of the applicable operation × family cells (0: no coverage gate)")
	fl.StringVar(&f.baseline, "baseline", "", "earlier JSON report: leave out the findings it already had")
	return cmd
}

func runReport(cmd *cobra.Command, env Env, path string, f *reportFlags) error {
	opt := writeOptions{Verbose: f.verbose, MinConfidence: rampart.Firm}
	var err error
	if strings.EqualFold(strings.TrimSpace(f.failOn), "none") {
		opt.FailNever = true
	} else if opt.FailOn, err = rampart.ParseSeverity(f.failOn); err != nil {
		return usageErr("--fail-on: %v (or none)", err)
	}
	if err := checkMinCoverage(f.minCoverage); err != nil {
		return err
	}
	outs, err := pairFormatOutputs(f.format, f.output)
	if err != nil {
		return err
	}
	// Any problem with the report is a usage error; the message names the
	// file and the rule it broke, never its content.
	rep, err := jsonreport.ReadFile(cmd.Context(), path)
	if errors.Is(err, context.Canceled) {
		return &ExitError{Code: ExitInterrupted, Err: err}
	}
	if err != nil {
		return usageErr("report: %v", err)
	}
	var base *rampart.Report
	if f.baseline != "" {
		if base, err = baseline.Read(cmd.Context(), f.baseline); err != nil {
			return usageErr("--baseline: %v", err)
		}
	}
	if err := checkOutputs(outs); err != nil {
		return err
	}
	if base != nil {
		n := baseline.Apply(rep, base)
		fmt.Fprintf(env.Stderr, "rampart: %d findings suppressed by the baseline %s\n", n, f.baseline)
		if n > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%d findings that the baseline %s already had are left out; the grade still counts them.",
				n, filepath.Base(f.baseline)))
		}
	}
	opt.Color = env.colour()
	if err := writeOutputs(rep, outs, env, opt); err != nil {
		return &ExitError{Code: ExitCannotRun, Err: err}
	}
	if err := coverageGate(rep, f.minCoverage); err != nil {
		fmt.Fprintln(env.Stderr, "rampart: "+err.Error())
		return err
	}
	if !cmd.Flags().Changed("fail-on") || opt.FailNever {
		return nil
	}
	return failingFindings(rep, opt.FailOn, opt.MinConfidence)
}
