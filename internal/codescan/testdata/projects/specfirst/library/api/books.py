from flask import request

from library.db import execute, query


def get_book(book_id):
    return query("SELECT id, title, borrower FROM books WHERE id = %s", (book_id,))  # want: PY-BOLA-001


def search(title, limit=10):
    return query(f"SELECT id FROM books WHERE title LIKE '%{title}%' LIMIT %s", (limit,))  # want: PY-SQLI-001


def create(body):
    execute(f"INSERT INTO books (title) VALUES ('{body['title']}')")  # want: PY-SQLI-001
    return {"ok": True}, 201


def list_books():
    return query("SELECT id, title FROM books ORDER BY id")
