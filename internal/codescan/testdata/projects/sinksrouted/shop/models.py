# Helpers one route reaches with request data (the route's finding is the
# one kept: none here) and one no route calls (reported here, tentatively).
import sqlite3

from sqlalchemy import text


def get_db():
    return sqlite3.connect("shop.db")


def find_products(term):
    cur = get_db().cursor()
    cur.execute("SELECT id, name FROM products WHERE name LIKE '%%%s%%'" % term)
    return cur.fetchall()


def product_report(category):
    cur = get_db().cursor()
    cur.execute(f"SELECT count(*) FROM products WHERE category = '{category}'")  # want: PY-SQLI-001
    return cur.fetchone()


class Note:
    query = None


def title_clause(term):
    return text(f"title = '{term}'")


def notes_by(term):
    # A clause no route reaches: a GraphQL resolver's argument, say.
    return Note.query.filter(text("content LIKE '%%%s%%'" % term)).all()  # want: PY-SQLI-001
