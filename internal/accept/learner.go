package accept

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/surface"
)

// MaxRounds is how many requests Accepted sends at most for one operation
// to find a request the API accepts, the first attempt included: each
// validation answer usually names every wrong field at once, and a second
// or third round is for fields nested in ones it just added.
const MaxRounds = 4

const (
	// maxSpentPerOp bounds what one scan spends learning one operation,
	// Accepted's rounds and the answers checks feed to Learn together.
	maxSpentPerOp = 2 * MaxRounds
	// maxFixes bounds the fixes remembered per operation.
	maxFixes = 64
	// maxValueLen bounds one remembered string value.
	maxValueLen = 4096
)

// Hints gives values the API itself has shown for a field or parameter
// (an API model's harvest: an account number from a login answer, an ISBN
// from a listing), best first. in is path, query, header or body; path is
// the field's path (one name for a parameter). It may return nil.
type Hints func(op *rampart.Operation, in string, path []string) []any

// Options configure a Learner.
type Options struct {
	// Hints, when set, fills fields with values the API has shown before
	// synthesised ones.
	Hints Hints
	// Tag marks the values of one scan ("rampart-<tag>"): the same tag
	// gives the same values. Empty: a random one.
	Tag string
}

// Status is what the API made of an operation's request so far.
type Status int

const (
	// Untried: nothing was sent yet.
	Untried Status = iota
	// Accepted: a request was answered 2xx.
	Accepted
	// Passed: a request got past validation and was refused for another
	// reason (404 for a referenced object, 409): the body is right, the
	// state is not. A redirect (a handled form post) counts here too.
	Passed
	// Rejected: validation refused the request and its answer named
	// nothing more to fix, or the rounds ran out.
	Rejected
)

func (s Status) String() string {
	return [...]string{"untried", "accepted", "passed", "rejected"}[s]
}

// Learner learns, per operation, a request the API accepts, and
// remembers it for the rest of the scan. One per scan; safe for
// concurrent use. What it keeps is bounded: per operation at most
// maxFixes field fixes of at most maxValueLen bytes each, never an answer.
type Learner struct {
	hints Hints
	tag   string
	seq   atomic.Uint64

	mu  sync.Mutex
	ops map[*rampart.Operation]*opState
	// global holds headers the API confirmed on one operation, which
	// every request carries (see Carry); anyHdr is set once any answer
	// asked for a header.
	global map[string]string
	anyHdr atomic.Bool
}

type opState struct {
	// learning serialises Accepted on one operation: the first caller
	// learns, the others wait and reuse what it learned.
	learning sync.Mutex

	mu     sync.Mutex
	fixes  map[string]fix // "in:dotted.path"
	tries  map[string]int
	status Status
	spent  int
	// hdrs are the headers the API asked for (headerlearn.go); trying
	// is the one whose value was set last, which an answer that names
	// no header ("Invalid header value") is about.
	hdrs   map[string]*hdrState
	trying string
	// answered: a request for op got an answer Observe read.
	answered bool
}

type fix struct {
	drop bool
	v    any
	// unique: the value was taken; every request gets a new value of its
	// kind, made from v when set (taken.go).
	unique bool
}

// New returns a Learner.
func New(o Options) *Learner {
	tag := o.Tag
	if tag == "" {
		b := make([]byte, 3)
		_, _ = rand.Read(b)
		tag = hex.EncodeToString(b)
	}
	return &Learner{hints: o.Hints, tag: tag, ops: map[*rampart.Operation]*opState{}}
}

// Tag is the scan's mark: every unique value the learner synthesises
// carries "rampart-<tag>" or "rampart_<tag>".
func (l *Learner) Tag() string { return l.tag }

func (l *Learner) state(op *rampart.Operation) *opState {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.ops[op]
	if st == nil {
		st = &opState{fixes: map[string]fix{}, tries: map[string]int{}}
		l.ops[op] = st
	}
	return st
}

// Status reports what the API made of op's requests so far.
func (l *Learner) Status(op *rampart.Operation) Status {
	st := l.state(op)
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.status
}

// Sender sends a request as the caller's identity and returns the answer.
type Sender func(ctx context.Context, r *Request) (*engine.Response, error)

// Accepted returns a request for op that passes the API's validation,
// learning it on the first call: it sends the best request it knows and,
// while the answer is a 400 or 422 naming fields it can fix, fixes them
// and sends again, MaxRounds requests at most. Later calls send nothing
// and return what was learned. resp is the last answer when something was
// sent (a create's answer carries the new object), nil otherwise; the
// request is returned even when it was not accepted (Status tells).
func (l *Learner) Accepted(ctx context.Context, op *rampart.Operation, send Sender) (*Request, *engine.Response, error) {
	st := l.state(op)
	st.learning.Lock()
	defer st.learning.Unlock()
	var last *engine.Response
	for round := 0; round < MaxRounds; round++ {
		st.mu.Lock()
		status, spent := st.status, st.spent
		st.mu.Unlock()
		if status != Untried || spent >= maxSpentPerOp {
			break
		}
		req := l.Request(op)
		resp, err := send(ctx, req)
		if err != nil {
			return req, last, err
		}
		last = resp
		if !l.Learn(op, req, resp) {
			return req, resp, nil
		}
	}
	return l.Request(op), last, nil
}

// Learn reads an answer to a request for op (sent by Accepted or by a
// check) and remembers what it says: a 2xx marks the request accepted, a
// 400 or 422 that names fields fixes them. It reports whether a retry
// would send a different request.
func (l *Learner) Learn(op *rampart.Operation, req *Request, resp *engine.Response) bool {
	if resp == nil || req == nil {
		return false
	}
	st := l.state(op)
	st.mu.Lock()
	defer st.mu.Unlock()
	// A header the answer names comes first, whatever the status: an
	// API may refuse with a 200 whose body is the complaint.
	hdrChanged, complained := l.headersFrom(st, op, req.Header, resp)
	for _, n := range hdrChanged {
		if !Privileged(n) {
			return true // Request carries it now
		}
	}
	if complained && resp.Status >= 200 && resp.Status < 300 {
		if st.status == Untried {
			st.status = Rejected
		}
		return false
	}
	switch {
	case resp.Status >= 200 && resp.Status < 300:
		st.status = Accepted
		return false
	case resp.Status == http.StatusBadRequest || resp.Status == http.StatusUnprocessableEntity:
	case (resp.Status == http.StatusConflict || resp.Status >= http.StatusInternalServerError) && st.status != Accepted &&
		st.spent < maxSpentPerOp && l.untakeAnswer(st, op, req, resp):
		st.spent++
		return true
	case resp.Status == http.StatusNotFound || resp.Status == http.StatusConflict || resp.Status == http.StatusGone ||
		resp.Status == http.StatusPreconditionFailed || (resp.Status >= 300 && resp.Status < 400 && resp.Status != http.StatusNotModified):
		// A form post answered with a redirect has been handled: the
		// redirect is where the browser goes next.
		if st.status != Accepted {
			st.status = Passed
		}
		return false
	default:
		// 401, 403, 405, 429, 5xx: nothing about the request's shape.
		return false
	}
	if st.spent >= maxSpentPerOp {
		return false
	}
	st.spent++
	if st.status == Accepted || st.status == Passed {
		// Past validation before: this answer is about the check's own
		// edit (an injected value), not about what the API wants.
		return false
	}
	known := knownOf(op, req)
	if l.hints != nil {
		known.Seen = func(n string) bool { return len(l.hints(op, "body", []string{n})) > 0 }
	}
	problems := Parse(resp.Body, known)
	if words, taken := takenWords(resp.Body); taken && l.untake(st, op, req, problems, words) {
		return true
	}
	changed := false
	for _, p := range problems {
		if l.apply(st, op, req, p) {
			changed = true
		}
	}
	if !changed {
		st.status = Rejected
	}
	return changed
}

// knownOf lists what the request sent and the operation documents.
func knownOf(op *rampart.Operation, req *Request) Known {
	k := Known{Body: map[string]bool{}, Params: map[string]string{}}
	for _, p := range op.Params {
		k.Params[p.Name] = p.In
	}
	for n := range req.Query {
		k.Params[n] = "query"
	}
	for n := range req.Header {
		k.Params[n] = "header"
	}
	leaves(req.Body, nil, 0, func(path []string, _ any) {
		k.Body[dotted(path)] = true
		k.Body[path[len(path)-1]] = true
	})
	if op.Body != nil {
		schemaNames(op.Body.Schema, nil, 0, k.Body)
	}
	return k
}

func schemaNames(s *rampart.Schema, path []string, depth int, out map[string]bool) {
	if s == nil || depth > 6 || len(out) > 512 {
		return
	}
	for _, n := range slices.Sorted(maps.Keys(s.Properties)) {
		p := append(slices.Clip(path), n)
		out[dotted(p)] = true
		out[n] = true
		schemaNames(s.Properties[n], p, depth+1, out)
	}
	if s.Items != nil {
		schemaNames(s.Items, append(slices.Clip(path), "0"), depth+1, out)
	}
}

// Request builds the best request known for op: parameters and body from
// the spec (examples, enums, formats, bounds), values the API has shown
// (Hints), then everything the API's answers taught. It sends nothing.
// Fields that must differ on every request (Idempotency-Key) get a new
// value on each call.
func (l *Learner) Request(op *rampart.Operation) *Request {
	st := l.state(op)
	st.mu.Lock()
	fixes := maps.Clone(st.fixes)
	st.mu.Unlock()

	r := &Request{Op: op, Path: map[string]string{}, Query: map[string]string{}, Header: http.Header{}}
	for i := range op.Params {
		p := &op.Params[i]
		key := p.In + ":" + p.Name
		f, fixed := fixes[key]
		if fixed && f.drop {
			continue
		}
		v := l.paramValue(op, p)
		if fixed {
			v = surface.Format(f.v)
		}
		switch p.In {
		case "path":
			r.Path[p.Name] = v
		case "query":
			if p.Required || fixed || p.Example != nil || (p.Schema != nil && p.Schema.Example != nil) {
				r.Query[p.Name] = v
			}
		case "header":
			if credentialHeader(p.Name) {
				continue
			}
			if p.Required || fixed || p.Example != nil || freshName(p.Name) {
				if freshName(p.Name) {
					v = l.fresh()
				}
				r.Header.Set(p.Name, v)
			}
		}
	}
	// Parameters the API asked for that the spec does not declare.
	for _, key := range slices.Sorted(maps.Keys(fixes)) {
		in, name, _ := strings.Cut(key, ":")
		f := fixes[key]
		if f.drop || op.Param(in, name) != nil {
			continue
		}
		switch in {
		case "query":
			r.Query[name] = surface.Format(f.v)
		case "header":
			if Privileged(name) {
				// Learned (Headers lists it) but never sent on the
				// learner's own: see Header.Privileged.
				continue
			}
			v := surface.Format(f.v)
			if freshName(name) {
				v = l.fresh()
			}
			r.Header.Set(name, v)
		}
	}
	if op.Body != nil {
		r.ContentType = op.Body.ContentType
		if r.ContentType == "" {
			r.ContentType = "application/json"
		}
		body := l.bodyValue(op)
		for _, key := range slices.Sorted(maps.Keys(fixes)) {
			path, ok := strings.CutPrefix(key, "body:")
			if !ok {
				continue
			}
			switch f := fixes[key]; {
			case f.drop:
				deleteAt(body, undotted(path))
			case f.unique:
				// The base is the value the request has there (a learned
				// fix's, else the spec's, a hint's or a synthesised one),
				// never the value of the request the answer was to, which
				// may be a check's probe.
				at := undotted(path)
				base, _ := f.v.(string)
				if f.v == nil {
					cur, _ := getAt(body, at)
					base, _ = cur.(string)
				}
				if base != "" {
					body = setAt(body, at, l.unique(base, schemaAt(op.Body.Schema, at)))
				}
			default:
				body = setAt(body, undotted(path), deepCopy(f.v))
			}
		}
		l.freshFields(body)
		r.Body = body
	}
	return r
}

// credentialHeaders carry identities; the learner never fills them.
func credentialHeader(n string) bool {
	switch http.CanonicalHeaderKey(n) {
	case "Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token",
		"X-Access-Token", "X-Csrf-Token", "X-Xsrf-Token", "Host", "Content-Type", "Content-Length":
		return true
	}
	return false
}

// freshName says a field must differ on every request: an idempotency key
// or a request id makes the API replay (or refuse) a request it has seen.
func freshName(n string) bool {
	w := strings.Join(surface.Words(n), " ")
	return strings.Contains(w, "idempotency") || strings.HasSuffix(w, "request id") || w == "nonce" ||
		strings.HasSuffix(w, "dedup key") || strings.HasSuffix(w, "deduplication id")
}

// fresh is a value no earlier request of the scan carried.
func (l *Learner) fresh() string {
	return fmt.Sprintf("rampart-%s-%06d", l.tag, l.seq.Add(1))
}

func (l *Learner) freshFields(body any) {
	m, ok := body.(map[string]any)
	if !ok {
		return
	}
	for k, v := range m {
		if _, isStr := v.(string); isStr && freshName(k) {
			m[k] = l.fresh()
		}
	}
}

func (l *Learner) paramValue(op *rampart.Operation, p *rampart.Param) string {
	if l.hints != nil {
		for _, h := range l.hints(op, p.In, []string{p.Name}) {
			if fits(h, p.Schema) {
				return surface.Format(h)
			}
		}
	}
	return l.mark(surface.PathValue(op, p), p.Schema, p.Example != nil)
}

// bodyValue is the spec's body (example or synthesised), marked for this
// scan, with fields the API has shown values for filled with them.
func (l *Learner) bodyValue(op *rampart.Operation) any {
	doc := deepCopy(surface.BodyValue(op))
	if op.Body.Example != nil {
		return doc
	}
	leaves(doc, nil, 0, func(path []string, v any) {
		s := schemaAt(op.Body.Schema, path)
		if str, ok := v.(string); ok {
			if m := l.mark(str, s, false); m != str {
				doc = setAt(doc, path, m)
			}
		}
		if l.hints == nil {
			return
		}
		for _, h := range l.hints(op, "body", path) {
			if fits(h, s) {
				doc = setAt(doc, path, h)
				return
			}
		}
	})
	return doc
}

// fits reports whether a harvested value suits a field's schema.
func fits(v any, s *rampart.Schema) bool {
	if v == nil {
		return false
	}
	if s == nil {
		return true
	}
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			if surface.Format(e) == surface.Format(v) {
				return true
			}
		}
		return false
	}
	str := surface.Format(v)
	if s.Pattern != "" {
		if ok, err := matchPattern(s.Pattern, str); err == nil && !ok {
			return false
		}
	}
	if s.MaxLength > 0 && len([]rune(str)) > s.MaxLength {
		return false
	}
	return true
}

// Fresh reports whether a parameter or field must carry a new value on
// every request (an idempotency key, a request id).
func Fresh(name string) bool { return freshName(name) }

// Refresh gives the fresh-valued headers of h (Fresh names) new values,
// so that a request sent again is not replayed by the API.
func (l *Learner) Refresh(h http.Header) {
	for k := range h {
		if freshName(k) {
			h.Set(k, l.fresh())
		}
	}
}
