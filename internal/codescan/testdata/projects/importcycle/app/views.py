from flask import jsonify, request

from app import app
from app.db import find_notes
from app.store import audit


@app.get("/notes")
def notes():
    audit("search")
    return jsonify(find_notes(request.args["title"]))  # want: PY-SQLI-001


@app.get("/notes/recent")
def recent():
    return jsonify(find_notes("recent"))
