from db import get_db


class Account:
    @staticmethod
    def by_email(email):
        cur = get_db().cursor()
        cur.execute("SELECT id FROM accounts WHERE email = '" + email + "'")
        return cur.fetchone()
