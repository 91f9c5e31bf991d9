import sqlite3


def find_user(name):
    conn = sqlite3.connect("users.db")
    return conn.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchall()
