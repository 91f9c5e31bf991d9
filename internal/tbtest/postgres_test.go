package tbtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestPostgresDB checks that the database exists, is ours to write and runs
// SERIALIZABLE by default, and that it is gone after the test.
func TestPostgresDB(t *testing.T) {
	var dsn string
	t.Run("use", func(t *testing.T) {
		dsn = PostgresDB(t)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "CREATE TABLE t (id INT PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		var iso string
		if err := conn.QueryRow(ctx, "SHOW transaction_isolation").Scan(&iso); err != nil {
			t.Fatal(err)
		}
		if iso != "serializable" {
			t.Errorf("isolation %q, want serializable", iso)
		}
	})
	if dsn == "" {
		return // skipped: no testbed
	}
	ctx := context.Background()
	if conn, err := pgx.Connect(ctx, dsn); err == nil {
		conn.Close(ctx)
		t.Errorf("the test database is still there after its test")
	}
}
