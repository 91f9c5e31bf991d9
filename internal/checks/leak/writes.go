package leak

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
)

// maxWriteFields bounds the body fields a write's probes break.
const maxWriteFields = 4

// writeInput reports whether a write's JSON body fields may be probed in
// active mode (the same writes the SQL injection checks probe).
func writeInput(op *rampart.Operation) bool {
	return accept.WriteCandidate(op) && op.Body != nil && op.Body.Schema != nil && len(op.Body.Schema.Properties) > 0
}

// writeProbes breaks the string fields of a write's body one at a time,
// from a request the API accepts. An update is read first and written back
// afterwards (verified); one that cannot be read is not probed. Each
// accepted probe performs the write, as the SQL injection checks' do.
func writeProbes(ctx context.Context, p *check.Pass, add func(*engine.Response, string, string) probeResult) error {
	op := p.Op
	who := p.FirstUser()
	// An update is read before anything is sent to it, learning included.
	var snap *fixture.Snapshot
	if accept.UpdateLike(op) {
		first := p.Request(op)
		var err error
		snap, err = fixture.Take(ctx, p, who, op, p.Build(first).URL, first.Values())
		if err != nil || snap == nil {
			return err
		}
	}
	req, _, err := p.Accepted(ctx, who, op)
	// sent is what the writes may have left in each field: the learned
	// request's values, then each probe's.
	sent := map[string]any{}
	if req != nil {
		if m, ok := req.Body.(map[string]any); ok {
			sent = maps.Clone(m)
		}
	}
	if snap != nil {
		defer func() { snap.Restore(ctx, p, who, op, sent, nil) }()
	}
	if err != nil || req == nil {
		return err
	}
	if st := p.AcceptStatus(op); st != accept.Accepted && st != accept.Passed {
		return nil // no request of ours passes validation: the probes would test the validator
	}
	body, ok := req.Body.(map[string]any)
	if !ok {
		return nil
	}
	body = maps.Clone(body)
	if snap != nil {
		// Probes start from the object's own values.
		for k, v := range snap.Fields() {
			if _, sent := body[k]; sent {
				body[k] = v
			}
		}
	}
	tried := 0
	for _, k := range slices.Sorted(maps.Keys(body)) {
		v, isStr := body[k].(string)
		if !isStr || tried >= maxWriteFields {
			continue
		}
		tried++
		for _, s := range suffixes[:2] {
			probe := maps.Clone(body)
			probe[k] = v + s
			sent[k] = probe[k]
			b, _ := json.Marshal(probe)
			r := p.Build(req)
			r.Body, r.Method = b, op.Method
			r.Header.Set("Content-Type", "application/json")
			resp, err := p.Send(ctx, who, r)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				continue
			}
			if res := add(resp, k, fmt.Sprint(probe[k])); len(res.hits) > 0 || res.traceback {
				return nil
			}
			if resp.Status == http.StatusTooManyRequests {
				return nil
			}
		}
	}
	return nil
}
