from functools import wraps

from flask import abort, session


def customer_id():
    return session.get("user_id")


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if customer_id() is None:
            abort(401)
        return view(*args, **kwargs)
    return wrapper
