package apimodel

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// PerUnit is the most requests exploring sends for one read operation as
// one identity: the whole exploration sends at most PerUnit × GET
// operations × identities (anonymous included).
const PerUnit = 3

// maxRounds bounds how many times exploring goes back for operations
// whose parameters the previous rounds taught it to fill.
const maxRounds = 4

// exploreWorkers is how many exploring requests are in flight at once
// (the engine's own concurrency limit still applies).
const exploreWorkers = 8

// ExploreStats is what exploring cost, for the report.
type ExploreStats struct {
	// Requests sent; Budget the most it could have sent (PerUnit × read
	// operations × identities).
	Requests int `json:"requests"`
	Budget   int `json:"budget"`
	// Units are the (operation, identity) pairs read at least once, and
	// MaxUnit the most requests one of them took.
	Units   int `json:"units"`
	MaxUnit int `json:"maxUnitRequests"`
	Rounds  int `json:"rounds"`
}

// explorable says whether exploring may read an operation.
func explorable(op *rampart.Operation) bool { return surface.PlainRead(op) }

// keyParam says whether a query parameter looks like it picks an object:
// exploring fills it from the harvest rather than with a made-up value.
func keyParam(p rampart.Param) bool {
	if p.In != "query" {
		return false
	}
	w := words(p.Name)
	if len(w) == 0 {
		return false
	}
	switch w[len(w)-1] {
	case "id", "number", "username", "email", "key", "code", "slug", "isbn":
		return true
	}
	return userParam(p.Name)
}

// needs are the parameters of op exploring must fill from the harvest:
// its path parameters and its query parameters that pick an object.
func needs(op *rampart.Operation) (required, optional []rampart.Param) {
	for _, p := range op.Params {
		switch {
		case p.In == "path":
			required = append(required, p)
		case keyParam(p) && p.Required:
			required = append(required, p)
		case keyParam(p):
			optional = append(optional, p)
		}
	}
	return required, optional
}

// Explore reads the API as every identity (anonymous included), safely:
// GET operations only, never a logout-, revoke- or delete-like one nor the
// spec, within PerUnit requests per operation and identity. First the
// operations that take no path parameter, then, in rounds, those whose
// parameters the harvest can fill with values the identity owns or has
// seen; last, the anonymous caller once at each parameterised read an
// identity was answered, so that Gate knows which reads need credentials. Requests go through the engine (scope, mode, rate and redaction
// apply) with the operation's key as their Route. What the answers show
// reaches the model through Observe, which must be the engine's observer;
// Explore itself records how each identity was answered (Gate). It does
// nothing in passive mode.
func (m *Model) Explore(ctx context.Context, c *engine.Client, ids []*identity.Identity) (ExploreStats, error) {
	var st ExploreStats
	if m == nil || c == nil {
		return st, nil
	}
	m.Register(ids...)
	if c.Mode() == rampart.Passive {
		return st, nil
	}
	var ops []*rampart.Operation
	for _, op := range m.ops() {
		if explorable(op) {
			ops = append(ops, op)
		}
	}
	st.Budget = PerUnit * len(ops) * len(ids)
	x := &explorer{m: m, c: c, sent: map[readKey]int{}, urls: map[string]bool{}, done: map[readKey]bool{}}
	// Round 0: what needs no value from the harvest.
	var first []job
	for _, id := range ids {
		for _, op := range ops {
			if req, _ := needs(op); len(req) == 0 {
				first = append(first, job{id: id, op: op, url: surface.URL(m.base, op, nil), probe: probeExplore})
			}
		}
	}
	x.run(ctx, first)
	st.Rounds = 1
	for round := 1; round < maxRounds && ctx.Err() == nil; round++ {
		jobs := x.plan(ids, ops)
		if len(jobs) == 0 {
			break
		}
		x.run(ctx, jobs)
		st.Rounds++
	}
	x.run(ctx, x.gates(ids, ops))
	st.Requests = x.requests
	for _, n := range x.sent {
		st.Units++
		st.MaxUnit = max(st.MaxUnit, n)
	}
	m.mu.Lock()
	m.explored = st
	m.mu.Unlock()
	return st, ctx.Err()
}

type job struct {
	id    *identity.Identity
	op    *rampart.Operation
	url   string
	probe probe
}

type explorer struct {
	m        *Model
	c        *engine.Client
	mu       sync.Mutex
	sent     map[readKey]int  // requests per (operation, identity)
	urls     map[string]bool  // identity + URL already sent
	done     map[readKey]bool // answered with data
	requests int
}

// plan is the next round: for every identity and parameterised operation
// not yet answered, one URL filled with values the identity owns or saw,
// unless it was sent already.
func (x *explorer) plan(ids []*identity.Identity, ops []*rampart.Operation) []job {
	var jobs []job
	for _, id := range ids {
		for _, op := range ops {
			req, opt := needs(op)
			if len(req)+len(opt) == 0 {
				continue
			}
			k := readKey{op.Key(), id.Name}
			x.mu.Lock()
			skip := x.done[k] || x.sent[k] >= PerUnit
			x.mu.Unlock()
			if skip {
				continue
			}
			if u := x.fill(id, op, req, opt); u != "" {
				jobs = append(jobs, job{id: id, op: op, url: u, probe: probeExplore})
			}
		}
	}
	return jobs
}

// gates are the anonymous caller's reads of the parameterised operations
// it had no value for, at a URL an identity was answered with data: what
// it gets there says whether the read needs credentials (Gate). What it is
// shown is not harvested.
func (x *explorer) gates(ids []*identity.Identity, ops []*rampart.Operation) []job {
	var anon *identity.Identity
	for _, id := range ids {
		if id.IsAnonymous() {
			anon = id
		}
	}
	if anon == nil {
		return nil
	}
	var jobs []job
	x.m.mu.RLock()
	defer x.m.mu.RUnlock()
	for _, op := range ops {
		if req, _ := needs(op); len(req) == 0 || len(x.m.reads[readKey{op.Key(), anon.Name}]) > 0 {
			continue
		}
	next:
		for _, id := range ids {
			for _, r := range x.m.reads[readKey{op.Key(), id.Name}] {
				if r.Data && r.Status >= 200 && r.Status <= 299 {
					jobs = append(jobs, job{id: anon, op: op, url: r.URL, probe: probeGate})
					break next
				}
			}
		}
	}
	return jobs
}

// fill builds a URL of op with values id owns first, then values it saw;
// "" when a required parameter has none or every combination was sent.
func (x *explorer) fill(id *identity.Identity, op *rampart.Operation, req, opt []rampart.Param) string {
	q := Query{As: id, Owner: Visible, Limit: PerUnit}
	choices := map[string][]string{}
	for _, p := range req {
		cs := x.m.Values(op, p.Name, q)
		if len(cs) == 0 {
			return ""
		}
		for _, c := range cs {
			choices[p.Name] = append(choices[p.Name], c.Value)
		}
	}
	for _, p := range opt {
		for _, c := range x.m.Values(op, p.Name, q) {
			choices[p.Name] = append(choices[p.Name], c.Value)
		}
	}
	if len(choices) == 0 {
		return ""
	}
	// Vary one parameter at a time, the last first (the object), keeping
	// the best value of the others (its owner's name, its parent's id).
	names := slices.Sorted(maps.Keys(choices))
	base := map[string]string{}
	for _, n := range names {
		base[n] = choices[n][0]
	}
	for i := len(names) - 1; i >= 0; i-- {
		for _, v := range choices[names[i]] {
			vals := maps.Clone(base)
			vals[names[i]] = v
			u := surface.URL(x.m.base, op, vals)
			x.mu.Lock()
			seen := x.urls[id.Name+"\x00"+u]
			x.mu.Unlock()
			if !seen {
				return u
			}
		}
	}
	return ""
}

func (x *explorer) run(ctx context.Context, jobs []job) {
	work := make(chan job)
	var wg sync.WaitGroup
	for range min(exploreWorkers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				x.read(ctx, j)
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
}

func (x *explorer) read(ctx context.Context, j job) {
	k := readKey{j.op.Key(), j.id.Name}
	mark := j.id.Name + "\x00" + j.url
	x.mu.Lock()
	if x.sent[k] >= PerUnit || x.urls[mark] {
		x.mu.Unlock()
		return
	}
	x.sent[k]++
	x.urls[mark] = true
	x.requests++
	x.mu.Unlock()

	x.m.mu.Lock()
	x.m.exploring[mark] = j.probe
	x.m.mu.Unlock()
	// A first look: a throttled route is not waited for here (the checks
	// wait for it), so the exploration's rounds never stall on one.
	resp, err := j.id.Do(ctx, x.c, &engine.Request{Method: http.MethodGet, URL: j.url, Route: j.op.Key(), NoWait429: true})
	x.m.mu.Lock()
	delete(x.m.exploring, mark)
	x.m.mu.Unlock()
	if err != nil {
		return
	}
	shape, data := shapeOf(resp)
	x.m.mu.Lock()
	x.m.reads[k] = append(x.m.reads[k], read{URL: j.url, Status: resp.Status, Shape: shape, Data: data})
	x.m.mu.Unlock()
	if data && resp.Status >= 200 && resp.Status <= 299 {
		x.mu.Lock()
		x.done[k] = true
		x.mu.Unlock()
	}
}

// errorKeys are what an answer that is only an error or a refusal holds.
var errorKeys = map[string]bool{
	"error": true, "errors": true, "message": true, "msg": true, "detail": true, "status": true, "code": true,
	"title": true, "type": true, "description": true, "success": true, "ok": true,
}

// shapeOf sums an answer up for comparing how identities were answered:
// the kind of payload and its keys (an object's, or a list item's), and
// whether it carries data rather than an error.
func shapeOf(r *engine.Response) (string, bool) {
	doc, ok := decode(r.Body)
	if !ok {
		ct := r.Header.Get("Content-Type")
		if i := strings.IndexByte(ct, ';'); i >= 0 {
			ct = ct[:i]
		}
		ct = strings.TrimSpace(strings.ToLower(ct))
		if len(ct) > 64 {
			ct = ct[:64]
		}
		if len(strings.TrimSpace(string(r.Body))) == 0 {
			return "empty", false
		}
		return "text " + ct, len(r.Body) > 32
	}
	env := Open(doc)
	switch x := env.Payload.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		data := false
		for _, k := range keys {
			if !errorKeys[strings.ToLower(k)] {
				data = true
			}
		}
		return "object" + keyList(keys), data
	case []any:
		if len(x) > 0 {
			if o, ok := x[0].(map[string]any); ok {
				return "list" + keyList(slices.Sorted(maps.Keys(o))), true
			}
			return "list", true
		}
		return "list (empty)", false
	}
	return "scalar", false
}

func keyList(keys []string) string {
	if len(keys) > 12 {
		keys = keys[:12]
	}
	var short []string
	for _, k := range keys {
		if len(k) > 32 {
			k = k[:32]
		}
		short = append(short, k)
	}
	sort.Strings(short)
	return "{" + strings.Join(short, ",") + "}"
}
