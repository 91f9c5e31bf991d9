package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// ErrNotFound is a target, scan or key that does not exist.
var ErrNotFound = errors.New("not found")

// ErrInvalid wraps input the store refuses (a bad target name, a report
// that is not one).
var ErrInvalid = errors.New("invalid")

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$`)

// ValidName reports whether s can name a target or a key: 1 to 100
// letters, digits, '.', '_', ':' or '-', not starting with punctuation, so
// that it is one segment of a URL path as it is.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// TargetName is the name a report is filed under when the uploader names
// none: the scanned host and port, or the scanned source folder's name.
func TargetName(rep *rampart.Report) string {
	if u, err := url.Parse(rep.Target); err == nil && u.Host != "" {
		if n := u.Host; ValidName(n) {
			return n
		}
	}
	if rep.Source != "" {
		if n := filepath.Base(filepath.Clean(rep.Source)); ValidName(n) {
			return n
		}
	}
	return ""
}

// Scan is one stored report's summary.
type Scan struct {
	ID       int64     `json:"id"`
	Target   string    `json:"target"`
	Started  time.Time `json:"started"`
	Uploaded time.Time `json:"uploaded"`
	Mode     string    `json:"mode"`
	Grade    string    `json:"grade"`
	Score    int       `json:"score"`
	// Coverage is the report's coverage percentage, nil for a report
	// without one (white-box).
	Coverage   *int `json:"coverage,omitempty"`
	Tested     int  `json:"tested"`
	Applicable int  `json:"applicable"`
	Incomplete bool `json:"incomplete,omitempty"`
	Findings   int  `json:"findings"`
}

// Finding is one finding of a stored scan, keyed by the fingerprint that
// diffs match (baseline.Key: the finding's ID).
type Finding struct {
	ScanID      int64  `json:"scanId"`
	Fingerprint string `json:"fingerprint"`
	rampart.Finding
}

// AddReport stores a report under target (created when new) and returns
// the scan's ID. The report is kept whole, as JSON, and its findings one
// row each.
func (s *Store) AddReport(ctx context.Context, target string, rep *rampart.Report) (int64, error) {
	if rep == nil {
		return 0, fmt.Errorf("%w: no report", ErrInvalid)
	}
	if !ValidName(target) {
		return 0, fmt.Errorf("%w: target name %q: use 1 to 100 letters, digits, '.', '_', ':' or '-'", ErrInvalid, target)
	}
	var buf strings.Builder
	if err := jsonreport.Write(&buf, rep); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	doc := buf.String()
	type row struct {
		key  string
		data []byte
		f    *rampart.Finding
	}
	rows := make([]row, 0, len(rep.Findings))
	for i := range rep.Findings {
		f := &rep.Findings[i]
		data, err := json.Marshal(f)
		if err != nil {
			return 0, fmt.Errorf("finding %s: %w", f.Check, err)
		}
		rows = append(rows, row{baseline.Key(f), data, f})
	}
	var cov *int
	var tested, applicable int
	if rep.Coverage != nil {
		p := rep.Coverage.Percent
		cov, tested, applicable = &p, rep.Coverage.Tested, rep.Coverage.Applicable
	}
	started := rep.Started.UTC()
	if started.IsZero() {
		started = s.now()
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		tid, err := s.ensureTarget(ctx, tx, target, rep.Target)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO scans
			(target_id, started_at, uploaded_at, mode, grade, score, coverage, tested, applicable, incomplete, findings, report)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			tid, started, s.now(), rep.Mode.String(), rep.Grade, rep.Score, cov, tested, applicable,
			rep.Incomplete || (rep.Coverage != nil && rep.Coverage.Incomplete), len(rep.Findings), doc).Scan(&id)
		if err != nil {
			return fmt.Errorf("store scan: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO findings
			(scan_id, fingerprint, check_id, severity, confidence, title, method, path, file, line, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
		if err != nil {
			return fmt.Errorf("store findings: %w", err)
		}
		defer stmt.Close()
		for _, r := range rows {
			l := r.f.Location
			if _, err := stmt.ExecContext(ctx, id, r.key, r.f.Check, int(r.f.Severity), int(r.f.Confidence), r.f.Title,
				l.Method, l.Path, l.File, l.Line, string(r.data)); err != nil {
				return fmt.Errorf("store finding: %w", err)
			}
		}
		return nil
	})
	return id, err
}

// ensureTarget returns the target's ID, creating it (with the report's
// URL as its base URL) when it is new.
func (s *Store) ensureTarget(ctx context.Context, tx *sql.Tx, name, baseURL string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM targets WHERE name = ?`), name).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("look up target: %w", err)
	}
	if !strings.HasPrefix(baseURL, "http://") && !strings.HasPrefix(baseURL, "https://") {
		baseURL = ""
	}
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO targets (name, base_url, created_at) VALUES (?, ?, ?) RETURNING id`),
		name, baseURL, s.now()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create target: %w", err)
	}
	return id, nil
}

const scanColumns = `s.id, t.name, s.started_at, s.uploaded_at, s.mode, s.grade, s.score, s.coverage,
	s.tested, s.applicable, s.incomplete, s.findings`

func scanScan(sc interface{ Scan(...any) error }) (Scan, error) {
	var r Scan
	var cov sql.NullInt64
	err := sc.Scan(&r.ID, &r.Target, &r.Started, &r.Uploaded, &r.Mode, &r.Grade, &r.Score, &cov,
		&r.Tested, &r.Applicable, &r.Incomplete, &r.Findings)
	if cov.Valid {
		p := int(cov.Int64)
		r.Coverage = &p
	}
	r.Started, r.Uploaded = r.Started.UTC(), r.Uploaded.UTC()
	return r, err
}

// Scans lists a target's scans, newest first, at most limit (0: all).
func (s *Store) Scans(ctx context.Context, target string, limit int) ([]Scan, error) {
	if _, err := s.Target(ctx, target); err != nil {
		return nil, err
	}
	query := `SELECT ` + scanColumns + ` FROM scans s JOIN targets t ON t.id = s.target_id
		WHERE t.name = ? ORDER BY s.started_at DESC, s.id DESC`
	args := []any{target}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	out := []Scan{}
	for rows.Next() {
		sc, err := scanScan(rows)
		if err != nil {
			return nil, fmt.Errorf("list scans: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Scan returns one scan's summary.
func (s *Store) Scan(ctx context.Context, id int64) (Scan, error) {
	sc, err := scanScan(s.db.QueryRowContext(ctx, s.q(`SELECT `+scanColumns+
		` FROM scans s JOIN targets t ON t.id = s.target_id WHERE s.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Scan{}, fmt.Errorf("scan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Scan{}, fmt.Errorf("scan %d: %w", id, err)
	}
	return sc, nil
}

// Report returns a scan's report as it was uploaded.
func (s *Store) Report(ctx context.Context, id int64) (*rampart.Report, error) {
	var doc string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT report FROM scans WHERE id = ?`), id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("scan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("scan %d: %w", id, err)
	}
	rep, err := jsonreport.Parse([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("scan %d: stored report: %w", id, err)
	}
	return rep, nil
}

// Findings returns a scan's findings, worst first.
func (s *Store) Findings(ctx context.Context, scanID int64) ([]Finding, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT fingerprint, data FROM findings WHERE scan_id = ?`), scanID)
	if err != nil {
		return nil, fmt.Errorf("findings of scan %d: %w", scanID, err)
	}
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		var fp, data string
		if err := rows.Scan(&fp, &data); err != nil {
			return nil, fmt.Errorf("findings of scan %d: %w", scanID, err)
		}
		f := Finding{ScanID: scanID, Fingerprint: fp}
		if err := json.Unmarshal([]byte(data), &f.Finding); err != nil {
			return nil, fmt.Errorf("findings of scan %d: stored finding: %w", scanID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return rampart.CompareFindings(a.Finding, b.Finding) })
	return out, nil
}

// Previous returns the scan of the same target just before id (by start
// time, then upload order), or ErrNotFound when id is the first.
func (s *Store) Previous(ctx context.Context, id int64) (Scan, error) {
	cur, err := s.Scan(ctx, id)
	if err != nil {
		return Scan{}, err
	}
	prev, err := scanScan(s.db.QueryRowContext(ctx, s.q(`SELECT `+scanColumns+`
		FROM scans s JOIN targets t ON t.id = s.target_id
		WHERE t.name = ? AND (s.started_at < ? OR (s.started_at = ? AND s.id < ?))
		ORDER BY s.started_at DESC, s.id DESC LIMIT 1`), cur.Target, cur.Started, cur.Started, cur.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return Scan{}, fmt.Errorf("scan before %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Scan{}, fmt.Errorf("scan before %d: %w", id, err)
	}
	return prev, nil
}
