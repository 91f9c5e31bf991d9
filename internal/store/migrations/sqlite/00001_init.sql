-- SQLite: the same tables and columns as postgres/00001_init.sql; only
-- the types differ (INTEGER PRIMARY KEY is SQLite's row id).

-- +goose Up
CREATE TABLE targets (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    base_url       TEXT NOT NULL DEFAULT '',
    schedule       TEXT NOT NULL DEFAULT '',
    scan_config    TEXT NOT NULL DEFAULT '',
    last_scheduled TIMESTAMP NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE scans (
    id          INTEGER PRIMARY KEY,
    target_id   INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    started_at  TIMESTAMP NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    mode        TEXT NOT NULL DEFAULT '',
    grade       TEXT NOT NULL DEFAULT '',
    score       INTEGER NOT NULL DEFAULT 0,
    coverage    INTEGER NULL,
    tested      INTEGER NOT NULL DEFAULT 0,
    applicable  INTEGER NOT NULL DEFAULT 0,
    incomplete  BOOLEAN NOT NULL DEFAULT FALSE,
    findings    INTEGER NOT NULL DEFAULT 0,
    report      TEXT NOT NULL
);
CREATE INDEX scans_target_started ON scans (target_id, started_at, id);

CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,
    scan_id     INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    check_id    TEXT NOT NULL,
    severity    INTEGER NOT NULL,
    confidence  INTEGER NOT NULL,
    title       TEXT NOT NULL,
    method      TEXT NOT NULL DEFAULT '',
    path        TEXT NOT NULL DEFAULT '',
    file        TEXT NOT NULL DEFAULT '',
    line        INTEGER NOT NULL DEFAULT 0,
    data        TEXT NOT NULL
);
CREATE INDEX findings_scan ON findings (scan_id, fingerprint);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NULL
);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    key_id     INTEGER NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE sessions;
DROP TABLE api_keys;
DROP TABLE findings;
DROP TABLE scans;
DROP TABLE targets;
