from flask import Blueprint, jsonify

from app.auth import signed_in, staff_only
from app.db import query

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/accounts")  # want: PY-BFLA-001
@signed_in
def accounts():
    return jsonify(query("SELECT id, role FROM accounts ORDER BY id"))


@bp.get("/audit")
@staff_only
def audit():
    return jsonify(query("SELECT id, action FROM audit_log ORDER BY id DESC LIMIT 100"))
