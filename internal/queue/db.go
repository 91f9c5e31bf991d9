package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// client is what this package uses of a *river.Client, whatever its
// driver's transaction type.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
}

// Queue is the job queue in one database.
type Queue struct {
	// Engine is "postgres" or "sqlite".
	Engine    string
	newClient func(cfg *river.Config) (client, error)
	migrate   func(ctx context.Context) error
	close     func()
	inserter  client
}

// Open connects to the queue's database: a postgres:// or postgresql://
// URL (PostgreSQL; CockroachDB speaks the same protocol), or a SQLite file
// as sqlite:PATH or a plain path. It runs River's migrations, so the first
// worker or enqueue on a new database creates River's tables.
func Open(ctx context.Context, dsn string) (*Queue, error) {
	var q *Queue
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		q, err = openPostgres(ctx, dsn)
	case dsn == "":
		return nil, errors.New("no database: give --db postgres://... or --db sqlite:PATH")
	default:
		q, err = openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := q.migrate(ctx); err != nil {
		q.Close()
		return nil, fmt.Errorf("queue tables: %w", err)
	}
	c, err := q.newClient(&river.Config{})
	if err != nil {
		q.Close()
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.inserter = c
	return q, nil
}

// Close releases the database connections.
func (q *Queue) Close() { q.close() }

// migrationLock is the advisory lock two processes starting on a new
// PostgreSQL database take around River's migrations, which take none.
const migrationLock = 0x72616d70 // "ramp"

func openPostgres(ctx context.Context, dsn string) (*Queue, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, errors.New("--db: not a valid postgres:// URL")
	}
	// River's fetch (FOR UPDATE SKIP LOCKED) is built for READ COMMITTED;
	// under a database default of SERIALIZABLE (CockroachDB's, and the
	// test databases') concurrent fetches abort each other.
	cfg.ConnConfig.RuntimeParams["default_transaction_isolation"] = "read committed"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("cannot reach the PostgreSQL database %s: %w", redactURL(dsn), err)
	}
	driver := riverpgxv5.New(pool)
	return &Queue{
		Engine:    "postgres",
		newClient: clientFor(driver),
		migrate: func(ctx context.Context) error {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			// A session lock, not a transaction's: under SERIALIZABLE a
			// transaction's snapshot would predate the other process's
			// migrations it waited for.
			if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
				return err
			}
			defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
			return migrateUp(ctx, driver)
		},
		close: pool.Close,
	}, nil
}

func openSQLite(ctx context.Context, path string) (*Queue, error) {
	if path == "" {
		return nil, errors.New("--db sqlite:PATH: the path is empty")
	}
	// busy_timeout: other worker processes on the same file wait their
	// turn instead of failing; immediate transactions take the write lock
	// at BEGIN, so two never deadlock upgrading a read lock.
	u := url.URL{Scheme: "file", Opaque: path, RawQuery: "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"}
	db, err := sql.Open("sqlite", u.String())
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		return nil, fmt.Errorf("cannot open the SQLite database %s: %w", path, err)
	}
	// SQLite runs one statement at a time; River's SQLite driver wants one
	// connection so that its own goroutines queue instead of failing busy.
	db.SetMaxOpenConns(1)
	driver := riversqlite.New(db)
	return &Queue{
		Engine:    "sqlite",
		newClient: clientFor(driver),
		migrate:   func(ctx context.Context) error { return migrateUp(ctx, driver) },
		close:     func() { db.Close() },
	}, nil
}

func clientFor[TTx any](driver riverdriver.Driver[TTx]) func(*river.Config) (client, error) {
	return func(cfg *river.Config) (client, error) {
		c, err := river.NewClient(driver, cfg)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

func migrateUp[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// redactURL is a database URL without its password, for messages.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unreadable URL)"
	}
	return u.Redacted()
}

// Inserted is the result of queueing a job.
type Inserted struct {
	ID int64
	// Duplicate: a job for the same target and slot (or hook and scan)
	// already existed; ID is that job's.
	Duplicate bool
}

// Enqueue queues a scan job.
func (q *Queue) Enqueue(ctx context.Context, args ScanArgs) (Inserted, error) {
	return q.insert(ctx, q.inserter, args)
}

func (q *Queue) insert(ctx context.Context, c client, args river.JobArgs) (Inserted, error) {
	res, err := c.Insert(ctx, args, nil)
	if err != nil {
		return Inserted{}, fmt.Errorf("queue %s job: %w", args.Kind(), err)
	}
	return Inserted{ID: res.Job.ID, Duplicate: res.UniqueSkippedAsDuplicate}, nil
}

// Job is a job as the queue holds it: its state, attempts, errors and args.
func (q *Queue) Job(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return q.inserter.JobGet(ctx, id)
}
