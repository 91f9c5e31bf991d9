from functools import wraps

from flask import abort, session
from flask_restful import Resource


def holder_id():
    return session.get("user_id")


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if holder_id() is None:
            abort(401)
        return view(*args, **kwargs)
    return wrapper


class AuthResource(Resource):
    method_decorators = [signed_in]
