package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// maxAttempts bounds the retries of a transaction that keeps losing
// serialization conflicts.
const maxAttempts = 8

// inTx runs fn in a transaction and commits it, retrying the whole
// transaction when the database reports a serialization failure (SQLSTATE
// 40001: CockroachDB always runs SERIALIZABLE, and PostgreSQL does when
// asked). fn must therefore be safe to run again: it only talks to tx.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			// A short, growing pause lets the winner of the conflict finish.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
			}
		}
		err = s.tryTx(ctx, fn)
		if err == nil || !Retryable(err) {
			return err
		}
	}
	return fmt.Errorf("gave up after %d serialization conflicts: %w", maxAttempts, err)
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Retryable reports whether err is a serialization failure, which the
// client must answer by running the transaction again.
func Retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "40001"
}
