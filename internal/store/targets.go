package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Target is a scanned API (or source tree) and what scheduled scans need:
// how often, and with which config.
type Target struct {
	ID      int64  `json:"-"`
	Name    string `json:"name"`
	BaseURL string `json:"baseUrl,omitempty"`
	// Schedule is "" (never scheduled), "@every 6h", "@daily", or a
	// five-field cron line ("0 3 * * *"), in UTC.
	Schedule string `json:"schedule,omitempty"`
	// ScanConfig is a rampart.yaml (the --config of `rampart scan`) that
	// the worker scans the target with.
	ScanConfig    string     `json:"scanConfig,omitempty"`
	LastScheduled *time.Time `json:"lastScheduled,omitempty"`
	Created       time.Time  `json:"created"`
	// Latest is the newest scan, nil before the first.
	Latest *Scan `json:"latest,omitempty"`
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule checks a schedule: "@every 6h", "@hourly", "@daily", or a
// five-field cron line.
func ParseSchedule(spec string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, fmt.Errorf("%w: schedule %q: time zones are not supported, schedules are in UTC", ErrInvalid, spec)
	}
	sch, err := cronParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%w: schedule %q: %w (want \"@every 6h\", \"@daily\" or a cron line such as \"0 3 * * *\")", ErrInvalid, spec, err)
	}
	return sch, nil
}

// PutTarget creates a target or updates its base URL, schedule and scan
// config. Changing the schedule starts it afresh from now.
func (s *Store) PutTarget(ctx context.Context, t Target) error {
	if !ValidName(t.Name) {
		return fmt.Errorf("%w: target name %q: use 1 to 100 letters, digits, '.', '_', ':' or '-'", ErrInvalid, t.Name)
	}
	if t.Schedule != "" {
		if _, err := ParseSchedule(t.Schedule); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var sched string
		err := tx.QueryRowContext(ctx, s.q(`SELECT id, schedule FROM targets WHERE name = ?`), t.Name).Scan(&id, &sched)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO targets (name, base_url, schedule, scan_config, last_scheduled, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`), t.Name, t.BaseURL, t.Schedule, t.ScanConfig, s.now(), s.now())
		case err == nil:
			if sched != t.Schedule {
				_, err = tx.ExecContext(ctx, s.q(`UPDATE targets SET base_url = ?, schedule = ?, scan_config = ?, last_scheduled = ? WHERE id = ?`),
					t.BaseURL, t.Schedule, t.ScanConfig, s.now(), id)
			} else {
				_, err = tx.ExecContext(ctx, s.q(`UPDATE targets SET base_url = ?, scan_config = ? WHERE id = ?`),
					t.BaseURL, t.ScanConfig, id)
			}
		}
		if err != nil {
			return fmt.Errorf("store target %s: %w", t.Name, err)
		}
		return nil
	})
}

const targetColumns = `id, name, base_url, schedule, scan_config, last_scheduled, created_at`

func scanTarget(sc interface{ Scan(...any) error }) (Target, error) {
	var t Target
	var last sql.NullTime
	if err := sc.Scan(&t.ID, &t.Name, &t.BaseURL, &t.Schedule, &t.ScanConfig, &last, &t.Created); err != nil {
		return Target{}, err
	}
	if last.Valid {
		l := last.Time.UTC()
		t.LastScheduled = &l
	}
	t.Created = t.Created.UTC()
	return t, nil
}

// Targets lists every target by name, each with its latest scan.
func (s *Store) Targets(ctx context.Context) ([]Target, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+targetColumns+` FROM targets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list targets: %w", err)
	}
	out := []Target{}
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list targets: %w", err)
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.latest(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Target returns one target with its latest scan.
func (s *Store) Target(ctx context.Context, name string) (Target, error) {
	t, err := scanTarget(s.db.QueryRowContext(ctx, s.q(`SELECT `+targetColumns+` FROM targets WHERE name = ?`), name))
	if errors.Is(err, sql.ErrNoRows) {
		return Target{}, fmt.Errorf("target %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Target{}, fmt.Errorf("target %q: %w", name, err)
	}
	return t, s.latest(ctx, &t)
}

func (s *Store) latest(ctx context.Context, t *Target) error {
	sc, err := scanScan(s.db.QueryRowContext(ctx, s.q(`SELECT `+scanColumns+` FROM scans s JOIN targets t ON t.id = s.target_id
		WHERE s.target_id = ? ORDER BY s.started_at DESC, s.id DESC LIMIT 1`), t.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("latest scan of %s: %w", t.Name, err)
	}
	t.Latest = &sc
	return nil
}

// DueTargets returns the targets whose schedule has a slot at or before
// now that was not handed out yet, and records each slot as handed out
// (last_scheduled), in the same transaction: a slot is returned once, to
// one caller, however many servers or workers ask at once. Slots missed
// while nobody asked are not made up: a target is due once, however many
// it missed.
func (s *Store) DueTargets(ctx context.Context, now time.Time) ([]Target, error) {
	now = now.UTC()
	var due []Target
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		due = due[:0]
		rows, err := tx.QueryContext(ctx, `SELECT `+targetColumns+` FROM targets WHERE schedule <> '' ORDER BY name`)
		if err != nil {
			return fmt.Errorf("scheduled targets: %w", err)
		}
		var all []Target
		for rows.Next() {
			t, err := scanTarget(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scheduled targets: %w", err)
			}
			all = append(all, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, t := range all {
			sch, err := ParseSchedule(t.Schedule)
			if err != nil {
				continue // stored before validation, or by hand: never due
			}
			from := t.Created
			if t.LastScheduled != nil {
				from = *t.LastScheduled
			}
			if next := sch.Next(from); next.After(now) {
				continue
			}
			// The compare-and-set on last_scheduled makes a concurrent
			// caller that read the same row claim nothing (SQLite) or
			// conflict and retry (PostgreSQL, CockroachDB).
			var res sql.Result
			if t.LastScheduled == nil {
				res, err = tx.ExecContext(ctx, s.q(`UPDATE targets SET last_scheduled = ? WHERE id = ? AND last_scheduled IS NULL`), now, t.ID)
			} else {
				res, err = tx.ExecContext(ctx, s.q(`UPDATE targets SET last_scheduled = ? WHERE id = ? AND last_scheduled = ?`), now, t.ID, *t.LastScheduled)
			}
			if err != nil {
				return fmt.Errorf("claim schedule of %s: %w", t.Name, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				t.LastScheduled = &now
				due = append(due, t)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return due, nil
}
