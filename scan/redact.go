package scan

import (
	"context"
	"slices"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/redact"
)

// Run scans the target and returns its report. On cancellation it returns
// the partial report, marked incomplete, together with the context's error.
//
// Nothing it returns holds an identity's credential: every string of the
// report (and of each finding given to OnFinding) and the error's message
// are redacted with the secrets every identity holds when the scan ends,
// tokens obtained by logins included (see package redact).
func Run(ctx context.Context, opt Options) (*rampart.Report, error) {
	red := opt.Redactor
	if red == nil {
		red = redact.NewRedactor(nil)
		opt.Redactor = red
	}
	// The configured secrets are known before anything is sent: an error
	// that comes before the identities log in is redacted too.
	for _, spec := range opt.Identities {
		id := identity.New(spec.Name, spec.Role, spec.Headers)
		if spec.Login != nil {
			id.Login = &identity.Login{Login: *spec.Login}
		}
		red.Add(spec.Name, id.Secrets)
	}
	red.Snapshot() // warns now about secrets too short to redact
	if on := opt.OnFinding; on != nil {
		opt.OnFinding = func(f rampart.Finding) {
			// A copy: the scan keeps the finding and redacts it at the end.
			f.Evidence, f.Related = slices.Clone(f.Evidence), slices.Clone(f.Related)
			red.Snapshot().Walk(&f)
			on(f)
		}
	}
	rep, err := run(ctx, opt)
	if rep != nil {
		for _, n := range red.Notes() {
			if !slices.Contains(rep.Notes, n) {
				rep.Notes = append(rep.Notes, n)
			}
		}
		red.Snapshot().Walk(rep)
	}
	return rep, red.Error(err)
}
