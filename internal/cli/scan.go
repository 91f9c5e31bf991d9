package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/redact"
	"github.com/rampart-sec/rampart/scan"
)

type scanFlags struct {
	source        string
	har           []string
	postman       []string
	harIdentities []string
	baseline      string
	ignores       []baseline.Ignore
	config        string
	spec          string
	specOutside   bool
	strictSpec    bool
	identities    []string
	mode          string
	checks        []string
	skipChecks    []string
	exclude       []string
	scope         []string
	format        []string
	output        []string
	failOn        string
	minConfidence string
	minCoverage   int
	concurrency   int
	rate          float64
	timeout       time.Duration
	maxBody       string
	insecure      bool
	proxy         string
	verbose       bool
	wordlist      string
	jwtPublicKeys []string
	showSecrets   bool
	noSignup      bool
	keepGoing     bool
	upload        uploadFlags
}

func newScan(env Env) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan URL",
		Short: "Scan a running API (black-box)",
		Long: `Scan a running API and prove its flaws with real requests.

Without --spec, Rampart looks for an OpenAPI or Swagger document at the usual
places (/openapi.json, /swagger.json, /api-docs, ...) and in documentation pages
(Swagger UI, ReDoc); otherwise it probes at most 400 common API paths (GET only),
follows the links the API returns, and, once the identities are logged in,
reads what it found as one of them: a listing's items lead to their route and
OPTIONS names each path's methods. A document found that answers 401, 403 or
5xx, or does not load, is skipped with a note. The report says how each
operation was found.

With --har or --postman (recorded traffic) and no --spec, the recording is the
surface: nothing is discovered. Recorded credentials are stripped with a
warning; --har-identity NAME:ROLE=FILE makes a recording's credentials that
identity's.

Specs are untrusted: YAML aliases may add at most 1,000,000 nodes, nesting is
limited to 1000 levels, loading to 60s, and a spec file's local $refs read
only regular files inside its folder (see --spec-refs-outside). Sloppy specs
load: what Rampart repairs (a boolean "required", a parameter without "in",
a $ref to nothing, ...) is listed in the report as an input warning;
--strict-spec refuses them instead.

Modes (--mode):
  passive  only requests the user would send anyway
  safe     the default: GET, HEAD and OPTIONS with well-formed values only
           (values the API showed, the spec's examples, forged tokens and
           cookies): no writes, and no value meant to make the server fail,
           since one failed statement can break an app for good
           (docs/safety.md)
  active   also POST, PUT, PATCH, DELETE, request bursts and malformed or
           injected values (SQL injection, error leaks, poisoned
           connections): for local or staging targets you may change

Identities: an "anonymous" identity always exists. Add accounts with
--identity NAME:ROLE=HEADER; the role (user or admin) is required. Repeat a
name to add a header. Login flows that refresh expired tokens go in a
--config file. Before any check runs, each identity's credentials are tried
on the reads that need credentials (the spec's security requirements, or
reads that refuse the anonymous caller), with GETs only: an identity refused
with 401 or 403 on every one of them, or whose login fails, stops the scan
with exit 2, unless --keep-going, which scans without it and says so in the
report.

Examples:
  rampart scan http://127.0.0.1:8801 --spec openapi.yaml
  rampart scan http://127.0.0.1:8801 \
      --identity "alice:user=Authorization: Bearer $ALICE_TOKEN" \
      --identity "carol:admin=Authorization: Bearer $CAROL_TOKEN" \
      -f json -o report.json
  rampart scan http://127.0.0.1:8801 -f text,json -o -,report.json
  rampart scan --config rampart.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr("scan takes one URL, got %d arguments", len(args))
			}
			if len(args) == 0 && f.config == "" {
				return usageErr("scan needs a target URL (or a --config file that sets target)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target := ""
			if len(args) == 1 {
				target = args[0]
			}
			return runScan(cmd.Context(), cmd, env, target, &f)
		},
	}
	addScanFlags(cmd.Flags(), &f)
	addUploadFlags(cmd, &f.upload)
	return cmd
}

// addScanFlags registers scan's flags; the config reference and the
// starter config read their help and defaults from the same set.
func addScanFlags(fl *pflag.FlagSet, f *scanFlags) {
	fl.StringVar(&f.config, "config", "", "YAML file with any of these settings, identities and login flows")
	fl.StringVar(&f.source, "source", "", "the application's source directory: its Flask routes complete the surface, and code findings are correlated with runtime ones")
	fl.StringArrayVar(&f.har, "har", nil, "HAR 1.2 file (browser devtools export) whose in-scope requests are attack surface, beside --spec or alone; its credentials are stripped (repeatable)")
	fl.StringArrayVar(&f.postman, "postman", nil, "Postman Collection v2.1 file whose in-scope requests are attack surface, beside --spec or alone; its credentials are stripped (repeatable)")
	fl.StringArrayVar(&f.harIdentities, "har-identity", nil, "HAR file recorded as an account, NAME:ROLE=FILE with ROLE user or admin: its credentials become that identity's and its requests are surface (repeatable)")
	fl.StringVar(&f.spec, "spec", "", "OpenAPI 2.0/3.0/3.1 document, file or URL (default: look for one on the target)")
	fl.BoolVar(&f.specOutside, "spec-refs-outside", false, "let a --spec file's $refs read files outside its folder (default: only files inside it, symbolic links resolved)")
	fl.BoolVar(&f.strictSpec, "strict-spec", false, "refuse a spec with mistakes Rampart would otherwise repair and list as input warnings (exit 2 at the first)")
	fl.StringArrayVar(&f.identities, "identity", nil, "account to act as, NAME:ROLE=HEADER with ROLE user or admin (required), e.g. 'alice:user=Authorization: Bearer TOKEN' (repeatable); refused everywhere, it stops the scan")
	fl.BoolVar(&f.keepGoing, "keep-going", false, "scan without an identity whose credentials are refused on every operation that needs them (or whose login fails) instead of stopping; the report says which")
	fl.StringVar(&f.mode, "mode", "safe", "passive, safe or active (active also sends writes, bursts and injection probes)")
	fl.StringSliceVar(&f.checks, "checks", nil, "only these check IDs or families, globs allowed (e.g. 'LEAK-*,cors')")
	fl.StringSliceVar(&f.skipChecks, "skip-checks", nil, "skip these check IDs or families, globs allowed")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "path glob never to request, e.g. '/admin/reset*' (repeatable)")
	fl.StringArrayVar(&f.scope, "scope", nil, "extra in-scope host, 'host' or 'host:port' (repeatable)")
	addReportFlags(fl, &f.format, &f.output, &f.verbose)
	fl.StringVar(&f.baseline, "baseline", "", "earlier JSON report: report only findings it did not have, and say how many were suppressed")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity: info, low, medium, high, critical, none")
	fl.StringVar(&f.minConfidence, "min-confidence", "tentative", "drop findings below this confidence: tentative, firm, confirmed")
	fl.IntVar(&f.minCoverage, "min-coverage", 0, "exit 1 when less than this percentage (0-100) of the applicable operation × family cells was tested (0: no coverage gate)")
	fl.IntVar(&f.concurrency, "concurrency", 8, "requests in flight at once")
	fl.Float64Var(&f.rate, "rate", 0, "requests per second at most (0: no limit)")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Second, "per-request timeout")
	fl.StringVar(&f.maxBody, "max-body", "2MiB", "response bytes read at most")
	fl.BoolVar(&f.insecure, "insecure", false, "do not verify TLS certificates")
	fl.StringVar(&f.proxy, "proxy", "", "send requests through this HTTP proxy URL")
	fl.StringVar(&f.wordlist, "wordlist", "", "extra candidate keys for cracking Flask session and JWT secrets, one per line (plain or a Python literal)")
	fl.StringArrayVar(&f.jwtPublicKeys, "jwt-public-key", nil, "the API's RSA or EC public key (PEM, base64 on one line, or a JWKS file), tried as an HMAC secret by the key-confusion check JWT-006 (repeatable)")
	fl.BoolVar(&f.showSecrets, "show-secrets", false, "print cracked keys in full in findings (masked by default)")
	fl.BoolVar(&f.noSignup, "no-signup", false, "in active mode, never sign up throwaway accounts (default: where the spec offers sign-up and login)")
}

// scanFlagSet is scan's flags on their own.
func scanFlagSet() *pflag.FlagSet {
	fl := pflag.NewFlagSet("scan", pflag.ContinueOnError)
	addScanFlags(fl, &scanFlags{})
	return fl
}

func runScan(ctx context.Context, cmd *cobra.Command, env Env, target string, f *scanFlags) (err error) {
	opt, outs, gate, err := buildOptions(cmd, env, target, f)
	if err != nil {
		return err
	}
	// Everything this command prints on stderr, its error included, is
	// redacted with the identities' secrets as they are when it is printed
	// (tokens from logins included).
	stderr := env.Stderr
	red := redact.NewRedactor(func(msg string) { fmt.Fprintln(stderr, "rampart: warning: "+msg) })
	opt.Redactor = red
	env.Stderr = red.Writer(stderr)
	defer func() { err = red.Error(err) }()
	// Fail on unwritable outputs and a bad baseline before sending a single request.
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
	var bar *progressbar.ProgressBar
	started := time.Now()
	if env.IsTerminal != nil && env.IsTerminal(stderr) {
		opt.Progress = func(done, total int) {
			if bar == nil && time.Since(started) < time.Second {
				return
			}
			if bar == nil {
				bar = progressbar.NewOptions(total,
					progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetDescription("scanning"),
					progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish(),
					progressbar.OptionThrottle(100*time.Millisecond),
				)
			}
			bar.Set(done)
		}
	}
	opt.OnNote = func(msg string) { fmt.Fprintln(env.Stderr, "rampart: "+msg) }
	rep, runErr := scan.Run(ctx, opt)
	if bar != nil {
		bar.Finish()
	}
	if runErr != nil && rep == nil {
		var ce *scan.ConfigError
		if errors.As(runErr, &ce) {
			return &ExitError{Code: ExitUsage, Err: runErr}
		}
		if errors.Is(runErr, context.Canceled) {
			return &ExitError{Code: ExitInterrupted, Err: runErr}
		}
		return &ExitError{Code: ExitCannotRun, Err: runErr}
	}
	spec := ""
	if !strings.Contains(f.spec, "://") {
		spec = f.spec
	}
	wo := writeOptions{Verbose: f.verbose, Color: env.colour(), FailOn: gate.failOn, FailNever: gate.never,
		MinConfidence: max(gate.minConf, rampart.Firm), SpecFile: spec}
	if err := writeOutputs(rep, outs, env, wo); err != nil {
		return &ExitError{Code: ExitCannotRun, Err: err}
	}
	if upURL != nil && runErr == nil {
		if err := upload(ctx, env, upURL, upKey, rep); err != nil {
			return err
		}
	}
	return gate.verdict(rep, runErr, env)
}

type gate struct {
	failOn  rampart.Severity
	never   bool
	minConf rampart.Confidence
	// minCoverage is --min-coverage: the least coverage percentage that
	// passes; 0 is no coverage gate.
	minCoverage int
}

// parse reads --fail-on (a severity, or none) and --min-confidence, as
// scan and code take them.
func (g *gate) parse(failOn, minConfidence string) error {
	var err error
	if strings.EqualFold(failOn, "none") {
		g.never = true
	} else if g.failOn, err = rampart.ParseSeverity(failOn); err != nil {
		return usageErr("--fail-on: %v (or none)", err)
	}
	if g.minConf, err = rampart.ParseConfidence(minConfidence); err != nil {
		return usageErr("--min-confidence: %v", err)
	}
	return nil
}

// verdict is a run's exit once its report is written: interrupted, findings
// at or above the gate (at firm confidence or above, or --min-confidence
// when it is higher), or success.
func (g gate) verdict(rep *rampart.Report, runErr error, env Env) error {
	if runErr != nil {
		fmt.Fprintln(env.Stderr, "rampart: interrupted: the report is partial")
		return &ExitError{Code: ExitInterrupted, Err: runErr}
	}
	// A target that answered nearly nothing usefully: the report is
	// written, but the scan could not really run, whatever it found.
	if h := rep.Health; h != nil && h.Verdict == rampart.HealthUnusable {
		return &ExitError{Code: ExitCannotRun, Err: errors.New(h.Warning)}
	}
	if h := rep.Health; h != nil && h.Warning != "" {
		fmt.Fprintln(env.Stderr, "rampart: "+h.Warning)
	}
	var findings error
	if !g.never {
		findings = failingFindings(rep, g.failOn, max(g.minConf, rampart.Firm))
	}
	if err := coverageGate(rep, g.minCoverage); err != nil {
		// Exit 1 is not printed by Execute (the findings are the report's
		// to tell); a coverage failure is said here or nobody knows why.
		fmt.Fprintln(env.Stderr, "rampart: "+err.Error())
		return err
	}
	return findings
}

// coverageGate is --min-coverage: exit 1 when the report tested less than
// min percent of what applied. A report without coverage (a white-box one,
// or one written before coverage existed) cannot show it tested enough.
func coverageGate(rep *rampart.Report, min int) error {
	if min <= 0 {
		return nil
	}
	c := rep.Coverage
	if c == nil {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("the report has no coverage (a white-box report, or one written before coverage existed), so --min-coverage %d%% cannot pass", min)}
	}
	if c.Percent < min {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("coverage %d%% (%d of %d applicable operation × family cells tested) is below --min-coverage %d%%; the report's coverage section says what was not tested and why", c.Percent, c.Tested, c.Applicable, min)}
	}
	return nil
}

// checkMinCoverage validates --min-coverage.
func checkMinCoverage(pct int) error {
	if pct < 0 || pct > 100 {
		return usageErr("--min-coverage %d: want a percentage from 0 to 100", pct)
	}
	return nil
}

// failingFindings is the exit for findings at or above sev with at least
// conf confidence; nil when there are none.
func failingFindings(rep *rampart.Report, sev rampart.Severity, conf rampart.Confidence) error {
	if n := len(rep.AtOrAbove(sev, conf)); n > 0 {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%d findings at or above %s", n, sev)}
	}
	return nil
}

// colour reports whether stdout gets colour: a terminal, and NO_COLOR unset.
func (e Env) colour() bool {
	return e.IsTerminal != nil && e.IsTerminal(e.Stdout) && (e.Getenv == nil || e.Getenv("NO_COLOR") == "")
}

// buildOptions merges the config file and the flags; a flag given on the
// command line wins over the file.
func buildOptions(cmd *cobra.Command, env Env, target string, f *scanFlags) (scan.Options, []output, gate, error) {
	var cfg *fileConfig
	if f.config != "" {
		var err error
		if cfg, err = loadConfig(f.config, env.Getenv); err != nil {
			return scan.Options{}, nil, gate{}, usageErr("%v", err)
		}
	}
	return optionsFrom(cmd.Flags().Changed, env, target, f, cfg)
}

// optionsFrom merges a loaded config (nil: none) into the flags, which win
// where changed says they were given.
func optionsFrom(changed func(string) bool, env Env, target string, f *scanFlags, cfg *fileConfig) (scan.Options, []output, gate, error) {
	var opt scan.Options
	var g gate
	if cfg != nil {
		if target == "" {
			target = cfg.Target
		}
		m := fromConfig{changed}
		str, list := m.str, m.list
		str("spec", &f.spec, cfg.Spec)
		m.on("spec-refs-outside", &f.specOutside, cfg.SpecOutside)
		m.on("strict-spec", &f.strictSpec, cfg.StrictSpec)
		str("source", &f.source, cfg.Source)
		list("har", &f.har, cfg.HAR)
		list("postman", &f.postman, cfg.Postman)
		list("har-identity", &f.harIdentities, cfg.HARIdentity)
		str("mode", &f.mode, cfg.Mode)
		list("checks", &f.checks, cfg.Checks)
		list("skip-checks", &f.skipChecks, cfg.SkipChecks)
		list("exclude", &f.exclude, cfg.Exclude)
		list("scope", &f.scope, cfg.Scope)
		list("format", &f.format, cfg.Format)
		list("output", &f.output, cfg.Output)
		str("fail-on", &f.failOn, cfg.FailOn)
		str("min-confidence", &f.minConfidence, cfg.MinConfidence)
		if !changed("min-coverage") && cfg.MinCoverage != nil {
			if checkMinCoverage(*cfg.MinCoverage) != nil {
				return opt, nil, g, usageErr("config %s: min-coverage %d: want a percentage from 0 to 100", f.config, *cfg.MinCoverage)
			}
			f.minCoverage = *cfg.MinCoverage
		}
		str("max-body", &f.maxBody, cfg.MaxBody)
		str("proxy", &f.proxy, cfg.Proxy)
		str("wordlist", &f.wordlist, cfg.Wordlist)
		list("jwt-public-key", &f.jwtPublicKeys, cfg.JWT.PublicKeys)
		str("baseline", &f.baseline, cfg.Baseline)
		m.on("verbose", &f.verbose, cfg.Verbose)
		m.on("show-secrets", &f.showSecrets, cfg.ShowSecrets)
		m.on("no-signup", &f.noSignup, cfg.NoSignup)
		m.on("keep-going", &f.keepGoing, cfg.KeepGoing)
		if !changed("concurrency") && cfg.Concurrency > 0 {
			f.concurrency = cfg.Concurrency
		}
		if !changed("rate") && cfg.Rate > 0 {
			f.rate = cfg.Rate
		}
		m.on("insecure", &f.insecure, cfg.Insecure)
		if !changed("timeout") && cfg.Timeout != "" {
			d, err := time.ParseDuration(cfg.Timeout)
			if err != nil {
				return opt, nil, g, usageErr("config %s: timeout %q: %v", f.config, cfg.Timeout, err)
			}
			f.timeout = d
		}
		f.ignores = cfg.Ignore
		for _, ic := range cfg.Identities {
			opt.Identities = append(opt.Identities, ic.toIdentity())
		}
	}
	if target == "" {
		return opt, nil, g, usageErr("no target URL: give one as an argument or as target: in the config")
	}
	mode, err := rampart.ParseMode(f.mode)
	if err != nil {
		return opt, nil, g, usageErr("--mode: %v", err)
	}
	if err := g.parse(f.failOn, f.minConfidence); err != nil {
		return opt, nil, g, err
	}
	if err := checkMinCoverage(f.minCoverage); err != nil {
		return opt, nil, g, err
	}
	g.minCoverage = f.minCoverage
	maxBody, err := parseSize(f.maxBody)
	if err != nil {
		return opt, nil, g, usageErr("--max-body: %v", err)
	}
	if f.concurrency < 1 || f.concurrency > 256 {
		return opt, nil, g, usageErr("--concurrency %d: want 1 to 256", f.concurrency)
	}
	if f.rate < 0 {
		return opt, nil, g, usageErr("--rate %v: want 0 (no limit) or more", f.rate)
	}
	if f.timeout <= 0 {
		return opt, nil, g, usageErr("--timeout %v: want a positive duration such as 10s", f.timeout)
	}
	// --identity: repeating a name adds a header to that identity.
	idx := map[string]int{}
	for i, id := range opt.Identities {
		idx[id.Name] = i
	}
	for _, s := range f.identities {
		name, role, h, v, err := identity.ParseFlag(s)
		if err != nil {
			return opt, nil, g, usageErr("--identity: %v", err)
		}
		i, ok := idx[name]
		if !ok {
			opt.Identities = append(opt.Identities, rampart.Identity{Name: name, Role: role, Headers: map[string][]string{}})
			i = len(opt.Identities) - 1
			idx[name] = i
		} else if opt.Identities[i].Role != role {
			return opt, nil, g, usageErr("--identity %s: role %s, but it was %s before", name, role, opt.Identities[i].Role)
		}
		if opt.Identities[i].Headers == nil {
			opt.Identities[i].Headers = map[string][]string{}
		}
		opt.Identities[i].Headers[canonical(h)] = append(opt.Identities[i].Headers[canonical(h)], v)
	}
	for _, s := range f.harIdentities {
		hi, err := parseHARIdentity(s)
		if err != nil {
			return opt, nil, g, err
		}
		opt.HARIdentities = append(opt.HARIdentities, hi)
	}
	opt.HAR, opt.Postman = f.har, f.postman
	outs, err := pairFormatOutputs(f.format, f.output)
	if err != nil {
		return opt, nil, g, err
	}
	opt.Target = target
	opt.Spec, opt.SpecRefsOutside, opt.StrictSpec = f.spec, f.specOutside, f.strictSpec
	opt.Source = f.source
	opt.Mode = mode
	opt.Checks, opt.SkipChecks = splitList(f.checks), splitList(f.skipChecks)
	opt.Exclude, opt.Scope = f.exclude, f.scope
	opt.Concurrency, opt.Rate, opt.Timeout, opt.MaxBody = f.concurrency, f.rate, f.timeout, maxBody
	opt.Insecure, opt.Proxy = f.insecure, f.proxy
	opt.Wordlist, opt.ShowSecrets = f.wordlist, f.showSecrets
	opt.JWTPublicKeys = f.jwtPublicKeys
	opt.NoSignup = f.noSignup
	opt.KeepGoing = f.keepGoing
	opt.MinConfidence, opt.Ignore = g.minConf, f.ignores
	if env.Getenv != nil {
		opt.ModelDump = env.Getenv("RAMPART_MODEL_DUMP") // for developers: see docs/model.md
	}
	opt.Version = Version()
	if err := opt.Validate(); err != nil {
		return opt, nil, g, &ExitError{Code: ExitUsage, Err: err}
	}
	return opt, outs, g, nil
}

func canonical(h string) string {
	parts := strings.Split(strings.ToLower(h), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
