from functools import wraps

from flask import abort, session


def author_id():
    return session.get("user_id")


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if author_id() is None:
            abort(401)
        return view(*args, **kwargs)
    return wrapper
