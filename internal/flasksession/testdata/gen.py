#!/usr/bin/python3
"""Generate real Flask session cookies (and Flask-Login remember tokens) as fixtures.

Run with Debian's Python (python3-flask, python3-flask-login):

    /usr/bin/python3 internal/flasksession/testdata/gen.py > internal/flasksession/testdata/cookies.json

Each entry holds a cookie set by a real Flask app through its test client, the key that signed it
(base64 of the bytes), the session as Flask's own serializer reads it back (tags resolved to plain
JSON for comparison), whether it is compressed, and keys that must NOT verify it.
"""

import base64
import datetime
import json
import sys
import uuid

import flask
from flask import Flask, session
from markupsafe import Markup

try:
    import flask_login
    from flask_login.utils import encode_cookie
except ImportError:  # remember tokens are optional fixtures
    flask_login = None

KEYS = {
    "dev": "dev",  # Flask tutorial
    "quickstart": b'_5#y2L"F4Q8z\n\xec]/',  # Flask quickstart (bytes, not UTF-8)
    "super-secret": "super-secret",
    "unlisted": "d1c6b3e0-rampart-fixture-key-not-in-any-list-7f2a9c",
    "long": "k" * 100,  # longer than the HMAC block: hashed first
}

WRONG = ["Dev", "dev ", "secret", "", "super-secret-", "x" * 100]

SESSIONS = {
    "plain": {"user_id": 1, "role": "user"},
    "login": {"_user_id": "42", "_fresh": True, "_id": "ab" * 64, "csrf_token": "c0ffee" * 6},
    "compressed": {"cart": ["item-%d" % (i % 3) for i in range(60)], "email": "alice@example.com"},
    "tagged": {
        "t": (1, "two", 3.5),
        "b": b"\x00\x01bytes\xff",
        "u": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "d": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "m": Markup("<b>bold</b>"),
        "di": {" t": "a dict whose key looks like a tag"},
        "nested": {"list": [(1, 2), {"x": b"y"}]},
        "unicode": "caf\u00e9 \u2603",
    },
    "empty-ish": {"_permanent": True},
}


def plain(v):
    """The tagged value as the Go decoder should resolve it, in plain JSON."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, bytes):
        return {"$bytes": base64.b64encode(v).decode()}
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.datetime):
        return {"$time": v.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return v


def cookie_for(key, data):
    app = Flask(__name__)
    app.secret_key = key

    @app.get("/set")
    def set_session():
        session.update(data)
        return "ok"

    client = app.test_client()
    resp = client.get("/set")
    header = resp.headers["Set-Cookie"]
    value = header.split(";", 1)[0].split("=", 1)[1]
    # Read it back with Flask's own serializer: the fixture's truth.
    with app.app_context():
        back = app.session_interface.get_signing_serializer(app).loads(value)
    return value, back


def b64(k):
    return base64.b64encode(k if isinstance(k, bytes) else k.encode("latin1")).decode()


def main():
    out = {"flask": flask.__version__, "cookies": [], "remember": []}
    for kname, key in KEYS.items():
        for sname, data in SESSIONS.items():
            value, back = cookie_for(key, data)
            out["cookies"].append({
                "name": "%s/%s" % (kname, sname),
                "cookie": value,
                "key_b64": b64(key),
                "compressed": value.startswith("."),
                "session": plain(dict(back)),
                "wrong_keys_b64": [b64(w) for w in WRONG],
            })
    if flask_login is not None:
        for kname, key in KEYS.items():
            app = Flask(__name__)
            app.secret_key = key
            with app.app_context():
                for uid in ("1", "42"):
                    out["remember"].append({"key_b64": b64(key), "user_id": uid, "token": encode_cookie(uid)})
    json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
