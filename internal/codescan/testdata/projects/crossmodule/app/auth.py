from functools import wraps

from flask import abort, g, session

from app.db import query


def current_account():
    if "account" not in g:
        uid = session.get("user_id")
        rows = query("SELECT id, role FROM accounts WHERE id = %s", (uid,)) if uid else []
        g.account = rows[0] if rows else None
    return g.account


def account_id():
    acct = current_account()
    return acct["id"] if acct else None


def staff_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        acct = current_account()
        if acct is None or acct["role"] != "staff":
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_account() is None:
            abort(401)
        return view(*args, **kwargs)
    return wrapper
