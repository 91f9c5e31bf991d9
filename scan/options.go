// Package scan runs Rampart's scans. Run is the black-box scan: it loads or
// discovers the attack surface, logs the identities in, runs the selected
// checks within the engine's limits, and returns one scored report. Code
// is the white-box scan of a source tree. Both end with the same step
// (internal/triage): findings below MinConfidence dropped, those the
// Ignore list accepts and those the Baseline had set aside, advice added,
// sorted and scored.
//
//	rep, err := scan.Run(ctx, scan.Options{Target: "http://127.0.0.1:8801", Mode: rampart.Safe})
//	rep, err := scan.Code(ctx, scan.CodeOptions{Dir: "."})
//
// A cancelled context still returns the partial report, marked incomplete.
package scan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/redact"
	"github.com/rampart-sec/rampart/internal/secrets"
	"github.com/rampart-sec/rampart/internal/surface"
	"github.com/rampart-sec/rampart/internal/triage"
)

// Options configures one scan. Zero values get the defaults `rampart scan`
// documents.
type Options struct {
	Target string // base URL of the API
	Spec   string // OpenAPI/Swagger file or URL; empty: look for one
	// SpecRefsOutside lets a spec file's $refs read files outside the
	// folder that holds it (--spec-refs-outside).
	SpecRefsOutside bool
	// StrictSpec refuses a spec with any mistake Rampart would otherwise
	// repair with a warning (--strict-spec).
	StrictSpec bool
	// Source is the application's source directory: its Flask routes
	// complete (or, without a spec, make) the attack surface, and its
	// findings are correlated with the runtime ones.
	Source string

	// HAR and Postman are recordings whose in-scope requests are attack
	// surface (beside the spec, or alone); their credentials are stripped.
	HAR     []string
	Postman []string
	// HARIdentities are HAR files recorded as an identity: their
	// credentials become that identity's (--har-identity).
	HARIdentities []HARIdentity

	Identities []rampart.Identity
	Mode       rampart.Mode
	Checks     []string // check IDs or families, globs allowed; empty: all
	SkipChecks []string
	Exclude    []string // path globs never requested, e.g. /admin/reset*
	Scope      []string // extra in-scope hosts

	Concurrency int
	Rate        float64 // requests per second; 0: unlimited
	Timeout     time.Duration
	MaxBody     int64
	Insecure    bool
	Proxy       string
	UserAgent   string

	// Wordlist is a file of extra candidate keys for cracking Flask
	// session and JWT secrets (--wordlist).
	Wordlist string
	// ShowSecrets prints cracked keys in full in findings (--show-secrets).
	ShowSecrets bool
	// JWTPublicKeys are files holding the API's RSA or EC public keys
	// (PEM, base64 DER or JWKS; --jwt-public-key), tried as HMAC secrets
	// by the key-confusion check (JWT-006).
	JWTPublicKeys []string
	// NoSignup keeps an active scan from signing up throwaway accounts
	// where the API offers sign-up (--no-signup).
	NoSignup bool
	// KeepGoing scans without an identity whose credentials are refused
	// on every operation that needs them, or whose login fails, instead of
	// stopping before the checks; a note at the top of the report says
	// which (--keep-going).
	KeepGoing bool

	// ModelDump, when set, is a file the scan writes its API model to as
	// JSON when it ends, redacted like the report (RAMPART_MODEL_DUMP; see
	// docs/model.md).
	ModelDump string

	// MinConfidence, Ignore and Baseline are what the report leaves out,
	// the same for Run and Code: findings below MinConfidence
	// (--min-confidence), those an ignore accepts (the config's ignore
	// list) and those Baseline already had (--baseline; BaselineName
	// names it in notes). See internal/triage.
	MinConfidence rampart.Confidence
	Ignore        []Ignore
	Baseline      *rampart.Report
	BaselineName  string

	// Version is written into the report's tool section.
	Version string
	// OnFinding sees each finding as soon as it is reported.
	OnFinding func(rampart.Finding)
	// OnNote sees each note about how the scan went wrong or worked around
	// something (a spec found but unusable) as it is added to the report.
	OnNote func(string)
	// Progress is told how many units of work are done out of how many.
	Progress func(done, total int)
	// Redactor, when set, is given every identity's secrets as the scan
	// learns them (tokens from logins included), so that the caller can
	// redact what it prints with the same set; Run makes its own otherwise.
	// The report, the findings given to OnFinding and Run's error are
	// redacted either way.
	Redactor *redact.Redactor
}

// Validate checks what can be checked without the network: --exclude
// globs, --scope hosts, the identities' headers and the --wordlist file (a
// regular file under its cap). The CLI calls it once flags and config are
// merged, so both are held to one rule and a bad value fails (as a
// ConfigError) before anything is read from the source or sent.
func (o Options) Validate() error {
	for _, g := range o.Exclude {
		if err := engine.CheckExclude(g); err != nil {
			return &ConfigError{Err: err}
		}
	}
	for _, s := range o.Scope {
		if err := engine.CheckScope(s); err != nil {
			return &ConfigError{Err: err}
		}
	}
	for _, id := range o.Identities {
		switch id.Role {
		case identity.RoleUser, identity.RoleAdmin:
		case "":
			return configErr("identity %s: no role: want user or admin", id.Name)
		default:
			return configErr("identity %s: role %q: want user or admin", id.Name, id.Role)
		}
		if len(id.Headers) == 0 && id.Login == nil {
			return configErr("identity %s: no headers and no login: it would act as anonymous", id.Name)
		}
		for _, name := range slices.Sorted(maps.Keys(id.Headers)) {
			for _, v := range id.Headers[name] {
				if err := identity.CheckHeader(name, v); err != nil {
					return configErr("identity %s: %w", id.Name, err)
				}
			}
		}
	}
	if o.Wordlist != "" {
		if err := secrets.CheckWordlist(o.Wordlist); err != nil {
			return configErr("--wordlist: %w", err)
		}
	}
	if _, err := readPublicKeys(context.Background(), o.JWTPublicKeys); err != nil {
		return err
	}
	if err := o.triage().Validate(); err != nil {
		return &ConfigError{Err: err}
	}
	return nil
}

// Ignore accepts known findings with a reason: by ID, or by check and
// optionally path (a config file's ignore list).
type Ignore = baseline.Ignore

// triage is what the report leaves out and how it says so.
func (o Options) triage() triage.Settings {
	return triage.Settings{MinConfidence: o.MinConfidence, Ignores: o.Ignore, Baseline: o.Baseline, BaselineName: o.BaselineName, OnNote: o.OnNote}
}

// ConfigError is a problem with what the user asked for: a bad flag value,
// a malformed spec, an unknown check. The CLI maps it to exit code 2.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErr(format string, a ...any) error { return &ConfigError{Err: fmt.Errorf(format, a...)} }

// ErrUnreachable wraps the error for a target that does not answer.
var ErrUnreachable = errors.New("target unreachable")

// ErrNoSurface wraps the error for a target that publishes no usable spec
// at the usual places and whose links teach no operation, when no --spec was
// given: there is nothing to scan.
var ErrNoSurface = surface.ErrNothingLearned
