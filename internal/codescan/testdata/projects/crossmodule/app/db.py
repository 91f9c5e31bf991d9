import os

import psycopg2
import psycopg2.errors
from flask import g


def get_db():
    if "db" not in g:
        g.db = psycopg2.connect(os.environ["DATABASE_URL"])
    return g.db


def query(sql, args=()):
    with get_db() as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def find_by_name(table, name):
    with get_db() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT id FROM {table} WHERE name = '{name}'")
        return cur.fetchall()
