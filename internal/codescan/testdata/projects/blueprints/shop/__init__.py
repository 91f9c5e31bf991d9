"""Blueprints nested two deep, with prefixes from constructors and registrations."""
from flask import Flask

from shop.api import api


def create_app():
    app = Flask(__name__)
    app.register_blueprint(api, url_prefix="/api")
    return app
