"""Zoo Shop: orders nested under their customer's username (FastAPI, SQLite).

Shapes: usernames in paths and nested resources (/users/{username}/orders/{order_id}); order ids
in a query string (GET /invoice?id=) and in a body (POST /orders/lookup); a sign-up whose model
takes more fields than a customer should set; an order body with nested objects, a list and enums,
learned from FastAPI's 422 answers; paginated answers ({"items": [...], "next": cursor}); HS256
JWTs; no "who am I". FastAPI serves the spec at /openapi.json.
"""

import datetime
import enum
import os
import sqlite3
import sys
from typing import List, Optional

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, conint, conlist, constr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
# flaw: jwt-weak-key (jwt.io's example key signs the vulnerable variant's tokens)
KEY = zoolib.secret_key(OPTS, weak="your-256-bit-secret")
TOKEN_TTL = datetime.timedelta(hours=1)
PAGE = 2
LOGIN_FAILURES = zoolib.login_throttle()
PRICES = {"TEA-001": 4.50, "MUG-002": 12.00, "PEN-003": 2.20}

app = FastAPI(title="Zoo Shop", version="1.0.0")
zoolib.fastapi_setup(app)

SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL REFERENCES users(username),
                     status TEXT NOT NULL, shipping TEXT NOT NULL, street TEXT NOT NULL, city TEXT NOT NULL,
                     country TEXT NOT NULL, total REAL NOT NULL);
CREATE TABLE order_items (order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE, sku TEXT NOT NULL,
                          quantity INTEGER NOT NULL, price REAL NOT NULL);
"""
SEED_ORDERS = [  # owner, shipping, street, city, country, [(sku, quantity)]
    ("alice", "express", "1 Rabbit Hole", "Oxford", "GB", [("TEA-001", 2)]),
    ("alice", "standard", "1 Rabbit Hole", "Oxford", "GB", [("MUG-002", 1), ("PEN-003", 3)]),
    ("alice", "standard", "1 Rabbit Hole", "Oxford", "GB", [("PEN-003", 1)]),
    ("bob", "standard", "7 Scrapyard Lane", "Bobsville", "GB", [("MUG-002", 2)]),
    ("carol", "express", "9 Admin Road", "London", "GB", [("TEA-001", 10)]),
]


def db():
    conn = sqlite3.connect(OPTS.db, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def insert_order(conn, owner, shipping, street, city, country, items):
    total = round(sum(PRICES[sku] * qty for sku, qty in items), 2)
    cur = conn.execute("INSERT INTO orders (owner, status, shipping, street, city, country, total)"
                       " VALUES (?, 'placed', ?, ?, ?, ?, ?)", (owner, shipping, street, city, country, total))
    conn.executemany("INSERT INTO order_items VALUES (?, ?, ?, ?)",
                     [(cur.lastrowid, sku, qty, PRICES[sku]) for sku, qty in items])
    return cur.lastrowid


def seed():
    if os.path.exists(OPTS.db):
        os.remove(OPTS.db)
    conn = db()
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO users VALUES (?, ?, ?, ?)",
                     [(u, zoolib.hash_password(pw), mail, role) for u, pw, role, mail in zoolib.USERS])
    for order in SEED_ORDERS:
        insert_order(conn, *order)
    conn.commit()
    conn.close()


def order_view(conn, row):
    items = conn.execute("SELECT sku, quantity, price FROM order_items WHERE order_id = ?", (row["id"],)).fetchall()
    return {"id": row["id"], "owner": row["owner"], "status": row["status"], "total": row["total"],
            "shipping": {"method": row["shipping"], "address": {"street": row["street"], "city": row["city"],
                                                                "country": row["country"]}},
            "items": [dict(i) for i in items]}


class Credentials(BaseModel):
    username: constr(min_length=1, max_length=64)
    password: constr(min_length=1, max_length=256)


class SignupIn(BaseModel):
    username: constr(regex=r"^[a-z][a-z0-9_-]{2,31}$")
    password: constr(min_length=8, max_length=256)
    email: constr(regex=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", max_length=254)

    class Config:
        extra = "ignore" if SECURE else "allow"  # allow: undocumented fields are kept too


@app.get("/")
def index():
    return {"service": "Zoo Shop", "documentation": "/openapi.json"}


@app.post("/signup", status_code=201)
def signup(body: SignupIn):
    # flaw: mass-assignment-signup-role (the vulnerable variant takes the role the client sends)
    role = "user" if SECURE else body.dict().get("role", "user")
    with db() as conn:
        try:
            conn.execute("INSERT INTO users VALUES (?, ?, ?, ?)",
                         (body.username, zoolib.hash_password(body.password), body.email, role))
        except sqlite3.IntegrityError:
            raise HTTPException(409, "username taken")
    return {"message": "account created"}


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
    now = datetime.datetime.now(datetime.timezone.utc)
    token = jwt.encode({"sub": user["username"], "iat": now, "exp": now + TOKEN_TTL}, KEY, algorithm="HS256")
    return {"access_token": token, "token_type": "bearer"}


def caller(cred: Optional[HTTPAuthorizationCredentials] = Depends(HTTPBearer(auto_error=False))):
    unauthorized = HTTPException(401, "bearer token required", headers={"WWW-Authenticate": "Bearer"})
    if cred is None:
        raise unauthorized
    try:
        claims = jwt.decode(cred.credentials, KEY, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.InvalidTokenError:
        raise unauthorized
    with db() as conn:
        user = conn.execute("SELECT username, email, role FROM users WHERE username = ?", (claims["sub"],)).fetchone()
    if user is None:
        raise unauthorized
    return user


def own_or_admin(user, username):
    if user["username"] != username and user["role"] != "admin":
        raise HTTPException(403, "not your account")


def find_order(conn, order_id, user, username=None):
    row = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
    if row is None:
        raise HTTPException(404, "no such order")
    if SECURE and ((username is not None and row["owner"] != username) or
                   (row["owner"] != user["username"] and user["role"] != "admin")):
        raise HTTPException(404, "no such order")
    return row


@app.get("/products")
def products():
    return {"items": [{"sku": k, "price": v} for k, v in PRICES.items()], "next": None}


@app.get("/users/{username}/orders")
def list_orders(username: str, cursor: int = Query(0, ge=0), user=Depends(caller)):
    own_or_admin(user, username)
    with db() as conn:
        rows = conn.execute("SELECT id, status, total FROM orders WHERE owner = ? AND id > ? ORDER BY id LIMIT ?",
                            (username, cursor, PAGE + 1)).fetchall()
    items = [dict(r) for r in rows[:PAGE]]
    return {"items": items, "next": items[-1]["id"] if len(rows) > PAGE else None}


class Sku(str, enum.Enum):
    tea = "TEA-001"
    mug = "MUG-002"
    pen = "PEN-003"


class Method(str, enum.Enum):
    standard = "standard"
    express = "express"


class Item(BaseModel):
    sku: Sku
    quantity: conint(ge=1, le=10)


class Address(BaseModel):
    street: constr(min_length=1, max_length=100)
    city: constr(min_length=1, max_length=60)
    country: constr(regex=r"^[A-Z]{2}$")


class Shipping(BaseModel):
    method: Method
    address: Address


class OrderIn(BaseModel):
    items: conlist(Item, min_items=1, max_items=20)
    shipping: Shipping


@app.post("/users/{username}/orders", status_code=201)
def create_order(username: str, order: OrderIn, user=Depends(caller)):
    if user["username"] != username:
        raise HTTPException(403, "orders are placed by their customer")
    a = order.shipping.address
    with db() as conn:
        order_id = insert_order(conn, username, order.shipping.method.value, a.street, a.city, a.country,
                                [(i.sku.value, i.quantity) for i in order.items])
        return order_view(conn, find_order(conn, order_id, user))


@app.get("/users/{username}/orders/{order_id}")
def get_order(username: str, order_id: int, user=Depends(caller)):
    if SECURE:
        own_or_admin(user, username)
    # flaw: bola-order-read (the vulnerable variant finds the order by id alone, for any caller)
    with db() as conn:
        return order_view(conn, find_order(conn, order_id, user, username))


@app.delete("/users/{username}/orders/{order_id}")
def cancel_order(username: str, order_id: int, user=Depends(caller)):
    own_or_admin(user, username)
    with db() as conn:
        row = conn.execute("SELECT owner FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None or row["owner"] != username:
            raise HTTPException(404, "no such order")
        conn.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", (order_id,))
    return {"message": "cancelled"}


@app.get("/invoice")
def invoice(id: int = Query(..., ge=1), user=Depends(caller)):
    # flaw: bola-invoice-query (the vulnerable variant serves any order's invoice)
    with db() as conn:
        row = find_order(conn, id, user)
        customer = conn.execute("SELECT username, email FROM users WHERE username = ?", (row["owner"],)).fetchone()
        return {"invoice": f"INV-{row['id']:06d}", "customer": dict(customer), "order": order_view(conn, row)}


class Lookup(BaseModel):
    order_id: conint(ge=1)


@app.post("/orders/lookup")
def lookup(body: Lookup, user=Depends(caller)):
    # flaw: bola-order-lookup (the vulnerable variant looks up any order id it is sent)
    with db() as conn:
        row = find_order(conn, body.order_id, user)
        return {"id": row["id"], "status": row["status"], "owner": row["owner"],
                "ship_to": {"street": row["street"], "city": row["city"], "country": row["country"]}}


@app.get("/admin/orders")
def admin_orders(cursor: int = Query(0, ge=0), user=Depends(caller)):
    if user["role"] != "admin":
        raise HTTPException(403, "admins only")
    with db() as conn:
        rows = conn.execute("SELECT id, owner, status, total FROM orders WHERE id > ? ORDER BY id LIMIT ?",
                            (cursor, 20 + 1)).fetchall()
    items: List[dict] = [dict(r) for r in rows[:20]]
    return {"items": items, "next": items[-1]["id"] if len(rows) > 20 else None}


if __name__ == "__main__":
    seed()
    zoolib.run_fastapi(app, OPTS)
