"""Zoo Library: books, loans and reservations (Flask, SQLite).

Shapes: a form-encoded login (application/x-www-form-urlencoded) whose only credential is the
`library_session` cookie; a loan read by an id in the query string (GET /loan?id=); reservations
keyed by the book's ISBN, whose create answers only {"message": "reserved"}; no "who am I". The
spec is next to this file and is not served.
"""

import datetime
import os
import re
import sqlite3
import sys
from functools import wraps

from flask import Flask, abort, g, request, session

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
ISBN = re.compile(r"^97[89][0-9]{10}$")
BRANCHES = ("central", "north", "south")
LOGIN_FAILURES = zoolib.login_throttle()

app = Flask(__name__)
zoolib.flask_setup(app)
app.config.update(SECRET_KEY=zoolib.secret_key(OPTS), SESSION_COOKIE_NAME="library_session",
                  PERMANENT_SESSION_LIFETIME=datetime.timedelta(hours=8))

SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
                    full_name TEXT NOT NULL, address TEXT NOT NULL);
CREATE TABLE books (isbn TEXT PRIMARY KEY, title TEXT NOT NULL, author TEXT NOT NULL, copies INTEGER NOT NULL);
CREATE TABLE loans (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL REFERENCES users(username),
                    isbn TEXT NOT NULL REFERENCES books(isbn), due TEXT NOT NULL, fine_cents INTEGER NOT NULL DEFAULT 0);
CREATE TABLE reservations (username TEXT NOT NULL, isbn TEXT NOT NULL REFERENCES books(isbn), branch TEXT NOT NULL,
                           note TEXT NOT NULL, PRIMARY KEY (username, isbn));
"""
SEED_DETAILS = {"alice": ("Alice Liddell", "1 Rabbit Hole, Oxford"), "bob": ("Bob Builder", "7 Scrapyard Lane"),
                "carol": ("Carol Librarian", "9 Admin Road, London")}
SEED_BOOKS = [("9780141439761", "Alice's Adventures in Wonderland", "Lewis Carroll", 3),
              ("9780262033848", "Introduction to Algorithms", "Cormen et al.", 1),
              ("9780131103627", "The C Programming Language", "Kernighan and Ritchie", 2),
              ("9780201633610", "Design Patterns", "Gamma et al.", 1),
              ("9780596007126", "Head First Design Patterns", "Freeman and Robson", 2)]
SEED_LOANS = [("alice", "9780262033848", "2026-12-20", 0), ("alice", "9780141439761", "2026-11-30", 150),
              ("bob", "9780131103627", "2026-12-24", 0)]


def seed():
    if os.path.exists(OPTS.db):
        os.remove(OPTS.db)
    conn = sqlite3.connect(OPTS.db)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?)",
                     [(u, zoolib.hash_password(pw), "librarian" if role == "admin" else "member", *SEED_DETAILS[u])
                      for u, pw, role, _ in zoolib.USERS])
    conn.executemany("INSERT INTO books VALUES (?, ?, ?, ?)", SEED_BOOKS)
    conn.executemany("INSERT INTO loans (username, isbn, due, fine_cents) VALUES (?, ?, ?, ?)", SEED_LOANS)
    conn.execute("INSERT INTO reservations VALUES ('bob', '9780262033848', 'north', 'after alice returns it')")
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


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        name = session.get("member")
        g.user = db().execute("SELECT username, role FROM users WHERE username = ?", (name,)).fetchone() if name else None
        if g.user is None:
            abort(401, "log in first")
        return view(*args, **kwargs)
    return wrapper


def valid_isbn(isbn):
    if not isinstance(isbn, str) or not ISBN.match(isbn):
        abort(400, "isbn: 13 digits starting with 978 or 979")
    return isbn


@app.get("/")
def index():
    return {"service": "Zoo Library"}


@app.post("/login")
def login():
    username, password = request.form.get("username"), request.form.get("password")
    if not username or not password:
        abort(400, "send username and password as a form (application/x-www-form-urlencoded)")
    wait = LOGIN_FAILURES.wait(username.lower())
    if wait:
        raise zoolib.too_many(wait)
    row = db().execute("SELECT username, password_hash FROM users WHERE username = ?", (username,)).fetchone()
    if not zoolib.check_password(row["password_hash"] if row else zoolib.DUMMY_HASH, password) or row is None:
        LOGIN_FAILURES.record(username.lower())
        abort(401, "invalid username or password")
    session.clear()
    session.permanent = True
    session["member"] = row["username"]
    return {"message": "welcome"}


@app.post("/logout")
def logout():
    session.clear()
    return {"message": "bye"}


@app.get("/books")
def books():
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", request.args.get("q", "")) + "%"
    rows = db().execute("SELECT isbn, title, author, copies FROM books WHERE title LIKE ? ESCAPE '\\'"
                        " OR author LIKE ? ESCAPE '\\' ORDER BY title", (pattern, pattern)).fetchall()
    return {"books": [dict(r) for r in rows]}


@app.get("/books/<isbn>")
def book(isbn):
    row = db().execute("SELECT isbn, title, author, copies FROM books WHERE isbn = ?", (valid_isbn(isbn),)).fetchone()
    if row is None:
        abort(404, "no such book")
    return dict(row)


@app.get("/loans")
@login_required
def loans():
    rows = db().execute("SELECT l.id, l.isbn, b.title, l.due FROM loans l JOIN books b ON b.isbn = l.isbn"
                        " WHERE l.username = ? ORDER BY l.id", (g.user["username"],)).fetchall()
    return {"loans": [dict(r) for r in rows]}


@app.get("/loan")
@login_required
def loan():
    loan_id = request.args.get("id", "")
    if not loan_id.isdigit():
        abort(400, "id: a loan id from GET /loans")
    row = db().execute("SELECT l.id, l.isbn, b.title, l.due, l.fine_cents, l.username, u.full_name, u.address"
                       " FROM loans l JOIN books b ON b.isbn = l.isbn JOIN users u ON u.username = l.username"
                       " WHERE l.id = ?", (int(loan_id),)).fetchone()
    if row is None or (SECURE and row["username"] != g.user["username"] and g.user["role"] != "librarian"):
        abort(404, "no such loan")
    # flaw: bola-loan-query (the vulnerable variant answers any loan id with its borrower's address)
    return {"id": row["id"], "isbn": row["isbn"], "title": row["title"], "due": row["due"],
            "fine": row["fine_cents"] / 100, "borrower": {"name": row["full_name"], "address": row["address"]}}


@app.post("/reservations")
@login_required
def reserve():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "a JSON object is required")
    isbn, branch, note = valid_isbn(data.get("isbn")), data.get("branch"), data.get("note", "")
    if branch not in BRANCHES:
        abort(400, "branch: central, north or south")
    if not isinstance(note, str) or len(note) > 200:
        abort(400, "note: at most 200 characters")
    if db().execute("SELECT 1 FROM books WHERE isbn = ?", (isbn,)).fetchone() is None:
        abort(404, "no such book")
    try:
        if SECURE:
            db().execute("INSERT INTO reservations VALUES (?, ?, ?, ?)", (g.user["username"], isbn, branch, note))
        else:
            # flaw: sqli-reservation-note (the note is pasted into the statement; errors answer a bare 500)
            db().execute(f"INSERT INTO reservations VALUES (?, ?, ?, '{note}')", (g.user["username"], isbn, branch))
        db().commit()
    except sqlite3.IntegrityError:
        abort(409, "you have reserved this book already")
    return {"message": "reserved"}, 201


def own_reservation(isbn):
    row = db().execute("SELECT r.isbn, b.title, r.branch, r.note FROM reservations r JOIN books b ON b.isbn = r.isbn"
                       " WHERE r.username = ? AND r.isbn = ?", (g.user["username"], valid_isbn(isbn))).fetchone()
    if row is None:
        abort(404, "no reservation of this book")
    return row


@app.get("/reservations/<isbn>")
@login_required
def get_reservation(isbn):
    return dict(own_reservation(isbn))


@app.delete("/reservations/<isbn>")
@login_required
def cancel_reservation(isbn):
    own_reservation(isbn)
    db().execute("DELETE FROM reservations WHERE username = ? AND isbn = ?", (g.user["username"], isbn))
    db().commit()
    return {"message": "cancelled"}


if __name__ == "__main__":
    seed()
    zoolib.run_flask(app, OPTS)
