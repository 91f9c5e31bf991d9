from flask import Flask, jsonify, request

from sqlalchemy import text

from shop.models import Note, find_products, title_clause

app = Flask(__name__)


@app.get("/products")
def products():
    return jsonify(find_products(request.args.get("q", "")))  # want: PY-SQLI-001


@app.get("/notes")
def notes():
    return jsonify([n.id for n in Note.query.filter(title_clause(request.args["q"])).all()])  # want: PY-SQLI-001


@app.get("/notes/search")
def search_notes():
    q = request.args.get("q", "")
    return jsonify([n.id for n in Note.query.filter(text(f"title LIKE '%{q}%'")).all()])  # want: PY-SQLI-001
