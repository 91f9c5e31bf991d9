"""Zoo Gateway: smart-home devices named by their owner (Flask, SQLite, JWT).

Shapes: devices keyed by the name the client chose, whose create answers only
{"message": "created"}; a JWT nested in the login answer ({"auth": {"jwt": ...}}); PUT and DELETE
that only the device's owner or an admin may use; no "who am I". The spec is next to this file and
is not served.
"""

import datetime
import os
import re
import sqlite3
import sys
from functools import wraps

import jwt
from flask import Flask, abort, g, request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
KEY = zoolib.secret_key(OPTS)
TOKEN_TTL = datetime.timedelta(hours=1)
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
KINDS = ("sensor", "camera", "plug")
LOGIN_FAILURES = zoolib.login_throttle()

app = Flask(__name__)
zoolib.flask_setup(app)

SCHEMA = """
CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE devices (name TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES users(username), kind TEXT NOT NULL,
                      location TEXT NOT NULL);
CREATE TABLE readings (id INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL REFERENCES devices(name)
                       ON DELETE CASCADE, value REAL NOT NULL, at TEXT NOT NULL DEFAULT (datetime('now')));
"""
SEED_DEVICES = [("alice-front-door", "alice", "camera", "front door"),
                ("alice-thermostat", "alice", "sensor", "living room"),
                ("bob-garage-plug", "bob", "plug", "garage"),
                ("carol-server-room", "carol", "sensor", "server room")]
SEED_READINGS = [("alice-thermostat", 21.5), ("alice-thermostat", 21.0), ("alice-front-door", 1),
                 ("bob-garage-plug", 0), ("carol-server-room", 19.0)]


def seed():
    if os.path.exists(OPTS.db):
        os.remove(OPTS.db)
    conn = sqlite3.connect(OPTS.db)
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO users VALUES (?, ?, ?)",
                     [(u, zoolib.hash_password(pw), role) for u, pw, role, _ in zoolib.USERS])
    conn.executemany("INSERT INTO devices VALUES (?, ?, ?, ?)", SEED_DEVICES)
    conn.executemany("INSERT INTO readings (device, value) VALUES (?, ?)", SEED_READINGS)
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


def body_json():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "a JSON object is required")
    return data


def token_claims(token):
    if not SECURE and jwt.get_unverified_header(token).get("alg", "").lower() == "none":
        # flaw: jwt-alg-none (unsigned tokens "from the on-device agent" are taken as they are)
        return jwt.decode(token, options={"verify_signature": False})
    return jwt.decode(token, KEY, algorithms=["HS256"], options={"require": ["exp", "sub"]})


def authenticated(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        auth = request.headers.get("Authorization", "")
        try:
            claims = token_claims(auth[7:]) if auth.startswith("Bearer ") else None
        except jwt.InvalidTokenError:
            claims = None
        g.user = db().execute("SELECT username, role FROM users WHERE username = ?",
                              (str(claims.get("sub")),)).fetchone() if claims else None
        if g.user is None:
            abort(401, "bearer token required")
        return view(*args, **kwargs)
    return wrapper


def device_for(name, owner_only=True):
    dev = db().execute("SELECT * FROM devices WHERE name = ?", (name,)).fetchone()
    if dev is None or (owner_only and dev["owner"] != g.user["username"] and g.user["role"] != "admin"):
        abort(404, "no such device")
    return dev


@app.get("/")
def index():
    return {"service": "Zoo Gateway"}


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
    now = datetime.datetime.now(datetime.timezone.utc)
    token = jwt.encode({"sub": row["username"], "iat": now, "exp": now + TOKEN_TTL}, KEY, algorithm="HS256")
    return {"auth": {"jwt": token, "expires_in": int(TOKEN_TTL.total_seconds())}}


@app.get("/devices")
@authenticated
def list_devices():
    rows = db().execute("SELECT name, kind, location FROM devices WHERE owner = ? ORDER BY name",
                        (g.user["username"],)).fetchall()
    return {"devices": [dict(r) for r in rows]}


@app.post("/devices")
@authenticated
def create_device():
    data = body_json()
    name, kind, location = data.get("name"), data.get("kind"), data.get("location", "")
    if not isinstance(name, str) or not NAME.match(name):
        abort(400, "name: 2-40 lower-case letters, digits or '-'")
    if kind not in KINDS:
        abort(400, "kind: sensor, camera or plug")
    if not isinstance(location, str) or len(location) > 80:
        abort(400, "location: at most 80 characters")
    try:
        db().execute("INSERT INTO devices VALUES (?, ?, ?, ?)", (name, g.user["username"], kind, location))
        db().commit()
    except sqlite3.IntegrityError:
        abort(409, "a device with this name exists")
    return {"message": "created"}, 201


@app.get("/devices/<name>")
@authenticated
def get_device(name):
    return dict(device_for(name))


@app.put("/devices/<name>")
@authenticated
def update_device(name):
    device_for(name)
    location = body_json().get("location")
    if not isinstance(location, str) or len(location) > 80:
        abort(400, "location: at most 80 characters")
    db().execute("UPDATE devices SET location = ? WHERE name = ?", (location, name))
    db().commit()
    return dict(device_for(name))


@app.delete("/devices/<name>")
@authenticated
def delete_device(name):
    device_for(name)
    db().execute("DELETE FROM devices WHERE name = ?", (name,))
    db().commit()
    return {"message": "deleted"}


def readings(name):
    rows = db().execute("SELECT value, at FROM readings WHERE device = ? ORDER BY id", (name,)).fetchall()
    return {"device": name, "readings": [dict(r) for r in rows]}


if SECURE:
    @app.get("/devices/<name>/telemetry")
    @authenticated
    def telemetry(name):
        device_for(name)
        return readings(name)
else:
    # flaw: missing-auth-telemetry (the vulnerable variant serves readings without a token)
    @app.get("/devices/<name>/telemetry")
    def telemetry(name):
        g.user = None
        dev = db().execute("SELECT name FROM devices WHERE name = ?", (name,)).fetchone()
        if dev is None:
            abort(404, "no such device")
        return readings(name)


@app.post("/devices/<name>/telemetry")
@authenticated
def push_reading(name):
    device_for(name)
    value = body_json().get("value")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        abort(400, "value: a number")
    db().execute("INSERT INTO readings (device, value) VALUES (?, ?)", (name, value))
    db().commit()
    return {"message": "recorded"}, 201


@app.get("/admin/devices")
@authenticated
def admin_devices():
    if g.user["role"] != "admin":
        abort(403, "admins only")
    rows = db().execute("SELECT name, owner, kind, location FROM devices ORDER BY name").fetchall()
    return {"devices": [dict(r) for r in rows]}


if __name__ == "__main__":
    seed()
    zoolib.run_flask(app, OPTS)
