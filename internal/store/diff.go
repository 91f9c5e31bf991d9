package store

import (
	"context"
	"errors"
)

// Diff is a scan's findings against the previous scan of its target,
// matched by fingerprint as --baseline matches them.
type Diff struct {
	// Previous is the scan compared against; 0 when this is the target's
	// first scan (then every finding is new).
	Previous  int64     `json:"previous,omitempty"`
	New       []Finding `json:"new"`
	Fixed     []Finding `json:"fixed"` // the previous scan's findings this one no longer has
	Unchanged []Finding `json:"unchanged"`
}

// Diff compares scan scanID with the previous scan of the same target.
func (s *Store) Diff(ctx context.Context, scanID int64) (Diff, error) {
	cur, err := s.Findings(ctx, scanID)
	if err != nil {
		return Diff{}, err
	}
	if _, err := s.Scan(ctx, scanID); err != nil {
		return Diff{}, err
	}
	d := Diff{New: []Finding{}, Fixed: []Finding{}, Unchanged: []Finding{}}
	prev, err := s.Previous(ctx, scanID)
	if errors.Is(err, ErrNotFound) {
		d.New = cur
		return d, nil
	}
	if err != nil {
		return Diff{}, err
	}
	d.Previous = prev.ID
	old, err := s.Findings(ctx, prev.ID)
	if err != nil {
		return Diff{}, err
	}
	before := make(map[string]bool, len(old))
	for _, f := range old {
		before[f.Fingerprint] = true
	}
	now := make(map[string]bool, len(cur))
	for _, f := range cur {
		now[f.Fingerprint] = true
		if before[f.Fingerprint] {
			d.Unchanged = append(d.Unchanged, f)
		} else {
			d.New = append(d.New, f)
		}
	}
	for _, f := range old {
		if !now[f.Fingerprint] {
			d.Fixed = append(d.Fixed, f)
		}
	}
	return d, nil
}
