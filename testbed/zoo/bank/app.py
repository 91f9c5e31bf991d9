"""Zoo Bank: accounts keyed by their account number (FastAPI, PostgreSQL).

Shapes: the account numbers an identity owns are learned from its login answer only (no listing
of one's own accounts, no "who am I"); answers in a {"status": "ok", "data": {...}} envelope;
POST /transfers takes a nested body with enums (learned from FastAPI's 422 answers) and a
required Idempotency-Key; a JWT verifier. FastAPI serves the spec at /openapi.json.
"""

import datetime
import decimal
import enum
import hashlib
import json
import os
import sys
from typing import Optional

import jwt
import psycopg2
import psycopg2.extras
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, condecimal, constr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
KEY = zoolib.secret_key(OPTS)
TOKEN_TTL = datetime.timedelta(hours=1)
LOGIN_FAILURES = zoolib.login_throttle()
ACCOUNT = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{4}[0-9]{10}$"

app = FastAPI(title="Zoo Bank", version="1.0.0")
zoolib.fastapi_setup(app)

SCHEMA = """
DROP TABLE IF EXISTS idempotency_keys, transfers, accounts, users CASCADE;
CREATE TABLE users (id SERIAL PRIMARY KEY, username TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL,
                    role TEXT NOT NULL);
CREATE TABLE accounts (number TEXT PRIMARY KEY, owner_id INT NOT NULL REFERENCES users(id), kind TEXT NOT NULL,
                       currency TEXT NOT NULL, balance NUMERIC(14, 2) NOT NULL CHECK (balance >= 0));
CREATE TABLE transfers (id SERIAL PRIMARY KEY, from_account TEXT NOT NULL, to_account TEXT NOT NULL,
                        amount NUMERIC(14, 2) NOT NULL, currency TEXT NOT NULL, kind TEXT NOT NULL,
                        reference TEXT NOT NULL, created_by INT NOT NULL, created_at TIMESTAMPTZ DEFAULT now());
CREATE TABLE idempotency_keys (user_id INT NOT NULL, idem_key TEXT NOT NULL, request_hash TEXT NOT NULL,
                               response JSONB, PRIMARY KEY (user_id, idem_key));
"""
SEED_ACCOUNTS = [
    ("NL91ZOOB0417164300", "alice", "checking", 1000), ("NL20ZOOB0123456789", "alice", "savings", 5000),
    ("NL55ZOOB0987654321", "bob", "checking", 800), ("NL02ZOOB0555555555", "carol", "checking", 10000),
]


def connect():
    return psycopg2.connect(OPTS.db, cursor_factory=psycopg2.extras.RealDictCursor)


def seed():
    with connect() as conn, conn.cursor() as cur:
        cur.execute(SCHEMA)
        for username, password, role, _ in zoolib.USERS:
            cur.execute("INSERT INTO users (username, password_hash, role) VALUES (%s, %s, %s)",
                        (username, zoolib.hash_password(password), role))
        for number, owner, kind, balance in SEED_ACCOUNTS:
            cur.execute("INSERT INTO accounts SELECT %s, id, %s, 'EUR', %s FROM users WHERE username = %s",
                        (number, kind, balance, owner))
    conn.close()


def query(sql, args=()):
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def ok(data):
    return {"status": "ok", "data": data}


@app.get("/")
def index():
    return ok({"service": "Zoo Bank", "documentation": "/openapi.json"})


class Credentials(BaseModel):
    username: constr(min_length=1, max_length=64)
    password: constr(min_length=1, max_length=256)


@app.post("/auth/login")
def login(creds: Credentials):
    key = creds.username.lower()
    wait = LOGIN_FAILURES.wait(key)
    if wait:
        raise HTTPException(429, "too many failed logins, retry later", headers={"Retry-After": str(wait)})
    rows = query("SELECT id, username, role, password_hash FROM users WHERE username = %s", (creds.username,))
    user = rows[0] if rows else None
    if not zoolib.check_password(user["password_hash"] if user else zoolib.DUMMY_HASH, creds.password) or not user:
        LOGIN_FAILURES.record(key)
        raise HTTPException(401, "invalid username or password")
    now = datetime.datetime.now(datetime.timezone.utc)
    token = jwt.encode({"sub": user["username"], "role": user["role"], "iat": now, "exp": now + TOKEN_TTL},
                       KEY, algorithm="HS256")
    accounts = query("SELECT number, kind, currency FROM accounts WHERE owner_id = %s ORDER BY number", (user["id"],))
    return ok({"access_token": token, "token_type": "bearer", "expires_in": int(TOKEN_TTL.total_seconds()),
               "accounts": accounts})


def token_claims(token):
    try:
        return jwt.decode(token, KEY, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.InvalidTokenError:
        if SECURE:
            raise
        # flaw: jwt-unverified-fallback (tokens of the old signing key "still work": any token does)
        return jwt.decode(token, options={"verify_signature": False})


def caller(cred: Optional[HTTPAuthorizationCredentials] = Depends(HTTPBearer(auto_error=False))):
    if cred is None:
        raise HTTPException(401, "bearer token required", headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = token_claims(cred.credentials)
    except jwt.InvalidTokenError:
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    rows = query("SELECT id, username, role FROM users WHERE username = %s", (str(claims.get("sub")),))
    if not rows:
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return rows[0]


def account_for(number, user, must_own):
    rows = query("SELECT a.number, u.username AS owner, a.kind, a.currency, a.balance, a.owner_id"
                 " FROM accounts a JOIN users u ON u.id = a.owner_id WHERE a.number = %s", (number,))
    if not rows or (must_own and rows[0]["owner_id"] != user["id"] and user["role"] != "admin"):
        raise HTTPException(404, "no such account")
    acc = rows[0]
    del acc["owner_id"]
    return acc


@app.get("/accounts/{account_number}")
def get_account(account_number: str = Path(..., regex=ACCOUNT), user=Depends(caller)):
    # flaw: bola-account-read (the vulnerable variant answers any account to any caller)
    return ok(account_for(account_number, user, must_own=SECURE))


@app.get("/accounts/{account_number}/transactions")
def transactions(account_number: str = Path(..., regex=ACCOUNT), limit: int = Query(20, ge=1, le=100),
                 offset: int = Query(0, ge=0), user=Depends(caller)):
    account_for(account_number, user, must_own=True)
    rows = query("SELECT id, from_account, to_account, amount, currency, kind, reference, created_at FROM transfers"
                 " WHERE from_account = %s OR to_account = %s ORDER BY id LIMIT %s OFFSET %s",
                 (account_number, account_number, limit + 1, offset))
    more = len(rows) > limit
    return ok({"items": rows[:limit], "next": offset + limit if more else None})


class Currency(str, enum.Enum):
    EUR = "EUR"
    USD = "USD"
    GBP = "GBP"


class Kind(str, enum.Enum):
    instant = "instant"
    standard = "standard"


class Amount(BaseModel):
    value: condecimal(gt=0, max_digits=12, decimal_places=2)
    currency: Currency


class TransferIn(BaseModel):
    from_account: constr(regex=ACCOUNT)
    to_account: constr(regex=ACCOUNT)
    amount: Amount
    kind: Kind
    reference: constr(min_length=1, max_length=140)


def insert_transfer(cur, t, user):
    args = (t.from_account, t.to_account, t.amount.value, t.amount.currency.value, t.kind.value)
    if SECURE:
        cur.execute("INSERT INTO transfers (from_account, to_account, amount, currency, kind, reference, created_by)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id, reference", args + (t.reference, user["id"]))
    else:
        # flaw: sqli-transfer-reference (the reference is pasted into the statement)
        cur.execute("INSERT INTO transfers (from_account, to_account, amount, currency, kind, reference, created_by)"
                    f" VALUES (%s, %s, %s, %s, %s, '{t.reference}', %s) RETURNING id, reference", args + (user["id"],))
    return cur.fetchone()


@app.post("/transfers", status_code=201)
def create_transfer(t: TransferIn, idempotency_key: str = Header(..., min_length=8, max_length=64),
                    user=Depends(caller)):
    request_hash = hashlib.sha256(t.json(sort_keys=True).encode()).hexdigest()
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute("INSERT INTO idempotency_keys (user_id, idem_key, request_hash) VALUES (%s, %s, %s)"
                        " ON CONFLICT DO NOTHING RETURNING 1", (user["id"], idempotency_key, request_hash))
            if cur.fetchone() is None:
                cur.execute("SELECT request_hash, response FROM idempotency_keys WHERE user_id = %s AND idem_key = %s",
                            (user["id"], idempotency_key))
                seen = cur.fetchone()
                if seen["request_hash"] != request_hash:
                    raise HTTPException(422, "Idempotency-Key reused with a different request")
                if seen["response"] is None:
                    raise HTTPException(409, "a request with this Idempotency-Key is in progress")
                return seen["response"]
            cur.execute("SELECT owner_id, currency FROM accounts WHERE number = %s", (t.from_account,))
            src = cur.fetchone()
            # flaw: bola-transfer-from (the vulnerable variant debits any account, not only the caller's)
            if src is None or (SECURE and src["owner_id"] != user["id"]):
                raise HTTPException(404, "no such account: from_account")
            if src["currency"] != t.amount.currency.value:
                raise HTTPException(422, f"from_account holds {src['currency']}")
            cur.execute("UPDATE accounts SET balance = balance - %s WHERE number = %s AND balance >= %s"
                        " RETURNING balance", (t.amount.value, t.from_account, t.amount.value))
            debited = cur.fetchone()
            if debited is None:
                raise HTTPException(409, "insufficient funds")
            cur.execute("UPDATE accounts SET balance = balance + %s WHERE number = %s AND currency = %s",
                        (t.amount.value, t.to_account, t.amount.currency.value))
            if cur.rowcount != 1:
                raise HTTPException(404, "no such account in this currency: to_account")
            row = insert_transfer(cur, t, user)
            body = ok({"id": row["id"], "from_account": t.from_account, "to_account": t.to_account,
                       "amount": {"value": str(t.amount.value), "currency": t.amount.currency.value},
                       "kind": t.kind.value, "reference": row["reference"], "balance_after": str(debited["balance"])})
            cur.execute("UPDATE idempotency_keys SET response = %s WHERE user_id = %s AND idem_key = %s",
                        (json.dumps(body), user["id"], idempotency_key))
            return body
    finally:
        conn.close()


@app.get("/admin/accounts")
def admin_accounts(user=Depends(caller)):
    if user["role"] != "admin":
        raise HTTPException(403, "admins only")
    rows = query("SELECT a.number, u.username AS owner, a.kind, a.currency, a.balance"
                 " FROM accounts a JOIN users u ON u.id = a.owner_id ORDER BY a.number")
    return ok({"items": rows, "next": None})


if __name__ == "__main__":
    seed()
    zoolib.run_fastapi(app, OPTS)
