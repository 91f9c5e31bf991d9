"""Model classes whose static and class methods run SQL (VAmPI's shape)."""
from db import get_db


class User:
    def __init__(self, username):
        self.username = username

    @staticmethod
    def by_name(username):
        cur = get_db().cursor()
        cur.execute(f"SELECT id, email FROM users WHERE username = '{username}'")
        return cur.fetchone()

    @staticmethod
    def by_name_safe(username):
        cur = get_db().cursor()
        cur.execute("SELECT id, email FROM users WHERE username = %s", (username,))
        return cur.fetchone()


class Note:
    @classmethod
    def titled(cls, title):
        cur = get_db().cursor()
        cur.execute("SELECT id FROM notes WHERE title = '%s'" % title)
        return cur.fetchall()

    @classmethod
    def titled_twice(cls, title):
        return cls.titled(title) + cls.titled(title.upper())

    @classmethod
    def titled_safe(cls, title):
        cur = get_db().cursor()
        cur.execute("SELECT id FROM notes WHERE title = %s", (title,))
        return cur.fetchall()
