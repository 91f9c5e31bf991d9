"""Zoo Wallet: payment cards keyed by their card number (FastAPI, SQLite).

Shapes: the card numbers an identity holds are learned from its login answer only; answers in a
{"data": ...} envelope; POST /cards/{card_number}/payments takes a nested body with an enum, a
required Idempotency-Key, and answers 429 with Retry-After past 5 payments in 10 seconds; opaque
bearer tokens; no "who am I". FastAPI serves the spec at /openapi.json.
"""

import datetime
import enum
import hashlib
import os
import secrets
import sqlite3
import sys
from typing import Optional

from fastapi import Depends, FastAPI, Header, HTTPException, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, condecimal, constr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
TOKEN_TTL = datetime.timedelta(hours=1)
CARD = r"^[0-9]{13,19}$"
LOGIN_FAILURES = zoolib.login_throttle()
PAYMENTS = zoolib.Throttle(5, 10)

app = FastAPI(title="Zoo Wallet", version="1.0.0")
zoolib.fastapi_setup(app)

SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE cards (number TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES users(username), holder TEXT NOT NULL,
                    brand TEXT NOT NULL, expiry TEXT NOT NULL, cvv TEXT NOT NULL, currency TEXT NOT NULL,
                    credit_limit INTEGER NOT NULL, spent INTEGER NOT NULL DEFAULT 0 CHECK (spent <= credit_limit));
CREATE TABLE payments (id INTEGER PRIMARY KEY AUTOINCREMENT, card TEXT NOT NULL, merchant TEXT NOT NULL,
                       amount INTEGER NOT NULL, created_by TEXT NOT NULL, idem_key TEXT NOT NULL,
                       request_hash TEXT NOT NULL, UNIQUE (created_by, idem_key));
"""
SEED_CARDS = [  # number, owner, holder, brand, expiry, cvv, limit in cents
    ("4111111111111111", "alice", "ALICE LIDDELL", "visa", "04/29", "737", 200000),
    ("5555555555554444", "alice", "ALICE LIDDELL", "mastercard", "11/28", "112", 50000),
    ("4012888888881881", "bob", "BOB BUILDER", "visa", "09/27", "318", 100000),
    ("378282246310005", "carol", "CAROL ADMIN", "amex", "01/30", "4242", 500000),
]


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def db():
    conn = sqlite3.connect(OPTS.db, timeout=10)
    conn.row_factory = sqlite3.Row
    return conn


def seed():
    if os.path.exists(OPTS.db):
        os.remove(OPTS.db)
    conn = db()
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO users VALUES (?, ?, ?)",
                     [(u, zoolib.hash_password(pw), role) for u, pw, role, _ in zoolib.USERS])
    conn.executemany("INSERT INTO cards (number, owner, holder, brand, expiry, cvv, currency, credit_limit)"
                     " VALUES (?, ?, ?, ?, ?, ?, 'EUR', ?)", SEED_CARDS)
    conn.commit()
    conn.close()


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Credentials(BaseModel):
    username: constr(min_length=1, max_length=64)
    password: constr(min_length=1, max_length=256)


@app.get("/")
def index():
    return {"data": {"service": "Zoo Wallet", "documentation": "/openapi.json"}}


@app.post("/login")
def login(creds: Credentials):
    key = creds.username.lower()
    wait = LOGIN_FAILURES.wait(key)
    if wait:
        raise HTTPException(429, "too many failed logins, retry later", headers={"Retry-After": str(wait)})
    with db() as conn:
        user = conn.execute("SELECT * FROM users WHERE username = ?", (creds.username,)).fetchone()
        if not zoolib.check_password(user["password_hash"] if user else zoolib.DUMMY_HASH, creds.password) or not user:
            LOGIN_FAILURES.record(key)
            raise HTTPException(401, "invalid username or password")
        token = secrets.token_urlsafe(32)
        conn.execute("INSERT INTO tokens VALUES (?, ?, ?)",
                     (digest(token), user["username"], (now() + TOKEN_TTL).isoformat()))
        cards = conn.execute("SELECT number AS card_number, brand FROM cards WHERE owner = ? ORDER BY number",
                             (user["username"],)).fetchall()
    return {"data": {"token": token, "expires_in": int(TOKEN_TTL.total_seconds()), "cards": [dict(c) for c in cards]}}


def caller(cred: Optional[HTTPAuthorizationCredentials] = Depends(HTTPBearer(auto_error=False))):
    user = None
    if cred is not None:
        with db() as conn:
            user = conn.execute("SELECT u.username, u.role FROM tokens t JOIN users u ON u.username = t.username"
                                " WHERE t.token_hash = ? AND t.expires_at > ?",
                                (digest(cred.credentials), now().isoformat())).fetchone()
    if user is None:
        raise HTTPException(401, "bearer token required", headers={"WWW-Authenticate": "Bearer"})
    return user


def card_for(conn, number, user, must_own):
    card = conn.execute("SELECT * FROM cards WHERE number = ?", (number,)).fetchone()
    if card is None or (must_own and card["owner"] != user["username"] and user["role"] != "admin"):
        raise HTTPException(404, "no such card")
    return card


def card_view(card):
    view = {"card_number": "**** " + card["number"][-4:], "last4": card["number"][-4:], "brand": card["brand"],
            "holder": card["holder"], "expiry": card["expiry"], "currency": card["currency"],
            "limit": card["credit_limit"] / 100, "spent": card["spent"] / 100}
    if not SECURE:
        # flaw: data-exposure-card-cvv (the vulnerable variant returns the full number and the CVV)
        view.update(card_number=card["number"], cvv=card["cvv"])
    return view


@app.get("/cards/{card_number}")
def get_card(card_number: str = Path(..., regex=CARD), user=Depends(caller)):
    with db() as conn:
        # flaw: bola-card-read (the vulnerable variant answers any card to any caller)
        return {"data": card_view(card_for(conn, card_number, user, must_own=SECURE))}


@app.get("/cards/{card_number}/payments")
def list_payments(card_number: str = Path(..., regex=CARD), user=Depends(caller)):
    with db() as conn:
        card_for(conn, card_number, user, must_own=True)
        rows = conn.execute("SELECT id, merchant, amount FROM payments WHERE card = ? ORDER BY id", (card_number,))
        return {"data": {"items": [{"id": r["id"], "merchant": r["merchant"], "amount": r["amount"] / 100}
                                   for r in rows], "next": None}}


class Currency(str, enum.Enum):
    EUR = "EUR"
    USD = "USD"


class Amount(BaseModel):
    value: condecimal(gt=0, max_digits=9, decimal_places=2)
    currency: Currency


class PaymentIn(BaseModel):
    merchant: constr(min_length=1, max_length=80)
    amount: Amount


@app.post("/cards/{card_number}/payments", status_code=201)
def pay(payment: PaymentIn, card_number: str = Path(..., regex=CARD),
        idempotency_key: str = Header(..., min_length=8, max_length=64), user=Depends(caller)):
    request_hash = hashlib.sha256(f"{card_number}:{payment.json(sort_keys=True)}".encode()).hexdigest()
    cents = int(payment.amount.value * 100)
    with db() as conn:
        seen = conn.execute("SELECT * FROM payments WHERE created_by = ? AND idem_key = ?",
                            (user["username"], idempotency_key)).fetchone()
        if seen is not None:
            if seen["request_hash"] != request_hash:
                raise HTTPException(422, "Idempotency-Key reused with a different request")
            return {"data": {"id": seen["id"], "merchant": seen["merchant"], "amount": seen["amount"] / 100}}
        wait = PAYMENTS.take(user["username"])
        if wait:
            raise HTTPException(429, "too many payments, retry later", headers={"Retry-After": str(wait)})
        # flaw: bola-card-pay (the vulnerable variant charges any card, not only the caller's)
        card = card_for(conn, card_number, user, must_own=SECURE)
        if card["currency"] != payment.amount.currency.value:
            raise HTTPException(422, f"this card is in {card['currency']}")
        try:
            cur = conn.execute("INSERT INTO payments (card, merchant, amount, created_by, idem_key, request_hash)"
                               " VALUES (?, ?, ?, ?, ?, ?)", (card_number, payment.merchant, cents, user["username"],
                                                             idempotency_key, request_hash))
        except sqlite3.IntegrityError:  # the same key, concurrently
            raise HTTPException(409, "a request with this Idempotency-Key is in progress")
        charged = conn.execute("UPDATE cards SET spent = spent + ? WHERE number = ? AND spent + ? <= credit_limit",
                               (cents, card_number, cents))
        if charged.rowcount != 1:
            conn.rollback()
            raise HTTPException(409, "credit limit reached")
    return {"data": {"id": cur.lastrowid, "merchant": payment.merchant, "amount": cents / 100}}


@app.get("/admin/cards")
def admin_cards(user=Depends(caller)):
    if user["role"] != "admin":
        raise HTTPException(403, "admins only")
    with db() as conn:
        return {"data": {"items": [card_view(c) for c in conn.execute("SELECT * FROM cards ORDER BY number")],
                         "next": None}}


if __name__ == "__main__":
    seed()
    zoolib.run_fastapi(app, OPTS)
