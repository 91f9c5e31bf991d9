package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Scopes of an API key, each allowing what the ones before it allow.
const (
	ScopeRead   = "read"   // list and fetch targets, scans, reports, diffs
	ScopeUpload = "upload" // also upload reports
	ScopeAdmin  = "admin"  // also create and delete keys
)

var scopeRank = map[string]int{ScopeRead: 1, ScopeUpload: 2, ScopeAdmin: 3}

// ValidScope reports whether s is read, upload or admin.
func ValidScope(s string) bool { return scopeRank[s] > 0 }

// Allows reports whether a key of scope have may do what need requires.
func Allows(have, need string) bool { return scopeRank[have] > 0 && scopeRank[have] >= scopeRank[need] }

// KeyPrefix starts every API key, so that a leaked one is recognisable
// (secret scanners, logs).
const KeyPrefix = "rampart_"

// Key is an API key as stored: never the key itself, only its hash.
type Key struct {
	ID       int64      `json:"id"`
	Name     string     `json:"name"`
	Scope    string     `json:"scope"`
	Created  time.Time  `json:"created"`
	LastUsed *time.Time `json:"lastUsed,omitempty"`
}

// ErrExists is a key name already taken.
var ErrExists = errors.New("already exists")

// hashKey is the stored form of a key. A key is 32 random bytes, so a
// plain SHA-256 is as good as a slow hash: there is nothing to guess.
func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateKey makes a key and returns it with the secret, which is shown
// this once and stored only as its hash.
func (s *Store) CreateKey(ctx context.Context, name, scope string) (Key, string, error) {
	if !ValidName(name) {
		return Key{}, "", fmt.Errorf("%w: key name %q: use 1 to 100 letters, digits, '.', '_', ':' or '-'", ErrInvalid, name)
	}
	if !ValidScope(scope) {
		return Key{}, "", fmt.Errorf("%w: scope %q: want read, upload or admin", ErrInvalid, scope)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Key{}, "", err
	}
	secret := KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	k := Key{Name: name, Scope: scope, Created: s.now()}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM api_keys WHERE name = ?`), name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("key %q: %w", name, ErrExists)
		}
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO api_keys (name, scope, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
			name, scope, hashKey(secret), k.Created).Scan(&k.ID)
	})
	if err != nil {
		return Key{}, "", fmt.Errorf("create key: %w", err)
	}
	return k, secret, nil
}

// Authenticate returns the key whose secret this is, or ErrNotFound. The
// row is found by the hash (an index look-up on a value an attacker cannot
// steer byte by byte), and the hashes are then compared in constant time.
func (s *Store) Authenticate(ctx context.Context, secret string) (Key, error) {
	if !strings.HasPrefix(secret, KeyPrefix) || len(secret) > 128 {
		return Key{}, ErrNotFound
	}
	want := hashKey(secret)
	var k Key
	var stored string
	var last sql.NullTime
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, name, scope, hash, created_at, last_used_at FROM api_keys WHERE hash = ?`), want).
		Scan(&k.ID, &k.Name, &k.Scope, &stored, &k.Created, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return Key{}, ErrNotFound
	}
	if err != nil {
		return Key{}, fmt.Errorf("look up key: %w", err)
	}
	if !ConstantTimeEqual(stored, want) {
		return Key{}, ErrNotFound
	}
	now := s.now()
	// Last use is a hint: a minute's precision spares a write per request.
	if !last.Valid || now.Sub(last.Time) > time.Minute {
		if _, err := s.db.ExecContext(ctx, s.q(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`), now, k.ID); err != nil && !Retryable(err) {
			return Key{}, fmt.Errorf("record key use: %w", err)
		}
		last = sql.NullTime{Time: now, Valid: true}
	}
	lu := last.Time.UTC()
	k.LastUsed = &lu
	k.Created = k.Created.UTC()
	return k, nil
}

// ConstantTimeEqual compares two secrets (or their hashes) in time that
// does not depend on where they differ.
var ConstantTimeEqual = func(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Keys lists the keys (never their secrets).
func (s *Store) Keys(ctx context.Context) ([]Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, scope, created_at, last_used_at FROM api_keys ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	out := []Key{}
	for rows.Next() {
		var k Key
		var last sql.NullTime
		if err := rows.Scan(&k.ID, &k.Name, &k.Scope, &k.Created, &last); err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		k.Created = k.Created.UTC()
		if last.Valid {
			l := last.Time.UTC()
			k.LastUsed = &l
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// DeleteKey removes a key by name; its browser sessions go with it.
func (s *Store) DeleteKey(ctx context.Context, name string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM api_keys WHERE name = ?`), name)
		if err != nil {
			return fmt.Errorf("delete key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("key %q: %w", name, ErrNotFound)
		}
		return nil
	})
}
