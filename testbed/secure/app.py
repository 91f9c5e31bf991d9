"""Acme Ledger API: accounts, notes, transfers, coupons and reports.

Flask + psycopg2 on PostgreSQL or CockroachDB (DATABASE_URL). Configuration
comes from the environment only:

    DATABASE_URL           postgresql://user:password@host:port/db (required)
    SECRET_KEY             Flask session key (required)
    JWT_SECRET             HS256 key of the /api/v2 tokens (required)
    CORS_ALLOWED_ORIGINS   comma-separated origins allowed to call the API with credentials
    SESSION_COOKIE_SECURE  "1" to mark the session cookie Secure (when served over HTTPS)
    HOST, PORT             where to listen (default 127.0.0.1:8802)
"""

import datetime
import decimal
import hashlib
import json
import logging
import os
import random
import re
import secrets
import time
from functools import wraps

import jwt
import psycopg2
import psycopg2.errors
import yaml
from flask import Flask, g, jsonify, request, session
from psycopg2.extras import Json, RealDictCursor
from werkzeug.exceptions import HTTPException
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.serving import WSGIRequestHandler

log = logging.getLogger("acme-ledger")

DATABASE_URL = os.environ["DATABASE_URL"]
JWT_SECRET = os.environ["JWT_SECRET"]
ALLOWED_ORIGINS = {
    o.strip() for o in os.environ.get("CORS_ALLOWED_ORIGINS", "https://app.rampart.test").split(",") if o.strip()
}

app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ["SECRET_KEY"],
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SAMESITE="Lax",
    SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE") == "1",
    PERMANENT_SESSION_LIFETIME=datetime.timedelta(hours=12),
    MAX_CONTENT_LENGTH=64 * 1024,
)
app.json.sort_keys = False

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "openapi.yaml")
with open(SPEC_PATH) as f:
    OPENAPI = yaml.safe_load(f)

CURRENCIES = ("EUR", "USD", "GBP", "CHF")
TOKEN_TTL = datetime.timedelta(hours=12)
API_TOKEN_TTL = datetime.timedelta(minutes=15)
DAILY_TRANSFER_LIMIT = decimal.Decimal("10000.00")
MAX_TRANSFER = decimal.Decimal("5000.00")
LOGIN_WINDOW_SECONDS = 60
LOGIN_MAX_FAILURES = 5
# Compared against when the user does not exist, so both cases cost the same.
DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


# ---------------------------------------------------------------- database

def get_db():
    if "db" not in g:
        g.db = psycopg2.connect(DATABASE_URL, connect_timeout=5, application_name="acme-ledger")
    return g.db


@app.teardown_appcontext
def close_db(exc):
    db = g.pop("db", None)
    if db is not None:
        db.close()  # an unfinished transaction is rolled back by the server


def run_in_transaction(work, attempts=20, conn=None):
    """Run work(cursor) in one transaction; retry it on 40001 with backoff."""
    conn = conn or get_db()
    delay = 0.004
    for attempt in range(attempts):
        try:
            with conn:  # commit on success, rollback on any exception
                with conn.cursor(cursor_factory=RealDictCursor) as cur:
                    return work(cur)
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected):
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.25)
    raise ServiceBusy()


def fetch_one(query, args=None):
    def work(cur):
        cur.execute(query, args)
        return cur.fetchone()
    return run_in_transaction(work)


def fetch_all(query, args=None):
    def work(cur):
        cur.execute(query, args)
        return cur.fetchall()
    return run_in_transaction(work)


class ServiceBusy(HTTPException):
    code = 503
    description = "The service is busy, please retry."


class ApiError(HTTPException):
    def __init__(self, code, message):
        super().__init__(description=message)
        self.code = code


# ---------------------------------------------------------------- helpers

def money(value):
    return float(value)


def iso(ts):
    return ts.isoformat() if ts is not None else None


def json_body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "expected a JSON object")
    return data


def text_field(data, name, required=True, max_len=200, min_len=1):
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not (min_len <= len(value.strip()) <= max_len):
        raise ApiError(400, "%s must be a string of %d to %d characters" % (name, min_len, max_len))
    return value.strip()


def amount_field(data, name="amount", maximum=MAX_TRANSFER):
    raw = data.get(name)
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ApiError(400, "%s must be a number" % name)
    try:
        value = decimal.Decimal(str(raw))
    except decimal.InvalidOperation:
        raise ApiError(400, "%s must be a number" % name)
    if not value.is_finite() or value <= 0 or value > maximum or value != value.quantize(decimal.Decimal("0.01")):
        raise ApiError(422, "%s must be between 0.01 and %s with at most 2 decimals" % (name, maximum))
    return value


def int_field(data, name, required=True):
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, "%s must be an integer" % name)
    return value


def client_addr():
    return request.remote_addr or "unknown"


def audit(cur, user, action, detail):
    cur.execute(
        "INSERT INTO audit_log (tenant_id, user_id, action, detail) VALUES (%s, %s, %s, %s)",
        (user["tenant_id"], user["id"], action, Json(detail)),
    )


# ---------------------------------------------------------------- identity


def user_by_token(token):
    digest = hashlib.sha256(token.encode()).hexdigest()
    return fetch_one(
        "SELECT u.id, u.tenant_id, u.username, u.display_name, u.email, u.bio, u.locale, u.role, u.is_admin,"
        " u.created_at FROM tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = %s AND t.expires_at > now() AND u.active",
        (digest,),
    )


def get_authenticated_user():
    """The caller, from a bearer token or the session cookie; None if anonymous."""
    if "user" in g:
        return g.user
    user = None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            user = user_by_token(token.strip())
    elif isinstance(session.get("uid"), int):
        user = fetch_one(
            "SELECT id, tenant_id, username, display_name, email, bio, locale, role, is_admin, created_at"
            " FROM users WHERE id = %s AND active",
            (session["uid"],),
        )
    g.user = user
    return user


def get_authenticated_user_id():
    user = get_authenticated_user()
    return user["id"] if user else None


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if get_authenticated_user() is None:
            raise ApiError(401, "authentication required")
        return view(*args, **kwargs)
    return wrapper


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = get_authenticated_user()
        if user is None:
            raise ApiError(401, "authentication required")
        if user["role"] != "admin":
            raise ApiError(403, "administrator role required")
        return view(*args, **kwargs)
    return wrapper


def me_view(user):
    return {
        "id": user["id"],
        "username": user["username"],
        "display_name": user["display_name"],
        "email": user["email"],
        "role": user["role"],
        "is_admin": user["is_admin"],
        "tenant_id": user["tenant_id"],
    }


def profile_view(user):
    view = me_view(user)
    view.update(bio=user["bio"], locale=user["locale"], created_at=iso(user["created_at"]))
    return view


def login_throttle(username):
    """Seconds to wait before the next attempt for this username, or 0."""
    row = fetch_one(
        "SELECT count(*) AS failures, min(failed_at) AS oldest, now() AS now FROM login_failures"
        " WHERE username = %s AND failed_at > now() - %s * interval '1 second'",
        (username, LOGIN_WINDOW_SECONDS),
    )
    if row["failures"] < LOGIN_MAX_FAILURES:
        return 0
    elapsed = (row["now"] - row["oldest"]).total_seconds()
    return max(1, int(LOGIN_WINDOW_SECONDS - elapsed) + 1)


def record_login_failure(username):
    def work(cur):
        cur.execute("INSERT INTO login_failures (username, remote_addr) VALUES (%s, %s)", (username, client_addr()))
    run_in_transaction(work)


def check_credentials():
    """Validate {username, password} with a per-username failure throttle; return the user row."""
    data = json_body()
    username = text_field(data, "username", max_len=64)
    password = data.get("password")
    if not isinstance(password, str) or not password or len(password) > 256:
        raise ApiError(400, "password must be a non-empty string")
    key = username.lower()
    wait = login_throttle(key)
    if wait:
        resp = jsonify(error="too_many_requests", message="too many failed logins, retry later")
        resp.status_code = 429
        resp.headers["Retry-After"] = str(wait)
        return None, resp
    user = fetch_one(
        "SELECT id, tenant_id, username, display_name, email, bio, locale, role, is_admin, created_at, password_hash"
        " FROM users WHERE username = %s AND active",
        (username,),
    )
    if user is None:
        check_password_hash(DUMMY_HASH, password)
        ok = False
    else:
        ok = check_password_hash(user["password_hash"], password)
    if not ok:
        record_login_failure(key)
        raise ApiError(401, "invalid username or password")
    return user, None


# ---------------------------------------------------------------- responses

@app.errorhandler(HTTPException)
def http_error(exc):
    resp = jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description)
    resp.status_code = exc.code
    if exc.code == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="acme-ledger"'
    if exc.code == 503:
        resp.headers["Retry-After"] = "1"
    if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    return resp


@app.errorhandler(Exception)
def unexpected_error(exc):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return jsonify(error="internal_error", message="internal server error"), 500


@app.after_request
def security_headers(resp):
    h = resp.headers
    h["X-Content-Type-Options"] = "nosniff"
    h["X-Frame-Options"] = "DENY"
    h["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    h["Referrer-Policy"] = "no-referrer"
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    h["Cache-Control"] = "no-store"
    origin = request.headers.get("Origin")
    if origin is not None and origin in ALLOWED_ORIGINS:
        h["Access-Control-Allow-Origin"] = origin
        h["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS":
            h["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE"
            h["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key"
            h["Access-Control-Max-Age"] = "600"
    resp.vary.add("Origin")
    return resp


# ---------------------------------------------------------------- public routes

@app.get("/")
def index():
    return {
        "service": "Acme Ledger API",
        "version": "1.4.2",
        "status": "ok",
        "documentation": "/openapi.json",
    }


@app.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@app.post("/login")
def login():
    user, throttled = check_credentials()
    if throttled is not None:
        return throttled
    token = secrets.token_urlsafe(32)

    def work(cur):
        cur.execute(
            "INSERT INTO tokens (token_hash, user_id, label, expires_at) VALUES (%s, %s, 'login', now() + %s)",
            (hashlib.sha256(token.encode()).hexdigest(), user["id"], TOKEN_TTL),
        )
    run_in_transaction(work)
    session.clear()
    session.permanent = True
    session["uid"] = user["id"]
    return {
        "token": token,
        "token_type": "Bearer",
        "expires_in": int(TOKEN_TTL.total_seconds()),
        "user": me_view(user),
    }


@app.post("/logout")
def logout():
    session.clear()
    return {"status": "logged_out"}


@app.get("/users/<int:user_id>")
def public_profile(user_id):
    row = fetch_one("SELECT id, username, display_name, bio FROM users WHERE id = %s AND active", (user_id,))
    if row is None:
        raise ApiError(404, "user not found")
    return dict(row)


# ---------------------------------------------------------------- me and profile

@app.get("/me")
@login_required
def me():
    return me_view(get_authenticated_user())


@app.get("/profile")
@login_required
def get_profile():
    return profile_view(get_authenticated_user())


LOCALE_RE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")


@app.put("/profile")
@login_required
def update_profile():
    user = get_authenticated_user()
    data = json_body()
    changes = {}  # only these fields can be changed by the user; anything else is ignored
    if "display_name" in data:
        changes["display_name"] = text_field(data, "display_name", max_len=80)
    if "bio" in data:
        changes["bio"] = text_field(data, "bio", max_len=500, min_len=0)
    if "locale" in data:
        locale = data["locale"]
        if not isinstance(locale, str) or not LOCALE_RE.fullmatch(locale):
            raise ApiError(400, "locale must look like en-GB")
        changes["locale"] = locale

    def work(cur):
        cur.execute(
            "UPDATE users SET display_name = COALESCE(%s, display_name), bio = COALESCE(%s, bio),"
            " locale = COALESCE(%s, locale) WHERE id = %s AND tenant_id = %s"
            " RETURNING id, tenant_id, username, display_name, email, bio, locale, role, is_admin, created_at",
            (changes.get("display_name"), changes.get("bio"), changes.get("locale"), user["id"], user["tenant_id"]),
        )
        return cur.fetchone()
    row = run_in_transaction(work)
    g.user = row
    return profile_view(row)


# ---------------------------------------------------------------- accounts


def account_view(row):
    return {
        "id": row["id"],
        "owner_id": row["owner_id"],
        "display_name": row["display_name"],
        "kind": row["kind"],
        "currency": row["currency"],
        "balance": money(row["balance"]),
        "iban": row["iban"],
        "created_at": iso(row["created_at"]),
    }


@app.get("/account/<int:user_id>")
@login_required
def get_account(user_id):
    user = get_authenticated_user()
    if user["id"] != user_id:
        raise ApiError(403, "cannot access another user's account")
    row = fetch_one(
        "SELECT a.id, a.owner_id, a.display_name, a.kind, a.currency, a.balance, a.iban, a.created_at,"
        " u.email, u.settings FROM accounts a JOIN users u ON u.id = a.owner_id"
        " WHERE a.id = %s AND a.owner_id = %s AND a.tenant_id = %s",
        (user_id, user["id"], user["tenant_id"]),
    )
    if row is None:
        raise ApiError(404, "account not found")
    view = account_view(row)
    view.update(user_id=user_id, email=row["email"], settings=row["settings"])
    return view


@app.post("/account/<int:user_id>")
@login_required
def update_account(user_id):
    user = get_authenticated_user()
    if user["id"] != user_id:
        raise ApiError(403, "cannot update another user's account")
    data = json_body()
    display_name = text_field(data, "display_name", max_len=80)
    currency = data.get("currency")
    if currency not in CURRENCIES:
        raise ApiError(400, "currency must be one of %s" % ", ".join(CURRENCIES))

    def work(cur):
        cur.execute(
            "INSERT INTO accounts AS a (id, owner_id, tenant_id, display_name, currency) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, currency = excluded.currency"
            " WHERE a.owner_id = excluded.owner_id AND a.tenant_id = excluded.tenant_id"
            " RETURNING a.id, a.owner_id, a.display_name, a.kind, a.currency, a.balance, a.iban, a.created_at",
            (user_id, user["id"], user["tenant_id"], display_name, currency),
        )
        return cur.fetchone()
    row = run_in_transaction(work)
    if row is None:
        raise ApiError(403, "cannot update another user's account")
    return account_view(row)


@app.get("/accounts")
@login_required
def list_accounts():
    user = get_authenticated_user()
    rows = fetch_all(
        "SELECT a.id, a.owner_id, a.display_name, a.kind, a.currency, a.balance, a.iban, a.created_at"
        " FROM accounts a WHERE a.owner_id = %s AND a.tenant_id = %s ORDER BY a.id",
        (user["id"], user["tenant_id"]),
    )
    return {"accounts": [account_view(r) for r in rows]}


@app.get("/accounts/export")
@admin_required
def export_accounts():
    user = get_authenticated_user()
    rows = fetch_all(
        "SELECT a.id, a.owner_id, a.display_name, a.kind, a.currency, a.balance, a.iban, a.created_at,"
        " u.username AS owner_username FROM accounts a"
        " JOIN users u ON u.id = a.owner_id WHERE a.tenant_id = %s ORDER BY a.id",
        (user["tenant_id"],),
    )
    accounts = []
    for r in rows:
        view = account_view(r)
        view["owner_username"] = r["owner_username"]
        accounts.append(view)
    return {"generated_at": iso(datetime.datetime.now(datetime.timezone.utc)), "accounts": accounts}


# ---------------------------------------------------------------- notes

# Allowed sort orders, each with its complete query.
NOTE_QUERIES = {
    "created_at": (
        "SELECT id, owner_id, title, body, pinned, created_at, updated_at FROM notes"
        " WHERE owner_id = %s AND tenant_id = %s ORDER BY created_at ASC, id ASC"
    ),
    "-created_at": (
        "SELECT id, owner_id, title, body, pinned, created_at, updated_at FROM notes"
        " WHERE owner_id = %s AND tenant_id = %s ORDER BY created_at DESC, id DESC"
    ),
    "updated_at": (
        "SELECT id, owner_id, title, body, pinned, created_at, updated_at FROM notes"
        " WHERE owner_id = %s AND tenant_id = %s ORDER BY updated_at ASC, id ASC"
    ),
    "-updated_at": (
        "SELECT id, owner_id, title, body, pinned, created_at, updated_at FROM notes"
        " WHERE owner_id = %s AND tenant_id = %s ORDER BY updated_at DESC, id DESC"
    ),
    "title": (
        "SELECT id, owner_id, title, body, pinned, created_at, updated_at FROM notes"
        " WHERE owner_id = %s AND tenant_id = %s ORDER BY title ASC, id ASC"
    ),
    "-title": (
        "SELECT id, owner_id, title, body, pinned, created_at, updated_at FROM notes"
        " WHERE owner_id = %s AND tenant_id = %s ORDER BY title DESC, id DESC"
    ),
}


def note_view(row):
    return {
        "id": row["id"],
        "owner_id": row["owner_id"],
        "title": row["title"],
        "body": row["body"],
        "pinned": row["pinned"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


@app.get("/notes")
@login_required
def list_notes():
    user = get_authenticated_user()
    sort = request.args.get("sort", "-updated_at")
    query = NOTE_QUERIES.get(sort)
    if query is None:
        raise ApiError(400, "sort must be one of %s" % ", ".join(NOTE_QUERIES))
    rows = fetch_all(query, (user["id"], user["tenant_id"]))
    return {"notes": [note_view(r) for r in rows]}


@app.post("/notes")
@login_required
def create_note():
    user = get_authenticated_user()
    data = json_body()
    title = text_field(data, "title", max_len=200)
    body = text_field(data, "body", required=False, max_len=10000, min_len=0) or ""
    pinned = data.get("pinned", False)
    if not isinstance(pinned, bool):
        raise ApiError(400, "pinned must be a boolean")

    def work(cur):
        cur.execute(
            "INSERT INTO notes (owner_id, tenant_id, title, body, pinned) VALUES (%s, %s, %s, %s, %s)"
            " RETURNING id, owner_id, title, body, pinned, created_at, updated_at",
            (user["id"], user["tenant_id"], title, body, pinned),
        )
        return cur.fetchone()
    row = run_in_transaction(work)
    return note_view(row), 201, {"Location": "/notes/%d" % row["id"]}


@app.get("/notes/<int:note_id>")
@login_required
def get_note(note_id):
    user = get_authenticated_user()
    row = fetch_one(
        "SELECT id, owner_id, title, body, pinned, created_at, updated_at FROM notes WHERE id = %s"
        " AND owner_id = %s AND tenant_id = %s",
        (note_id, user["id"], user["tenant_id"]),
    )
    if row is None:
        raise ApiError(404, "note not found")
    return note_view(row)


@app.put("/notes/<int:note_id>")
@login_required
def update_note(note_id):
    user = get_authenticated_user()
    data = json_body()
    title = text_field(data, "title", required=False, max_len=200)
    body = text_field(data, "body", required=False, max_len=10000, min_len=0)
    pinned = data.get("pinned")
    if pinned is not None and not isinstance(pinned, bool):
        raise ApiError(400, "pinned must be a boolean")

    def work(cur):
        cur.execute(
            "UPDATE notes SET title = COALESCE(%s, title), body = COALESCE(%s, body),"
            " pinned = COALESCE(%s, pinned), updated_at = now()"
            " WHERE id = %s AND owner_id = %s AND tenant_id = %s"
            " RETURNING id, owner_id, title, body, pinned, created_at, updated_at",
            (title, body, pinned, note_id, user["id"], user["tenant_id"]),
        )
        return cur.fetchone()
    row = run_in_transaction(work)
    if row is None:
        raise ApiError(404, "note not found")
    return note_view(row)


@app.delete("/notes/<int:note_id>")
@login_required
def delete_note(note_id):
    user = get_authenticated_user()

    def work(cur):
        cur.execute(
            "DELETE FROM notes WHERE id = %s AND owner_id = %s AND tenant_id = %s RETURNING id",
            (note_id, user["id"], user["tenant_id"]),
        )
        return cur.fetchone()
    if run_in_transaction(work) is None:
        raise ApiError(404, "note not found")
    return "", 204


# ---------------------------------------------------------------- search

def like_pattern(text):
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@app.get("/search")
@login_required
def search():
    user = get_authenticated_user()
    q = request.args.get("q", "")
    if not 1 <= len(q) <= 100:
        raise ApiError(400, "q must be 1 to 100 characters")
    pattern = like_pattern(q)
    rows = fetch_all(
        "SELECT id, title, left(body, 120) AS snippet, updated_at FROM notes"
        " WHERE owner_id = %s AND tenant_id = %s AND (title ILIKE %s OR body ILIKE %s)"
        " ORDER BY updated_at DESC LIMIT 20",
        (user["id"], user["tenant_id"], pattern, pattern),
    )
    return {
        "query": q,
        "results": [
            {"type": "note", "id": r["id"], "title": r["title"], "snippet": r["snippet"],
             "updated_at": iso(r["updated_at"])}
            for r in rows
        ],
    }


# ---------------------------------------------------------------- transfers


def transfer_view(row):
    return {
        "id": row["id"],
        "from_account_id": row["from_account_id"],
        "to_account_id": row["to_account_id"],
        "amount": money(row["amount"]),
        "currency": row["currency"],
        "memo": row["memo"],
        "status": row["status"],
        "created_at": iso(row["created_at"]),
    }


@app.get("/transfers")
@login_required
def list_transfers():
    user = get_authenticated_user()
    rows = fetch_all(
        "SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.memo, t.status, t.created_at"
        " FROM transfers t WHERE t.tenant_id = %s AND ("
        " t.from_account_id IN (SELECT id FROM accounts WHERE owner_id = %s)"
        " OR t.to_account_id IN (SELECT id FROM accounts WHERE owner_id = %s))"
        " ORDER BY t.created_at DESC, t.id DESC LIMIT 100",
        (user["tenant_id"], user["id"], user["id"]),
    )
    return {"transfers": [transfer_view(r) for r in rows]}


@app.get("/transfers/<int:transfer_id>")
@login_required
def get_transfer(transfer_id):
    user = get_authenticated_user()
    row = fetch_one(
        "SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.memo, t.status, t.created_at"
        " FROM transfers t WHERE t.id = %s AND t.tenant_id = %s AND ("
        " t.from_account_id IN (SELECT id FROM accounts WHERE owner_id = %s)"
        " OR t.to_account_id IN (SELECT id FROM accounts WHERE owner_id = %s))",
        (transfer_id, user["tenant_id"], user["id"], user["id"]),
    )
    if row is None:
        raise ApiError(404, "transfer not found")
    return transfer_view(row)


@app.post("/transfers")
@login_required
def create_transfer():
    user = get_authenticated_user()
    key = request.headers.get("Idempotency-Key", "")
    if not 8 <= len(key) <= 128 or not key.isprintable():
        raise ApiError(400, "an Idempotency-Key header of 8 to 128 characters is required")
    data = json_body()
    src = int_field(data, "from_account_id")
    dst = int_field(data, "to_account_id")
    amount = amount_field(data)
    memo = text_field(data, "memo", required=False, max_len=140, min_len=0) or ""
    if src == dst:
        raise ApiError(422, "from_account_id and to_account_id must differ")
    request_hash = hashlib.sha256(
        json.dumps([src, dst, str(amount), memo], separators=(",", ":")).encode()
    ).hexdigest()

    def work(cur):
        cur.execute(
            "SELECT request_hash, status_code, response_body FROM idempotency_keys"
            " WHERE user_id = %s AND idem_key = %s",
            (user["id"], key),
        )
        seen = cur.fetchone()
        if seen is not None:
            if seen["request_hash"] != request_hash:
                raise ApiError(422, "Idempotency-Key was already used with a different request")
            return seen["status_code"], json.loads(seen["response_body"]), True
        # Debit first, in one conditional statement: ownership and funds are checked by the UPDATE itself.
        cur.execute(
            "UPDATE accounts SET balance = balance - %s WHERE id = %s AND owner_id = %s AND tenant_id = %s"
            " AND balance >= %s RETURNING currency",
            (amount, src, user["id"], user["tenant_id"], amount),
        )
        debited = cur.fetchone()
        if debited is None:
            cur.execute("SELECT 1 FROM accounts WHERE id = %s AND owner_id = %s AND tenant_id = %s",
                        (src, user["id"], user["tenant_id"]))
            if cur.fetchone() is None:
                raise ApiError(404, "source account not found")
            raise ApiError(409, "insufficient funds")
        cur.execute(
            "UPDATE accounts SET balance = balance + %s WHERE id = %s AND tenant_id = %s AND currency = %s"
            " RETURNING id",
            (amount, dst, user["tenant_id"], debited["currency"]),
        )
        if cur.fetchone() is None:
            raise ApiError(404, "destination account not found or in another currency")
        cur.execute(
            "SELECT COALESCE(sum(amount), 0) AS total FROM transfers"
            " WHERE from_account_id = %s AND created_at > now() - interval '1 day'",
            (src,),
        )
        if cur.fetchone()["total"] + amount > DAILY_TRANSFER_LIMIT:
            raise ApiError(422, "daily transfer limit exceeded")
        cur.execute(
            "INSERT INTO transfers AS t (owner_id, tenant_id, from_account_id, to_account_id, amount, currency, memo)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " RETURNING t.id, t.from_account_id, t.to_account_id, t.amount, t.currency, t.memo, t.status,"
            " t.created_at",
            (user["id"], user["tenant_id"], src, dst, amount, debited["currency"], memo),
        )
        body = transfer_view(cur.fetchone())
        audit(cur, user, "transfer.created", {"transfer_id": body["id"], "amount": str(amount)})
        cur.execute(
            "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status_code, response_body)"
            " VALUES (%s, %s, %s, %s, %s)",
            (user["id"], key, request_hash, 201, json.dumps(body)),
        )
        return 201, body, False

    for _ in range(3):
        try:
            status, body, replayed = run_in_transaction(work)
            break
        except psycopg2.errors.UniqueViolation:
            continue  # a concurrent request with the same key won; the next attempt replays its result
    else:
        raise ServiceBusy()
    headers = {"Location": "/transfers/%d" % body["id"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return body, status, headers


# ---------------------------------------------------------------- coupons

def coupon_view(row):
    return {
        "code": row["code"],
        "description": row["description"],
        "value": money(row["value"]),
        "remaining": row["remaining"],
        "max_uses": row["max_uses"],
        "personal": row["owner_id"] is not None,
        "expires_at": iso(row["expires_at"]),
    }


@app.get("/coupons")
@login_required
def list_coupons():
    user = get_authenticated_user()
    rows = fetch_all(
        "SELECT c.code, c.description, c.value, c.remaining, c.max_uses, c.owner_id, c.expires_at FROM coupons c"
        " WHERE c.tenant_id = %s AND (c.owner_id IS NULL OR c.owner_id = %s) AND c.active AND c.remaining > 0"
        " AND (c.expires_at IS NULL OR c.expires_at > now())"
        " AND NOT EXISTS (SELECT 1 FROM coupon_redemptions r WHERE r.coupon_code = c.code AND r.user_id = %s)"
        " ORDER BY c.owner_id IS NULL, c.code",
        (user["tenant_id"], user["id"], user["id"]),
    )
    return {"coupons": [coupon_view(r) for r in rows]}


@app.post("/coupons/<code>/redeem")
@login_required
def redeem_coupon(code):
    user = get_authenticated_user()

    def work(cur):
        # One conditional statement: the use is only taken if one is left.
        cur.execute(
            "UPDATE coupons SET remaining = remaining - 1 WHERE code = %s AND tenant_id = %s"
            " AND (owner_id IS NULL OR owner_id = %s) AND active AND remaining > 0"
            " AND (expires_at IS NULL OR expires_at > now()) RETURNING value",
            (code, user["tenant_id"], user["id"]),
        )
        taken = cur.fetchone()
        if taken is None:
            cur.execute(
                "SELECT 1 FROM coupons WHERE code = %s AND tenant_id = %s AND (owner_id IS NULL OR owner_id = %s)",
                (code, user["tenant_id"], user["id"]),
            )
            if cur.fetchone() is None:
                raise ApiError(404, "coupon not found")
            raise ApiError(409, "coupon is used up or expired")
        cur.execute(
            "INSERT INTO coupon_redemptions (coupon_code, user_id, account_id, amount) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (coupon_code, user_id) DO NOTHING RETURNING id",
            (code, user["id"], user["id"], taken["value"]),
        )
        redemption = cur.fetchone()
        if redemption is None:
            raise ApiError(409, "coupon already redeemed")
        cur.execute(
            "UPDATE accounts SET balance = balance + %s WHERE id = %s AND owner_id = %s RETURNING balance",
            (taken["value"], user["id"], user["id"]),
        )
        account = cur.fetchone()
        if account is None:
            raise ApiError(409, "no current account to credit")
        audit(cur, user, "coupon.redeemed", {"code": code})
        return {
            "redemption_id": redemption["id"],
            "code": code,
            "amount": money(taken["value"]),
            "account_id": user["id"],
            "balance": money(account["balance"]),
        }
    return run_in_transaction(work)


# ---------------------------------------------------------------- reports

REPORTS = {
    "notes": "SELECT count(*) AS n FROM notes WHERE owner_id = %s",
    "accounts": "SELECT count(*) AS n FROM accounts WHERE owner_id = %s",
    "transfers": "SELECT count(*) AS n FROM transfers WHERE owner_id = %s",
}


@app.get("/reports/summary")
@login_required
def report_summary():
    user = get_authenticated_user()

    def work(cur):
        cur.execute("SELECT count(*) AS n FROM notes WHERE owner_id = %s", (user["id"],))
        notes = cur.fetchone()["n"]
        cur.execute(
            "SELECT count(*) AS n, COALESCE(sum(balance), 0) AS total FROM accounts WHERE owner_id = %s",
            (user["id"],),
        )
        accounts = cur.fetchone()
        cur.execute(
            "SELECT count(*) AS n FROM transfers WHERE owner_id = %s AND created_at > now() - interval '30 days'",
            (user["id"],),
        )
        transfers = cur.fetchone()["n"]
        return {
            "notes": notes,
            "accounts": accounts["n"],
            "total_balance": money(accounts["total"]),
            "transfers_30d": transfers,
        }
    return run_in_transaction(work)


@app.get("/reports/<table>")
@login_required
def report_table(table):
    user = get_authenticated_user()
    query = REPORTS.get(table)
    if query is None:
        raise ApiError(404, "unknown report; available: %s" % ", ".join(REPORTS))
    row = fetch_one(query, (user["id"],))
    return {"table": table, "rows": row["n"]}


# ---------------------------------------------------------------- admin

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def admin_user_view(row):
    return {
        "id": row["id"],
        "username": row["username"],
        "display_name": row["display_name"],
        "email": row["email"],
        "role": row["role"],
        "active": row["active"],
        "created_at": iso(row["created_at"]),
    }


@app.get("/admin/users")
@admin_required
def admin_list_users():
    admin = get_authenticated_user()
    rows = fetch_all(
        "SELECT id, username, display_name, email, role, active, created_at FROM users"
        " WHERE tenant_id = %s AND deleted_at IS NULL ORDER BY id",
        (admin["tenant_id"],),
    )
    return {"users": [admin_user_view(r) for r in rows]}


@app.post("/admin/users")
@admin_required
def admin_create_user():
    admin = get_authenticated_user()
    data = json_body()
    username = data.get("username")
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise ApiError(400, "username must be 3-32 characters of a-z, 0-9, '.', '_' or '-'")
    password = data.get("password")
    if not isinstance(password, str) or not 10 <= len(password) <= 256:
        raise ApiError(400, "password must be 10 to 256 characters")
    display_name = text_field(data, "display_name", max_len=80)
    email = data.get("email")
    if not isinstance(email, str) or not EMAIL_RE.fullmatch(email) or len(email) > 254:
        raise ApiError(400, "email is not valid")
    role = data.get("role", "user")
    if role not in ("user", "admin"):
        raise ApiError(400, "role must be user or admin")
    password_hash = generate_password_hash(password)

    def work(cur):
        cur.execute("SELECT 1 FROM users WHERE username = %s", (username,))
        if cur.fetchone() is not None:
            raise ApiError(409, "username is taken")
        cur.execute(
            "INSERT INTO users (tenant_id, username, email, display_name, password_hash, role, is_admin)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id, username, display_name, email, role, active,"
            " created_at",
            (admin["tenant_id"], username, email, display_name, password_hash, role, role == "admin"),
        )
        row = cur.fetchone()
        cur.execute(
            "INSERT INTO accounts (id, owner_id, tenant_id, display_name, kind, currency) VALUES (%s, %s, %s, %s,"
            " 'current', 'EUR')",
            (row["id"], row["id"], admin["tenant_id"], display_name),
        )
        audit(cur, admin, "user.created", {"user_id": row["id"], "role": role})
        return row
    try:
        row = run_in_transaction(work)
    except psycopg2.errors.UniqueViolation:
        raise ApiError(409, "username is taken")
    return admin_user_view(row), 201, {"Location": "/users/%d" % row["id"]}


@app.delete("/admin/users/<int:user_id>")
@admin_required
def admin_delete_user(user_id):
    admin = get_authenticated_user()
    if user_id == admin["id"]:
        raise ApiError(400, "administrators cannot delete themselves")

    def work(cur):
        cur.execute(
            "UPDATE users SET active = false, deleted_at = now() WHERE id = %s AND tenant_id = %s"
            " AND deleted_at IS NULL RETURNING id",
            (user_id, admin["tenant_id"]),
        )
        if cur.fetchone() is None:
            raise ApiError(404, "user not found")
        cur.execute("DELETE FROM tokens WHERE user_id = %s", (user_id,))
        audit(cur, admin, "user.deleted", {"user_id": user_id})
    run_in_transaction(work)
    return "", 204


@app.post("/admin/coupons")
@admin_required
def admin_create_coupon():
    admin = get_authenticated_user()
    data = json_body()
    code = data.get("code") or "PROMO-" + secrets.token_hex(4).upper()
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z0-9-]{4,40}", code):
        raise ApiError(400, "code must be 4-40 characters of A-Z, 0-9 or '-'")
    description = text_field(data, "description", required=False, max_len=200, min_len=0) or ""
    value = amount_field(data, "value", maximum=decimal.Decimal("500.00"))
    max_uses = int_field(data, "max_uses")
    if not 1 <= max_uses <= 100000:
        raise ApiError(422, "max_uses must be between 1 and 100000")
    owner_id = int_field(data, "owner_id", required=False)
    days = int_field(data, "expires_in_days", required=False) or 30
    if not 1 <= days <= 3650:
        raise ApiError(422, "expires_in_days must be between 1 and 3650")

    def work(cur):
        if owner_id is not None:
            cur.execute(
                "SELECT 1 FROM users WHERE id = %s AND tenant_id = %s AND active", (owner_id, admin["tenant_id"])
            )
            if cur.fetchone() is None:
                raise ApiError(404, "owner not found")
        cur.execute("SELECT 1 FROM coupons WHERE code = %s", (code,))
        if cur.fetchone() is not None:
            raise ApiError(409, "coupon code already exists")
        cur.execute(
            "INSERT INTO coupons (code, tenant_id, owner_id, description, value, max_uses, remaining, expires_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, now() + %s * interval '1 day')"
            " RETURNING code, description, value, remaining, max_uses, owner_id, expires_at",
            (code, admin["tenant_id"], owner_id, description, value, max_uses, max_uses, days),
        )
        row = cur.fetchone()
        audit(cur, admin, "coupon.created", {"code": code})
        return row
    try:
        row = run_in_transaction(work)
    except psycopg2.errors.UniqueViolation:
        raise ApiError(409, "coupon code already exists")
    view = coupon_view(row)
    view["owner_id"] = row["owner_id"]
    return view, 201


# ---------------------------------------------------------------- API v2 (JWT)

@app.post("/api/v2/token")
def api_token():
    user, throttled = check_credentials()
    if throttled is not None:
        return throttled
    now = datetime.datetime.now(datetime.timezone.utc)
    claims = {
        "sub": str(user["id"]),
        "username": user["username"],
        "role": user["role"],
        "iat": now,
        "exp": now + API_TOKEN_TTL,
        "jti": secrets.token_hex(8),
    }
    token = jwt.encode(claims, JWT_SECRET, algorithm="HS256")
    return {"access_token": token, "token_type": "Bearer", "expires_in": int(API_TOKEN_TTL.total_seconds())}


def user_from_api_token():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "bearer token required")
    try:
        claims = jwt.decode(
            token.strip(), JWT_SECRET, algorithms=["HS256"], options={"require": ["exp", "iat", "sub"]}
        )
        user_id = int(claims["sub"])
    except (jwt.InvalidTokenError, ValueError, TypeError):
        raise ApiError(401, "invalid or expired token")
    user = fetch_one(
        "SELECT id, tenant_id, username, display_name, email, bio, locale, role, is_admin, created_at FROM users"
        " WHERE id = %s AND active",
        (user_id,),
    )
    if user is None:
        raise ApiError(401, "invalid or expired token")
    return user


@app.get("/api/v2/me")
def api_me():
    user = user_from_api_token()
    return {
        "id": user["id"],
        "username": user["username"],
        "display_name": user["display_name"],
        "role": user["role"],
        "tenant_id": user["tenant_id"],
    }


class RequestHandler(WSGIRequestHandler):
    def version_string(self):  # no server and Python version banner
        return "acme-ledger"


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8802")),
        debug=False,
        use_reloader=False,
        threaded=True,
        request_handler=RequestHandler,
    )
