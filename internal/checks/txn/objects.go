package txn

import (
	"context"
	"net/http"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
)

// Objects a check creates are deleted by their owner at the end
// (fixture.Track), and the finding says what was created and what could not
// be removed; state a check changes on an existing object is put back when
// the API lets us read it first (fixture.Take).

// remember snapshots the object a write will change (see fixture.Take):
// only JSON writes can be put back.
func remember(ctx context.Context, p *check.Pass, who *identity.Identity, r *request) (*fixture.Snapshot, error) {
	if r.fields == nil {
		return nil, nil
	}
	return fixture.Take(ctx, p, who, r.op, r.url, r.values)
}

// restore puts back what r's writes changed on the remembered object, as
// who, and says what it did for the finding.
func restore(ctx context.Context, p *check.Pass, s *fixture.Snapshot, who *identity.Identity, r *request) string {
	if s == nil {
		return ""
	}
	var h http.Header
	if k := keyOrEmpty(r.op); k != "" {
		h = http.Header{keyHeader(r.op): {k}}
	}
	return s.Restore(ctx, p, who, r.op, r.fields, h)
}

// keyOrEmpty gives a write a fresh key when its operation documents one
// (it may be required), and none otherwise.
func keyOrEmpty(op *rampart.Operation) string {
	if keyParam(op) != nil {
		return newKey("w")
	}
	return ""
}
