from flask import Blueprint, abort, jsonify, request

from app import db
from app.auth import account_id, signed_in
from app.db import find_by_name, query

bp = Blueprint("notes", __name__, url_prefix="/notes")


@bp.get("/search")
@signed_in
def search():
    q = request.args.get("q", "")
    return jsonify(db.query("SELECT id FROM notes WHERE owner_id = %s AND title LIKE '%" + q + "%'", (account_id(),)))  # want: PY-SQLI-001


@bp.get("/by-name")
@signed_in
def by_name():
    return jsonify(find_by_name("notes", request.args["name"]))  # want: PY-SQLI-001


@bp.get("/<int:note_id>")
@signed_in
def get_note(note_id):
    rows = query("SELECT id, title FROM notes WHERE id = %s", (note_id,))  # want: PY-BOLA-001
    if not rows:
        abort(404)
    return jsonify(rows[0])


@bp.get("/mine/<int:note_id>")
@signed_in
def get_mine(note_id):
    rows = query("SELECT id, title FROM notes WHERE id = %s AND owner_id = %s", (note_id, account_id()))
    if not rows:
        abort(404)
    return jsonify(rows[0])
