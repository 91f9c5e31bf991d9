"""Zoo Wiki: pages keyed by the title their author chose (Flask, SQLite, class-based views).

Shapes: a create that answers only {"message": "created"}, so the page's key is the title the
client sent; cookie-session-only auth (POST /login sets Flask's `session` cookie and answers a
message: no token, no user object); no "who am I" endpoint; PUT and DELETE that only the page's
owner or an admin may use. The spec is served at /openapi.yaml.
"""

import os
import re
import sqlite3
import sys
from functools import wraps

from flask import Flask, abort, g, jsonify, request, send_file, session
from flask.views import MethodView

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
HERE = os.path.dirname(os.path.abspath(__file__))

app = Flask(__name__)
zoolib.flask_setup(app)
# flaw: session-secret
app.config["SECRET_KEY"] = zoolib.secret_key(OPTS, weak="you-will-never-guess")
LOGIN_FAILURES = zoolib.login_throttle()
TITLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}$")
VISIBILITIES = ("public", "private")

SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE pages (
    title TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES users(username), body TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')), revision INTEGER NOT NULL DEFAULT 1
);
"""
SEED_PAGES = [
    ("welcome", "alice", "Welcome to the zoo wiki. Everyone can read this page.", "public"),
    ("alice-diary", "alice", "Dear diary, my locker code is 4711. Nobody else may read this.", "private"),
    ("bob-plans", "bob", "Bob's private plans: surprise party for alice on friday.", "private"),
    ("admin-handbook", "carol", "Admin only: the backup passphrase is kept in the safe.", "private"),
]


def seed():
    if os.path.exists(OPTS.db):
        os.remove(OPTS.db)
    db = sqlite3.connect(OPTS.db)
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO users VALUES (?, ?, ?)",
                   [(u, zoolib.hash_password(pw), role) for u, pw, role, _ in zoolib.USERS])
    db.executemany("INSERT INTO pages (title, owner, body, visibility) VALUES (?, ?, ?, ?)", SEED_PAGES)
    db.commit()
    db.close()


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


def body_json():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "a JSON object is required")
    return data


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        name = session.get("user")
        user = db().execute("SELECT username, role FROM users WHERE username = ?", (name,)).fetchone() if name else None
        if user is None:
            abort(401, "log in first")
        g.user = user
        return view(*args, **kwargs)
    return wrapper


def may_change(page):
    return page["owner"] == g.user["username"] or g.user["role"] == "admin"


def page_view(row):
    return {"title": row["title"], "owner": row["owner"], "body": row["body"],
            "visibility": row["visibility"], "revision": row["revision"]}


@app.get("/")
def index():
    return {"service": "Zoo Wiki", "documentation": "/openapi.yaml"}


@app.get("/openapi.yaml")
def spec():
    return send_file(os.path.join(HERE, "openapi.yaml"), mimetype="application/yaml")


@app.post("/login")
def login():
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
    session.clear()
    session["user"] = row["username"]
    return {"message": "logged in"}


@app.post("/logout")
def logout():
    session.clear()
    return {"message": "logged out"}


@app.get("/pages")
@login_required
def list_pages():
    rows = db().execute(
        "SELECT title, owner, visibility FROM pages WHERE visibility = 'public' OR owner = ? ORDER BY title",
        (g.user["username"],)).fetchall()
    return {"pages": [dict(r) for r in rows]}


@app.post("/pages")
@login_required
def create_page():
    data = body_json()
    title, text = data.get("title"), data.get("body")
    visibility = data.get("visibility", "private")
    if not isinstance(title, str) or not TITLE.match(title):
        abort(400, "title: 1-80 letters, digits, spaces, '_', '.' or '-'")
    if not isinstance(text, str) or len(text) > 10000:
        abort(400, "body: a string of at most 10000 characters is required")
    if visibility not in VISIBILITIES:
        abort(400, "visibility: public or private")
    try:
        db().execute("INSERT INTO pages (title, owner, body, visibility) VALUES (?, ?, ?, ?)",
                     (title, g.user["username"], text, visibility))
        db().commit()
    except sqlite3.IntegrityError:
        abort(409, "a page with this title exists")
    return {"message": "created"}, 201


class PageAPI(MethodView):
    decorators = [login_required]

    def find(self, title):
        page = db().execute("SELECT * FROM pages WHERE title = ?", (title,)).fetchone()
        if page is None:
            abort(404, "no such page")
        return page

    def get(self, title):
        page = self.find(title)
        if SECURE and page["visibility"] == "private" and not may_change(page):
            abort(404, "no such page")
        # flaw: bola-page-read (the vulnerable variant serves private pages to everyone)
        return page_view(page)

    def put(self, title):
        page = self.find(title)
        if SECURE and not may_change(page):
            abort(404 if page["visibility"] == "private" else 403, "only the owner or an admin may edit this page")
        # flaw: bola-page-update (any logged-in user edits any page in the vulnerable variant)
        data = body_json()
        text = data.get("body", page["body"])
        visibility = data.get("visibility", page["visibility"])
        if not isinstance(text, str) or len(text) > 10000 or visibility not in VISIBILITIES:
            abort(400, "body: a string of at most 10000 characters; visibility: public or private")
        db().execute("UPDATE pages SET body = ?, visibility = ?, revision = revision + 1 WHERE title = ?",
                     (text, visibility, title))
        db().commit()
        return {"message": "updated"}

    def delete(self, title):
        page = self.find(title)
        if SECURE and not may_change(page):
            abort(404 if page["visibility"] == "private" else 403, "only the owner or an admin may delete this page")
        # flaw: bola-page-delete (any logged-in user deletes any page in the vulnerable variant)
        db().execute("DELETE FROM pages WHERE title = ?", (title,))
        db().commit()
        return {"message": "deleted"}


app.add_url_rule("/pages/<title>", view_func=PageAPI.as_view("page"))


@app.get("/admin/pages")
@login_required
def admin_pages():
    if g.user["role"] != "admin":
        abort(403, "admins only")
    rows = db().execute("SELECT title, owner, visibility, revision FROM pages ORDER BY title").fetchall()
    return {"pages": [dict(r) for r in rows]}


if __name__ == "__main__":
    seed()
    zoolib.run_flask(app, OPTS)
