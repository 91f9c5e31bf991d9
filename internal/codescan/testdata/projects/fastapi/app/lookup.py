from fastapi import HTTPException

from .db import query


def find_note(note_id):
    rows = query("SELECT id, owner_id, title, body FROM notes WHERE id = %s", (note_id,))
    if not rows:
        raise HTTPException(404, "no such note")
    return rows[0]


def load_note(note_id, member, must_own=True):
    note = find_note(note_id)
    if must_own and note["owner_id"] != member["id"]:
        raise HTTPException(404, "no such note")
    return note


def ensure_owner(note, member):
    if note["owner_id"] != member["id"]:
        raise HTTPException(403, "not your note")
