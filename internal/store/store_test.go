package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
)

// backends opens a fresh store on each database the tests run on: SQLite
// in a temporary directory, and a throwaway PostgreSQL database on the
// testbed (skipped without it, unless CI is set).
func backends(t *testing.T) map[string]func(t *testing.T) *Store {
	return map[string]func(t *testing.T) *Store{
		SQLite: func(t *testing.T) *Store {
			s, err := OpenWith(context.Background(), "", Options{DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		Postgres: func(t *testing.T) *Store {
			dsn := tbtest.PostgresDB(t)
			t.Cleanup(func() { waitIdle(t, dsn) })
			s, err := Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// waitIdle waits, before the test database is dropped, until no backend
// is left in it: migrating down and up again leaves dead catalog rows that
// autovacuum may be cleaning when the test ends, and the drop, which may
// not end a superuser's process, would then fail.
func waitIdle(t *testing.T, dsn string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, os.Getenv("TB_PG_URL"))
	if err != nil {
		return // the drop will say what is wrong
	}
	defer conn.Close(ctx)
	name := dsn[strings.LastIndex(dsn, "/")+1:]
	for ctx.Err() == nil {
		var n int
		if conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1`, name).Scan(&n) != nil || n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eachBackend runs a test on every database.
func eachBackend(t *testing.T, test func(t *testing.T, s *Store)) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if s.Dialect() != name {
				t.Fatalf("dialect %q, want %q", s.Dialect(), name)
			}
			test(t, s)
		})
	}
}

func finding(check, path string, sev rampart.Severity) rampart.Finding {
	f := rampart.Finding{Check: check, Family: "bola", Title: check + " at " + path, Message: "m",
		Severity: sev, Confidence: rampart.Firm, Location: rampart.Location{Method: "GET", Path: path}}
	f.ID = f.Fingerprint()
	return f
}

func report(started time.Time, score int, grade string, fs ...rampart.Finding) *rampart.Report {
	return &rampart.Report{
		SchemaVersion: rampart.SchemaVersion, Tool: rampart.Tool{Name: "rampart", Version: "test"},
		Target: "http://127.0.0.1:8801", Mode: rampart.Safe, Started: started,
		Score: score, Grade: grade, Findings: fs,
		Coverage: &rampart.Coverage{Percent: 80, Tested: 8, Applicable: 10},
	}
}

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC)

func TestMigrationsUpDownUp(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		v, err := s.SchemaVersion(ctx)
		if err != nil || v != 1 {
			t.Fatalf("schema version %d, %v; want 1", v, err)
		}
		if _, err := s.AddReport(ctx, "api", report(t0, 90, "A")); err != nil {
			t.Fatal(err)
		}
		if err := s.MigrateDownTo(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.SchemaVersion(ctx); v != 0 {
			t.Errorf("after down: version %d", v)
		}
		if _, err := s.db.ExecContext(ctx, `SELECT COUNT(*) FROM scans`); err == nil {
			t.Errorf("scans table still there after migrating down")
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if ts, err := s.Targets(ctx); err != nil || len(ts) != 0 {
			t.Errorf("after up again: %v targets, %v", ts, err)
		}
		if _, err := s.AddReport(ctx, "api", report(t0, 90, "A")); err != nil {
			t.Errorf("store after up again: %v", err)
		}
		// Migrating an up-to-date database is a no-op.
		if err := s.Migrate(ctx); err != nil {
			t.Error(err)
		}
	})
}

func TestAddReportAndDiff(t *testing.T) {
	a := finding("BOLA-001", "/notes/{id}", rampart.High)
	b := finding("SQLI-001", "/search", rampart.Critical)
	c := finding("HDR-001", "/", rampart.Low)
	d := finding("CORS-001", "/", rampart.Medium)
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		first, err := s.AddReport(ctx, "notes-api", report(t0, 60, "C", a, b, c))
		if err != nil {
			t.Fatal(err)
		}
		// Another target in between must not be diffed against.
		if _, err := s.AddReport(ctx, "other", report(t0.Add(time.Minute), 100, "A", d)); err != nil {
			t.Fatal(err)
		}
		second, err := s.AddReport(ctx, "notes-api", report(t0.Add(time.Hour), 70, "B", a, c, d))
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name                 string
			scan                 int64
			prev                 int64
			nw, fixed, unchanged []string
		}{
			{"first scan: all new", first, 0, []string{"SQLI-001", "BOLA-001", "HDR-001"}, nil, nil},
			{"second scan", second, first, []string{"CORS-001"}, []string{"SQLI-001"}, []string{"BOLA-001", "HDR-001"}},
		}
		for _, tt := range tests {
			d, err := s.Diff(ctx, tt.scan)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if d.Previous != tt.prev {
				t.Errorf("%s: previous %d, want %d", tt.name, d.Previous, tt.prev)
			}
			for _, c := range []struct {
				what string
				got  []Finding
				want []string
			}{{"new", d.New, tt.nw}, {"fixed", d.Fixed, tt.fixed}, {"unchanged", d.Unchanged, tt.unchanged}} {
				if g, w := checks(c.got), strings.Join(c.want, ","); g != w {
					t.Errorf("%s: %s %q, want %q", tt.name, c.what, g, w)
				}
			}
		}
		// The stored report comes back whole.
		rep, err := s.Report(ctx, second)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Score != 70 || len(rep.Findings) != 3 || !rep.Started.Equal(t0.Add(time.Hour)) {
			t.Errorf("report back: score %d, %d findings, started %v", rep.Score, len(rep.Findings), rep.Started)
		}
		scans, err := s.Scans(ctx, "notes-api", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(scans) != 2 || scans[0].ID != second || scans[1].ID != first || scans[0].Grade != "B" ||
			scans[0].Coverage == nil || *scans[0].Coverage != 80 || scans[0].Findings != 3 {
			t.Errorf("scans: %+v", scans)
		}
		ts, err := s.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 2 || ts[0].Name != "notes-api" || ts[0].Latest == nil || ts[0].Latest.ID != second ||
			ts[0].BaseURL != "http://127.0.0.1:8801" {
			t.Errorf("targets: %+v", ts)
		}
		if _, err := s.Diff(ctx, 999999); !errors.Is(err, ErrNotFound) {
			t.Errorf("diff of a missing scan: %v", err)
		}
		if _, err := s.Scans(ctx, "nope", 0); !errors.Is(err, ErrNotFound) {
			t.Errorf("scans of a missing target: %v", err)
		}
		if _, err := s.AddReport(ctx, "../etc", report(t0, 1, "F")); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad target name: %v", err)
		}
	})
}

func checks(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check)
	}
	return strings.Join(out, ",")
}

// Uploads racing on one new target all land, under one target.
func TestConcurrentUploads(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.AddReport(ctx, "race", report(t0.Add(time.Duration(i)*time.Second), i, "F", finding("X-001", fmt.Sprint("/", i), rampart.Low)))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		scans, err := s.Scans(ctx, "race", 0)
		if err != nil || len(scans) != n {
			t.Errorf("%d scans, %v; want %d", len(scans), err, n)
		}
	})
}

func TestKeys(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		k, secret, err := s.CreateKey(ctx, "ci", ScopeUpload)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, KeyPrefix) || len(secret) < 40 {
			t.Errorf("secret %q", secret)
		}
		var stored string
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT hash FROM api_keys WHERE id = ?`), k.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, secret) || strings.Contains(stored, secret[len(KeyPrefix):]) {
			t.Errorf("the key is stored in clear")
		}
		got, err := s.Authenticate(ctx, secret)
		if err != nil || got.Name != "ci" || got.Scope != ScopeUpload || got.LastUsed == nil {
			t.Errorf("authenticate: %+v, %v", got, err)
		}
		for _, bad := range []string{"", secret + "x", secret[:len(secret)-1], KeyPrefix, "Bearer " + secret} {
			if _, err := s.Authenticate(ctx, bad); !errors.Is(err, ErrNotFound) {
				t.Errorf("authenticate %q: %v", bad, err)
			}
		}
		if _, _, err := s.CreateKey(ctx, "ci", ScopeRead); !errors.Is(err, ErrExists) {
			t.Errorf("duplicate name: %v", err)
		}
		if _, _, err := s.CreateKey(ctx, "x", "root"); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad scope: %v", err)
		}
		cookie, _, err := s.CreateSession(ctx, k.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if sess, err := s.SessionBySecret(ctx, cookie); err != nil || sess.Key.Name != "ci" || sess.CSRF == "" {
			t.Errorf("session: %+v, %v", sess, err)
		}
		if err := s.DeleteKey(ctx, "ci"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted key still works: %v", err)
		}
		if _, err := s.SessionBySecret(ctx, cookie); !errors.Is(err, ErrNotFound) {
			t.Errorf("a deleted key's session still works: %v", err)
		}
		if err := s.DeleteKey(ctx, "ci"); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete twice: %v", err)
		}
	})
}

func TestSessionExpires(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := t0
		s.SetClock(func() time.Time { return now })
		k, _, err := s.CreateKey(ctx, "me", ScopeRead)
		if err != nil {
			t.Fatal(err)
		}
		cookie, _, err := s.CreateSession(ctx, k.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(59 * time.Minute)
		if _, err := s.SessionBySecret(ctx, cookie); err != nil {
			t.Errorf("live session refused: %v", err)
		}
		now = now.Add(2 * time.Minute)
		if _, err := s.SessionBySecret(ctx, cookie); !errors.Is(err, ErrNotFound) {
			t.Errorf("expired session accepted: %v", err)
		}
	})
}

func TestDueTargets(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := t0.Truncate(time.Hour)
		s.SetClock(func() time.Time { return now })
		for _, tg := range []Target{
			{Name: "six-hourly", BaseURL: "http://127.0.0.1:1", Schedule: "@every 6h", ScanConfig: "mode: safe\n"},
			{Name: "nightly", Schedule: "0 3 * * *"},
			{Name: "manual"},
		} {
			if err := s.PutTarget(ctx, tg); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutTarget(ctx, Target{Name: "bad", Schedule: "every tuesday"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad schedule: %v", err)
		}
		tests := []struct {
			after time.Duration
			want  string
		}{
			{0, ""},
			{5 * time.Hour, ""},
			{6 * time.Hour, "six-hourly"},
			{6 * time.Hour, ""}, // the same slot is never handed out twice
			{11 * time.Hour, ""},
			{18 * time.Hour, "nightly,six-hourly"}, // 04:00 next day: past 03:00 and 16:00
			{18 * time.Hour, ""},
			{24*time.Hour + 2*time.Hour, "six-hourly"},
		}
		for i, tt := range tests {
			due, err := s.DueTargets(ctx, t0.Truncate(time.Hour).Add(tt.after))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, d := range due {
				names = append(names, d.Name)
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("step %d (+%v): due %q, want %q", i, tt.after, got, tt.want)
			}
		}
		tg, err := s.Target(ctx, "six-hourly")
		if err != nil || tg.ScanConfig != "mode: safe\n" || tg.Schedule != "@every 6h" {
			t.Errorf("target: %+v, %v", tg, err)
		}
	})
}

// Callers racing for the same slot: exactly one gets it.
func TestDueTargetsOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if err := s.PutTarget(ctx, Target{Name: "hourly", Schedule: "@every 1h"}); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(2 * time.Hour)
		var mu sync.Mutex
		got := 0
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				due, err := s.DueTargets(ctx, at)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got += len(due)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if got != 1 {
			t.Errorf("the slot was handed out %d times, want once", got)
		}
	})
}

func TestOpenRefuses(t *testing.T) {
	if _, err := Open(context.Background(), "mysql://x"); err == nil {
		t.Error("mysql:// accepted")
	}
	_, err := Open(context.Background(), "postgres://u:hunter2secret@127.0.0.1:1/db?connect_timeout=2")
	if err == nil || strings.Contains(err.Error(), "hunter2secret") {
		t.Errorf("unreachable PostgreSQL: %v", err)
	}
}

func TestSQLiteFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenWith(context.Background(), "", Options{DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddReport(context.Background(), "api", report(t0, 90, "A")); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"data", "data/" + FileName, "data/" + FileName + "-wal"} {
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v: others may read it", n, fi.Mode().Perm())
		}
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/x/data")
	if d, _ := DefaultDataDir(); d != filepath.Join("/x/data", "rampart") {
		t.Errorf("XDG_DATA_HOME: %s", d)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := DefaultDataDir(); d != "/home/u/.local/share/rampart" {
		t.Errorf("HOME: %s", d)
	}
}

func TestTargetName(t *testing.T) {
	for _, tt := range []struct{ target, source, want string }{
		{"http://127.0.0.1:8801/api", "", "127.0.0.1:8801"},
		{"https://api.example.test", "", "api.example.test"},
		{"", "/src/notes-app/", "notes-app"},
		{"", "", ""},
	} {
		if got := TargetName(&rampart.Report{Target: tt.target, Source: tt.source}); got != tt.want {
			t.Errorf("TargetName(%q, %q) = %q, want %q", tt.target, tt.source, got, tt.want)
		}
	}
}
