"""Zoo Forum: members, threads and moderation (Flask, SQLite).

Shapes: the session token comes back in a response header (X-Session-Token) and is sent in the
same header, not in Authorization; usernames in paths (/users/{username}/profile); a role-update
operation on a user; answers wrapped in {"result": ...} with page counts; no "who am I". The spec
is served at /openapi.json (converted from openapi.yaml).
"""

import datetime
import hashlib
import os
import secrets
import sqlite3
import sys
from functools import wraps

import yaml
from flask import Flask, abort, g, jsonify, request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN_HEADER = "X-Session-Token"
TOKEN_TTL = datetime.timedelta(hours=1)
ROLES = ("member", "moderator", "admin")
PAGE = 3
LOGIN_FAILURES = zoolib.login_throttle()

app = Flask(__name__)
zoolib.flask_setup(app)
with open(os.path.join(HERE, "openapi.yaml")) as f:
    SPEC = yaml.safe_load(f)

SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
                    bio TEXT NOT NULL DEFAULT '', joined TEXT NOT NULL);
CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE threads (id INTEGER PRIMARY KEY AUTOINCREMENT, author TEXT NOT NULL, title TEXT NOT NULL,
                      body TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE reports (id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER NOT NULL, reporter TEXT NOT NULL,
                      reason TEXT NOT NULL);
"""
SEED_THREADS = [("alice", "Tea time?", "Who is coming to the mad tea party?"),
                ("bob", "Can we fix it?", "Yes we can. Tips for fixing a leaking tap."),
                ("alice", "Lost: white rabbit", "Last seen running late."),
                ("bob", "Scrap metal prices", "Anyone selling copper?"),
                ("carol", "Forum rules", "Be kind. Moderators may remove threads.")]


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def seed():
    if os.path.exists(OPTS.db):
        os.remove(OPTS.db)
    conn = sqlite3.connect(OPTS.db)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO users VALUES (?, ?, ?, ?, '2024-01-01')",
                     [(u, zoolib.hash_password(pw), "admin" if role == "admin" else "member", f"I am {u}.")
                      for u, pw, role, _ in zoolib.USERS])
    conn.executemany("INSERT INTO threads (author, title, body) VALUES (?, ?, ?)", SEED_THREADS)
    conn.execute("INSERT INTO reports (thread_id, reporter, reason) VALUES (4, 'alice', 'selling stolen copper?')")
    conn.commit()
    conn.close()


def db():
    if "db" not in g:
        g.db = sqlite3.connect(OPTS.db, timeout=10)
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(_exc):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def body_json():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "a JSON object is required")
    return data


def authenticated(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        token = request.headers.get(TOKEN_HEADER, "")
        g.user = db().execute(
            "SELECT u.username, u.role FROM tokens t JOIN users u ON u.username = t.username"
            " WHERE t.token_hash = ? AND t.expires_at > ?", (digest(token), now().isoformat())).fetchone()
        if not token or g.user is None:
            abort(401, f"send the {TOKEN_HEADER} header that POST /session answered")
        return view(*args, **kwargs)
    return wrapper


def staff():
    return g.user["role"] in ("moderator", "admin")


@app.get("/")
def index():
    return {"result": {"service": "Zoo Forum", "documentation": "/openapi.json"}}


@app.get("/openapi.json")
def spec():
    return jsonify(SPEC)


@app.post("/session")
def login():
    data = body_json()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        abort(400, "username and password are required")
    wait = LOGIN_FAILURES.wait(username.lower())
    if wait:
        raise zoolib.too_many(wait)
    row = db().execute("SELECT username, password_hash FROM users WHERE username = ?", (username,)).fetchone()
    if not SECURE and row is None:
        # flaw: user-enumeration-session (unknown users get 404, wrong passwords 401)
        LOGIN_FAILURES.record(username.lower())
        return {"error": "no such user"}, 404
    if not zoolib.check_password(row["password_hash"] if row else zoolib.DUMMY_HASH, password) or row is None:
        LOGIN_FAILURES.record(username.lower())
        return {"error": "wrong password" if not SECURE else "invalid username or password"}, 401
    token = secrets.token_urlsafe(32)
    db().execute("INSERT INTO tokens VALUES (?, ?, ?)", (digest(token), row["username"], (now() + TOKEN_TTL).isoformat()))
    db().commit()
    return {"result": {"message": "welcome back"}}, 200, {TOKEN_HEADER: token}


@app.delete("/session")
@authenticated
def logout():
    db().execute("DELETE FROM tokens WHERE token_hash = ?", (digest(request.headers[TOKEN_HEADER]),))
    db().commit()
    return {"result": {"message": "logged out"}}


def find_user(username):
    row = db().execute("SELECT username, role, bio, joined FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        abort(404, "no such user")
    return row


@app.get("/users/<username>/profile")
@authenticated
def profile(username):
    return {"result": dict(find_user(username))}


@app.put("/users/<username>/profile")
@authenticated
def update_profile(username):
    find_user(username)
    if g.user["username"] != username:
        abort(403, "you may only edit your own profile")
    bio = body_json().get("bio")
    if not isinstance(bio, str) or len(bio) > 500:
        abort(400, "bio: at most 500 characters")
    db().execute("UPDATE users SET bio = ? WHERE username = ?", (bio, username))
    db().commit()
    return {"result": dict(find_user(username))}


@app.put("/users/<username>/role")
@authenticated
def set_role(username):
    allowed = g.user["role"] == "admin"
    if not SECURE:
        # flaw: bfla-role-self ("members manage their own account": their own role included)
        allowed = allowed or g.user["username"] == username
    if not allowed:
        abort(403, "only admins change roles")
    find_user(username)
    role = body_json().get("role")
    if role not in ROLES:
        abort(400, "role: member, moderator or admin")
    db().execute("UPDATE users SET role = ? WHERE username = ?", (role, username))
    db().commit()
    return {"result": dict(find_user(username))}


@app.get("/threads")
@authenticated
def threads():
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        abort(400, "page: a positive integer")
    total = db().execute("SELECT count(*) FROM threads").fetchone()[0]
    rows = db().execute("SELECT id, author, title, created_at FROM threads ORDER BY id LIMIT ? OFFSET ?",
                        (PAGE, (int(page) - 1) * PAGE)).fetchall()
    return {"result": [dict(r) for r in rows], "page": int(page), "pages": max(1, -(-total // PAGE))}


@app.post("/threads")
@authenticated
def create_thread():
    data = body_json()
    title, text = data.get("title"), data.get("body")
    if not isinstance(title, str) or not 1 <= len(title) <= 120 or not isinstance(text, str) or len(text) > 5000:
        abort(400, "title: 1-120 characters; body: at most 5000 characters")
    cur = db().execute("INSERT INTO threads (author, title, body) VALUES (?, ?, ?)", (g.user["username"], title, text))
    db().commit()
    return {"result": {"id": cur.lastrowid}}, 201


def find_thread(thread_id):
    row = db().execute("SELECT * FROM threads WHERE id = ?", (thread_id,)).fetchone()
    if row is None:
        abort(404, "no such thread")
    return row


@app.get("/threads/<int:thread_id>")
@authenticated
def get_thread(thread_id):
    return {"result": dict(find_thread(thread_id))}


@app.delete("/threads/<int:thread_id>")
@authenticated
def delete_thread(thread_id):
    if find_thread(thread_id)["author"] != g.user["username"] and not staff():
        abort(403, "only the author or a moderator may delete a thread")
    db().execute("DELETE FROM threads WHERE id = ?", (thread_id,))
    db().commit()
    return {"result": {"message": "deleted"}}


@app.post("/threads/<int:thread_id>/report")
@authenticated
def report_thread(thread_id):
    find_thread(thread_id)
    reason = body_json().get("reason")
    if not isinstance(reason, str) or not 1 <= len(reason) <= 500:
        abort(400, "reason: 1-500 characters")
    cur = db().execute("INSERT INTO reports (thread_id, reporter, reason) VALUES (?, ?, ?)",
                       (thread_id, g.user["username"], reason))
    db().commit()
    return {"result": {"id": cur.lastrowid}}, 201


@app.get("/moderation/reports")
@authenticated
def moderation_queue():
    if not staff():
        abort(403, "moderators only")
    rows = db().execute("SELECT r.id, r.thread_id, r.reporter, r.reason, t.title FROM reports r"
                        " LEFT JOIN threads t ON t.id = r.thread_id ORDER BY r.id").fetchall()
    return {"result": [dict(r) for r in rows], "page": 1, "pages": 1}


if __name__ == "__main__":
    seed()
    zoolib.run_flask(app, OPTS)
