from flask import Blueprint, abort, session

from shop import admin_views

admin_bp = Blueprint("admin", __name__)
admin_bp.add_url_rule("/customers", view_func=admin_views.customers)
admin_bp.add_url_rule("/audit", view_func=admin_views.audit)

# Every view of this blueprint, defined in admin_views, is behind the hook.
reports_bp = Blueprint("reports", __name__, url_prefix="/reports")
reports_bp.add_url_rule("/purge", view_func=admin_views.purge_reports, methods=["POST"])


@reports_bp.before_request
def require_login():
    if session.get("user_id") is None:
        abort(401)
