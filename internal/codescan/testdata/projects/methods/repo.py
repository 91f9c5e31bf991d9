"""Repositories: instances built on a connection, methods inherited."""
from flask_login import current_user


class BaseRepo:
    def __init__(self, conn):
        self.conn = conn

    def one(self, item_id):
        cur = self.conn.cursor()
        cur.execute("SELECT id, title, body FROM notes WHERE id = %s", (item_id,))
        return cur.fetchone()

    def mine(self, item_id):
        cur = self.conn.cursor()
        cur.execute("SELECT id, title, body FROM notes WHERE id = %s AND owner_id = %s", (item_id, current_user.id))
        return cur.fetchone()


class NoteRepo(BaseRepo):
    def search(self, term):
        cur = self.conn.cursor()
        cur.execute("SELECT id FROM notes WHERE body LIKE '%" + term + "%'")
        return cur.fetchall()

    def search_safe(self, term):
        cur = self.conn.cursor()
        cur.execute("SELECT id FROM notes WHERE body LIKE %s", ("%" + term + "%",))
        return cur.fetchall()
