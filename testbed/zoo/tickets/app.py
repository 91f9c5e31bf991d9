"""Zoo Tickets: a help desk whose routes come from its OpenAPI document (Flask, SQLite).

Shapes: every route is registered from openapi.yaml and dispatched to the handler named by its
operationId (as connexion does); an API key from POST /auth/token, answered in a {"result": {...}}
envelope and sent in the X-API-Key header; no "who am I". The spec is next to this file and is
not served.
"""

import datetime
import hashlib
import os
import re
import secrets
import sqlite3
import sys

import yaml
from flask import Flask, abort, g, request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
HERE = os.path.dirname(os.path.abspath(__file__))
KEY_TTL = datetime.timedelta(hours=1)
PRIORITIES = ("low", "normal", "high")
STATUSES = ("open", "pending", "closed")
LOGIN_FAILURES = zoolib.login_throttle()

app = Flask(__name__)
zoolib.flask_setup(app)

SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE api_keys (key_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE tickets (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, subject TEXT NOT NULL,
                      body TEXT NOT NULL, priority TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open');
CREATE TABLE comments (id INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id INTEGER NOT NULL REFERENCES tickets(id)
                       ON DELETE CASCADE, author TEXT NOT NULL, text TEXT NOT NULL);
"""
SEED_TICKETS = [("alice", "Cannot log in on my phone", "The app says my password is wrong.", "high"),
                ("bob", "Invoice address", "Please change my invoice address to 7 Scrapyard Lane.", "normal"),
                ("alice", "Feature request", "A dark mode, please.", "low")]


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def seed():
    if os.path.exists(OPTS.db):
        os.remove(OPTS.db)
    conn = sqlite3.connect(OPTS.db)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO users VALUES (?, ?, ?)",
                     [(u, zoolib.hash_password(pw), "agent" if role == "admin" else "customer")
                      for u, pw, role, _ in zoolib.USERS])
    conn.executemany("INSERT INTO tickets (owner, subject, body, priority) VALUES (?, ?, ?, ?)", SEED_TICKETS)
    conn.execute("INSERT INTO comments (ticket_id, author, text) VALUES (1, 'carol', 'Have you tried a reset?')")
    conn.commit()
    conn.close()


def db():
    if "db" not in g:
        g.db = sqlite3.connect(OPTS.db, timeout=10)
        g.db.row_factory = sqlite3.Row
        g.db.execute("PRAGMA foreign_keys = ON")
    return g.db


@app.teardown_appcontext
def close_db(_exc):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


@app.errorhandler(sqlite3.Error)
def database_error(exc):
    if SECURE:
        app.logger.exception("database error on %s %s", request.method, request.path)
        return {"error": "internal_error", "message": "internal server error"}, 500
    # flaw: error-leak (the vulnerable variant answers SQLite's own message)
    return {"error": "database_error", "message": str(exc)}, 500


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def body_json():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "a JSON object is required")
    return data


def caller():
    key = request.headers.get("X-API-Key", "")
    user = db().execute("SELECT u.username, u.role FROM api_keys k JOIN users u ON u.username = k.username"
                        " WHERE k.key_hash = ? AND k.expires_at > ?", (digest(key), now().isoformat())).fetchone()
    if not key or user is None:
        abort(401, "send the API key from POST /auth/token in X-API-Key")
    return user


def ticket_for(user, ticket_id):
    row = db().execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if row is None or (row["owner"] != user["username"] and user["role"] != "agent"):
        abort(404, "no such ticket")
    return row


# ---------------------------------------------------------------- handlers, by operationId

def index():
    return {"result": {"service": "Zoo Tickets"}}


def issue_token():
    data = body_json()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        abort(400, "username and password are required")
    wait = LOGIN_FAILURES.wait(username.lower())
    if wait:
        raise zoolib.too_many(wait)
    row = db().execute("SELECT username, password_hash FROM users WHERE username = ?", (username,)).fetchone()
    if not zoolib.check_password(row["password_hash"] if row else zoolib.DUMMY_HASH, password) or row is None:
        LOGIN_FAILURES.record(username.lower())
        abort(401, "invalid username or password")
    key = "tk_" + secrets.token_urlsafe(32)
    db().execute("INSERT INTO api_keys VALUES (?, ?, ?)", (digest(key), row["username"], (now() + KEY_TTL).isoformat()))
    db().commit()
    return {"result": {"api_key": key, "expires_in": int(KEY_TTL.total_seconds())}}


def list_tickets():
    user = caller()
    rows = db().execute("SELECT id, owner, subject, priority, status FROM tickets WHERE owner = ? OR ? = 'agent'"
                        " ORDER BY id", (user["username"], user["role"])).fetchall()
    return {"result": [dict(r) for r in rows]}


def ticket_fields(data, partial):
    subject, text, priority = data.get("subject"), data.get("body"), data.get("priority")
    if (subject is not None or not partial) and (not isinstance(subject, str) or not 1 <= len(subject) <= 200):
        abort(400, "subject: 1-200 characters")
    if (text is not None or not partial) and (not isinstance(text, str) or len(text) > 5000):
        abort(400, "body: at most 5000 characters")
    if priority is not None and priority not in PRIORITIES:
        abort(400, "priority: low, normal or high")
    return subject, text, priority


def create_ticket():
    user = caller()
    subject, text, priority = ticket_fields(body_json(), partial=False)
    cur = db().execute("INSERT INTO tickets (owner, subject, body, priority) VALUES (?, ?, ?, ?)",
                       (user["username"], subject, text, priority or "normal"))
    db().commit()
    return {"result": {"id": cur.lastrowid}}, 201


def get_ticket(ticket_id):
    return {"result": dict(ticket_for(caller(), ticket_id))}


def update_ticket(ticket_id):
    user = caller()
    ticket_for(user, ticket_id)
    data = body_json()
    subject, _, priority = ticket_fields(data, partial=True)
    status = data.get("status")
    if status is not None and status not in STATUSES:
        abort(400, "status: open, pending or closed")
    if SECURE:
        db().execute("UPDATE tickets SET subject = coalesce(?, subject), priority = coalesce(?, priority),"
                     " status = coalesce(?, status) WHERE id = ?", (subject, priority, status, ticket_id))
    else:
        # flaw: sqli-ticket-subject (the subject is pasted into the statement)
        subject_sql = f"'{subject}'" if subject is not None else "subject"
        db().execute(f"UPDATE tickets SET subject = {subject_sql}, priority = coalesce(?, priority),"
                     " status = coalesce(?, status) WHERE id = ?", (priority, status, ticket_id))
    db().commit()
    return {"result": dict(ticket_for(user, ticket_id))}


def delete_ticket(ticket_id):
    user = caller()
    ticket_for(user, ticket_id)
    db().execute("DELETE FROM tickets WHERE id = ?", (ticket_id,))
    db().commit()
    return {"result": {"message": "deleted"}}


def list_comments(ticket_id):
    ticket_for(caller(), ticket_id)
    rows = db().execute("SELECT id, author, text FROM comments WHERE ticket_id = ? ORDER BY id", (ticket_id,)).fetchall()
    return {"result": [dict(r) for r in rows]}


def add_comment(ticket_id):
    user = caller()
    ticket_for(user, ticket_id)
    text = body_json().get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= 2000:
        abort(400, "text: 1-2000 characters")
    cur = db().execute("INSERT INTO comments (ticket_id, author, text) VALUES (?, ?, ?)",
                       (ticket_id, user["username"], text))
    db().commit()
    return {"result": {"id": cur.lastrowid}}, 201


# ---------------------------------------------------------------- routes from the spec

def register_routes(spec_path):
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    handlers = {name: fn for name, fn in globals().items() if callable(fn)}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            view = handlers[re.sub(r"(?<!^)([A-Z])", r"_\1", op["operationId"]).lower()]
            rule = re.sub(r"\{(\w+)\}", lambda m: f"<{'int:' if m.group(1).endswith('_id') else ''}{m.group(1)}>", path)
            app.add_url_rule(rule, endpoint=op["operationId"], view_func=view, methods=[method.upper()])


register_routes(os.path.join(HERE, "openapi.yaml"))

if __name__ == "__main__":
    seed()
    zoolib.run_flask(app, OPTS)
