"""Stand-in for the few parts of connexion 2 that VAmPI uses (Debian has no connexion).

VAmPI builds its Flask app with connexion.App(...).add_api('openapi3.yml'): every
route of the spec is bound to the function its operationId names. This module does
that and no more:
  - routes: path templates become Flask rules, operationIds are imported and called
    with the path parameters as keyword arguments;
  - security: an operation with a `security` requirement refuses a request without an
    `Authorization: Bearer ...` header with 401, as connexion does before the view runs.
    connexion then calls x-bearerInfoFunc; VAmPI's (User.decode_auth_token) never returns
    None, so connexion lets every bearer token through to the view, and so does this;
  - problems: ProblemException and add_error_handler, as VAmPI's config.py uses them;
  - the spec is served at /openapi.json, as connexion serves it. The Swagger UI (/ui/)
    is not reproduced.
Request bodies are not validated against the spec here: VAmPI's views validate their
own bodies with jsonschema.
"""
import functools
import importlib
import json
import os
import re

import yaml
from flask import Flask, Response, request

__all__ = ["App", "ProblemException"]


class ProblemException(Exception):
    def __init__(self, status=400, title=None, detail=None):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail


def _resolve(operation_id):
    module, _, name = operation_id.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _secured(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if not token:
            raise ProblemException(401, "Unauthorized", "No authorization token provided")
        if scheme.lower() != "bearer":
            raise ProblemException(401, "Unauthorized", "Invalid authorization header")
        return view(*args, **kwargs)

    return wrapper


class App:
    def __init__(self, import_name, specification_dir=""):
        self.app = Flask(import_name)
        self.specification_dir = os.path.join(self.app.root_path, specification_dir)

    def add_error_handler(self, exc, handler):
        self.app.register_error_handler(exc, handler)

    def add_api(self, name):
        with open(os.path.join(self.specification_dir, name)) as f:
            spec = yaml.safe_load(f)
        default_security = spec.get("security")
        for path, item in spec.get("paths", {}).items():
            rule = re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", r"<\1>", path)
            for method, op in item.items():
                if method not in ("get", "put", "post", "delete", "patch", "head", "options"):
                    continue
                view = _resolve(op["operationId"])
                if op.get("security", default_security):
                    view = _secured(view)
                self.app.add_url_rule(rule, endpoint=op["operationId"], view_func=view,
                                      methods=[method.upper()])
        body = json.dumps(spec)
        self.app.add_url_rule("/openapi.json", endpoint="connexion_spec",
                              view_func=lambda: Response(body, 200, mimetype="application/json"))

    def run(self, host=None, port=None, debug=None, **options):
        self.app.run(host=host, port=port, debug=debug, **options)
