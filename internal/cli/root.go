package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X github.com/rampart-sec/rampart/internal/cli.version=v1.2.3".
var version = ""

// Version returns the program's version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Env is what the CLI reads from and writes to; tests substitute it.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// IsTerminal reports whether a writer is a terminal (colour, progress).
	IsTerminal func(io.Writer) bool
}

// Execute runs the command line and returns an error whose exit code Code
// gives. It never calls os.Exit.
func Execute(ctx context.Context, args []string, env Env) error {
	root := newRoot(env)
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		msg := oneLine(err.Error())
		if !strings.HasPrefix(msg, "rampart:") {
			msg = "rampart: " + msg
		}
		if Code(err) != ExitFindings && Code(err) != ExitInterrupted {
			fmt.Fprintln(env.Stderr, msg)
		}
	}
	return err
}

func newRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "rampart",
		Short: "Find insecure design in web APIs (Flask on CockroachDB and PostgreSQL first)",
		Long: `Rampart finds insecure design in web APIs and says, most dangerous first, what is
wrong and exactly how to fix it.

  rampart scan URL     black-box: prove flaws with real requests (safe by default)
  rampart code DIR     white-box: find the causes in Flask or FastAPI source
  rampart report FILE  write a saved JSON report as SARIF, HTML, Markdown, JUnit or text
  rampart checks       list every runtime check (--code: every white-box rule)
  rampart explain ID   what a check or rule detects, what it sends or reads, how to fix it
  rampart init         write a commented starter config (rampart.yaml)

  rampart serve        keep every report: history, diffs, a dashboard and a REST API
  rampart mcp          serve scan, code, explain and report to AI assistants (stdio)

-v is --verbose on scan, code and report (the text report adds evidence);
the version is 'rampart --version'.

Exit codes:
  0    nothing at or above --fail-on
  1    findings at or above --fail-on, or less tested than --min-coverage
  2    usage or configuration error
  3    the scan could not run: target unreachable, no operation learned,
       or nearly every answer an error, a redirect or a timeout (that
       report is still written)
  130  interrupted (the partial report is still written)`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version(),
	}
	root.SetVersionTemplate("rampart {{.Version}}\n")
	// Declared here so that cobra does not give it the shorthand -v, which
	// means --verbose on every command that has it.
	root.Flags().Bool("version", false, "print Rampart's version")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if c == root && strings.Contains(err.Error(), "'v' in -v") {
			return usageErr("-v is --verbose (scan, code, report); the version is 'rampart --version'")
		}
		return usageErr("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newScan(env), newCode(env), newReport(env), newChecks(env), newExplain(env), newInit(env), newVersion(env))
	root.AddCommand(newMCP(env))
	root.AddCommand(newServe(env))
	root.AddCommand(newWorker(env))
	return root
}

func newVersion(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Rampart's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(env.Stdout, "rampart", Version())
			return nil
		},
	}
}

// oneLine folds cobra's multi-line messages ("Did you mean this?") into one
// line, so every error is one line a script can grep.
func oneLine(msg string) string {
	head, sugg, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if ok {
		var names []string
		for _, s := range strings.Fields(sugg) {
			names = append(names, s)
		}
		msg = head + " (did you mean " + strings.Join(names, " or ") + "?)"
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " ")), " ")
}
