from flask import abort
from flask_restful import Resource, reqparse

from bank.auth import AuthResource, holder_id, signed_in
from bank.db import query

search_parser = reqparse.RequestParser()
search_parser.add_argument("name", type=str, location="args")


class Account(AuthResource):
    def get(self, account_id):
        rows = query("SELECT id, balance FROM accounts WHERE id = %s", (account_id,))  # want: PY-BOLA-001
        if not rows:
            abort(404)
        return {"id": rows[0][0], "balance": rows[0][1]}


class AccountSearch(Resource):
    method_decorators = {"get": [signed_in]}

    def get(self):
        args = search_parser.parse_args()
        return query(f"SELECT id FROM accounts WHERE holder_id = %s AND name LIKE '%{args['name']}%'", (holder_id(),))  # want: PY-SQLI-001
