import os

import psycopg2

from app.db import find_notes  # noqa: F401  re-exported; closes the import cycle


def run_sql(sql):
    with psycopg2.connect(os.environ["DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def audit(action):
    with psycopg2.connect(os.environ["DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO audit_log (action) VALUES (%s)", (action,))
