package apimodel

import (
	"hash/maphash"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// How says how an identity came to see a value: the evidence of whose it
// is.
type How uint16

// Ways of seeing a value. The first six say the value is the identity's
// own; HowOwnerField and HowExclusive are only ever conclusions (see
// Candidate.Evidence), never recorded.
const (
	HowLogin      How = 1 << iota // in its login answer
	HowLoginSent                  // it sent it to log in (its username or e-mail)
	HowClaim                      // a claim of its token or session cookie
	HowProfile                    // in its own record: an answer that names it
	HowCreated                    // in the answer to a create it made
	HowSent                       // it chose it: sent in a create that succeeded
	HowListing                    // in a list it read
	HowRead                       // in a single object it read (or wrote)
	HowOwnerField                 // the object's owner field names it
	HowExclusive                  // it alone listed it
	howExplored                   // internal: seen while exploring (before any check ran)
)

// selfHows are the sightings that make a value the identity's own.
const selfHows = HowLogin | HowLoginSent | HowClaim | HowProfile | HowCreated | HowSent

var howNames = []struct {
	h    How
	name string
}{
	{HowLogin, "login answer"}, {HowLoginSent, "login request"}, {HowClaim, "token claim"},
	{HowProfile, "own profile"}, {HowCreated, "created"}, {HowSent, "sent in a create"},
	{HowListing, "listing"}, {HowRead, "read"}, {HowOwnerField, "owner field"},
	{HowExclusive, "only in its own listing"},
}

func (h How) String() string {
	var parts []string
	for _, n := range howNames {
		if h&n.h != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, ", ")
}

// MarshalText writes the ways by name.
func (h How) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// Memory bounds. The model lives for the whole scan and grows with every
// answer, so everything it keeps is capped: values per field of an
// operation, fields per operation, values in all, and what each value
// remembers. A scan of any size keeps at most maxValues values.
const (
	maxValues    = 50000
	maxPerField  = 64
	maxOpFields  = 128
	maxOrigins   = 8
	maxSightings = 32
	maxPeople    = 64
)

// Config is what a model is built from.
type Config struct {
	// Surface is the operations in scope.
	Surface []*rampart.Operation
	// Base is where operation paths hang off (see surface.BaseURL).
	Base *url.URL
}

// Model is what one scan learned of an API from its own traffic. It is
// safe for concurrent use. A nil *Model answers every question with
// nothing.
type Model struct {
	// surf is the operations and their routes, replaced whole by Add so
	// that readers never take a lock for them.
	surf atomic.Pointer[surfaceIndex]
	base *url.URL

	mu     sync.RWMutex
	values map[string]*entry
	byName map[string][]*entry // normal field name (bare and qualified) → values
	byKind map[Kind][]*entry
	fields map[fieldKey]int // values per (operation, field path)
	opFlds map[string]int   // field paths per operation
	people map[string]*person
	order  []string // identity names in the order first seen
	reads  map[readKey][]read
	// exploring holds the requests Explore has in flight (identity and
	// URL), so that Observe marks what they show as seen before any check,
	// and leaves alone what a gate probe shows.
	exploring map[string]probe
	dropped   int
	explored  ExploreStats

	specOnce sync.Once
	spec     *specIndex

	// answers are the hashes of the exchanges already harvested
	// (firstTime), under smu.
	seed    maphash.Seed
	smu     sync.Mutex
	answers map[uint64]struct{}

	// gen counts the changes to what the model knows (see personLocked),
	// so that a Person computed once serves until something changes.
	gen    uint64
	cmu    sync.Mutex
	pcache map[string]cachedPerson
}

type cachedPerson struct {
	gen uint64
	p   Person
}

type fieldKey struct{ op, path string }

// probe is what an exploring request is for.
type probe uint8

const (
	probeNone    probe = iota
	probeExplore       // a read of what the identity owns or saw
	probeGate          // the anonymous caller at a URL an identity was answered
)

type readKey struct{ op, who string }

// read is one answer an identity got from an operation while exploring.
type read struct {
	URL    string
	Status int
	Shape  string
	Data   bool
}

// entry is one distinct value.
type entry struct {
	text    string
	kind    Kind
	origins []origin
	seen    []sighting
}

// origin is where a value was seen: an operation's answer (or request, or
// a login, or a token) and the field path in it.
type origin struct {
	op     string // operation key; "login" and "token" for those
	path   string
	bare   string // normal field name
	qual   string // normal field name qualified by its thing
	thing  string
	key    string // the key of the object it is in
	isKey  bool
	owners []string
}

type sighting struct {
	who string
	how How
}

// Pseudo-operations values can come from besides the surface's.
const (
	FromLogin = "login"
	FromToken = "token"
)

// New returns an empty model of the operations.
func New(cfg Config) *Model {
	m := &Model{
		base:   cfg.Base,
		values: map[string]*entry{}, byName: map[string][]*entry{}, byKind: map[Kind][]*entry{},
		fields: map[fieldKey]int{}, opFlds: map[string]int{}, people: map[string]*person{},
		reads: map[readKey][]read{}, exploring: map[string]probe{}, seed: maphash.MakeSeed(), answers: map[uint64]struct{}{},
	}
	m.surf.Store(indexOf(cfg.Base, cfg.Surface))
	return m
}

// surfaceIndex is the model's operations, by key and by route.
type surfaceIndex struct {
	ops    []*rampart.Operation
	byKey  map[string]*rampart.Operation
	router *router
}

func indexOf(base *url.URL, ops []*rampart.Operation) *surfaceIndex {
	ix := &surfaceIndex{ops: ops, byKey: map[string]*rampart.Operation{}, router: newRouter(base, ops)}
	for _, op := range ops {
		if _, dup := ix.byKey[op.Key()]; !dup {
			ix.byKey[op.Key()] = op
		}
	}
	return ix
}

// ops is the surface the model knows.
func (m *Model) ops() []*rampart.Operation { return m.surf.Load().ops }

// Add makes operations learned after the model was built (a discovery
// that needed the identities' credentials) part of it; those it already
// has are ignored. What was learned from answers before stays: answers
// to the new operations' URLs are learned from the next time they come.
func (m *Model) Add(ops ...*rampart.Operation) {
	if m == nil || len(ops) == 0 {
		return
	}
	m.mu.Lock() // one Add at a time: each builds on the last
	defer m.mu.Unlock()
	old := m.surf.Load()
	all := append([]*rampart.Operation(nil), old.ops...)
	for _, op := range ops {
		if _, dup := old.byKey[op.Key()]; !dup {
			all = append(all, op)
		}
	}
	m.surf.Store(indexOf(m.base, all))
}

// Operation returns the operation of a key ("GET /notes/{id}"), nil when
// the surface has none.
func (m *Model) Operation(key string) *rampart.Operation {
	if m == nil {
		return nil
	}
	return m.surf.Load().byKey[key]
}

// opOf is the operation a response answers: its request's Route when that
// names one, else the template its path matches.
func (m *Model) opOf(r *engine.Response) *rampart.Operation {
	ix := m.surf.Load()
	if op := ix.byKey[r.Request.Route]; op != nil {
		return op
	}
	return ix.router.match(r.Method, r.RequestURL)
}

// nameOf is the identity a request was sent as; anonymous when none.
func nameOf(r *engine.Request) string {
	if r.Identity == "" {
		return identity.AnonymousName
	}
	return r.Identity
}

// Observe learns from one exchange. Wire it as the engine's
// Config.Observe so the model sees every answer of the scan: exploration,
// logins and every check's requests.
func (m *Model) Observe(r *engine.Response) {
	if m == nil || r == nil || r.Request == nil {
		return
	}
	who := nameOf(r.Request)
	if r.Request.Login {
		m.observeLogin(who, r)
		return
	}
	if r.Status < 200 || r.Status > 299 {
		return
	}
	op := m.opOf(r)
	if op == nil {
		return
	}
	var how How
	m.mu.RLock()
	pr := m.exploring[who+"\x00"+r.Request.URL]
	m.mu.RUnlock()
	switch pr {
	case probeGate:
		// The anonymous caller sent an identity's key: what it is shown
		// says nothing of what it may see by itself.
		return
	case probeExplore:
		how |= howExplored
	}
	if !m.firstTime(who, op.Key(), how, r) {
		return // the same answer to the same request: nothing new to learn
	}
	if doc, ok := decode(r.Body); ok && !isSpecDoc(doc) {
		env := Open(doc)
		thing := thingOfPath(op.Path)
		if env.Collection != "" {
			thing = singular(env.Collection)
		}
		answer := HowRead
		_, list := env.Payload.([]any)
		switch {
		case r.Method == http.MethodPost:
			answer = HowCreated
		case r.Method == http.MethodGet && (list || env.Collection != ""):
			answer = HowListing
		}
		fs := harvest(env.Payload, thing, env.Path)
		if obj, ok := env.Payload.(map[string]any); ok && who != identity.AnonymousName && r.Method == http.MethodGet && m.isProfile(who, thing, fs, !strings.Contains(op.Path, "{")) {
			m.learnProfile(who, obj)
			answer |= HowProfile
		}
		m.merge(op.Key(), who, answer|how, fs, false)
	}
	if r.Method == http.MethodPost && len(r.Request.Body) > 0 {
		if fs := requestFields(r.Request, thingOfPath(op.Path)); len(fs) > 0 {
			m.merge(op.Key(), who, HowSent|how, fs, true)
		}
	}
}

// maxSeenAnswers bounds the answers firstTime remembers; when full, it
// starts again (an answer harvested twice costs time, not correctness).
const maxSeenAnswers = 1 << 16

// firstTime says whether this exchange, as who, on op, is one the model
// has not harvested yet. Checks send the same read many times and most
// answers repeat: a hash of what would be harvested (the answer up to what
// decode reads, and a create's request body) spares parsing them again.
func (m *Model) firstTime(who, op string, how How, r *engine.Response) bool {
	var h maphash.Hash
	h.SetSeed(m.seed)
	h.WriteString(who)
	h.WriteByte(0)
	h.WriteString(op)
	h.WriteByte(0)
	h.WriteString(r.Method)
	h.WriteByte(byte(how >> 8))
	h.WriteByte(byte(how))
	body := r.Body
	if len(body) > maxParse {
		body = body[:maxParse]
	}
	h.Write(body)
	if r.Method == http.MethodPost {
		h.WriteByte(0)
		h.Write(r.Request.Body)
	}
	sum := h.Sum64()
	m.smu.Lock()
	defer m.smu.Unlock()
	if _, dup := m.answers[sum]; dup {
		return false
	}
	if len(m.answers) >= maxSeenAnswers {
		clear(m.answers)
	}
	m.answers[sum] = struct{}{}
	return true
}

// merge records what one answer (or request) showed who. sent marks
// values of a request body, whose fields are kept under "request." paths.
func (m *Model) merge(op, who string, how How, fs []found, sent bool) {
	if len(fs) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.personLocked(who)
	created := map[string]bool{}
	for _, f := range fs {
		h := how
		if !f.top {
			h &^= HowProfile // only the record itself is the caller's own
		}
		path := f.path
		if sent {
			path = "request." + path
		}
		e := m.values[f.text]
		if e != nil && !created[f.text] && h&(HowSent|HowCreated) != 0 {
			// A value the model knew before is no key the caller chose nor
			// made: a lookup sending another's order id, an answer naming
			// its owner. Sent, it is a reference; answered, a read.
			if h&HowSent != 0 {
				continue
			}
			h = h&^HowCreated | HowRead
		}
		fk := fieldKey{op, path}
		n, known := m.fields[fk]
		if e == nil {
			if len(m.values) >= maxValues || n >= maxPerField || (!known && m.opFlds[op] >= maxOpFields) {
				m.dropped++
				continue
			}
			e = &entry{text: f.text, kind: f.kind}
			m.values[f.text] = e
			created[f.text] = true
			m.byKind[f.kind] = append(m.byKind[f.kind], e)
		}
		if !e.hasOrigin(op, path) && len(e.origins) < maxOrigins && n < maxPerField && (known || m.opFlds[op] < maxOpFields) {
			if !known {
				m.opFlds[op]++
			}
			m.fields[fk] = n + 1
			o := origin{op: op, path: path, bare: norm(f.field), qual: qualify(f.thing, f.field), thing: norm(f.thing),
				key: f.key, isKey: f.isKey, owners: f.owners}
			if len(o.key) > 256 {
				o.key = ""
			}
			m.index(e, o.bare)
			m.index(e, o.qual)
			e.origins = append(e.origins, o)
		}
		e.see(who, h)
	}
}

func (m *Model) index(e *entry, name string) {
	if name == "" {
		return
	}
	for _, o := range e.origins {
		if o.bare == name || o.qual == name {
			return
		}
	}
	m.byName[name] = append(m.byName[name], e)
}

func (e *entry) hasOrigin(op, path string) bool {
	for _, o := range e.origins {
		if o.op == op && o.path == path {
			return true
		}
	}
	return false
}

func (e *entry) see(who string, how How) {
	for i := range e.seen {
		if e.seen[i].who == who {
			e.seen[i].how |= how
			return
		}
	}
	if len(e.seen) < maxSightings {
		e.seen = append(e.seen, sighting{who, how})
	}
}

// howSeen is every way who saw the value.
func (e *entry) howSeen(who string) How {
	for _, s := range e.seen {
		if s.who == who {
			return s.how
		}
	}
	return 0
}

// isSpecDoc says whether a document is an API description: its examples
// are nobody's values.
func isSpecDoc(doc any) bool {
	m, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	_, oa := m["openapi"]
	_, sw := m["swagger"]
	_, paths := m["paths"]
	return (oa || sw) && paths
}

// Size is how many distinct values the model keeps.
func (m *Model) Size() int {
	if m == nil {
		return 0
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.values)
}

// UnmarshalText reads the ways back from their names.
func (h *How) UnmarshalText(b []byte) error {
	*h = 0
	for _, part := range strings.Split(string(b), ", ") {
		for _, n := range howNames {
			if n.name == part {
				*h |= n.h
			}
		}
	}
	return nil
}
