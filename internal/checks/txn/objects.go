package txn

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// Objects a check creates are deleted by their owner at the end, and the
// finding says what was created and what could not be removed; state a
// check changes on an existing object is put back when the API lets us
// read it first.

// janitor remembers what one identity's writes created.
type janitor struct {
	p    *check.Pass
	who  *identity.Identity
	op   *rampart.Operation
	seen map[string]bool
	// urls to DELETE, in creation order; orphans are created objects no
	// DELETE operation can remove.
	urls    []string
	orphans []string
	deleted []string
	failed  []string
}

func newJanitor(p *check.Pass, who *identity.Identity, op *rampart.Operation) *janitor {
	return &janitor{p: p, who: who, op: op, seen: map[string]bool{}}
}

// add records the object a 2xx answer to a creating write describes. An
// answer that returns an object seen before (a replayed result, an upsert)
// adds nothing.
func (j *janitor) add(r *engine.Response) {
	if !ok2xx(r) || j.op.Method != http.MethodPost {
		return
	}
	id := resultID(r)
	if id == "" || j.seen[id] {
		return
	}
	j.seen[id] = true
	if u := deleteURL(j.p, j.op, r); u != "" {
		j.urls = append(j.urls, u)
		return
	}
	j.orphans = append(j.orphans, describeObject(r))
}

// created is how many distinct objects were recorded.
func (j *janitor) created() int { return len(j.seen) }

// run deletes what was created, as its owner.
func (j *janitor) run(ctx context.Context) {
	for _, u := range j.urls {
		resp, err := j.p.Send(ctx, j.who, &engine.Request{Method: http.MethodDelete, URL: u})
		path := u
		if pu, perr := url.Parse(u); perr == nil {
			path = pu.Path
		}
		if err != nil || resp.Status >= 300 {
			j.failed = append(j.failed, path)
			continue
		}
		j.deleted = append(j.deleted, path)
	}
	j.urls = nil
}

// note says what the writes left behind, for the finding.
func (j *janitor) note() string {
	var parts []string
	if len(j.deleted) > 0 {
		parts = append(parts, fmt.Sprintf("created and deleted again: %s", strings.Join(j.deleted, ", ")))
	}
	if len(j.failed) > 0 {
		parts = append(parts, fmt.Sprintf("could not delete: %s", strings.Join(j.failed, ", ")))
	}
	if len(j.orphans) > 0 {
		parts = append(parts, fmt.Sprintf("created, and not removable through the API (no DELETE operation): %s", strings.Join(j.orphans, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Objects: " + strings.Join(parts, "; ") + "."
}

func describeObject(r *engine.Response) string {
	if loc := r.Header.Get("Location"); loc != "" {
		return loc
	}
	return resultID(r)
}

// deleteURL finds how to delete what r describes: the DELETE operation
// whose template matches the Location header, else the DELETE of
// "<collection>/{id}" with the answer's id.
func deleteURL(p *check.Pass, op *rampart.Operation, r *engine.Response) string {
	if loc := r.Header.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			for _, d := range indexOf(p).deletesFor(u.Path) {
				if matchesTemplate(d.Path, u.Path) {
					return p.Client.Resolve(loc)
				}
			}
		}
	}
	var obj map[string]any
	if json.Unmarshal(r.Body, &obj) != nil {
		return ""
	}
	id, ok := obj["id"]
	if !ok || !scalar(id) {
		return ""
	}
	for _, d := range indexOf(p).deleteUnder[strings.TrimSuffix(op.Path, "/")] {
		params := pathParams(d)
		if len(params) == 0 || d.Path != strings.TrimSuffix(op.Path, "/")+"/{"+params[len(params)-1]+"}" {
			continue
		}
		return p.URL(d, map[string]string{params[len(params)-1]: fmt.Sprint(id)})
	}
	return ""
}

// matchesTemplate reports whether a concrete path ends with the segments
// of a template ("/api/v1/notes/12" matches "/notes/{note_id}": a base
// path may precede it).
func matchesTemplate(tmpl, path string) bool {
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) < len(ts) {
		return false
	}
	ps = ps[len(ps)-len(ts):]
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if t != ps[i] {
			return false
		}
	}
	return true
}

// original is an existing object's state before a write changes it.
type original struct {
	url    string
	fields map[string]any
}

// remember reads the object a write to an item path will change, when the
// API documents a GET on the same path. Writes to a collection (POST
// /notes) change no existing object and need nothing remembered.
func remember(ctx context.Context, p *check.Pass, who *identity.Identity, r *request) (*original, error) {
	if r.fields == nil || (r.op.Method == http.MethodPost && len(pathParams(r.op)) == 0) {
		return nil, nil
	}
	if gets := indexOf(p).gets[r.op.Path]; len(gets) > 0 {
		resp, err := p.Get(ctx, who, r.url, nil)
		if err != nil {
			return nil, err
		}
		var obj map[string]any
		if !ok2xx(resp) || json.Unmarshal(resp.Body, &obj) != nil || obj == nil {
			return nil, nil
		}
		return &original{url: r.url, fields: obj}, nil
	}
	// An action below an item (POST /wallets/{id}/label): the item as its
	// collection lists it.
	params := pathParams(r.op)
	if len(params) == 0 {
		return nil, nil
	}
	param := params[len(params)-1]
	prefix := strings.TrimSuffix(r.op.Path[:strings.Index(r.op.Path, "{"+param+"}")], "/")
	for _, op := range indexOf(p).gets[prefix] {
		resp, err := p.Get(ctx, who, p.URL(op, nil), nil)
		if err != nil {
			return nil, err
		}
		var doc any
		if !ok2xx(resp) || json.Unmarshal(resp.Body, &doc) != nil {
			return nil, nil
		}
		var cs []candidate
		items(doc, keyNames(param), 0, &cs)
		want := r.pathValue(param)
		for _, c := range cs {
			if c.value == want {
				return &original{url: r.url, fields: c.item}, nil
			}
		}
		return nil, nil
	}
	return nil, nil
}

// restore writes the remembered values of the fields r sends back. It says
// what it did, for the finding; fields the read did not show cannot be
// restored and are named.
func (o *original) restore(ctx context.Context, p *check.Pass, who *identity.Identity, r *request) string {
	if o == nil {
		return ""
	}
	back := map[string]any{}
	var missing []string
	for k, sent := range r.fields {
		v, ok := o.fields[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case fmt.Sprint(v) != fmt.Sprint(sent):
			back[k] = v
		}
	}
	sort.Strings(missing)
	if len(back) == 0 && len(missing) == 0 {
		return "The object's values were not changed by the requests."
	}
	note := ""
	if len(back) > 0 {
		// A full body (every field sent, changed ones set back) satisfies
		// PUT's replace semantics and required fields.
		full := map[string]any{}
		for k, v := range r.fields {
			full[k] = v
			if b, ok := back[k]; ok {
				full[k] = b
			}
		}
		rr := r.with(full).engineRequest(keyHeader(r.op), keyOrEmpty(r.op))
		resp, err := p.Send(ctx, who, rr)
		switch {
		case err != nil:
			note = fmt.Sprintf("Restoring the original values failed: %v.", err)
		case !ok2xx(resp):
			note = fmt.Sprintf("Restoring the original values was refused with %d.", resp.Status)
		default:
			note = "The original values were written back afterwards."
		}
	}
	if len(missing) > 0 {
		note = strings.TrimSpace(note + " " + fmt.Sprintf("Fields the read does not show, and that could not be restored: %s.", strings.Join(missing, ", ")))
	}
	return note
}

// keyOrEmpty gives a write a fresh key when its operation documents one
// (it may be required), and none otherwise.
func keyOrEmpty(op *rampart.Operation) string {
	if keyParam(op) != nil {
		return newKey("w")
	}
	return ""
}
