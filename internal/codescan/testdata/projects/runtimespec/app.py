"""Routes registered at run time from the app's own OpenAPI document."""
import hashlib
import os
import re
import sqlite3

import yaml
from flask import Flask, abort, g, request

app = Flask(__name__)
HERE = os.path.dirname(os.path.abspath(__file__))


def db():
    if "db" not in g:
        g.db = sqlite3.connect("notes.db")
    return g.db


def caller():
    # An API-key check written by hand: the row the key names is the caller.
    key = request.headers.get("X-API-Key", "")
    user = db().execute("SELECT id, name FROM users WHERE key_hash = ?",
                        (hashlib.sha256(key.encode()).hexdigest(),)).fetchone()
    if not key or user is None:
        abort(401)
    return user


def get_note(note_id):
    user = caller()
    row = db().execute("SELECT id, body FROM notes WHERE id = ? AND owner_id = ?", (note_id, user[0])).fetchone()
    if row is None:
        abort(404)
    return {"id": row[0], "body": row[1]}


def delete_note(note_id):
    caller()
    db().execute("DELETE FROM notes WHERE id = ?", (note_id,))  # want: PY-BOLA-001
    db().commit()
    return {"deleted": note_id}


def search_notes():
    user = caller()
    q = request.args.get("q", "")
    rows = db().execute(f"SELECT id FROM notes WHERE owner_id = ? AND body LIKE '%{q}%'", (user[0],)).fetchall()  # want: PY-SQLI-001
    return {"ids": [r[0] for r in rows]}


def register_routes(spec_path):
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    handlers = {name: fn for name, fn in globals().items() if callable(fn)}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            view = handlers[re.sub(r"(?<!^)([A-Z])", r"_\1", op["operationId"]).lower()]
            rule = re.sub(r"\{(\w+)\}", r"<\1>", path)
            app.add_url_rule(rule, endpoint=op["operationId"], view_func=view, methods=[method.upper()])


register_routes(os.path.join(HERE, "openapi.yaml"))
