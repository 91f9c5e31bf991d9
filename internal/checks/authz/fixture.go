package authz

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// Write-side checks never touch data they did not create, except to write
// one field of an identity's own object and write it back at once. The
// helpers here create objects that carry a random canary, read them back as
// their owner, and remove them at the end, keeping a record of what happened
// so that every finding can say what the scan left behind.

// Bounds that keep a scan of a large API within the checks' budgets: the
// write-side checks work on at most this many collections (and upsert-style
// writes) per scan, and send at most this many harmless probes.
const (
	MaxCollections = 10
	MaxProbes      = 40
)

// Resource is a collection and its item template as the spec shows them:
// /notes and /notes/{note_id}.
type Resource struct {
	Coll, Item, Param string
	Create, List      *rampart.Operation // POST and GET on Coll
	Get, Put, Patch   *rampart.Operation // on Item
	Delete, Post      *rampart.Operation // on Item
}

// Op returns the resource's operation on the item for a method.
func (r *Resource) Op(method string) *rampart.Operation {
	switch method {
	case http.MethodGet:
		return r.Get
	case http.MethodPut:
		return r.Put
	case http.MethodPatch:
		return r.Patch
	case http.MethodDelete:
		return r.Delete
	case http.MethodPost:
		return r.Post
	}
	return nil
}

// Nested reports whether the collection itself needs path parameters
// (/users/{id}/notes): write flows leave those alone, since filling the
// parent with a guessed id could touch an object the scan does not own.
func (r *Resource) Nested() bool { return hasPathParams(r.Coll) }

// Removable reports whether the scan can create an object here and delete
// it again. Nothing is created where it cannot be removed.
func (r *Resource) Removable() bool { return r.Create != nil && r.Delete != nil && !r.Nested() }

// Resources groups operations by item template.
func Resources(ops []*rampart.Operation) []*Resource {
	by := map[string]*Resource{}
	for _, op := range ops {
		segs := strings.Split(op.Path, "/")
		last := segs[len(segs)-1]
		if !isParam(last) {
			continue
		}
		r := by[op.Path]
		if r == nil {
			r = &Resource{Item: op.Path, Coll: strings.Join(segs[:len(segs)-1], "/"), Param: paramName(last)}
			by[op.Path] = r
		}
		switch op.Method {
		case http.MethodGet:
			r.Get = op
		case http.MethodPut:
			r.Put = op
		case http.MethodPatch:
			r.Patch = op
		case http.MethodDelete:
			r.Delete = op
		case http.MethodPost:
			r.Post = op
		}
	}
	byColl := map[string][]*Resource{}
	for _, r := range by {
		byColl[r.Coll] = append(byColl[r.Coll], r)
	}
	for _, op := range ops {
		for _, r := range byColl[op.Path] {
			switch op.Method {
			case http.MethodPost:
				r.Create = op
			case http.MethodGet:
				r.List = op
			}
		}
	}
	out := make([]*Resource, 0, len(by))
	for _, r := range by {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Item < out[j].Item })
	return out
}

// NewCanary returns a random marker that survives most field validators:
// lower-case letters and digits, 17 characters.
func NewCanary() string {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms; a clock-based
		// marker is still unique enough for one scan.
		return fmt.Sprintf("rampart%010x", time.Now().UnixNano()&0xffffffffff)
	}
	return "rampart" + hex.EncodeToString(b[:])
}

// codedName marks fields whose values come from a fixed vocabulary or
// format (a currency, a country, a status): a canary there would only be
// rejected, or change how the object behaves.
var codedName = regexp.MustCompile(`(?i)(^|_|-)(currency|country|locale|lang|language|timezone|tz|status|state|type|kind|role|roles|scope|scopes|permission|permissions|group|groups|url|uri|href|link|phone|mobile|zip|postcode|postal|color|colour|date|time|at|ip|host|domain|sort|order|format|mime|version|code|sku|iban|bic|swift|card|cvv|ssn)($|_|-)|[a-z](At|Date|Time|Url|Code)$`)

// secretName marks credential fields, never touched.
var secretName = regexp.MustCompile(`(?i)(pass(word|wd|phrase)?|secret|token|api_?key|hash|salt|otp|totp|mfa|2fa|pin$|private)`)

// freeText says whether a string field may carry a canary.
func freeText(name string, s *rampart.Schema) bool {
	if isIDKey(name) || secretName.MatchString(name) || codedName.MatchString(name) {
		return false
	}
	if s == nil {
		return true
	}
	if len(s.Enum) > 0 || s.ReadOnly || (s.Type != "" && s.Type != "string") {
		return false
	}
	switch strings.ToLower(s.Format) {
	case "", "email", "idn-email":
		return true
	}
	return false
}

// fitCanary returns a value for a field that contains the canary and meets
// the field's format, length and pattern, or false.
func fitCanary(canary string, s *rampart.Schema) (string, bool) {
	cands := []string{canary, strings.ToUpper(canary), "Rampart " + canary}
	if s != nil && strings.Contains(strings.ToLower(s.Format), "email") {
		cands = []string{canary + "@example.com"}
	}
	for _, v := range cands {
		if s == nil {
			return v, true
		}
		if s.MinLength > len(v) {
			v += strings.Repeat("x", s.MinLength-len(v))
		}
		if s.MaxLength > 0 && len(v) > s.MaxLength {
			continue
		}
		if s.Pattern != "" {
			re, err := regexp.Compile(s.Pattern)
			if err != nil || !re.MatchString(v) {
				continue
			}
		}
		return v, true
	}
	return "", false
}

// CanaryBody returns op's synthesised JSON body with every free-text string
// field set to a value that carries the canary, and the names of those
// fields. ok is false when the body is not a JSON object or no field could
// carry the canary.
func CanaryBody(p *check.Pass, op *rampart.Operation, canary string) (body map[string]any, fields []string, ok bool) {
	if op == nil || op.Body == nil {
		return nil, nil, false
	}
	raw, ct := p.Body(op)
	if !strings.Contains(strings.ToLower(ct), "json") {
		return nil, nil, false
	}
	doc, okj := decodeJSON(raw)
	m, isObj := doc.(map[string]any)
	if !okj || !isObj {
		return nil, nil, false
	}
	var props map[string]*rampart.Schema
	if op.Body.Schema != nil {
		props = op.Body.Schema.Properties
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if _, isStr := m[k].(string); !isStr {
			continue
		}
		s := props[k]
		if !freeText(k, s) {
			continue
		}
		if v, ok := fitCanary(canary, s); ok {
			m[k] = v
			fields = append(fields, k)
		}
	}
	return m, fields, len(fields) > 0
}

func jsonBody(m map[string]any) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		return []byte("{}")
	}
	return b
}

// send is a metered request with an optional JSON body.
func send(ctx context.Context, p *check.Pass, who *identity.Identity, method, u string, body map[string]any) (*engine.Response, error) {
	r := &engine.Request{Method: method, URL: u}
	if body != nil {
		r.Body = jsonBody(body)
		r.Header = http.Header{"Content-Type": {"application/json"}}
	}
	return p.Send(ctx, who, r)
}

func ok2xx(r *engine.Response) bool { return r != nil && r.Status >= 200 && r.Status <= 299 }

// Presence is what a read-back says about an object.
type Presence int

const (
	Unknown Presence = iota
	Present
	Gone
)

// view is a GET that shows an object.
type view struct {
	op  *rampart.Operation
	url string
}

// Object is something the scan created.
type Object struct {
	Res     *Resource
	Owner   *identity.Identity // who created it
	ID      string
	URL     string // the item URL, for writes and deletes
	Canary  string
	Created *engine.Response
	views   []view
	// Gone is set once a read-back showed it removed; By says who removed it.
	Gone bool
	By   string
	// failed says why it could not be removed, if so.
	failed string
}

// Create makes an object as who on a resource the scan can clean up. It
// returns the create answer even when nothing was created (a refusal is
// evidence too), and a nil object then.
func Create(ctx context.Context, p *check.Pass, res *Resource, who *identity.Identity) (*Object, *engine.Response, error) {
	return createWith(ctx, p, res, who, nil)
}

// createWith is Create with extra body fields (mass-assignment probes).
func createWith(ctx context.Context, p *check.Pass, res *Resource, who *identity.Identity, extra map[string]any) (*Object, *engine.Response, error) {
	if !res.Removable() {
		return nil, nil, nil
	}
	canary := NewCanary()
	body, _, ok := CanaryBody(p, res.Create, canary)
	if !ok {
		return nil, nil, nil
	}
	for k, v := range extra {
		body[k] = v
	}
	resp, err := send(ctx, p, who, http.MethodPost, p.URL(res.Create, nil), body)
	if err != nil || !ok2xx(resp) {
		return nil, resp, err
	}
	o := &Object{Res: res, Owner: who, Canary: canary, Created: resp}
	o.ID = createdID(resp, res)
	loc := resp.Header.Get("Location")
	if o.ID == "" && loc != "" {
		if u, err := url.Parse(loc); err == nil {
			if vals, ok := matchTemplate(u.Path, res.Item); ok {
				o.ID = vals[res.Param]
			}
		}
	}
	if o.ID == "" && res.List != nil {
		o.ID = findInList(ctx, p, res, who, canary)
	}
	if o.ID == "" {
		return nil, resp, fmt.Errorf("created an object with POST %s as %s (canary %s) but could not learn its id, so it was not removed", res.Coll, who.Name, canary)
	}
	o.URL = p.URL(itemOp(res), map[string]string{res.Param: o.ID})
	if res.Get != nil {
		o.views = append(o.views, view{op: res.Get, url: o.URL})
	}
	if loc != "" {
		if v, ok := locationView(p, loc, res); ok {
			o.views = append(o.views, v)
		}
	}
	return o, resp, nil
}

// itemOp is any operation on the item template, to build its URL.
func itemOp(res *Resource) *rampart.Operation {
	for _, op := range []*rampart.Operation{res.Get, res.Put, res.Patch, res.Delete, res.Post} {
		if op != nil {
			return op
		}
	}
	return &rampart.Operation{Path: res.Item}
}

// createdID reads the new object's id from a create answer.
func createdID(resp *engine.Response, res *Resource) string {
	doc, ok := decodeJSON(resp.Body)
	if !ok {
		return ""
	}
	m := objectIn(doc)
	if m == nil {
		return ""
	}
	want := normKey(res.Param)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if normKey(k) == want {
			if s, ok := scalar(m[k]); ok && s != "" {
				return s
			}
		}
	}
	if id, ok := idOf(m); ok {
		return id
	}
	return ""
}

func findInList(ctx context.Context, p *check.Pass, res *Resource, who *identity.Identity, canary string) string {
	r, err := p.Send(ctx, who, &engine.Request{Method: http.MethodGet, URL: p.URL(res.List, nil)})
	if err != nil || !ok2xx(r) {
		return ""
	}
	doc, ok := decodeJSON(r.Body)
	if !ok {
		return ""
	}
	var found string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if found != "" || depth > maxDepth {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if id, ok := idOf(x); ok {
				if b, err := json.Marshal(x); err == nil && containsFold(b, canary) {
					found = id
					return
				}
			}
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], depth+1)
			}
		case []any:
			for i, c := range x {
				if i >= maxItems {
					break
				}
				walk(c, depth+1)
			}
		}
	}
	walk(doc, 0)
	return found
}

// locationView turns a Location header into a read of the object when it
// points at another GET template of the spec (POST /admin/users answering
// Location: /users/7).
func locationView(p *check.Pass, loc string, res *Resource) (view, bool) {
	u, err := url.Parse(loc)
	if err != nil {
		return view{}, false
	}
	for _, op := range p.Surface {
		if op.Method != http.MethodGet || op.Path == res.Item || !hasPathParams(op.Path) {
			continue
		}
		if vals, ok := matchTemplate(u.Path, op.Path); ok {
			return view{op: op, url: p.URL(op, vals)}, true
		}
	}
	return view{}, false
}

// matchTemplate matches the end of a path against a template and returns
// the parameter values. The path may carry a base path before the template.
func matchTemplate(path, tmpl string) (map[string]string, bool) {
	ps := strings.Split(strings.Trim(path, "/"), "/")
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	if len(ps) < len(ts) || len(ts) == 0 {
		return nil, false
	}
	ps = ps[len(ps)-len(ts):]
	vals := map[string]string{}
	for i, t := range ts {
		if isParam(t) {
			v, err := url.PathUnescape(ps[i])
			if err != nil || v == "" {
				return nil, false
			}
			vals[paramName(t)] = v
			continue
		}
		if t != ps[i] {
			return nil, false
		}
	}
	return vals, true
}

// Read reads the object back as who.
func (o *Object) Read(ctx context.Context, p *check.Pass, who *identity.Identity) (*engine.Response, Presence, error) {
	for _, v := range o.views {
		r, err := p.Send(ctx, who, &engine.Request{Method: http.MethodGet, URL: v.url})
		if err != nil {
			return nil, Unknown, err
		}
		switch {
		case ok2xx(r) && check.HasData(r.Body):
			return r, Present, nil
		case r.Status == http.StatusNotFound || r.Status == http.StatusGone:
			return r, Gone, nil
		}
	}
	if o.Res.List == nil {
		return nil, Unknown, nil
	}
	r, err := p.Send(ctx, who, &engine.Request{Method: http.MethodGet, URL: p.URL(o.Res.List, nil)})
	if err != nil || !ok2xx(r) {
		return r, Unknown, err
	}
	doc, ok := decodeJSON(r.Body)
	if !ok {
		return r, Unknown, nil
	}
	for _, it := range itemsIn(doc, o.Res.Coll) {
		if it.id == o.ID {
			return r, Present, nil
		}
	}
	return r, Gone, nil
}

// cleanupCtx lets removal finish when the scan is being cancelled: leaving
// objects behind is worse than a few more seconds.
func cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
}

// Remove deletes the object as its creator, or as an admin identity when
// the creator cannot, and checks with a read-back that it is gone.
func (o *Object) Remove(ctx context.Context, p *check.Pass) {
	if o == nil || o.Gone {
		return
	}
	ctx, cancel := cleanupCtx(ctx)
	defer cancel()
	tried := []*identity.Identity{o.Owner}
	for _, id := range p.Authenticated() {
		if id.Role == identity.RoleAdmin && id != o.Owner {
			tried = append(tried, id)
		}
	}
	var last string
	for _, who := range tried {
		r, err := p.Send(ctx, who, &engine.Request{Method: http.MethodDelete, URL: o.URL})
		if err != nil {
			last = err.Error()
			continue
		}
		// Verify as the creator, or as the deleter when the creator cannot
		// read the object (a user's object in an admin collection).
		pr := Unknown
		for _, reader := range []*identity.Identity{o.Owner, who} {
			if _, pr, err = o.Read(ctx, p, reader); err != nil || pr != Unknown {
				break
			}
		}
		if err == nil && pr == Gone {
			o.Gone, o.By = true, who.Name
			return
		}
		last = fmt.Sprintf("DELETE as %s answered %d", who.Name, r.Status)
	}
	o.failed = last
}

// Noun names the object for messages: "note 1043" for /notes/{note_id}.
func (o *Object) Noun() string {
	seg := o.Res.Coll
	if i := strings.LastIndex(seg, "/"); i >= 0 {
		seg = seg[i+1:]
	}
	seg = strings.TrimSuffix(seg, "s")
	if seg == "" {
		seg = "object"
	}
	return seg + " " + o.ID
}

// Story says what the scan created and whether it was removed, for the
// finding's message.
func (o *Object) Story() string {
	s := fmt.Sprintf("Rampart created %s as %s (POST %s, canary %s)", o.Noun(), o.Owner.Name, o.Res.Coll, o.Canary)
	switch {
	case o.Gone && o.By != "":
		s += fmt.Sprintf("; it was deleted by %s and is gone", o.By)
	case o.failed != "":
		s += "; it could NOT be removed (" + o.failed + "): delete it by hand"
	default:
		s += "; it was not removed yet"
	}
	return s + "."
}

// Proof is one write the attacker made that the owner's read-back shows.
type Proof struct {
	Method   string
	Attacker *identity.Identity
	Attack   *engine.Response // the attacker's request and answer
	After    *engine.Response // the owner's read-back
	Before   *engine.Response // the owner's read before, when there was one
	Marker   string           // what the attacker wrote
	Field    string           // the field it wrote, when one
	Restored string           // how the owner's value was put back, for existing objects
}

// Update has the attacker change the object with method and a body whose
// free-text fields carry a new marker, then reads it back as the owner. A
// nil proof means the owner's object did not change. op may be nil (method
// swap): the body is then built from the owner's view of the object.
func (o *Object) Update(ctx context.Context, p *check.Pass, op *rampart.Operation, method string, attacker *identity.Identity) (*Proof, error) {
	marker := NewCanary()
	var body map[string]any
	if op != nil {
		b, _, ok := CanaryBody(p, op, marker)
		if !ok {
			return nil, nil
		}
		body = b
	} else {
		cur, pr, err := o.Read(ctx, p, o.Owner)
		if err != nil || pr != Present {
			return nil, err
		}
		body = markedCopy(cur, marker)
		if body == nil {
			return nil, nil
		}
	}
	attack, err := send(ctx, p, attacker, method, o.URL, body)
	if err != nil {
		if errors.Is(err, check.ErrBudget) {
			return nil, err
		}
		return nil, err
	}
	if attack.Status == http.StatusMethodNotAllowed || attack.Status == http.StatusNotImplemented {
		return nil, nil
	}
	after, pr, err := o.Read(ctx, p, o.Owner)
	if err != nil || pr != Present || !containsFold(after.Body, marker) {
		return nil, err
	}
	return &Proof{Method: method, Attacker: attacker, Attack: attack, After: after, Marker: marker}, nil
}

// markedCopy turns the owner's view of an object into an update body whose
// free-text fields carry the marker.
func markedCopy(r *engine.Response, marker string) map[string]any {
	doc, ok := decodeJSON(r.Body)
	if !ok {
		return nil
	}
	m := objectIn(doc)
	if m == nil {
		return nil
	}
	out := map[string]any{}
	marked := false
	for k, v := range m {
		if isIDKey(k) {
			continue
		}
		if _, isStr := v.(string); isStr && freeText(k, nil) {
			out[k] = marker
			marked = true
			continue
		}
		out[k] = v
	}
	if !marked {
		return nil
	}
	return out
}

// Delete has the attacker delete the object, then reads it back as the
// owner. A nil proof means it is still there.
func (o *Object) Delete(ctx context.Context, p *check.Pass, method string, attacker *identity.Identity) (*Proof, error) {
	attack, err := send(ctx, p, attacker, method, o.URL, nil)
	if err != nil {
		return nil, err
	}
	if attack.Status == http.StatusMethodNotAllowed || attack.Status == http.StatusNotImplemented {
		return nil, nil
	}
	after, pr, err := o.Read(ctx, p, o.Owner)
	if err != nil || pr != Gone {
		return nil, err
	}
	o.Gone, o.By = true, attacker.Name
	return &Proof{Method: method, Attacker: attacker, Attack: attack, After: after}, nil
}

// Overwrite tests a write operation on an object the scan did not create
// (an upsert keyed by a path id, a PUT on a resource with no create): the
// attacker writes a marker into one field of the owner's object, the owner
// reads it back, and the owner's original value is written back at once.
// values fill the path. A nil proof means nothing changed, or the test
// could not be made safely; sent says whether the attacker's write was
// sent at all (a refused write is a conclusive answer).
func Overwrite(ctx context.Context, p *check.Pass, write, get *rampart.Operation, values map[string]string, owner, attacker *identity.Identity) (proof *Proof, sent bool, err error) {
	getURL := p.URL(get, values)
	before, err := p.Send(ctx, owner, &engine.Request{Method: http.MethodGet, URL: getURL})
	if err != nil || !ok2xx(before) {
		return nil, false, err
	}
	doc, ok := decodeJSON(before.Body)
	if !ok {
		return nil, false, nil
	}
	pre := objectIn(doc)
	if pre == nil {
		return nil, false, nil
	}
	marker := NewCanary()
	body, fields, ok := CanaryBody(p, write, marker)
	if !ok {
		return nil, false, nil
	}
	// One field carries the marker; every other field keeps the owner's
	// value, so the attacker's write changes exactly one thing, and that
	// thing can be written back.
	field := ""
	for _, f := range fields {
		// Never a login name or e-mail address: if writing it back failed,
		// the identity could no longer log in.
		if _, isStr := pre[f].(string); isStr && !loginField.MatchString(f) {
			field = f
			break
		}
	}
	if field == "" {
		return nil, false, nil
	}
	required := map[string]bool{}
	if write.Body.Schema != nil {
		for _, r := range write.Body.Schema.Required {
			required[r] = true
		}
	}
	restore := map[string]any{}
	for k := range body {
		if k == field {
			restore[k] = pre[k]
			continue
		}
		if v, ok := pre[k]; ok {
			if _, isScalar := scalar(v); isScalar {
				body[k], restore[k] = v, v
				continue
			}
		}
		if !required[k] {
			delete(body, k)
			continue
		}
		restore[k] = body[k] // a required field the read does not show: sent as synthesised both times
	}
	u := p.URL(write, values)
	attack, err := send(ctx, p, attacker, write.Method, u, body)
	if err != nil {
		return nil, false, err
	}
	if attack.Status == http.StatusMethodNotAllowed {
		return nil, true, nil
	}
	after, err := p.Send(ctx, owner, &engine.Request{Method: http.MethodGet, URL: getURL})
	if err != nil {
		return nil, true, err
	}
	if !ok2xx(after) || !containsFold(after.Body, marker) {
		return nil, true, nil
	}
	pf := &Proof{Method: write.Method, Attacker: attacker, Attack: attack, Before: before, After: after, Marker: marker, Field: field}
	pf.Restored = restoreField(ctx, p, write, u, getURL, restore, field, pre[field], owner)
	return pf, true, nil
}

// restoreField writes the owner's original values back, as the owner and
// then as an admin identity, and says how it went.
func restoreField(ctx context.Context, p *check.Pass, write *rampart.Operation, u, getURL string, body map[string]any, field string, want any, owner *identity.Identity) string {
	ctx, cancel := cleanupCtx(ctx)
	defer cancel()
	whos := []*identity.Identity{owner}
	for _, id := range p.Authenticated() {
		if id.Role == identity.RoleAdmin && id != owner {
			whos = append(whos, id)
		}
	}
	wantS, _ := scalar(want)
	for _, who := range whos {
		if _, err := send(ctx, p, who, write.Method, u, body); err != nil {
			continue
		}
		r, err := p.Send(ctx, owner, &engine.Request{Method: http.MethodGet, URL: getURL})
		if err != nil || !ok2xx(r) {
			continue
		}
		if doc, ok := decodeJSON(r.Body); ok {
			if m := objectIn(doc); m != nil {
				if got, _ := scalar(m[field]); got == wantS {
					return fmt.Sprintf("%s's original %s was written back by %s (verified)", owner.Name, field, who.Name)
				}
			}
		}
	}
	return fmt.Sprintf("Rampart could NOT write back %s's original %s (%q): restore it by hand", owner.Name, field, wantS)
}

// Failed says why the object could not be removed, or "".
func (o *Object) Failed() string { return o.failed }

// Collect returns the scan's inventory of what each identity legitimately
// sees (see collect.go), collecting it on first use.
func Collect(ctx context.Context, p *check.Pass) (*Inventory, error) { return inventory(ctx, p) }

// ImpossibleID is an id of the parameter's kind that no object has.
func ImpossibleID(prm rampart.Param) string { return impossibleID(prm, "") }

// AnonymousWriteAdvice returns the stack-specific remediation for a write that succeeded
// without credentials.
func AnonymousWriteAdvice(p *check.Pass) string { return advise(p, adviceAnonWrite) }
