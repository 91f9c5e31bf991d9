// Package check defines what a check is and the pass it runs with. A check
// is a value: its metadata and its code together (as trivy's rules), so the
// CLI's `checks` and `explain`, SARIF rules and every finding come from the
// same place.
package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/pubkey"
	"github.com/rampart-sec/rampart/internal/stack"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Check is one runtime check.
type Check struct {
	rampart.Meta
	// Applies selects the operations the check runs on. Nil means the check
	// looks at the target as a whole and runs once per scan.
	Applies func(op *rampart.Operation) bool
	// Run does the work and reports through the pass. An error means the
	// check could not run; it never becomes a finding.
	Run func(ctx context.Context, p *Pass) error
	// Exclusive runs each of the check's units alone, after the parallel
	// phase, so that its oracle (a count, a balance read back after a
	// burst) is not disturbed by other checks' requests.
	Exclusive bool
	// Last runs the check after every other one, for checks that summarise
	// what the scan saw (the fingerprint).
	Last bool
	// Group names checks that share per-operation state (Pass.OnceOp):
	// the same probes read by two checks. That state lives until the last
	// unit of the group on the operation is done; exclusive checks of one
	// group run operation by operation, so it never waits for the others'
	// operations. Empty: the check shares with no other, its ID is its group.
	Group string
}

// StateGroup is the group whose per-operation state the check's units use.
func (c *Check) StateGroup() string {
	if c.Group != "" {
		return c.Group
	}
	return c.ID
}

// PerOperation reports whether the check runs once per operation.
func (c *Check) PerOperation() bool { return c.Applies != nil }

// Pass is everything a check may use. It is built per (check, operation).
type Pass struct {
	Meta rampart.Meta
	// Op is the operation under test; nil for target-level checks.
	Op *rampart.Operation
	// Surface is every operation in scope, for checks that compare siblings.
	Surface []*rampart.Operation
	Client  *engine.Client
	// Identities holds anonymous first, then the configured ones.
	Identities []*identity.Identity
	Stack      *stack.Observer
	Mode       rampart.Mode
	// URL builds a concrete URL for an operation, with synthesised values
	// for parameters not given.
	URL func(op *rampart.Operation, values map[string]string) string
	// Body is the best request body known for an operation (see
	// Accept): synthesised from the spec, then fixed by what the API's
	// validation answers taught. It sends nothing.
	Body func(op *rampart.Operation) ([]byte, string)
	// Accept learns and remembers, per operation, a request the API
	// accepts (see Pass.Accepted); nil in passes built by hand, which then
	// get the spec's synthesised request.
	Accept *accept.Learner
	// Shared is state checks share within one scan or one operation, safe
	// for concurrent use.
	Shared *Shared
	// Settings are the scan options some checks read.
	Settings Settings
	// Schemes are the security schemes the spec declares, by name: a bearer
	// scheme with bearerFormat JWT tells the JWT checks where tokens go.
	Schemes map[string]surface.Scheme
	// Model is what the scan learned of the API from its own traffic:
	// values for parameters and whose they are, who each identity is,
	// which reads need credentials (see package apimodel). Never nil.
	Model *apimodel.Model

	sink  func(rampart.Finding)
	meter *meter
	lost  *lost
	// outcome is what the unit says of its coverage (see outcome.go).
	outcome *outcome
	group   string // see Check.Group; the check's ID when empty
}

// ErrBudget is returned, without sending anything, for a request that would
// take a unit of a check past the budget its metadata announces.
var ErrBudget = errors.New("request budget of the check exhausted")

// meter counts the requests of one unit (one check on one operation).
type meter struct {
	mu     sync.Mutex
	n      int
	budget int
	over   bool
}

// take reserves n requests, or refuses them all when they would exceed the
// budget.
func (m *meter) take(n int) error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.budget > 0 && m.n+n > m.budget {
		m.over = true
		return fmt.Errorf("%d more requests after %d of %d: %w", n, m.n, m.budget, ErrBudget)
	}
	m.n += n
	return nil
}

// Requests is how many requests the pass has sent (or tried to) so far.
func (p *Pass) Requests() int {
	if p.meter == nil {
		return 0
	}
	p.meter.mu.Lock()
	defer p.meter.mu.Unlock()
	return p.meter.n
}

// OverBudget reports whether the pass was refused a request by its budget.
func (p *Pass) OverBudget() bool {
	if p.meter == nil {
		return false
	}
	p.meter.mu.Lock()
	defer p.meter.mu.Unlock()
	return p.meter.over
}

// Burst sends requests as one last-byte-synchronised burst (see
// engine.Client.Burst), all as the same identity (anonymous when id is nil).
// Credentials are stamped once; a burst never logs in again on 401, since a
// retried request would no longer be synchronised.
func (p *Pass) Burst(ctx context.Context, id *identity.Identity, reqs []*engine.Request) ([]engine.BurstResult, error) {
	if id == nil {
		id = p.Anonymous()
	}
	if err := p.meter.take(len(reqs)); err != nil {
		return nil, err
	}
	out := make([]*engine.Request, len(reqs))
	for i, r := range reqs {
		q := *r
		q.Header = r.Header.Clone()
		q.Route = p.route(r)
		id.Apply(&q)
		out[i] = &q
	}
	res, err := p.Client.Burst(ctx, out)
	if res == nil {
		p.lost.record(err)
	}
	for _, r := range res {
		p.lost.record(r.Err)
	}
	return res, err
}

// Settings are scan options that reach the checks.
type Settings struct {
	// Wordlist is a file of extra candidate keys (one per line, plain or a
	// Python literal) for cracking session and JWT secrets.
	Wordlist string
	// ShowSecrets prints cracked keys in full instead of masked.
	ShowSecrets bool
	// CodeKeys are the signing keys written in the --source tree: tried
	// before every list when a session or token key is cracked, and named
	// by where they are written when one is the key.
	CodeKeys []CodeKey
	// PublicKeys are the public keys the scan met (given, in the source
	// tree, in answers), for the JWT key-confusion check; nil: none.
	PublicKeys *pubkey.Collector
}

// CodeKey is a signing key written in the source, and where ("app.py:12").
type CodeKey struct {
	Value []byte
	Where string
}

// CodeKeyValues are the CodeKeys' values, to try first.
func (s Settings) CodeKeyValues() [][]byte {
	out := make([][]byte, 0, len(s.CodeKeys))
	for _, k := range s.CodeKeys {
		out = append(out, k.Value)
	}
	return out
}

// WrittenAt says where the source writes key, "" when it does not.
func (s Settings) WrittenAt(key []byte) string {
	for _, k := range s.CodeKeys {
		if string(k.Value) == string(key) {
			return k.Where
		}
	}
	return ""
}

// NewPass is used by the scanner; checks receive a ready pass.
func NewPass(sink func(rampart.Finding)) *Pass { return &Pass{sink: sink} }

// Env is what a scan (or a check's test) gives its checks.
type Env struct {
	Client *engine.Client
	// Base is where operation paths hang off (target plus the spec's base path).
	Base       *url.URL
	Surface    []*rampart.Operation
	Identities []*identity.Identity // anonymous is added first when missing
	Stack      *stack.Observer      // a new one when nil
	Schemes    map[string]surface.Scheme
	Settings   Settings
	// Hints, when set, gives the request learner values the API has shown
	// (an API model's harvest) for parameters and body fields.
	Hints accept.Hints
	// Tag marks the values this scan creates; empty: a random one.
	Tag string
	// Model is the scan's API model; an empty one when nil.
	Model *apimodel.Model
}

// NewPassFor builds the pass every check of one scan starts from: the one
// place that wires URL and body synthesis, shared state and the mode.
func NewPassFor(env Env, sink func(rampart.Finding)) *Pass {
	p := NewPass(sink)
	p.Client, p.Surface, p.Mode = env.Client, env.Surface, env.Client.Mode()
	p.Identities = env.Identities
	hasAnon := false
	for _, id := range env.Identities {
		hasAnon = hasAnon || id.IsAnonymous()
	}
	if !hasAnon {
		p.Identities = append([]*identity.Identity{identity.Anonymous()}, env.Identities...)
	}
	p.Stack = env.Stack
	if p.Stack == nil {
		p.Stack = stack.New()
	}
	p.Schemes = env.Schemes
	if p.Schemes == nil {
		p.Schemes = map[string]surface.Scheme{}
	}
	p.Settings = env.Settings
	p.Shared = &Shared{}
	base := env.Base
	if base == nil {
		base = env.Client.Base()
	}
	p.Model = env.Model
	if p.Model == nil {
		p.Model = apimodel.New(apimodel.Config{Surface: env.Surface, Base: base})
	}
	fill := newFiller(p.Model, p.Identities)
	p.URL = func(op *rampart.Operation, values map[string]string) string {
		return surface.URL(base, op, fill.fill(op, values))
	}
	p.Accept = accept.New(accept.Options{Hints: env.Hints, Tag: env.Tag})
	learner := p.Accept
	p.Body = func(op *rampart.Operation) ([]byte, string) {
		if op == nil || op.Body == nil {
			return nil, ""
		}
		return learner.Request(op).Encode()
	}
	return p
}

// WithOp returns a copy of the pass for one operation.
func (p *Pass) WithOp(m rampart.Meta, op *rampart.Operation) *Pass {
	q := *p
	q.Meta, q.Op = m, op
	q.meter = &meter{budget: m.Budget}
	q.lost = &lost{}
	q.outcome = &outcome{}
	q.group = m.ID
	return &q
}

// ForUnit returns the pass of one unit: a check on an operation (nil for a
// target-level check).
func (p *Pass) ForUnit(c *Check, op *rampart.Operation) *Pass {
	q := p.WithOp(c.Meta, op)
	q.group = c.StateGroup()
	return q
}

// Report hands a finding to the scan. It fills what the check's metadata
// already says, so checks set only what is specific to the occurrence.
func (p *Pass) Report(f rampart.Finding) {
	if f.Check == "" {
		f.Check = p.Meta.ID
	}
	if f.Family == "" {
		f.Family = p.Meta.Family
	}
	if f.Title == "" {
		f.Title = p.Meta.Title
	}
	if f.CWE == "" {
		f.CWE = p.Meta.CWE
	}
	if f.OWASP == "" {
		f.OWASP = p.Meta.OWASP
	}
	if f.Remediation == "" {
		f.Remediation = p.Meta.Fix
	}
	if f.Location.Path == "" && p.Op != nil {
		f.Location.Method, f.Location.Path = p.Op.Method, p.Op.Path
	}
	f.ID = f.Fingerprint()
	p.outcome.found()
	p.sink(f)
}

// Finding starts a finding from the check's metadata at the pass's operation.
func (p *Pass) Finding(message string) rampart.Finding {
	var loc rampart.Location
	if p.Op != nil {
		loc.Method, loc.Path = p.Op.Method, p.Op.Path
	}
	return p.Meta.NewFinding(loc, message)
}

// Anonymous returns the identity without credentials.
func (p *Pass) Anonymous() *identity.Identity {
	for _, id := range p.Identities {
		if id.IsAnonymous() {
			return id
		}
	}
	return identity.Anonymous()
}

// Authenticated returns the configured identities, users before admins.
func (p *Pass) Authenticated() []*identity.Identity {
	var users, admins []*identity.Identity
	for _, id := range p.Identities {
		switch id.Role {
		case identity.RoleUser:
			users = append(users, id)
		case identity.RoleAdmin:
			admins = append(admins, id)
		}
	}
	return append(users, admins...)
}

// Send sends a request as an identity (anonymous when id is nil).
func (p *Pass) Send(ctx context.Context, id *identity.Identity, r *engine.Request) (*engine.Response, error) {
	if id == nil {
		id = p.Anonymous()
	}
	if err := p.meter.take(1); err != nil {
		return nil, err
	}
	if route := p.route(r); route != r.Route {
		q := *r
		q.Route = route
		r = &q
	}
	resp, err := p.sendLearning(ctx, id, r, true)
	p.lost.record(err)
	return resp, err
}

// Get is Send for a GET of a URL or path.
func (p *Pass) Get(ctx context.Context, id *identity.Identity, url string, h http.Header) (*engine.Response, error) {
	return p.Send(ctx, id, &engine.Request{Method: http.MethodGet, URL: url, Header: h})
}

// Evidence renders an exchange as redacted evidence.
func (p *Pass) Evidence(resp *engine.Response, note string) rampart.Evidence {
	return p.Client.Evidence(resp, note)
}

// Excerpt is what a check keeps of an answer it may report after its own
// unit is done (see engine.Client.Excerpt).
func (p *Pass) Excerpt(resp *engine.Response) *engine.Response { return p.Client.Excerpt(resp) }

// Curl renders the replay line of an exchange.
func (p *Pass) Curl(resp *engine.Response) string { return p.Client.Curl(resp) }

// Shared is state checks share within one scan, in two lifetimes. Once
// keeps a value for the whole scan: what it holds must stay small whatever
// the API answers (what a check derives from an answer, never the answer).
// OnceFor keeps a value for one operation and one group of checks (see
// Check.Group) until the scanner releases it, when the group's last unit on
// the operation is done: answers that several checks of the same operation
// read (the same probes, with bodies up to --max-body) go there, so that
// memory follows the operations in progress, not the size of the API.
type Shared struct {
	mu     sync.Mutex
	once   map[string]*onceVal
	scoped map[Scope]map[string]*onceVal
}

// Scope is one operation as one group of checks sees it.
type Scope struct {
	Op    *rampart.Operation
	Group string
}

type onceVal struct {
	once sync.Once
	v    any
	err  error
}

// Once computes a value once per scan under a key (for example the target's
// root page) and returns it to every caller.
func (s *Shared) Once(key string, f func() (any, error)) (any, error) {
	s.mu.Lock()
	if s.once == nil {
		s.once = map[string]*onceVal{}
	}
	o, ok := s.once[key]
	if !ok {
		o = &onceVal{}
		s.once[key] = o
	}
	s.mu.Unlock()
	o.once.Do(func() { o.v, o.err = f() })
	return o.v, o.err
}

// OnceFor computes a value once per scope under a key and returns it to
// every caller until the scope is released. Only units of that operation
// and group may ask (Pass.OnceOp): a value kept for a scope whose units are
// all done would never be released.
func (s *Shared) OnceFor(sc Scope, key string, f func() (any, error)) (any, error) {
	s.mu.Lock()
	if s.scoped == nil {
		s.scoped = map[Scope]map[string]*onceVal{}
	}
	m := s.scoped[sc]
	if m == nil {
		m = map[string]*onceVal{}
		s.scoped[sc] = m
	}
	o, ok := m[key]
	if !ok {
		o = &onceVal{}
		m[key] = o
	}
	s.mu.Unlock()
	o.once.Do(func() { o.v, o.err = f() })
	return o.v, o.err
}

// Release drops every value kept for the scope.
func (s *Shared) Release(sc Scope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.scoped, sc)
}

// Kept reports how many scopes have values kept for them, for tests that
// assert an operation's answers do not outlive its units.
func (s *Shared) Kept() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.scoped)
}

// OnceOp is Shared.OnceFor for the pass's own operation and group; a
// target-level pass keeps the value for the scan.
func (p *Pass) OnceOp(key string, f func() (any, error)) (any, error) {
	if p.Op == nil {
		return p.Shared.Once(p.group+": "+key, f)
	}
	return p.Shared.OnceFor(Scope{Op: p.Op, Group: p.group}, key, f)
}

// IsJSON reports whether a response says it is JSON.
func IsJSON(h http.Header) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	return strings.Contains(ct, "json")
}

// FirstUser returns the first authenticated identity, or nil (anonymous)
// when the scan has none: checks that only need to reach an endpoint use it.
func (p *Pass) FirstUser() *identity.Identity {
	if ids := p.Authenticated(); len(ids) > 0 {
		return ids[0]
	}
	return nil
}
