"""Class-based views: MethodView and View, registered with as_view here and in a blueprint."""
from flask import Flask

from notes.views import ExportView, NoteAPI
from notes.admin import bp as admin_bp


def create_app():
    app = Flask(__name__)
    note_view = NoteAPI.as_view("note")
    app.add_url_rule("/notes/<int:note_id>", view_func=NoteAPI.as_view("note"))
    app.add_url_rule("/notes/export", view_func=ExportView.as_view("export"))
    app.register_blueprint(admin_bp)
    return app
