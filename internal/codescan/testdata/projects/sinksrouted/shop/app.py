from flask import Flask, jsonify, request

from shop.models import find_products

app = Flask(__name__)


@app.get("/products")
def products():
    return jsonify(find_products(request.args.get("q", "")))  # want: PY-SQLI-001
