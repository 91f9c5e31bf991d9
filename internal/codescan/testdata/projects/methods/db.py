import os

import psycopg2
from flask import g


def get_db():
    if "db" not in g:
        g.db = psycopg2.connect(os.environ["DATABASE_URL"])
    return g.db


class Database:
    """Runs the statement it is given on a connection it never commits."""

    def run(self, sql, args):
        cur = get_db().cursor()
        cur.execute(sql, args)

    @staticmethod
    def run_once(sql, args):
        cur = get_db().cursor()
        cur.execute(sql, args)
