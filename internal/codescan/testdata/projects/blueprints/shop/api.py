from flask import Blueprint

from shop import orders
from shop.admin import admin_bp, reports_bp

api = Blueprint("api", __name__, url_prefix="/ignored-when-registered-with-a-prefix")
api.register_blueprint(orders.bp)
api.register_blueprint(admin_bp, url_prefix="/staff")
api.register_blueprint(reports_bp)
