package codescan

// The package is split three ways so that a rule change touches one file:
// the engine (codescan.go, analyze.go, project.go, schedule.go, interp.go,
// eval.go, calls.go, value.go, sql.go, schema.go) reads the source into
// analyses; knowledge.go holds what it knows of Python and its libraries as
// tables; each rule_*.go declares a family of rules with the detection that
// reports them, and the table below runs them.

// family is a group of rules and the detection that reports them. The rule
// loop (fileState.check) runs every family's hooks in table order: first
// perAnalysis over each root analysis (routes, helpers, hooks), then
// perRoute over each analysed route once its decorators are resolved, then
// perFile once. A family without hooks is reported by another family's
// detection (the configuration walk reports secrets, JWT and session
// settings as it meets them).
type family struct {
	name        string
	rules       []*Rule
	perAnalysis func(f *fileState, a *analysis)
	perRoute    func(f *fileState, r *routeInfo)
	perFile     func(f *fileState)
}

// families is the rule table. Its order is the order of Rules(), which
// `rampart code --rules` and `rampart checks` list: IDs and order are
// stable, baselines and SARIF refer to them.
var families = []family{
	sqliFamily,
	bolaFamily,
	bflaFamily,
	authFamily,
	massFamily,
	txnFamily,
	raceFamily,
	idempotencyFamily,
	configFamily,
	secretsFamily,
	sessionFamily,
	errorsFamily,
	jwtFamily,
	corsFamily,
	rateLimitFamily,
	exposureFamily,
}

// tableRules lists the rules of every family, in table order.
func tableRules() []*Rule {
	var out []*Rule
	for _, fam := range families {
		out = append(out, fam.rules...)
	}
	return out
}

// check runs every family's detection over the file's analyses.
func (f *fileState) check() {
	for _, a := range f.roots {
		for _, fam := range families {
			if fam.perAnalysis != nil {
				fam.perAnalysis(f, a)
			}
		}
	}
	for _, r := range f.routes {
		if r.a == nil {
			continue
		}
		f.resolveAuth(r)
		for _, fam := range families {
			if fam.perRoute != nil {
				fam.perRoute(f, r)
			}
		}
	}
	for _, fam := range families {
		if fam.perFile != nil {
			fam.perFile(f)
		}
	}
	// Not a rule: the signing keys the code writes, for the runtime to try
	// (keys.go).
	f.collectKeys()
	f.dedupe()
	// Reachability of every route, for attributing helpers' findings to
	// them later (computed now, while each file owns its cache).
	for _, r := range f.routes {
		if r.a != nil {
			f.reach(r.a)
		}
	}
}
