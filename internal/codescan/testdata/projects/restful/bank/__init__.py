"""Flask-RESTful: an Api on a blueprint, resources in their own modules."""
from flask import Blueprint, Flask
from flask_restful import Api

from bank.resources.accounts import Account, AccountSearch
from bank.resources.transfers import Transfers

bp = Blueprint("v1", __name__, url_prefix="/v1")
api = Api(bp, prefix="/bank")
api.add_resource(Account, "/accounts/<int:account_id>", "/a/<int:account_id>")
api.add_resource(AccountSearch, "/accounts/search")
api.add_resource(Transfers, "/transfers")


def create_app():
    app = Flask(__name__)
    app.register_blueprint(bp)
    return app
