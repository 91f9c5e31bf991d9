package surface

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Requester sends one request through the caller's engine, with the
// credentials of the identity the caller chose. Deepen asks it for GET and
// OPTIONS only.
type Requester func(ctx context.Context, method, u string) (status int, header http.Header, body []byte, err error)

// Deepen bounds: a discovered API has tens of routes, and each costs a few
// requests at most.
const (
	maxDeepenReads = 80 // GETs: collections, detail guesses and their controls
	maxDeepenAsks  = 60 // OPTIONS
	maxKeyTries    = 5  // fields of a listing's items tried as its key
)

// Deepening is what Deepen learned.
type Deepening struct {
	// Operations are the new ones, in the order learned; the caller adds
	// them to its surface.
	Operations []*rampart.Operation
	Reads      int
	Asks       int
}

// Note says in one line what deepening did, for the report.
func (d *Deepening) Note(who string) string {
	return fmt.Sprintf("signed in as %s, discovery read %d answers and asked %d paths which methods they take: %d more operations", who, d.Reads, d.Asks, len(d.Operations))
}

// Deepen learns what discovery without credentials could not see, from a
// surface that was discovered rather than documented (ops, relative to
// base). Signed in through do, it reads the collections discovery found
// (many refuse anonymous callers), follows the links their answers hold,
// finds the route to one item of each listing by trying the items' key
// fields against a made-up key (GET /devices lists {"name": "d1"}; GET
// /devices/d1 answers while /devices/<random> does not: GET
// /devices/{name}), and asks every path which methods it takes (OPTIONS:
// Allow), the methodless paths (Surface.Methodless) too. It sends only
// GET and OPTIONS, only under base, within a budget. unwrap takes an
// answer's envelopes off ({"data": [...]}): the caller's, so that
// discovery reads answers as every check does (nil: answers are their own
// payload).
func Deepen(ctx context.Context, base *url.URL, ops []*rampart.Operation, methodless []string, do Requester, unwrap func(any) any) (*Deepening, error) {
	if err := checkBase(base); err != nil {
		return nil, err
	}
	if unwrap == nil {
		unwrap = func(v any) any { return v }
	}
	d := &deepener{base: base, do: do, unwrap: unwrap, have: map[string]bool{}, answers: map[string]any{}, out: &Deepening{}}
	for _, op := range ops {
		d.have[op.Method+" "+op.Path] = true
	}
	var reads, asks []concrete
	for _, op := range ops {
		c, ok := concreteOf(op)
		if !ok {
			continue
		}
		asks = append(asks, c)
		if op.Method == http.MethodGet {
			reads = append(reads, c)
		}
	}
	for _, p := range methodless {
		if !strings.ContainsAny(p, "{}") {
			asks = append(asks, concrete{template: p, path: p})
		}
	}
	for i := 0; i < len(reads); i++ {
		if err := ctx.Err(); err != nil {
			return d.out, err
		}
		found, err := d.read(ctx, reads[i])
		if err != nil {
			return d.out, err
		}
		reads = append(reads, found...)
		asks = append(asks, found...)
	}
	asked := map[string]bool{}
	for _, c := range asks {
		if err := ctx.Err(); err != nil {
			return d.out, err
		}
		if asked[c.template] || d.out.Asks >= maxDeepenAsks {
			continue
		}
		asked[c.template] = true
		if err := d.ask(ctx, c); err != nil {
			return d.out, err
		}
	}
	return d.out, nil
}

// concrete is a path template with a value for each of its parameters.
type concrete struct {
	template string
	path     string
	params   []rampart.Param // the template's path parameters, with examples
}

// concreteOf fills op's path from its parameters' examples; false when one
// has none.
func concreteOf(op *rampart.Operation) (concrete, bool) {
	c := concrete{template: op.Path, path: op.Path}
	for _, p := range op.Params {
		if p.In != "path" {
			continue
		}
		if p.Example == nil {
			return c, false
		}
		c.path = strings.ReplaceAll(c.path, "{"+p.Name+"}", url.PathEscape(fmt.Sprint(p.Example)))
		c.params = append(c.params, p)
	}
	return c, !strings.ContainsAny(c.path, "{}")
}

type deepener struct {
	base    *url.URL
	do      Requester
	unwrap  func(any) any
	have    map[string]bool // "METHOD /template"
	answers map[string]any  // template → its JSON answer signed in
	out     *Deepening
}

func (d *deepener) url(p string) string {
	u := *d.base
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(u.Path, "/") + p
	u.RawPath = ""
	return u.String()
}

func (d *deepener) get(ctx context.Context, p string) (int, []byte, bool, error) {
	if d.out.Reads >= maxDeepenReads {
		return 0, nil, false, nil
	}
	d.out.Reads++
	status, _, body, err := d.do(ctx, http.MethodGet, d.url(p))
	if err != nil {
		return 0, nil, false, ctx.Err() // a path that fails taught nothing
	}
	return status, body, true, nil
}

func (d *deepener) add(op *rampart.Operation) bool {
	k := op.Method + " " + op.Path
	if d.have[k] {
		return false
	}
	d.have[k] = true
	d.out.Operations = append(d.out.Operations, op)
	return true
}

// read GETs a path signed in and learns from its answer: links, and the
// route to one of the items it lists. It returns the paths it learned.
func (d *deepener) read(ctx context.Context, c concrete) ([]concrete, error) {
	if !safeToGet(c.path) {
		return nil, nil
	}
	status, body, sent, err := d.get(ctx, c.path)
	if err != nil || !sent || status/100 != 2 {
		return nil, err
	}
	v, ok := decodeJSON(body)
	if !ok {
		return nil, nil
	}
	if _, seen := d.answers[c.template]; !seen {
		d.answers[c.template] = v
	}
	var found []concrete
	page, err := url.Parse(d.url(c.path))
	if err != nil {
		return nil, nil
	}
	for _, s := range jsonLinks(v) {
		lu, err := page.Parse(s)
		if err != nil || !sameOrigin(lu, d.base) {
			continue
		}
		rel, ok := strings.CutPrefix(lu.Path, strings.TrimSuffix(d.base.Path, "/"))
		if !ok || !strings.HasPrefix(rel, "/") || isStaticAsset(rel) {
			continue
		}
		tmpl, params := templatize(rel)
		if rest, below := strings.CutPrefix(rel, c.path+"/"); below && len(c.params) > 0 {
			// Below the item it was linked from: the item's key stays
			// a parameter, whatever its value looks like.
			rt, rp := templatize("/" + rest)
			tmpl, params = c.template+rt, append(slices.Clone(c.params), rp...)
		}
		op := &rampart.Operation{Method: http.MethodGet, Path: tmpl, Params: params, Source: rampart.SourceCrawl,
			Origin: "linked from GET " + c.path + " (signed in)"}
		if d.add(op) {
			if lc, ok := concreteOf(op); ok {
				found = append(found, lc)
			}
		}
	}
	if item, ok := d.item(ctx, c, v); ok {
		found = append(found, item)
	}
	return found, nil
}

// item finds the route to one item of a listing, if c answered one.
func (d *deepener) item(ctx context.Context, c concrete, v any) (concrete, bool) {
	items := objectsIn(d.unwrap(v))
	if len(items) == 0 || strings.HasSuffix(c.template, "}") {
		return concrete{}, false // a detail's nested list is not a collection of its own path
	}
	coll := lastSegment(c.template)
	fields := keyFields(items[0], coll)
	if len(fields) == 0 {
		return concrete{}, false
	}
	// A key that cannot exist: what the API answers to it is "no such
	// item"; an answer unlike it is an item.
	control, _, sent, err := d.get(ctx, c.path+"/"+randomSegment())
	if err != nil || !sent || control/100 == 2 {
		return concrete{}, false
	}
	for i, f := range fields {
		if i >= maxKeyTries {
			break
		}
		val := items[0][f]
		key := scalarText(val)
		status, body, sent, err := d.get(ctx, c.path+"/"+url.PathEscape(key))
		if err != nil || !sent {
			return concrete{}, false
		}
		if status == control || (status/100 != 2 && status != http.StatusForbidden) {
			continue
		}
		name := paramName(f, c.template)
		if dv, ok := decodeJSON(body); ok && status/100 == 2 {
			d.answers[strings.TrimSuffix(c.template, "/")+"/{"+name+"}"] = dv
		}
		p := rampart.Param{Name: name, In: "path", Required: true, Schema: valueSchema(val), Example: val}
		tmpl := strings.TrimSuffix(c.template, "/") + "/{" + name + "}"
		op := &rampart.Operation{Method: http.MethodGet, Path: tmpl, Params: append(slices.Clone(c.params), p),
			Source: rampart.SourceProbe, Origin: fmt.Sprintf("the `%s` of an item GET %s lists", f, c.path)}
		if !d.add(op) {
			return concrete{}, false
		}
		return concrete{template: tmpl, path: c.path + "/" + url.PathEscape(key), params: op.Params}, true
	}
	return concrete{}, false
}

// ask sends OPTIONS to a path and learns the methods its Allow header
// names that the surface lacks.
func (d *deepener) ask(ctx context.Context, c concrete) error {
	d.out.Asks++
	status, header, _, err := d.do(ctx, http.MethodOptions, d.url(c.path))
	if err != nil {
		return ctx.Err()
	}
	if status/100 != 2 {
		return nil
	}
	for _, m := range allowed(header.Get("Allow")) {
		op := &rampart.Operation{Method: m, Path: c.template, Params: slices.Clone(c.params), Source: rampart.SourceProbe,
			Origin: "the Allow header of OPTIONS " + c.path}
		if m != http.MethodDelete {
			op.Body = d.bodyFor(m, c.template)
		}
		d.add(op)
	}
	return nil
}

// bodyFor guesses the body of a write nothing documents from what the API
// answered signed in: an item's own fields for PUT and PATCH on the item,
// a listed item's for POST on its collection, less the fields the server
// sets (its key, timestamps, its owner). With nothing to go on it is an
// empty JSON object, whose validation answer says what is missing.
func (d *deepener) bodyFor(method, template string) *rampart.Body {
	s := &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{}}
	var obj map[string]any
	switch v := d.answers[template]; {
	case method == http.MethodPost && !strings.HasSuffix(template, "}"):
		if items := objectsIn(d.unwrap(v)); len(items) > 0 {
			obj = items[0]
		}
	case method != http.MethodPost:
		obj, _ = d.unwrap(v).(map[string]any)
	}
	key := ""
	if i := strings.LastIndex(template, "{"); i >= 0 && strings.HasSuffix(template, "}") {
		key = template[i+1 : len(template)-1]
	}
	for f, v := range obj {
		if serverSet(f, key) {
			continue
		}
		p := inferSchema(v, 1)
		if t := scalarText(v); t != "" || isBoolValue(v) {
			p.Example = v
		}
		s.Properties[f] = p
	}
	return &rampart.Body{ContentType: "application/json", Schema: s}
}

var serverSetField = lazyre.New(`(?i)^(id|_id|uuid|guid|owner|owner_?id|user_?id|author|author_?id|created|updated|deleted|modified|(created|updated|deleted|modified)_?(at|on|by|date|time)|links|_links|href|self|url)$`)

// serverSet reports a field the server sets rather than the client: the
// item's key, its owner, timestamps and links.
func serverSet(field, key string) bool {
	return field == key || serverSetField.MatchString(field)
}

func isBoolValue(v any) bool {
	_, ok := v.(bool)
	return ok
}

func decodeJSON(body []byte) (any, bool) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	return v, true
}

// objectsIn is the objects of a list, nil when v is no list of objects.
func objectsIn(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && len(m) > 0 {
			out = append(out, m)
		}
	}
	return out
}

func lastSegment(p string) string {
	p = strings.TrimSuffix(p, "/")
	return strings.ToLower(p[strings.LastIndex(p, "/")+1:])
}

var (
	keyWords  = map[string]bool{"uuid": true, "guid": true, "slug": true, "key": true, "code": true, "number": true, "handle": true, "username": true, "login": true, "email": true, "name": true}
	idSuffix  = lazyre.New(`(?i)^(.+?)[_-]?id$`)
	tokenLike = lazyre.New(`^[A-Za-z0-9._~@+:-]{1,64}$`)
)

// keyFields orders an item's fields by how likely each is to be the key of
// its route: id, then <thing>_id of the collection's own thing, then key-
// like names (uuid, slug, code, name…), then any other short token-like
// value, then values with spaces (titles used as keys). Ids of other
// things (owner_id) and values no path could hold are left out.
func keyFields(item map[string]any, coll string) []string {
	thing := Singular(coll)
	rank := map[string]int{}
	for f, v := range item {
		s := scalarText(v)
		if s == "" || len(s) > 128 {
			continue
		}
		if _, isBool := v.(bool); isBool {
			continue
		}
		lf := strings.ToLower(f)
		spaced := strings.ContainsAny(s, " \t")
		switch m := idSuffix.FindStringSubmatch(lf); {
		case lf == "id" || lf == "_id":
			rank[f] = 0
		case m != nil && strings.Trim(m[1], "_-") == thing:
			rank[f] = 1
		case m != nil:
			continue // the id of another thing
		case keyWords[lf] || strings.HasSuffix(lf, "_number") || strings.HasSuffix(lf, "_code") || strings.HasSuffix(lf, "_key"):
			if spaced {
				rank[f] = 4
			} else {
				rank[f] = 2
			}
		case tokenLike.MatchString(s) && !strings.Contains(s, "://") && !isNumberText(v):
			rank[f] = 3
		case spaced && (lf == "title" || lf == "subject" || lf == "label") && len(s) <= 64:
			rank[f] = 4
		}
	}
	out := slices.Collect(maps.Keys(rank))
	slices.SortFunc(out, func(a, b string) int {
		if rank[a] != rank[b] {
			return rank[a] - rank[b]
		}
		return strings.Compare(a, b)
	})
	return out
}

// isNumberText reports a numeric value that is not an integer (an amount,
// a price): never a key.
func isNumberText(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	_, err := n.Int64()
	return err != nil
}

// scalarText is a string or integer value as it would appear in a path;
// "" for anything else.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return x.String()
		}
	}
	return ""
}

func valueSchema(v any) *rampart.Schema {
	if n, ok := v.(json.Number); ok {
		if _, err := n.Int64(); err == nil {
			return &rampart.Schema{Type: "integer"}
		}
	}
	return &rampart.Schema{Type: "string"}
}

var notParamChars = lazyre.New(`[^A-Za-z0-9_]+`)

// paramName names a key parameter after its field, unique in the template.
func paramName(field, template string) string {
	name := strings.Trim(notParamChars.ReplaceAllString(field, "_"), "_")
	if name == "" {
		name = "id"
	}
	for i := 2; strings.Contains(template, "{"+name+"}"); i++ {
		name = strings.TrimRight(name, "0123456789") + strconv.Itoa(i)
	}
	return name
}
