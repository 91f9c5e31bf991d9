-- Schema of the secure twin. Runs on PostgreSQL and CockroachDB.
CREATE SEQUENCE users_id_seq START 100;
CREATE SEQUENCE notes_id_seq START 1000;
CREATE SEQUENCE transfers_id_seq START 5000;
CREATE SEQUENCE redemptions_id_seq START 1;
CREATE SEQUENCE audit_id_seq START 1;
CREATE SEQUENCE login_failures_id_seq START 1;

CREATE TABLE tenants (
    id          INT8 PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            INT8 PRIMARY KEY DEFAULT nextval('users_id_seq'),
    tenant_id     INT8 NOT NULL REFERENCES tenants (id),
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    bio           TEXT NOT NULL DEFAULT '',
    locale        TEXT NOT NULL DEFAULT 'en-GB',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    is_admin      BOOL NOT NULL DEFAULT false,
    settings      JSONB NOT NULL DEFAULT '{}',
    active        BOOL NOT NULL DEFAULT true,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at    TIMESTAMPTZ
);

CREATE TABLE tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INT8 NOT NULL REFERENCES users (id),
    label       TEXT NOT NULL DEFAULT 'login',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX tokens_user_idx ON tokens (user_id);

-- A user's main account has the user's id; other accounts (savings) have ids of their own.
CREATE TABLE accounts (
    id            INT8 PRIMARY KEY,
    owner_id      INT8 NOT NULL REFERENCES users (id),
    tenant_id     INT8 NOT NULL REFERENCES tenants (id),
    display_name  TEXT NOT NULL,
    kind          TEXT NOT NULL DEFAULT 'current',
    currency      TEXT NOT NULL DEFAULT 'EUR',
    balance       NUMERIC(14, 2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
    iban          TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX accounts_owner_idx ON accounts (owner_id);

CREATE TABLE notes (
    id          INT8 PRIMARY KEY DEFAULT nextval('notes_id_seq'),
    owner_id    INT8 NOT NULL REFERENCES users (id),
    tenant_id   INT8 NOT NULL REFERENCES tenants (id),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    pinned      BOOL NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notes_owner_idx ON notes (owner_id);

CREATE TABLE transfers (
    id               INT8 PRIMARY KEY DEFAULT nextval('transfers_id_seq'),
    owner_id         INT8 NOT NULL REFERENCES users (id),
    tenant_id        INT8 NOT NULL REFERENCES tenants (id),
    from_account_id  INT8 NOT NULL REFERENCES accounts (id),
    to_account_id    INT8 NOT NULL REFERENCES accounts (id),
    amount           NUMERIC(14, 2) NOT NULL CHECK (amount > 0),
    currency         TEXT NOT NULL,
    memo             TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'completed',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX transfers_from_idx ON transfers (from_account_id, created_at);
CREATE INDEX transfers_to_idx ON transfers (to_account_id);

-- One row per (user, Idempotency-Key): replays return the stored response.
CREATE TABLE idempotency_keys (
    user_id        INT8 NOT NULL REFERENCES users (id),
    idem_key       TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    status_code    INT4 NOT NULL,
    response_body  TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE coupons (
    code         TEXT PRIMARY KEY,
    tenant_id    INT8 NOT NULL REFERENCES tenants (id),
    owner_id     INT8 REFERENCES users (id),
    description  TEXT NOT NULL DEFAULT '',
    value        NUMERIC(10, 2) NOT NULL CHECK (value > 0),
    max_uses     INT4 NOT NULL CHECK (max_uses > 0),
    remaining    INT4 NOT NULL CHECK (remaining >= 0),
    active       BOOL NOT NULL DEFAULT true,
    expires_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE coupon_redemptions (
    id           INT8 PRIMARY KEY DEFAULT nextval('redemptions_id_seq'),
    coupon_code  TEXT NOT NULL REFERENCES coupons (code),
    user_id      INT8 NOT NULL REFERENCES users (id),
    account_id   INT8 NOT NULL REFERENCES accounts (id),
    amount       NUMERIC(10, 2) NOT NULL,
    redeemed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (coupon_code, user_id)
);

CREATE TABLE audit_log (
    id          INT8 PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    tenant_id   INT8 NOT NULL,
    user_id     INT8,
    action      TEXT NOT NULL,
    detail      JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE login_failures (
    id           INT8 PRIMARY KEY DEFAULT nextval('login_failures_id_seq'),
    username     TEXT NOT NULL,
    remote_addr  TEXT NOT NULL,
    failed_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_user_idx ON login_failures (username, failed_at);
