from flask import Blueprint

from shop import admin_views

admin_bp = Blueprint("admin", __name__)
admin_bp.add_url_rule("/customers", view_func=admin_views.customers)
admin_bp.add_url_rule("/audit", view_func=admin_views.audit)
