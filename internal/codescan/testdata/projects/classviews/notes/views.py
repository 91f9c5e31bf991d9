from flask import abort, jsonify, request
from flask.views import MethodView, View

from notes.auth import author_id, signed_in
from notes.db import execute, query


class NoteAPI(MethodView):
    decorators = [signed_in]

    def get(self, note_id):
        rows = query("SELECT id, body FROM notes WHERE id = %s", (note_id,))  # want: PY-BOLA-001
        if not rows:
            abort(404)
        return jsonify(rows[0])

    def put(self, note_id):
        execute("UPDATE notes SET body = %s WHERE id = %s AND author_id = %s",
                (request.get_json()["body"], note_id, author_id()))
        return "", 204


class ExportView(View):  # want: PY-AUTH-001
    methods = ["POST"]

    def dispatch_request(self):
        rows = query("SELECT id, body FROM notes")
        return jsonify(rows)
