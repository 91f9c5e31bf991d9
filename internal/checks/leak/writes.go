package leak

import (
	"context"
	"encoding/json"
	"errors"
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

// writeProbes breaks the fields of a write's body one at a time, from a
// request the API accepts: quotes in text fields, then values of another
// JSON kind and null. An update is read first and written back
// afterwards (verified); one that cannot be read is not probed. Each
// accepted probe performs the write, as the SQL injection checks' do.
//
// It returns why the probes did not judge the write, when they did not.
func writeProbes(ctx context.Context, p *check.Pass, add func(*engine.Response, string, shape) probeResult) (*outcome, error) {
	op := p.Op
	who := p.FirstUser()
	// An update is read before anything is sent to it, learning included.
	var snap *fixture.Snapshot
	if accept.UpdateLike(op) {
		first := p.Request(op)
		var err error
		snap, err = fixture.Take(ctx, p, who, op, p.Build(first).URL, first.Values())
		if err != nil {
			return nil, err
		}
		if snap == nil {
			return &outcome{rampart.ReasonNoObject, "no object to read before the update, so it could not be restored"}, nil
		}
	}
	req, resp, err := p.Accepted(ctx, who, op)
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
	if err != nil {
		return nil, err
	}
	if req == nil {
		return &outcome{rampart.ReasonBodyRejected, "no request could be built for the write"}, nil
	}
	if st := p.AcceptStatus(op); st != accept.Accepted && st != accept.Passed {
		// No request of ours passes validation: the probes would test the
		// validator.
		if resp == nil {
			return &outcome{rampart.ReasonBodyRejected, "the API rejected every request the scan built"}, nil
		}
		r, d := check.AnswerReason(op, who, resp.Status, resp.Body)
		return &outcome{r, d}, nil
	}
	body, ok := req.Body.(map[string]any)
	if !ok {
		return &outcome{"", "the request body is not a JSON object"}, nil
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
	// The fields probed: up to maxWriteFields, text fields first (the
	// quotes break only text), in name order.
	var fields []string
	for _, text := range []bool{true, false} {
		for _, k := range slices.Sorted(maps.Keys(body)) {
			if _, isStr := body[k].(string); isStr == text && len(fields) < maxWriteFields {
				fields = append(fields, k)
			}
		}
	}
	judged := 0
	for _, k := range fields {
		// Each field gets the quotes (text only), then the values of an
		// unexpected shape.
		var values []bodyShape
		if v, isStr := body[k].(string); isStr {
			for _, s := range suffixes[:2] {
				values = append(values, bodyShape{v + s, fmt.Sprintf("%q", v+s)})
			}
		}
		values = append(values, bodyShapes(body[k])...)
		for _, v := range values {
			probe := maps.Clone(body)
			probe[k] = v.value
			sent[k] = probe[k]
			b, _ := json.Marshal(probe)
			r := p.Build(req)
			r.Body, r.Method = b, op.Method
			r.Header.Set("Content-Type", "application/json")
			resp, err := p.Send(ctx, who, r)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				if errors.Is(err, engine.ErrThrottled) && judged == 0 {
					// The engine gave the route up after its 429s.
					return &outcome{rampart.ReasonThrottled, op.Method + " " + op.Path + " answered 429: " + err.Error()}, nil
				}
				continue
			}
			if res := add(resp, k, shape{fmt.Sprint(v.value), v.desc}); res.leaked() {
				return nil, nil
			}
			if resp.Status == http.StatusTooManyRequests {
				if judged == 0 {
					return &outcome{rampart.ReasonThrottled, op.Method + " " + op.Path + " answered 429"}, nil
				}
				return nil, nil
			}
			judged++
		}
	}
	if len(fields) == 0 {
		return &outcome{"", "no field in the request body"}, nil
	}
	return nil, nil
}
