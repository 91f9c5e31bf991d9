from flask_restful import Resource, reqparse

from bank.auth import AuthResource, holder_id
from bank.db import query

parser = reqparse.RequestParser()
parser.add_argument("to", type=int, required=True)
parser.add_argument("amount", type=int, required=True)


class Transfers(AuthResource):
    def get(self):
        return query("SELECT id, amount FROM transfers WHERE from_id = %s", (holder_id(),))
