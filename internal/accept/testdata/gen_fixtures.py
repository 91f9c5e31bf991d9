"""Regenerates validation/*.json from the frameworks themselves (Debian's packages).

Run by hand (python3 internal/accept/testdata/gen_fixtures.py); the tests only read the files.
Each fixture: {"status": ..., "content_type": ..., "body": <the framework's answer as text>}.
"""
import json
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validation")


def save(name, status, ctype, body):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"status": status, "content_type": ctype, "body": body}, f, indent=1)
        f.write("\n")


def fastapi_cases():
    import enum
    from typing import List
    from fastapi import FastAPI, Header, Query
    from pydantic import BaseModel, conint, constr, EmailStr  # noqa: F401

    class Currency(str, enum.Enum):
        EUR = "EUR"
        USD = "USD"

    class Amount(BaseModel):
        value: float
        currency: Currency

    class Item(BaseModel):
        sku: constr(regex=r"^[A-Z]{3}-[0-9]{3}$")
        quantity: conint(ge=1, le=10)

    class Order(BaseModel):
        amount: Amount
        items: List[Item]
        note: constr(min_length=3, max_length=10)

    app = FastAPI()

    @app.post("/orders")
    def orders(o: Order, idempotency_key: str = Header(...), limit: int = Query(10)):
        return {}

    post = asgi_client(app)
    save("fastapi_missing", *post("/orders", {}, json.dumps({})))
    save("fastapi_invalid", *post("/orders?limit=x", {"idempotency-key": "k"}, json.dumps(
        {"amount": {"value": "abc", "currency": "XXX"}, "items": [{"sku": "bad", "quantity": 0}], "note": "a"})))
    save("fastapi_body_not_json", *post("/orders", {"idempotency-key": "k"}, "not json"))


def asgi_client(app):
    """Calls an ASGI app in-process (FastAPI's TestClient needs httpx, which Debian's setup lacks)."""
    import asyncio

    def post(target, headers, body):
        path, _, query = target.partition("?")
        hdrs = [(b"content-type", b"application/json")] + [(k.encode(), v.encode()) for k, v in headers.items()]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "headers": hdrs, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "root_path": ""}
        out = {"body": b""}

        async def receive():
            return {"type": "http.request", "body": body.encode(), "more_body": False}

        async def send(msg):
            if msg["type"] == "http.response.start":
                out["status"] = msg["status"]
                out["ctype"] = dict(msg["headers"]).get(b"content-type", b"").decode()
            elif msg["type"] == "http.response.body":
                out["body"] += msg.get("body", b"")

        asyncio.run(app(scope, receive, send))
        return out["status"], out["ctype"], out["body"].decode()
    return post


def restful_cases():
    from flask import Flask
    from flask_restful import Api, Resource, reqparse

    app = Flask(__name__)
    api = Api(app)
    parser = reqparse.RequestParser()
    parser.add_argument("title", required=True, location="json")
    parser.add_argument("kind", choices=("bug", "feature"), location="json")
    parser.add_argument("count", type=int, location="json")

    class Things(Resource):
        def post(self):
            parser.parse_args()
            return {}

    api.add_resource(Things, "/things")
    c = app.test_client()
    r = c.post("/things", json={})
    save("flask_restful_missing", r.status_code, r.content_type, r.get_data(as_text=True))
    r = c.post("/things", json={"title": "t", "kind": "other"})
    save("flask_restful_choice", r.status_code, r.content_type, r.get_data(as_text=True))
    r = c.post("/things", json={"title": "t", "count": "many"})
    save("flask_restful_type", r.status_code, r.content_type, r.get_data(as_text=True))


def restx_cases():
    # Flask-RESTX is not in Debian: its answer is built here as its Model.validate does
    # (flask_restx/model.py: abort(400, message="Input payload validation failed",
    # errors=dict(format_error(e) for e in iter_errors)), with format_error keying each
    # message by the dotted path, plus the property for "required").
    import re
    from jsonschema import Draft4Validator
    schema = {"type": "object", "required": ["name", "address"],
              "properties": {"name": {"type": "string"}, "kind": {"type": "string", "enum": ["a", "b"]},
                             "age": {"type": "integer", "minimum": 18},
                             "address": {"type": "object", "required": ["city"],
                                         "properties": {"city": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}}}
    data = {"kind": "c", "age": "x", "address": {"zip": "abc"}}
    errors = {}
    for e in Draft4Validator(schema).iter_errors(data):
        path = list(e.path)
        if e.validator == "required":
            path.append(re.match(r"^'(.*)' is a required property$", e.message).group(1))
        errors[".".join(str(p) for p in path)] = e.message
    save("flask_restx", 400, "application/json",
         json.dumps({"errors": errors, "message": "Input payload validation failed"}, indent=4) + "\n")
    # connexion 2 (not in Debian): problem+json whose detail is the jsonschema message, with
    # " - 'path'" for nested errors (connexion/decorators/validation.py).
    for i, e in enumerate(Draft4Validator(schema).iter_errors({"address": {"city": "c", "zip": 1}, "kind": "z"})):
        path = ".".join(str(p) for p in e.path)
        detail = e.message + (" - '%s'" % path if path else "")
        save("connexion_%d" % i, 400, "application/problem+json",
             json.dumps({"detail": detail, "status": 400, "title": "Bad Request", "type": "about:blank"}) + "\n")


def drf_cases():
    import django
    from django.conf import settings
    settings.configure(INSTALLED_APPS=["rest_framework"], USE_TZ=True)
    django.setup()
    from rest_framework import serializers

    class Address(serializers.Serializer):
        city = serializers.CharField()

    class Person(serializers.Serializer):
        email = serializers.EmailField()
        kind = serializers.ChoiceField(choices=["staff", "guest"])
        age = serializers.IntegerField(min_value=18)
        address = Address()

    s = Person(data={"kind": "x", "age": "y", "address": {}})
    s.is_valid()
    save("drf", 400, "application/json", json.dumps(s.errors))


def marshmallow_cases():
    from flask import Flask, jsonify
    from marshmallow import Schema, fields, validate
    from webargs.flaskparser import use_args

    app = Flask(__name__)

    class Address(Schema):
        city = fields.Str(required=True)

    class Payment(Schema):
        email = fields.Email(required=True)
        method = fields.Str(validate=validate.OneOf(["card", "iban"]), required=True)
        amount = fields.Int(validate=validate.Range(min=1))
        address = fields.Nested(Address, required=True)

    @app.post("/pay")
    @use_args(Payment(), location="json")
    def pay(args):
        return {}

    @app.errorhandler(422)
    def handle(err):  # the handler webargs' documentation shows
        return jsonify({"messages": err.data.get("messages", ["Invalid request."])}), 422

    c = app.test_client()
    r = c.post("/pay", json={"email": "x", "method": "cash", "amount": 0, "address": {}})
    save("webargs", r.status_code, r.content_type, r.get_data(as_text=True))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for f in (fastapi_cases, restful_cases, restx_cases, drf_cases, marshmallow_cases):
        try:
            f()
        except ImportError as e:
            print("skipped", f.__name__, e, file=sys.stderr)
