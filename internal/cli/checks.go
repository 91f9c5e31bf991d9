package cli

import (
	"encoding/json"
	"fmt"
	"github.com/rampart-sec/rampart/internal/explain"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
)

func newChecks(env Env) *cobra.Command {
	var asJSON, code bool
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List every runtime check (--code: every white-box rule)",
		Long: `List every runtime check of 'rampart scan': its ID, family, default severity,
the least scan mode it needs, and what it finds. With --code, list the
white-box rules of 'rampart code' instead (PY-... IDs; the same list as
'rampart code --rules'). Select checks for a scan with --checks and
--skip-checks, by ID or family, globs allowed (e.g. --checks 'LEAK-*,cors').
'rampart explain ID' explains either kind.

Examples:
  rampart checks
  rampart checks --code
  rampart checks --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if code {
				return listRules(env, asJSON)
			}
			all := checks.All()
			if asJSON {
				metas := make([]rampart.Meta, len(all))
				for i, c := range all {
					metas[i] = c.Meta
				}
				return printJSON(env, metas)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tFAMILY\tSEVERITY\tMODE\tWHAT IT FINDS")
			for _, c := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Family, c.Severity, c.Mode, c.Summary)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "\n%d runtime checks. `rampart checks --code` lists the white-box rules; `rampart explain ID` tells what one detects, what it sends and how to fix it.\n", len(all))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the metadata as JSON")
	cmd.Flags().BoolVar(&code, "code", false, "list the white-box rules of 'rampart code' instead of the runtime checks")
	return cmd
}

func printJSON(env Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// listRules prints the white-box rules (`checks --code`, `code --rules`).
func listRules(env Env, asJSON bool) error {
	rules := codescan.Rules()
	if asJSON {
		return printJSON(env, rules)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFAMILY\tSEVERITY\tCONFIDENCE\tWHAT IT FINDS")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Family, r.Severity, r.Confidence, r.Summary)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\n%d white-box rules. `rampart explain ID` tells what one detects, what it reads and how to fix it.\n", len(rules))
	return nil
}

func newExplain(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "explain ID",
		Short: "Explain a check or white-box rule: what it detects, what it sends or reads, how to fix",
		Long: `Explain a runtime check of 'rampart scan' (IDs from 'rampart checks') or a
white-box rule of 'rampart code' (PY-... IDs from 'rampart checks --code'):
what it detects, the requests it sends or the source it reads, and how to fix
what it finds. IDs are case-insensitive.

Examples:
  rampart explain BOLA-001
  rampart explain PY-SQLI-001`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, _, ok := explain.Lookup(env.Stdout, args[0]); ok {
				return nil
			}
			return usageErr("unknown check or rule %s%s: 'rampart checks' lists the runtime checks, 'rampart checks --code' the white-box rules",
				keyName(args[0]), suggestID(args[0]))
		},
	}
}

// suggestID names the known check or rule ID closest to id, if one is close.
func suggestID(id string) string {
	best, bestD := "", 3
	try := func(known string) {
		if d := editDistance(strings.ToUpper(id), known); d < bestD {
			best, bestD = known, d
		}
	}
	for _, c := range checks.All() {
		try(c.ID)
	}
	for _, r := range codescan.Rules() {
		try(r.ID)
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// wrap breaks s into lines of at most width bytes.
func wrap(s string, width int) []string { return explain.Wrap(s, width) }
