// Package holdings is what each identity of a scan legitimately sees, read
// from the API's own answers: the objects in them (ids, owners, distinctive
// values, with bounded walks over hostile JSON) and, once per scan, the
// inventory of every identity's lists. The authorization checks (authz,
// authn) and the fixtures share it, so it lives outside the check packages;
// the API model (internal/apimodel) is meant to take its place.
package holdings

import (
	"context"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// The inventory is what each identity legitimately sees: the answers of the
// read operations that take no object id (lists, "me", settings), the
// objects in them, who owns each object, and the caller's own user id. It is
// collected once per scan and shared by every authorization check, so that
// "whose object is this?" is answered from the API's own answers rather than
// from names the scanner guesses.

// Item is one JSON object with an identifier seen in a list or read.
type Item struct {
	Source string            // path template of the operation that returned it
	ID     string            // its own identifier
	Owner  string            // value of its owner field, "" when it has none
	Fields map[string]string // identifier-like scalar fields, by folded name
}

// holdings is what one identity sees: what the checks derive from the
// answers, not the answers, since it is kept for the whole scan.
type holdings struct {
	who    *identity.Identity
	selfID string
	self   map[string]any // the caller's own object, from a "me"-like answer
	items  []Item
	// Indexes into items, by source and by identifier-like field name,
	// built on first use: the checks ask them for every operation.
	indexed           sync.Once
	bySource, byField map[string][]int
	// values are the distinctive values of everything the identity sees,
	// except objects that name another owner: an admin export that leaks
	// other users' rows must not make their data look like the caller's own.
	values map[string]bool
}

// mine reports whether an object is the identity's own or unowned (and so
// legitimately visible to it).
func (h *holdings) mine(it Item) bool {
	return it.Owner == "" || h.selfID == "" || it.Owner == h.selfID
}

// Inventory is the per-scan collection.
type Inventory struct {
	by   map[string]*holdings // identity name → holdings
	anon *holdings
}

func (inv *Inventory) of(id *identity.Identity) *holdings {
	if id == nil || id.IsAnonymous() {
		return inv.anon
	}
	return inv.by[id.Name]
}

// SelfID returns the identity's own user id when a "me"-like answer showed it.
func (inv *Inventory) SelfID(id *identity.Identity) string {
	if h := inv.of(id); h != nil {
		return h.selfID
	}
	return ""
}

// Values returns the distinctive values the identity sees as its own.
func (inv *Inventory) Values(id *identity.Identity) map[string]bool {
	if h := inv.of(id); h != nil {
		return h.values
	}
	return nil
}

// Self returns the identity's own object (the "me"-like answer), or nil.
func (inv *Inventory) Self(id *identity.Identity) map[string]any {
	if h := inv.of(id); h != nil {
		return h.self
	}
	return nil
}

// collectable reports whether a read operation is part of the inventory.
// Userish params are filled with the caller's own id in a second round.
func collectable(op *rampart.Operation, allowSelf bool) bool {
	if !surface.PlainRead(op) {
		return false
	}
	segs := strings.Split(strings.Trim(op.Path, "/"), "/")
	if IsParam(segs[len(segs)-1]) {
		return false // an item read, not a list
	}
	for _, s := range segs {
		if IsParam(s) && (!allowSelf || !Userish(ParamName(s))) {
			return false
		}
	}
	return true
}

func IsParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

func ParamName(seg string) string { return strings.TrimSuffix(strings.TrimPrefix(seg, "{"), "}") }

func HasPathParams(path string) bool { return strings.Contains(path, "{") }

// Userish says whether a parameter names a user (user_id, ownerId,
// member): its value for the caller is the caller's own id.
func Userish(name string) bool {
	w := surface.Words(name)
	if len(w) == 0 {
		return false
	}
	if l := w[len(w)-1]; l == "id" || l == "uuid" || l == "pk" {
		w = w[:len(w)-1]
	}
	if len(w) == 0 {
		return false
	}
	switch w[len(w)-1] {
	case "user", "users", "owner", "member", "customer", "person", "profile", "author", "uid", "me", "self":
		return true
	}
	return false
}

// Collect returns the scan's inventory, collecting it on first use. Its
// requests are shared by every authorization check and operation, so they
// go straight to the engine instead of one unit's budget.
func Collect(ctx context.Context, p *check.Pass) (*Inventory, error) {
	v, err := p.Shared.Once("authz:inventory", func() (any, error) { return collect(ctx, p) })
	if err != nil {
		return nil, err
	}
	return v.(*Inventory), nil
}

func collect(ctx context.Context, p *check.Pass) (*Inventory, error) {
	inv := &Inventory{by: map[string]*holdings{}}
	ids := append([]*identity.Identity{p.Anonymous()}, p.Authenticated()...)
	hs := make([]*holdings, len(ids))
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hs[i], errs[i] = collectOne(ctx, p, id)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for i, h := range hs {
		if h == nil {
			continue // that identity could not be collected; the others still count
		}
		if ids[i].IsAnonymous() {
			inv.anon = h
		} else {
			inv.by[ids[i].Name] = h
		}
	}
	if inv.anon == nil {
		inv.anon = &holdings{who: p.Anonymous(), values: map[string]bool{}}
	}
	for _, e := range errs {
		if e != nil && len(inv.by) == 0 {
			return nil, e
		}
	}
	return inv, nil
}

func collectOne(ctx context.Context, p *check.Pass, who *identity.Identity) (*holdings, error) {
	h := &holdings{who: who, values: map[string]bool{}}
	// What each answer holds is worked out as it arrives, so that only the
	// answers in flight are held however many lists the API has.
	answers := map[string]*listed{} // op key → its answer, digested
	var first []listRead
	for _, op := range p.Surface {
		if collectable(op, false) {
			first = append(first, listRead{op: op})
		}
	}
	if err := fetchLists(ctx, p, who, first, answers); err != nil {
		return nil, err
	}
	h.selfID = findSelf(answers)
	// Second round: lists under the caller's own id (/users/{user_id}/notes).
	if h.selfID != "" {
		var second []listRead
		for _, op := range p.Surface {
			if collectable(op, true) && !collectable(op, false) {
				vals := map[string]string{}
				for _, s := range strings.Split(op.Path, "/") {
					if IsParam(s) {
						vals[ParamName(s)] = h.selfID
					}
				}
				second = append(second, listRead{op: op, values: vals})
			}
		}
		if err := fetchLists(ctx, p, who, second, answers); err != nil {
			return nil, err
		}
	}
	h.self = selfIn(answers, h.selfID)
	for _, op := range p.Surface {
		a := answers[op.Key()]
		if a == nil || !a.data {
			continue
		}
		h.items = append(h.items, a.items...)
		for v := range a.values.leaves(h.selfID) {
			h.values[v] = true
		}
	}
	return h, nil
}

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

// ItemsIn lists the objects with an identifier in a document.
func ItemsIn(doc any, source string) []Item {
	var out []Item
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > MaxDepth || len(out) >= MaxLeaves {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if id, ok := IDOf(x); ok {
				it := Item{Source: source, ID: id, Fields: map[string]string{}}
				it.Owner, _ = OwnerOf(x)
				for k, fv := range x {
					if IsIDKey(k) {
						if s, ok := Scalar(fv); ok {
							it.Fields[NormKey(k)] = s
						}
					}
				}
				out = append(out, it)
				return // objects inside an object (its owner, its comments) are not of this collection
			}
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], depth+1)
			}
		case []any:
			for i, c := range x {
				if i >= MaxItems {
					break
				}
				walk(c, depth+1)
			}
		}
	}
	walk(doc, 0)
	return out
}

// loginKeys are fields that only an account object has.
var loginKeys = []string{"username", "email", "login", "user_name", "preferred_username", "userName", "emailAddress", "email_address"}

// selfObject returns the object of a "me"-like answer: a single object
// (not a list) with an id and an account field such as a username or
// e-mail address.
func selfObject(r *engine.Response) map[string]any {
	if r == nil || r.Status < 200 || r.Status > 299 {
		return nil
	}
	doc, ok := DecodeJSON(r.Body)
	if !ok {
		return nil
	}
	m := ObjectIn(doc)
	if m == nil {
		return nil
	}
	if _, ok := IDOf(m); !ok {
		return nil
	}
	for _, k := range loginKeys {
		if _, ok := m[k]; ok {
			return m
		}
	}
	return nil
}

func (h *holdings) index() {
	h.indexed.Do(func() {
		h.bySource, h.byField = map[string][]int{}, map[string][]int{}
		for i, it := range h.items {
			h.bySource[it.Source] = append(h.bySource[it.Source], i)
			for k := range it.Fields {
				h.byField[k] = append(h.byField[k], i)
			}
		}
	})
}

// fromCollections returns the indexes of the items listed by any of the
// collections, in the order they were seen.
func (h *holdings) fromCollections(colls map[string]bool) []int {
	h.index()
	var out []int
	for c := range colls {
		out = append(out, h.bySource[c]...)
	}
	slices.Sort(out)
	return out
}

// listRead is one list the inventory reads, with the path values to use.
type listRead struct {
	op     *rampart.Operation
	values map[string]string
}

// collectWorkers is how many lists of one identity are read at once. Every
// authorization check waits for the inventory, so reading thousands of
// lists one after the other held the whole scan up; the engine's
// concurrency limit still bounds what is in flight.
const collectWorkers = 8

// fetchLists reads the lists and digests each answer into answers. A list
// that cannot be read is left out; only a cancelled scan stops it.
func fetchLists(ctx context.Context, p *check.Pass, who *identity.Identity, reads []listRead, answers map[string]*listed) error {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		work = make(chan listRead)
	)
	for range min(collectWorkers, len(reads)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				resp, err := collectGet(ctx, p, who, p.URL(r.op, r.values))
				if err != nil {
					continue
				}
				d := digest(resp, r.op)
				mu.Lock()
				answers[r.op.Key()] = d
				mu.Unlock()
			}
		}()
	}
	for _, r := range reads {
		if ctx.Err() != nil {
			break
		}
		work <- r
	}
	close(work)
	wg.Wait()
	return ctx.Err()
}

// selfIn returns the caller's own object: the first "me"-like answer (by
// operation key) whose id is the caller's.
func selfIn(answers map[string]*listed, selfID string) map[string]any {
	for _, k := range slices.Sorted(maps.Keys(answers)) {
		if m := answers[k].self; m != nil {
			if s, _ := IDOf(m); s == selfID {
				return m
			}
		}
	}
	return nil
}

// findSelf returns the caller's own id from the "me"-like answers, the one
// most of them agree on.
func findSelf(answers map[string]*listed) string {
	count := map[string]int{}
	best := ""
	for _, k := range slices.Sorted(maps.Keys(answers)) {
		if m := answers[k].self; m != nil {
			id, _ := IDOf(m)
			count[id]++
			if best == "" || count[id] > count[best] {
				best = id
			}
		}
	}
	return best
}

// Candidates returns the ids the identity legitimately uses for an
// operation's parameter, best first: its own user id for a user-like
// parameter, the ids of its objects listed by the parent collection
// (/notes for /notes/{note_id}, /accounts for /account/{id}), and values of
// fields named like the parameter.
func (inv *Inventory) Candidates(op *rampart.Operation, prm rampart.Param, who *identity.Identity) []string {
	h := inv.of(who)
	if h == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if Userish(prm.Name) {
		add(h.selfID)
	}
	for _, i := range h.fromCollections(collectionsFor(op.Path, prm)) {
		if it := h.items[i]; h.mine(it) {
			add(it.ID)
		}
	}
	if want := NormKey(prm.Name); want != "id" {
		h.index()
		for _, i := range h.byField[want] {
			if it := h.items[i]; h.mine(it) {
				add(it.Fields[want])
			}
		}
	}
	return out
}

// Sees reports whether the identity legitimately sees an object id for an
// operation's parameter: among its own candidates, or listed for it by the
// parameter's collection whoever the object's owner field names (a note
// shared with it, a team's document).
func (inv *Inventory) Sees(op *rampart.Operation, prm rampart.Param, who *identity.Identity, id string) bool {
	if slices.Contains(inv.Candidates(op, prm, who), id) {
		return true
	}
	h := inv.of(who)
	if h == nil {
		return false
	}
	for _, i := range h.fromCollections(collectionsFor(op.Path, prm)) {
		if h.items[i].ID == id {
			return true
		}
	}
	return false
}

// collectionsFor names the list paths whose objects a parameter refers to:
// the parent of /things/{id} (singular and plural spellings), or the path
// itself for a query parameter.
func collectionsFor(path string, prm rampart.Param) map[string]bool {
	out := map[string]bool{}
	parent := path
	if prm.In == "path" {
		ph := "/{" + prm.Name + "}"
		i := strings.LastIndex(path, ph)
		if i < 0 || i+len(ph) != len(path) {
			return out // only the last segment is the object; /users/{id}/notes lists the user's notes
		}
		parent = path[:i]
	}
	if parent == "" {
		return out
	}
	out[parent] = true
	dir, last := "", parent
	if i := strings.LastIndex(parent, "/"); i >= 0 {
		dir, last = parent[:i], parent[i+1:]
	}
	for _, v := range spellings(last) {
		out[dir+"/"+v] = true
	}
	return out
}

// spellings gives the singular and plural forms of a path segment.
func spellings(s string) []string {
	out := []string{s + "s", s + "es"}
	switch {
	case strings.HasSuffix(s, "ies"):
		out = append(out, strings.TrimSuffix(s, "ies")+"y")
	case strings.HasSuffix(s, "ses"), strings.HasSuffix(s, "xes"):
		out = append(out, strings.TrimSuffix(s, "es"))
	case strings.HasSuffix(s, "y"):
		out = append(out, strings.TrimSuffix(s, "y")+"ies")
	}
	if strings.HasSuffix(s, "s") {
		out = append(out, strings.TrimSuffix(s, "s"))
	}
	return out
}

// read is what the authorization checks keep of a shared GET: a read never
// changes state, so the same URL as the same identity needs one request,
// and what they ask of it afterwards is its status and whether it carries
// data. It is used before any check writes; read-backs after a write use
// fresh requests.
type Read struct {
	Status int
	Data   bool // DataAnswer
}

func readKey(who *identity.Identity, url string) string { return "authz:get " + who.Name + " " + url }

// SharedGet is a GET whose summary is shared by every check in the scan.
func SharedGet(ctx context.Context, p *check.Pass, who *identity.Identity, url string) (Read, error) {
	if who == nil {
		who = p.Anonymous()
	}
	v, err := p.Shared.Once(readKey(who, url), func() (any, error) {
		r, err := p.Do(ctx, who, &engine.Request{Method: http.MethodGet, URL: url})
		if err != nil {
			return nil, err
		}
		return Read{Status: r.Status, Data: DataAnswer(r)}, nil
	})
	if err != nil {
		return Read{}, err
	}
	return v.(Read), nil
}

// collectGet is the inventory's GET: it needs the whole answer once, and
// leaves its summary for SharedGet.
func collectGet(ctx context.Context, p *check.Pass, who *identity.Identity, url string) (*engine.Response, error) {
	r, err := p.Do(ctx, who, &engine.Request{Method: http.MethodGet, URL: url})
	p.Shared.Once(readKey(who, url), func() (any, error) {
		if err != nil {
			return nil, err
		}
		return Read{Status: r.Status, Data: DataAnswer(r)}, nil
	})
	return r, err
}

// listed is what the inventory keeps of one answer: its "me"-like object,
// the objects it lists and its distinctive values, worked out from the body
// as it arrives, before the caller's own id is known.
type listed struct {
	self   map[string]any // selfObject
	data   bool           // a 2xx JSON answer that is not an error nor a spec
	items  []Item
	values ownedLeaves
}

func digest(r *engine.Response, op *rampart.Operation) *listed {
	l := &listed{self: selfObject(r)}
	if r == nil || r.Status < 200 || r.Status > 299 || check.LooksLikeError(r.Body) {
		return l
	}
	doc, ok := DecodeJSON(r.Body)
	if !ok || isSpecDoc(doc) {
		return l
	}
	l.data, l.items, l.values = true, ItemsIn(doc, op.Path), ownedLeavesOf(doc)
	return l
}

// DataAnswer is a 2xx answer that carries data rather than an error.
func DataAnswer(r *engine.Response) bool {
	return r != nil && r.Status >= 200 && r.Status <= 299 && check.HasData(r.Body) && !check.LooksLikeError(r.Body)
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ImpossibleID is an id of the same kind as sample that no object has.
func ImpossibleID(prm rampart.Param, sample string) string {
	s := prm.Schema
	switch {
	case uuidRe.MatchString(sample) || (s != nil && strings.EqualFold(s.Format, "uuid")):
		return "00000000-0000-4000-8000-0000000dead0"
	case s != nil && (s.Type == "integer" || s.Type == "number"):
		return "987654321"
	}
	if _, err := strconv.ParseInt(sample, 10, 64); err == nil {
		return "987654321"
	}
	return "rampart-no-such-object"
}
