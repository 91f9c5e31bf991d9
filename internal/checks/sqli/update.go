package sqli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// An update's probes change an object the scan did not create. So its
// baseline writes back what the object holds (read first with the GET at
// the same path), each probe changes one field, and after the unit the
// baseline is written again and read back: the object ends as it began.
// An update without such a read, or whose read shares no field with the
// body, is not injected.

// maxSnapshotValue bounds one remembered field of a snapshot.
const maxSnapshotValue = 4096

// restoreTimeout bounds the restore, which runs even when the scan is
// interrupted.
const restoreTimeout = 10 * time.Second

type snapshot struct {
	get    *rampart.Operation
	path   map[string]string
	fields map[string]any // top-level body fields the read shows, scalars only
	status int            // of the last read
}

// readOf finds the read at an update's path.
func readOf(p *check.Pass, op *rampart.Operation) *rampart.Operation {
	for _, o := range p.Surface {
		if o.Method == http.MethodGet && o.Path == op.Path {
			return o
		}
	}
	return nil
}

// takeSnapshot reads the object an update will write; without a read, or
// one that shows no object, the error (errNoTarget) says why.
func takeSnapshot(ctx context.Context, p *check.Pass, who *identity.Identity, op *rampart.Operation, req *accept.Request) (*snapshot, error) {
	get := readOf(p, op)
	if get == nil {
		return nil, skip("", "an update without a read at its path is not probed: it could not be restored")
	}
	s := &snapshot{get: get, path: maps.Clone(req.Path), fields: map[string]any{}}
	obj, err := s.read(ctx, p, who)
	if err != nil {
		return nil, skip(rampart.ReasonError, "%v", err)
	}
	if obj == nil {
		if s.status != 0 && (s.status < 200 || s.status > 299) {
			r, d := check.AnswerReason(get, who, s.status, nil)
			return nil, skip(r, "%s", d)
		}
		return nil, skip(rampart.ReasonNoObject, "%s %s answers no object to restore after the probes", get.Method, get.Path)
	}
	names := map[string]bool{}
	if m, ok := req.Body.(map[string]any); ok {
		for k := range m {
			names[k] = true
		}
	}
	if op.Body != nil && op.Body.Schema != nil {
		for k := range op.Body.Schema.Properties {
			names[k] = true
		}
	}
	for k := range names {
		switch v := obj[k].(type) {
		case string:
			if len(v) <= maxSnapshotValue {
				s.fields[k] = v
			}
		case json.Number, bool:
			s.fields[k] = v
		}
	}
	if len(s.fields) == 0 && len(names) > 0 {
		return nil, skip(rampart.ReasonNoObject, "%s %s shows none of the fields the update writes, so it could not be restored", get.Method, get.Path)
	}
	return s, nil
}

// read GETs the object and returns its fields, unwrapped from a
// one-object envelope ({"data": {...}}, {"result": {...}}).
func (s *snapshot) read(ctx context.Context, p *check.Pass, who *identity.Identity) (map[string]any, error) {
	resp, err := p.Send(ctx, who, &engine.Request{Method: http.MethodGet, URL: p.URL(s.get, s.path), Route: s.get.Key()})
	if err != nil {
		return nil, fmt.Errorf("read before the update: %w", err)
	}
	s.status = resp.Status
	if resp.Status < 200 || resp.Status > 299 {
		return nil, nil
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return nil, nil
	}
	for depth := 0; depth < 3; depth++ {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil, nil
		}
		inner, wrapped := envelope(m)
		if !wrapped {
			return m, nil
		}
		doc = inner
	}
	return nil, nil
}

// envelope returns the object a wrapper holds: the only object-valued
// member of a small answer under a wrapper's name.
func envelope(m map[string]any) (any, bool) {
	for _, k := range []string{"data", "result", "item", "payload", "object", "record"} {
		if v, ok := m[k].(map[string]any); ok && len(m) <= 4 {
			return v, true
		}
	}
	return nil, false
}

// overlay returns the accepted request with the object's current values in
// its body: writing it changes nothing.
func (s *snapshot) overlay(req *accept.Request) *accept.Request {
	out := req.Clone()
	m, ok := out.Body.(map[string]any)
	if !ok {
		return out
	}
	form := out.Form()
	for _, k := range slices.Sorted(maps.Keys(s.fields)) {
		if _, sent := m[k]; !sent {
			continue
		}
		v := s.fields[k]
		if n, isNum := v.(json.Number); isNum && !form {
			m[k] = n
			continue
		}
		m[k] = v
	}
	return out
}

// pendingRestore is what a unit must write back when it ends.
type pendingRestore struct {
	snap *snapshot
	who  *identity.Identity
	req  *accept.Request
}

// restoreLater records, for the unit's end, the request that writes the
// object's values back.
func (s *snapshot) restoreLater(p *check.Pass, who *identity.Identity, req *accept.Request) {
	h := restoreHolder(p)
	if h.snap == nil {
		h.snap, h.who, h.req = s, who, s.overlay(req)
	}
}

func restoreHolder(p *check.Pass) *pendingRestore {
	v, _ := p.OnceOp("sqli: restore", func() (any, error) { return &pendingRestore{}, nil })
	return v.(*pendingRestore)
}

// withRestore runs a check and then restores the object an update's
// probes changed, reading it back to verify.
func withRestore(run func(context.Context, *check.Pass) error) func(context.Context, *check.Pass) error {
	return func(ctx context.Context, p *check.Pass) error {
		err := run(ctx, p)
		if p.Op == nil || !accept.UpdateLike(p.Op) {
			return err
		}
		h := restoreHolder(p)
		if h.snap == nil {
			return err
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
		defer cancel()
		if rerr := h.restore(rctx, p); rerr != nil {
			return fmt.Errorf("%w (and %v)", rerr, err)
		}
		return err
	}
}

func (h *pendingRestore) restore(ctx context.Context, p *check.Pass) error {
	r := p.Build(h.req)
	r.Route = p.Op.Key()
	if _, err := p.Send(ctx, h.who, r); err != nil {
		return fmt.Errorf("restore %s after the probes: %w", p.Op.Path, err)
	}
	obj, err := h.snap.read(ctx, p, h.who)
	if err != nil {
		return err
	}
	var differ []string
	for k, want := range h.snap.fields {
		if got, ok := obj[k]; ok && fmt.Sprint(got) != fmt.Sprint(want) {
			differ = append(differ, k)
		}
	}
	if len(differ) > 0 {
		slices.Sort(differ)
		return fmt.Errorf("restore %s after the probes: %s still differ from before", p.Op.Path, strings.Join(differ, ", "))
	}
	return nil
}
