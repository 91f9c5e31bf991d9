from functools import wraps

from flask import abort, jsonify, session

from shop.auth import signed_in
from shop.db import execute, query


def staff_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if session.get("role") != "staff":
            abort(403)
        return view(*args, **kwargs)
    return wrapper


@signed_in
def customers():  # want: PY-BFLA-001
    return jsonify(query("SELECT id, email FROM customers ORDER BY id"))


@staff_only
def audit():
    return jsonify(query("SELECT id, action FROM audit_log ORDER BY id DESC LIMIT 100"))


def purge_reports():
    execute("DELETE FROM messages")
    return "", 204
