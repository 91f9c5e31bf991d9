#!/usr/bin/python3
"""Generate a Flask + psycopg2 application of about 200 files for the
white-box benchmark: an app factory, shared helpers, and one blueprint module
per resource, each with a mix of safe and vulnerable routes in the shapes the
testbed uses (raw SQL through helpers, nested transaction callbacks, ORM-less
ownership checks). Deterministic: the same seed gives the same tree.

    gen.py OUTDIR [--files N] [--seed S]
"""

import argparse
import os
import random
import shutil

HEADER = '''"""{name}: generated for the Rampart white-box benchmark."""

import datetime
import decimal
import json
import logging

import psycopg2
from flask import Blueprint, abort, g, jsonify, request
from psycopg2 import sql

from app.auth import admin_required, current_user_id, get_authenticated_user, login_required
from app.db import fetch_all, fetch_one, get_db, run_in_transaction

log = logging.getLogger(__name__)
bp = Blueprint("{name}", __name__, url_prefix="/{name}")

SORTS_{upper} = {{"new": "created_at DESC", "old": "created_at ASC", "name": "name ASC"}}
LIMIT_{upper} = 50


def {name}_view(row):
    return {{
        "id": row["id"],
        "owner_id": row["owner_id"],
        "name": row["name"],
        "amount": float(row["amount"]),
        "created_at": row["created_at"].isoformat() if row["created_at"] else None,
    }}


def {name}_payload():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    name = data.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 200:
        abort(400)
    return data
'''

TEMPLATES = [
    # safe list, scoped to the caller
    '''

@bp.get("/{route}")
@login_required
def list_{fn}():
    user = get_authenticated_user()
    order = SORTS_{upper}.get(request.args.get("sort", "new"))
    if order is None:
        abort(400)
    rows = fetch_all(
        "SELECT id, owner_id, name, amount, created_at FROM {table}"
        f" WHERE owner_id = %s ORDER BY {{order}} LIMIT %s",
        (user["id"], LIMIT_{upper}),
    )
    return jsonify([{name}_view(r) for r in rows])
''',
    # safe read with owner filter
    '''

@bp.get("/{route}/<int:item_id>")
@login_required
def get_{fn}(item_id):
    row = fetch_one(
        "SELECT id, owner_id, name, amount, created_at FROM {table} WHERE id = %s AND owner_id = %s",
        (item_id, current_user_id()),
    )
    if row is None:
        abort(404)
    return jsonify({name}_view(row))
''',
    # vulnerable read by id (BOLA)
    '''

@bp.get("/{route}/<int:item_id>/detail")
@login_required
def detail_{fn}(item_id):
    row = fetch_one("SELECT id, owner_id, name, amount, created_at FROM {table} WHERE id = %s", (item_id,))
    if row is None:
        abort(404)
    return jsonify({name}_view(row))
''',
    # safe create in a retried transaction
    '''

@bp.post("/{route}")
@login_required
def create_{fn}():
    data = {name}_payload()
    user = get_authenticated_user()

    def work(cur):
        cur.execute(
            "INSERT INTO {table} (owner_id, name, amount) VALUES (%s, %s, %s)"
            " RETURNING id, owner_id, name, amount, created_at",
            (user["id"], data["name"], decimal.Decimal(str(data.get("amount", 0)))),
        )
        return cur.fetchone()
    return jsonify({name}_view(run_in_transaction(work))), 201
''',
    # vulnerable search (SQL injection)
    '''

@bp.get("/{route}/search")
@login_required
def search_{fn}():
    q = request.args.get("q", "")
    rows = fetch_all(
        "SELECT id, owner_id, name, amount, created_at FROM {table} WHERE owner_id = %s"
        " AND name ILIKE '%%" + q + "%%'",
        (current_user_id(),),
    )
    return jsonify([{name}_view(r) for r in rows])
''',
    # safe update with ownership in the statement
    '''

@bp.put("/{route}/<int:item_id>")
@login_required
def update_{fn}(item_id):
    data = {name}_payload()

    def work(cur):
        cur.execute(
            "UPDATE {table} SET name = %s WHERE id = %s AND owner_id = %s RETURNING id, owner_id, name, amount, created_at",
            (data["name"], item_id, current_user_id()),
        )
        return cur.fetchone()
    row = run_in_transaction(work)
    if row is None:
        abort(404)
    return jsonify({name}_view(row))
''',
    # vulnerable delete (BOLA)
    '''

@bp.delete("/{route}/<int:item_id>")
@login_required
def delete_{fn}(item_id):
    def work(cur):
        cur.execute("DELETE FROM {table} WHERE id = %s RETURNING id", (item_id,))
        return cur.fetchone()
    if run_in_transaction(work) is None:
        abort(404)
    return "", 204
''',
    # admin route without role check (BFLA)
    '''

@bp.get("/admin/{route}")
@login_required
def admin_list_{fn}():
    rows = fetch_all("SELECT id, owner_id, name, amount, created_at FROM {table} ORDER BY id")
    return jsonify([{name}_view(r) for r in rows])
''',
    # admin route done right
    '''

@bp.post("/admin/{route}/purge")
@admin_required
def admin_purge_{fn}():
    def work(cur):
        cur.execute("DELETE FROM {table} WHERE created_at < now() - interval '365 days'")
    run_in_transaction(work)
    return "", 204
''',
    # read-modify-write on a raw connection
    '''

@bp.post("/{route}/<int:item_id>/spend")
@login_required
def spend_{fn}(item_id):
    amount = decimal.Decimal(str(request.get_json()["amount"]))
    db = get_db()
    cur = db.cursor()
    cur.execute("SELECT amount FROM {table} WHERE id = %s AND owner_id = %s", (item_id, current_user_id()))
    row = cur.fetchone()
    if row is None or row["amount"] < amount:
        abort(409)
    cur.execute("UPDATE {table} SET amount = %s WHERE id = %s", (row["amount"] - amount, item_id))
    db.commit()
    return "", 204
''',
    # sort by identifier from the request
    '''

@bp.get("/{route}/sorted")
@login_required
def sorted_{fn}():
    column = request.args.get("column", "created_at")
    rows = fetch_all(
        f"SELECT id, owner_id, name, amount, created_at FROM {table} WHERE owner_id = %s ORDER BY {{column}}",
        (current_user_id(),),
    )
    return jsonify([{name}_view(r) for r in rows])
''',
    # safe conditional update
    '''

@bp.post("/{route}/<int:item_id>/use")
@login_required
def use_{fn}(item_id):
    def work(cur):
        cur.execute(
            "UPDATE {table} SET amount = amount - 1 WHERE id = %s AND owner_id = %s AND amount >= 1 RETURNING amount",
            (item_id, current_user_id()),
        )
        return cur.fetchone()
    row = run_in_transaction(work)
    if row is None:
        abort(409)
    return jsonify(remaining=float(row["amount"]))
''',
    # identifiers through psycopg2.sql, checked against an allowlist
    '''

@bp.get("/{route}/stats/<field>")
@login_required
def stats_{fn}(field):
    if field not in ("amount", "name"):
        abort(404)
    query = sql.SQL("SELECT count(DISTINCT {{}}) AS n FROM {table} WHERE owner_id = %s").format(sql.Identifier(field))
    return jsonify(fetch_one(query, (current_user_id(),)))
''',
    # error text returned
    '''

@bp.get("/{route}/export")
@login_required
def export_{fn}():
    try:
        rows = fetch_all("SELECT id, owner_id, name, amount, created_at FROM {table} WHERE owner_id = %s", (current_user_id(),))
    except psycopg2.Error as exc:
        return jsonify(error=str(exc)), 500
    return jsonify([{name}_view(r) for r in rows])
''',
]

HELPERS = '''

def {name}_totals(rows):
    total = decimal.Decimal("0")
    for row in rows:
        total += row["amount"]
    return {{"count": len(rows), "total": float(total)}}


def {name}_audit(cur, user_id, action, detail):
    cur.execute(
        "INSERT INTO audit_log (user_id, action, detail) VALUES (%s, %s, %s)",
        (user_id, "{name}." + action, json.dumps(detail)),
    )


def {name}_since(days):
    cutoff = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return fetch_all("SELECT id, owner_id, name, amount, created_at FROM {table} WHERE created_at > %s", (cutoff,))
'''

INIT = '''"""Application factory."""

import os

from flask import Flask

{imports}


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
{registrations}
    return app
'''

DB = '''"""Database helpers."""

import os
import random
import time

import psycopg2
import psycopg2.errors
from flask import g
from psycopg2.extras import RealDictCursor

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://localhost/bench")


def get_db():
    if "db" not in g:
        g.db = psycopg2.connect(DATABASE_URL, cursor_factory=RealDictCursor)
    return g.db


def run_in_transaction(work, attempts=10):
    conn = get_db()
    for attempt in range(attempts):
        try:
            with conn:
                with conn.cursor() as cur:
                    return work(cur)
        except psycopg2.errors.SerializationFailure:
            time.sleep(0.01 * random.random() * 2 ** attempt)
    raise RuntimeError("contention")


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
'''

AUTH = '''"""Authentication helpers."""

from functools import wraps

from flask import abort, g, session

from app.db import fetch_one


def get_authenticated_user():
    if "user" not in g:
        uid = session.get("user_id")
        g.user = fetch_one("SELECT id, role FROM users WHERE id = %s", (uid,)) if uid else None
    return g.user


def current_user_id():
    user = get_authenticated_user()
    return user["id"] if user else None


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if get_authenticated_user() is None:
            abort(401)
        return view(*args, **kwargs)
    return wrapper


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = get_authenticated_user()
        if user is None or user["role"] != "admin":
            abort(403)
        return view(*args, **kwargs)
    return wrapper
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    pkg = os.path.join(args.out, "app")
    res = os.path.join(pkg, "resources")
    os.makedirs(res)
    with open(os.path.join(pkg, "db.py"), "w") as f:
        f.write(DB)
    with open(os.path.join(pkg, "auth.py"), "w") as f:
        f.write(AUTH)
    open(os.path.join(res, "__init__.py"), "w").close()
    n = max(1, args.files - 4)
    names = ["res%03d" % i for i in range(n)]
    for name in names:
        parts = [HEADER.format(name=name, upper=name.upper())]
        for k in range(rnd.randint(8, 14)):
            tpl = rnd.choice(TEMPLATES)
            route = "%s%d" % (rnd.choice(["items", "orders", "notes", "tasks", "files", "cards"]), k)
            parts.append(tpl.format(name=name, upper=name.upper(), fn="%s_%d" % (name, k), route=route,
                                    table=name + "_rows"))
        parts.append(HELPERS.format(name=name, table=name + "_rows"))
        with open(os.path.join(res, name + ".py"), "w") as f:
            f.write("".join(parts))
    imports = "\n".join("from app.resources.%s import bp as %s_bp" % (n_, n_) for n_ in names)
    regs = "\n".join("    app.register_blueprint(%s_bp)" % n_ for n_ in names)
    with open(os.path.join(pkg, "__init__.py"), "w") as f:
        f.write(INIT.format(imports=imports, registrations=regs))
    total = sum(len(open(os.path.join(dp, fn)).read().splitlines())
                for dp, _, fns in os.walk(args.out) for fn in fns if fn.endswith(".py"))
    files = sum(1 for dp, _, fns in os.walk(args.out) for fn in fns if fn.endswith(".py"))
    print("%d Python files, %d lines in %s" % (files, total, args.out))


if __name__ == "__main__":
    main()
