// Package cli is Rampart's command line. It is the only place that maps
// errors to exit codes; everything it calls returns errors.
package cli

import (
	"errors"
	"fmt"
)

// Exit codes, documented in the README and in `rampart --help`.
const (
	ExitOK          = 0   // nothing at or above --fail-on
	ExitFindings    = 1   // findings at or above --fail-on, or coverage below --min-coverage
	ExitUsage       = 2   // usage or configuration error
	ExitCannotRun   = 3   // the scan could not run (target unreachable or unusable, I/O)
	ExitInterrupted = 130 // interrupted; the partial report was written
)

// ExitError carries an exit code up to main.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

func usageErr(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// Code returns the exit code for an error returned by Execute.
func Code(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitUsage // cobra's own errors: unknown flag or command, bad value
}
