package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks"
)

func newChecks(env Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List every implemented check",
		Long: `List every implemented check: its ID, family, default severity, the least scan
mode it needs, and what it finds. Select checks for a scan with --checks and
--skip-checks, by ID or family, globs allowed (e.g. --checks 'LEAK-*,cors').`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all := checks.All()
			if asJSON {
				metas := make([]rampart.Meta, len(all))
				for i, c := range all {
					metas[i] = c.Meta
				}
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(metas)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tFAMILY\tSEVERITY\tMODE\tWHAT IT FINDS")
			for _, c := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Family, c.Severity, c.Mode, c.Summary)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "\n%d checks. `rampart explain ID` tells what one detects, what it sends and how to fix it.\n", len(all))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the checks' metadata as JSON")
	return cmd
}

func newExplain(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "explain ID",
		Short: "Explain a check: what it detects, the requests it sends, how to fix",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := checks.Lookup(args[0])
			if c == nil {
				return usageErr("unknown check %q: see `rampart checks`", args[0])
			}
			m := c.Meta
			w := env.Stdout
			fmt.Fprintf(w, "%s  %s\n\n", m.ID, m.Title)
			fmt.Fprintf(w, "  family     %s\n  severity   %s (default)\n  mode       %s or higher\n  CWE        %s\n  OWASP      %s\n\n",
				m.Family, m.Severity, m.Mode, m.CWE, m.OWASP)
			section(w, "What it detects", m.Detects)
			section(w, "Requests it sends", m.Requests)
			section(w, "How to fix", m.Fix)
			if m.Doc != "" {
				fmt.Fprintf(w, "More: %s\n", m.Doc)
			}
			return nil
		},
	}
}

func section(w interface{ Write([]byte) (int, error) }, title, body string) {
	if body == "" {
		return
	}
	fmt.Fprintf(w, "%s\n", title)
	for _, line := range wrap(body, 76) {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprintln(w)
}

func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
