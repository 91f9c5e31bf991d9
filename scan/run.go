package scan

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
	"github.com/rampart-sec/rampart/internal/coverage"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/stack"
	"github.com/rampart-sec/rampart/internal/surface"
	"github.com/rampart-sec/rampart/internal/triage"
)

// run scans the target (see Run, which redacts what it returns).
func run(ctx context.Context, opt Options) (*rampart.Report, error) {
	started := time.Now()
	target, err := parseTarget(opt.Target)
	if err != nil {
		return nil, err
	}
	selected, skipped, err := selectChecks(opt)
	if err != nil {
		return nil, err
	}
	recorded, err := readRecordings(ctx, &opt, target)
	if err != nil {
		return nil, err
	}
	// The CLI validates too, before it analyses a source tree; a library
	// caller gets the same refusals here, before a request is sent.
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	var proxy *url.URL
	if opt.Proxy != "" {
		if proxy, err = url.Parse(opt.Proxy); err != nil || proxy.Host == "" {
			return nil, configErr("--proxy %q: not a URL", opt.Proxy)
		}
	}
	var code *codescan.Result
	if opt.Source != "" {
		if code, err = analyzeSource(ctx, opt.Source); code == nil {
			return nil, err
		}
	}
	keys, err := publicKeys(ctx, opt)
	if err != nil {
		return nil, err
	}
	obs := stack.New()
	// The API model needs the surface, which is loaded through the client:
	// it is set once it exists, and sees every exchange from then on (the
	// identities' logins included).
	var model atomic.Pointer[apimodel.Model]
	client, err := engine.New(engine.Config{
		Base: target, Scope: opt.Scope, Mode: opt.Mode, Exclude: opt.Exclude,
		Concurrency: opt.Concurrency, Rate: opt.Rate, Timeout: opt.Timeout, MaxBody: opt.MaxBody,
		Insecure: opt.Insecure, Proxy: proxy, UserAgent: userAgent(opt),
		Observe: func(r *engine.Response) {
			obs.Observe(r.Status, r.Header, r.Body)
			model.Load().Observe(r)
			observeKeys(keys, r)
		},
	})
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	rep := &rampart.Report{
		SchemaVersion: rampart.SchemaVersion,
		Tool:          rampart.Tool{Name: "rampart", Version: opt.Version},
		Target:        target.Redacted(),
		Source:        opt.Source,
		Mode:          opt.Mode,
		Started:       started.UTC(),
		Findings:      []rampart.Finding{},
		Skipped:       skipped,
	}

	// One request to the root tells an unreachable target from a slow scan
	// (a root that keeps answering 429 has answered).
	if _, err := client.Do(ctx, &engine.Request{Method: "GET", URL: target.String()}); err != nil && !errors.Is(err, engine.ErrThrottled) {
		if ctx.Err() != nil {
			return finish(rep, opt.triage(), client, obs, started, nil, ctx.Err(), nil)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreachable, target.Redacted(), unwrapNet(err))
	}

	surf, where, notes, err := surfaceOrTraffic(ctx, client, target, opt, recorded)
	if err != nil && code != nil && opt.Spec == "" && ctx.Err() == nil {
		// No spec anywhere: the routes in the source are the surface.
		surf, where, err = &surface.Surface{}, "routes found in "+opt.Source, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return finish(rep, opt.triage(), client, obs, started, code, ctx.Err(), nil)
		}
		return nil, err
	}
	if where != "" {
		rep.Notes = append(rep.Notes, "attack surface: "+where)
	}
	for _, n := range notes {
		note(rep, opt, n)
	}
	specWarnings(rep, opt, surf, target)
	if code != nil {
		var added int
		surf.Operations, added = completeSurface(surf.Operations, routeOps(code.Routes))
		if added > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%d operations added from the routes in %s", added, opt.Source))
		}
	}
	base := surf.BaseURL(target)
	uses := addTraffic(rep, surf, recorded, client, base)
	ops := inScope(surf.Operations, client, base)
	rep.Operations = len(ops)
	mdl := apimodel.New(apimodel.Config{Surface: ops, Base: base})
	model.Store(mdl)
	observeTraffic(mdl, recorded, uses)

	ids, err := logIn(ctx, client, opt, rep)
	if ctx.Err() != nil {
		return finish(rep, opt.triage(), client, obs, started, nil, ctx.Err(), nil)
	}
	if err != nil {
		return nil, err
	}
	markCookieOrigins(ids, recorded, uses)

	if where == surface.Discovered {
		ops = deepen(ctx, client, base, ops, surf.Methodless, ids, mdl, rep, opt)
		rep.Operations = len(ops)
		if ctx.Err() != nil {
			return finish(rep, opt.triage(), client, obs, started, nil, ctx.Err(), nil)
		}
	}

	explored, err := mdl.Explore(ctx, client, ids)
	if ctx.Err() != nil {
		return finish(rep, opt.triage(), client, obs, started, nil, ctx.Err(), nil)
	}
	if err != nil {
		return nil, fmt.Errorf("exploring the API: %w", err)
	}
	// Before any check: a credential the API refuses would turn every
	// check that needs it into a silent no-op.
	if ids, err = dropRefused(ctx, client, mdl, base, ops, surf.SecuritySchemes, ids, opt, rep); ctx.Err() != nil {
		return finish(rep, opt.triage(), client, obs, started, nil, ctx.Err(), nil)
	} else if err != nil {
		return nil, err
	}

	var (
		mu    sync.Mutex
		found = map[string]int{}
	)
	sink := func(f rampart.Finding) {
		mu.Lock()
		defer mu.Unlock()
		if i, dup := found[f.ID]; dup {
			if f.Confidence > rep.Findings[i].Confidence {
				rep.Findings[i] = f
			}
			return
		}
		found[f.ID] = len(rep.Findings)
		rep.Findings = append(rep.Findings, f)
		if opt.OnFinding != nil {
			opt.OnFinding(f)
		}
	}
	pass := check.NewPassFor(check.Env{
		Client: client, Base: base, Surface: ops, Identities: ids, Stack: obs,
		Schemes:  surf.SecuritySchemes,
		Settings: check.Settings{Wordlist: opt.Wordlist, ShowSecrets: opt.ShowSecrets, CodeKeys: codeKeys(code), PublicKeys: keys},
		Model:    mdl,
		Hints:    modelHints(mdl, ids),
	}, sink)
	accounts := signUp(ctx, pass, base, surf.SecuritySchemes, opt, rep)

	lost := &lostList{}
	rec := &coverage.Recorder{}
	runErrs, runs := runChecks(ctx, pass, selected, ops, opt, lost, rec)
	rep.Errors = append(rep.Errors, runErrs...)
	rep.Checks = append(modelRun(explored), runs...)
	if n := lost.note(); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	if n := headersNote(pass.Accept, ops); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	if n := modelNote(mdl, explored, len(ids)); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	if opt.ModelDump != "" {
		if err := dumpModel(mdl, ids, opt); err != nil {
			note(rep, opt, err.Error())
		}
	}
	accounts.finish(ctx, pass, rep)
	cov := coverageInput(selected, ops, opt, client, base)
	return finish(rep, opt.triage(), client, obs, started, code, ctx.Err(), func(fs []rampart.Finding) *rampart.Coverage {
		cov.Findings = fs
		return rec.Build(cov)
	})
}

func runChecks(ctx context.Context, pass *check.Pass, selected []*check.Check, ops []*rampart.Operation, opt Options, lost *lostList, rec *coverage.Recorder) ([]rampart.CheckError, []rampart.CheckRun) {
	workers := opt.Concurrency
	if workers <= 0 {
		workers = 8
	}
	first, alone, last := plan(selected, ops, workers)
	total := len(first) + len(alone) + len(last)
	var (
		mu   sync.Mutex
		errs []rampart.CheckError
		done int
		runs = map[string]*rampart.CheckRun{}
	)
	progress := func() {
		mu.Lock()
		done++
		d := done
		mu.Unlock()
		if opt.Progress != nil {
			opt.Progress(d, total)
		}
	}
	exec := func(u unit, phase *scopes) {
		defer progress()
		defer phase.done(u)
		if ctx.Err() != nil {
			return
		}
		p := pass.ForUnit(u.c, u.op)
		began := time.Now()
		err := safeRun(ctx, u.c, p)
		account(&mu, runs, u.c, p, time.Since(began))
		cc := p.Coverage(err)
		if ctx.Err() != nil && cc.State != rampart.CoverageProved {
			// What an interrupted unit sent proves nothing about the rest.
			cc = rampart.CheckCoverage{Check: u.c.ID, State: rampart.CoverageNotTested, Reason: rampart.ReasonInterrupted}
		}
		rec.Record(u.op, cc)
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			err = nil // interrupted, not broken
		}
		ces := lost.unitErrors(u, p, err)
		mu.Lock()
		errs = append(errs, ces...)
		mu.Unlock()
	}
	work := make(chan unit)
	var wg sync.WaitGroup
	parallel := newScopes(first, pass.Shared)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				exec(u, parallel)
			}
		}()
	}
	for _, u := range first {
		work <- u
	}
	close(work)
	wg.Wait()
	for _, phase := range [][]unit{alone, last} {
		sc := newScopes(phase, pass.Shared)
		for _, u := range phase {
			exec(u, sc)
		}
	}
	sort.Slice(errs, func(i, j int) bool {
		if errs[i].Check != errs[j].Check {
			return errs[i].Check < errs[j].Check
		}
		if errs[i].Operation != errs[j].Operation {
			return errs[i].Operation < errs[j].Operation
		}
		return errs[i].Error < errs[j].Error
	})
	var out []rampart.CheckRun
	for _, c := range selected {
		if r := runs[c.ID]; r != nil {
			out = append(out, *r)
		}
	}
	return errs, out
}

// account records what one unit of a check sent and how long it took, for
// the report's per-check accounting against the announced budget.
func account(mu *sync.Mutex, runs map[string]*rampart.CheckRun, c *check.Check, p *check.Pass, took time.Duration) {
	n := p.Requests()
	mu.Lock()
	defer mu.Unlock()
	r := runs[c.ID]
	if r == nil {
		r = &rampart.CheckRun{Check: c.ID, Budget: c.Budget}
		runs[c.ID] = r
	}
	r.Units++
	r.Requests += n
	r.MaxUnitRequests = max(r.MaxUnitRequests, n)
	// Rounded per unit: most units take a few milliseconds, and truncating
	// each would lose a fast check's time altogether.
	ms := took.Round(time.Millisecond).Milliseconds()
	r.DurationMS += ms
	r.MaxUnitMS = max(r.MaxUnitMS, ms)
	if p.OverBudget() {
		r.OverBudget++
	}
}

// safeRun keeps one broken check from taking the scan down with it.
func safeRun(ctx context.Context, c *check.Check, p *check.Pass) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("check panicked: %v", r)
		}
	}()
	return c.Run(ctx, p)
}

// finish completes the report: code findings correlated, coverage and
// health assessed, then the step every run ends with (internal/triage:
// filter, suppress, advise, sort, score). cover builds the coverage from
// the findings; nil when the scan stopped before any check ran.
func finish(rep *rampart.Report, tri triage.Settings, client *engine.Client, obs *stack.Observer, started time.Time, code *codescan.Result, ctxErr error, cover func([]rampart.Finding) *rampart.Coverage) (*rampart.Report, error) {
	rep.DurationMS = time.Since(started).Milliseconds()
	rep.Stats = client.Stats()
	rep.Fingerprint = obs.Fingerprint()
	var source []rampart.Finding
	if code != nil {
		source = code.Findings
		mergeFingerprint(&rep.Fingerprint, code.Fingerprint)
		notes, errs := code.Outcome()
		for _, n := range notes {
			rep.Notes = append(rep.Notes, "--source: "+n)
		}
		rep.Errors = append(rep.Errors, errs...)
	}
	rep.Findings = correlate(rep.Findings, source)
	sortFindings(rep.Findings)
	if cover != nil {
		// Every finding the scan made proves its cell, including those the
		// report then leaves out.
		rep.Coverage = cover(slices.Clone(rep.Findings))
	}
	rep.Health = assessHealth(client.Health(), rep.Operations)
	if rep.Health.Verdict != rampart.HealthOK {
		// First among the notes: it changes how everything else reads.
		rep.Notes = append([]string{rep.Health.Warning}, rep.Notes...)
	}
	if err := triage.Apply(rep, tri); err != nil {
		return nil, &ConfigError{Err: err}
	}
	rep.Replay = rampart.UsedReplay(client.Variables(), rep.Findings)
	if ctxErr != nil {
		rep.Incomplete = true
		rep.Notes = append(rep.Notes, "scan interrupted: the report is partial")
		return rep, ctxErr
	}
	return rep, nil
}

func sortFindings(fs []rampart.Finding) { slices.SortStableFunc(fs, rampart.CompareFindings) }

func parseTarget(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, configErr("no target URL given")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, configErr("target %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, configErr("target %q: want an http:// or https:// URL", raw)
	}
	if u.Host == "" {
		return nil, configErr("target %q: no host", raw)
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

func userAgent(opt Options) string {
	if opt.UserAgent != "" {
		return opt.UserAgent
	}
	v := opt.Version
	if v == "" {
		v = "dev"
	}
	return "rampart/" + v + " (+security scan)"
}

// unwrapNet shortens Go's nested transport errors to their cause.
func unwrapNet(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// selectChecks applies --checks and --skip-checks, and sets aside checks the
// mode does not allow.
func selectChecks(opt Options) ([]*check.Check, []rampart.Skipped, error) {
	all := checks.All()
	for _, pats := range [][]string{opt.Checks, opt.SkipChecks} {
		for _, p := range pats {
			hit := false
			for _, c := range all {
				if checks.Matches(c.Meta, p) {
					hit = true
					break
				}
			}
			if !hit {
				return nil, nil, configErr("unknown check %q: see `rampart checks` for IDs and families", p)
			}
		}
	}
	var sel []*check.Check
	var skipped []rampart.Skipped
	for _, c := range all {
		if len(opt.Checks) > 0 && !matchesAny(c.Meta, opt.Checks) {
			continue
		}
		if matchesAny(c.Meta, opt.SkipChecks) {
			continue
		}
		if c.Mode > opt.Mode {
			skipped = append(skipped, rampart.Skipped{Check: c.ID, Reason: "needs --mode " + c.Mode.String()})
			continue
		}
		sel = append(sel, c)
	}
	return sel, skipped, nil
}

func matchesAny(m rampart.Meta, pats []string) bool {
	for _, p := range pats {
		if checks.Matches(m, p) {
			return true
		}
	}
	return false
}

// inScope drops operations whose concrete URL the engine would refuse
// (excluded paths), so no check wastes a request on them.
func inScope(ops []*rampart.Operation, c *engine.Client, base *url.URL) []*rampart.Operation {
	var out []*rampart.Operation
	for _, op := range ops {
		if c.InScope(surface.URL(base, op, nil)) && !c.Excluded(surface.URL(base, op, nil)) {
			out = append(out, op)
		}
	}
	return out
}
