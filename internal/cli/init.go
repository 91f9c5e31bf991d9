package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"
)

// newInit is `rampart init`: a commented starter config.
func newInit(env Env) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [FILE]",
		Short: "Write a commented starter config (rampart.yaml)",
		Long: `Write a starter config file: every key 'rampart scan --config' reads, each
with its help and its default, commented out except target. It loads as it is;
remove the "#" before a key to set it. FILE defaults to rampart.yaml; '-' prints
it. An existing file is kept unless --force. The reference is docs/config.md.

Examples:
  rampart init
  rampart init staging.yaml --force
  rampart init - > rampart.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr("init takes at most one file name, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "rampart.yaml"
			if len(args) == 1 {
				path = args[0]
			}
			entries, err := configEntries(scanFlagSet())
			if err != nil {
				return err
			}
			text := starterConfig(entries)
			if path == "-" {
				_, err := fmt.Fprint(env.Stdout, text)
				return err
			}
			return writeStarter(path, text, force, env)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite FILE if it exists")
	return cmd
}

func writeStarter(path, text string, force bool, env Env) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	// 0600: the file is meant to grow identities.
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return usageErr("%s already exists: edit it, or overwrite it with 'rampart init --force'", path)
	}
	if err != nil {
		return usageErr("init: cannot write %s: %v", path, errors.Unwrap(err))
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("init: writing %s: %w", path, err)}
	}
	if err := f.Close(); err != nil {
		return &ExitError{Code: ExitCannotRun, Err: fmt.Errorf("init: writing %s: %w", path, err)}
	}
	fmt.Fprintf(env.Stderr, "rampart: wrote %s: set target, then run 'rampart scan --config %s'\n", path, path)
	return nil
}
