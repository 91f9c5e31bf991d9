package tbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresDB creates an empty database on the testbed's PostgreSQL cluster
// for this test alone and drops it when the test ends; it returns the
// database's URL. Like the testbed's own databases it runs every
// transaction SERIALIZABLE unless asked otherwise, as CockroachDB does.
// Without the testbed (TB_PG_URL, printed by testbed/up) the test fails
// when CI is set and is skipped otherwise.
func PostgresDB(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("TB_PG_URL")
	if admin == "" {
		err := fmt.Errorf(`PostgreSQL not configured: run eval "$(testbed/up)" first (it prints TB_PG_URL)`)
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL at TB_PG_URL: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "rampart_t_" + hex.EncodeToString(b[:])
	// Identifiers cannot be parameters; name is ours and only [a-z0-9_].
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+name+" SET default_transaction_isolation = 'serializable'"); err != nil {
		t.Fatalf("test database isolation: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		// FORCE: a test that fails may leave connections open. FORCE cannot
		// end an autovacuum worker (a superuser's process: SQLSTATE 42501),
		// which may still be busy in a database that was just migrated:
		// the drop is tried again while it finishes.
		for try := 0; try < 50; try++ {
			if _, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err == nil {
				return
			}
			if ctx.Err() != nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Errorf("drop test database %s: %v", name, err)
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("TB_PG_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
