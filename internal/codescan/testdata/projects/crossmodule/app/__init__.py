"""A small app split across modules: helpers in app.db and app.auth, views in blueprints."""
import os

from flask import Flask

from app.views.notes import bp as notes_bp
from .views import admin


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.register_blueprint(notes_bp, url_prefix="/api/notes")
    app.register_blueprint(admin.bp)
    return app
