from flask import Blueprint, abort, jsonify

from shop.auth import customer_id, signed_in
from shop.db import query

bp = Blueprint("orders", __name__, url_prefix="/orders")


@signed_in
def get_order(order_id):
    rows = query("SELECT id, total FROM orders WHERE id = %s", (order_id,))  # want: PY-BOLA-001
    if not rows:
        abort(404)
    return jsonify(rows[0])


@signed_in
def get_my_order(order_id):
    rows = query("SELECT id, total FROM orders WHERE id = %s AND customer_id = %s", (order_id, customer_id()))
    if not rows:
        abort(404)
    return jsonify(rows[0])


bp.add_url_rule("/<int:order_id>", view_func=get_order, methods=["GET"])
bp.add_url_rule("/mine/<int:order_id>", "mine", get_my_order)
