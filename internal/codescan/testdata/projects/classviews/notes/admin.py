from flask import Blueprint, jsonify
from flask.views import MethodView

from notes.auth import signed_in
from notes.db import execute

bp = Blueprint("admin", __name__, url_prefix="/admin")


class Purge(MethodView):
    decorators = [signed_in]

    def delete(self, author):
        execute("DELETE FROM notes WHERE author_id = %s", (author,))
        return jsonify({"purged": author})


bp.add_url_rule("/authors/<int:author>/notes", view_func=Purge.as_view("purge"), methods=["DELETE"])  # want: PY-BFLA-001
