import os

import psycopg2
from flask import g


def get_db():
    if "db" not in g:
        g.db = psycopg2.connect(os.environ["DATABASE_URL"])
    return g.db


def query(sql, args=()):
    with get_db() as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def execute(sql, args=()):
    with get_db() as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        conn.commit()
