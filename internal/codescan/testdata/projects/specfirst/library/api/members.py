from flask import request

from library.db import query


def delete_member(member_id):  # want: PY-AUTH-001
    query("DELETE FROM members WHERE id = %s", (member_id,))
    return "", 204


def login():
    data = request.get_json()
    rows = query("SELECT id FROM members WHERE email = %s AND password = crypt(%s, password)", (data["email"], data["password"]))
    return {"ok": bool(rows)}
