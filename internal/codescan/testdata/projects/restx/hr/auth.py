from functools import wraps

from flask import abort, session


def employee_id():
    return session.get("user_id")


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if employee_id() is None:
            abort(401)
        return view(*args, **kwargs)
    return wrapper
