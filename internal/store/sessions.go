package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Session is a browser's login: made from an API key, it carries that
// key's scope and a CSRF token for the forms it posts.
type Session struct {
	Key     Key
	CSRF    string
	Expires time.Time
}

func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// CreateSession starts a session for a key and returns its secret (the
// cookie's value, stored only as its hash).
func (s *Store) CreateSession(ctx context.Context, keyID int64, ttl time.Duration) (string, Session, error) {
	secret, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", Session{}, err
	}
	now := s.now()
	sess := Session{CSRF: csrf, Expires: now.Add(ttl)}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Expired sessions are swept here: logins are rare, requests not.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE expires_at < ?`), now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sessions (hash, key_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
			hashKey(secret), keyID, csrf, now, sess.Expires)
		return err
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("create session: %w", err)
	}
	return secret, sess, nil
}

// SessionBySecret returns the live session whose cookie this is, or
// ErrNotFound.
func (s *Store) SessionBySecret(ctx context.Context, secret string) (Session, error) {
	if secret == "" || len(secret) > 128 {
		return Session{}, ErrNotFound
	}
	want := hashKey(secret)
	var sess Session
	var stored string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT x.hash, x.csrf, x.expires_at, k.id, k.name, k.scope, k.created_at
		FROM sessions x JOIN api_keys k ON k.id = x.key_id WHERE x.hash = ?`), want).
		Scan(&stored, &sess.CSRF, &sess.Expires, &sess.Key.ID, &sess.Key.Name, &sess.Key.Scope, &sess.Key.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("look up session: %w", err)
	}
	if !ConstantTimeEqual(stored, want) || !s.now().Before(sess.Expires) {
		return Session{}, ErrNotFound
	}
	return sess, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, secret string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE hash = ?`), hashKey(secret))
		return err
	})
}
