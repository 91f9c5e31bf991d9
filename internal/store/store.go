// Package store keeps what `rampart serve` shows: targets (with the
// schedule and scan config that queued scans read), every uploaded report
// with its findings, and the API keys and browser sessions that guard them.
//
// One schema, versioned with goose, runs on an embedded SQLite file (the
// default: no set-up) and on PostgreSQL or CockroachDB (a postgres:// URL,
// through pgx). The SQL is the subset both PostgreSQL and CockroachDB
// accept: identity columns, no triggers or stored procedures; writes run in
// explicit transactions retried on a serialization failure (SQLSTATE
// 40001), as CockroachDB requires of its clients. docs/serve.md says what
// was checked.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// Dialects Store.Dialect returns.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// FileName is the SQLite database's name in the data directory.
const FileName = "rampart.db"

//go:embed migrations
var migrations embed.FS

// Store is an open database with its schema up to date.
type Store struct {
	db      *sql.DB
	dialect string
	// now is the clock; tests move it.
	now func() time.Time
}

// Options are how Open finds the database.
type Options struct {
	// DataDir holds the SQLite file when the DSN is empty; empty means
	// DefaultDataDir().
	DataDir string
}

// DefaultDataDir is $XDG_DATA_HOME/rampart, or ~/.local/share/rampart.
func DefaultDataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "rampart"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: set --data or XDG_DATA_HOME: %w", err)
	}
	return filepath.Join(home, ".local", "share", "rampart"), nil
}

// Open opens the database dsn names and migrates it to the newest schema:
// an empty dsn is the SQLite file in the default data directory,
// sqlite:PATH a SQLite file elsewhere, a postgres:// or postgresql:// URL a
// PostgreSQL or CockroachDB database.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opt Options) (*Store, error) {
	s, err := open(ctx, dsn, opt)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	s := &Store{now: func() time.Time { return time.Now().UTC() }}
	switch {
	case dsn == "" || strings.HasPrefix(dsn, "sqlite:"):
		path, err := sqlitePath(dsn, opt.DataDir)
		if err != nil {
			return nil, err
		}
		// Reports hold evidence and the keys' hashes: the file is the
		// owner's alone (SQLite gives its -wal and -shm files the same mode).
		if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
			f.Close()
		} else {
			return nil, fmt.Errorf("database file %s: %w", path, err)
		}
		db, err := sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			return nil, fmt.Errorf("open SQLite database: %w", err)
		}
		s.db, s.dialect = db, SQLite
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL database: %w", err)
		}
		s.db, s.dialect = db, Postgres
	default:
		return nil, errors.New("--db: want a postgres:// or postgresql:// URL, or sqlite:PATH (or nothing, for SQLite in the data directory)")
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		// The driver's message may quote the URL, password included.
		return nil, fmt.Errorf("cannot reach the %s database: %w", s.dialect, redactDSN(err, dsn))
	}
	return s, nil
}

// sqlitePath is the SQLite file of a DSN: sqlite:PATH names it, an empty
// DSN is FileName in the data directory (made if missing).
func sqlitePath(dsn, dataDir string) (string, error) {
	if dsn != "" {
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
		if path == "" {
			return "", errors.New("--db sqlite:PATH: the path is empty")
		}
		return path, nil
	}
	dir := dataDir
	if dir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data directory %s: %w", dir, err)
	}
	return filepath.Join(dir, FileName), nil
}

// DefaultDSN is the DSN of the database an empty DSN opens, spelled out
// (sqlite:PATH), for programs that share it with rampart serve.
func DefaultDSN(dataDir string) (string, error) {
	path, err := sqlitePath("", dataDir)
	if err != nil {
		return "", err
	}
	return "sqlite:" + path, nil
}

// sqliteDSN turns on what a server needs: WAL (readers never wait for the
// writer), a busy timeout instead of immediate SQLITE_BUSY, foreign keys
// (off by default in SQLite), write transactions that take the write lock
// when they begin (so two never deadlock upgrading), and times stored in
// SQLite's own format, which sorts as text.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
}

// redactDSN keeps a DSN's password out of an error message.
func redactDSN(err error, dsn string) error {
	msg := err.Error()
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok && pw != "" {
				msg = strings.ReplaceAll(msg, pw, "****")
			}
		}
	}
	return errors.New(msg)
}

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.dialect == Postgres {
		d = goose.DialectPostgres
		// A lock table rather than an advisory lock: CockroachDB has no
		// advisory locks, and two servers (or a server and a worker)
		// starting together must not both migrate.
		l, err := lock.NewPostgresTableLocker(lock.WithTableName("rampart_migration_lock"))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithLocker(l))
	}
	return goose.NewProvider(d, s.db, sub, opts...)
}

// Migrate brings the schema to the newest version.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate the %s database: %w", s.dialect, err)
	}
	return nil
}

// MigrateDownTo undoes migrations down to version (0: every table gone).
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := s.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("migrate the %s database down: %w", s.dialect, err)
	}
	return nil
}

// SchemaVersion is the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// DB is the database, for code that shares it (the job queue).
func (s *Store) DB() *sql.DB { return s.db }

// Dialect is "sqlite" or "postgres" (PostgreSQL and CockroachDB).
func (s *Store) Dialect() string { return s.dialect }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SetClock replaces the clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }

// q rewrites a query written with ? placeholders for the dialect:
// PostgreSQL wants $1, $2...
func (s *Store) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}
