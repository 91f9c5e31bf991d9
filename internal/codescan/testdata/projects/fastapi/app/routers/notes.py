from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ..db import query
from ..deps import active_member, get_current_user
from ..lookup import ensure_owner, find_note, load_note
from ..schemas import Lookup, NotePatch

router = APIRouter(prefix="/notes", dependencies=[Depends(get_current_user)])
Member = Annotated[dict, Depends(active_member)]


@router.get("/search")
def search(q: str, member=Depends(active_member)):
    return query(f"SELECT id, title FROM notes WHERE owner_id = {member['id']} AND title LIKE '%{q}%'")  # want: PY-SQLI-001


@router.get("/count")
def count(since: int = Query(0), member=Depends(active_member)):
    return query(f"SELECT count(*) FROM notes WHERE id > {since} AND owner_id = %s", (member["id"],))


@router.get("/{note_id}")
def get_note(note_id: int, member=Depends(active_member)):
    return query("SELECT id, title, body FROM notes WHERE id = %s", (note_id,))  # want: PY-BOLA-001


@router.get("/mine/{note_id}")
def get_my_note(note_id: int, member: Member):
    return query("SELECT id, title, body FROM notes WHERE id = %s AND owner_id = %s", (note_id, member["id"]))


@router.patch("/{note_id}")
def patch_note(note_id: int, patch: NotePatch, member: Member):
    rows = query("UPDATE notes SET title = coalesce(%s, title), body = coalesce(%s, body) WHERE id = %s AND owner_id = %s"
                 " RETURNING id", (patch.title, patch.body, note_id, member["id"]))
    return rows[0] if rows else None


@router.post("/lookup")
def lookup(body: Lookup, member=Depends(active_member)):
    return query("SELECT id, title FROM notes WHERE id = %s", (body.note_id,))  # want: PY-BOLA-001


@router.get("/files/{file_path:path}")
def attachment(file_path: str, member=Depends(active_member)):
    return query(f"SELECT data FROM attachments WHERE path = '{file_path}'")  # want: PY-SQLI-001


@router.post("/import")
async def import_notes(request: Request, member=Depends(active_member)):
    data = await request.json()
    order = request.query_params.get("order", "id")
    query(f"INSERT INTO notes (owner_id, title) VALUES (%s, '{data['title']}')", (member["id"],))  # want: PY-SQLI-001
    return query(f"SELECT id FROM notes WHERE owner_id = %s ORDER BY {order}", (member["id"],))  # want: PY-SQLI-003


@router.get("/by-helper/{note_id}")
def by_helper(note_id: int, member=Depends(active_member)):
    return find_note(note_id)  # want: PY-BOLA-001


@router.get("/checked/{note_id}")
def checked(note_id: int, member=Depends(active_member)):
    note = find_note(note_id)
    ensure_owner(note, member)
    return note


@router.get("/unflagged/{note_id}")
def unflagged(note_id: int, member=Depends(active_member)):
    return load_note(note_id, member, must_own=False)  # want: PY-BOLA-001


@router.get("/flagged/{note_id}")
def flagged(note_id: int, member=Depends(active_member)):
    return load_note(note_id, member)


@router.get("/view/{note_id}")
def view(note_id: int, member=Depends(active_member)):
    note = find_note(note_id)
    return note if note["owner_id"] == member["id"] else {"title": note["title"]}


@router.get("/by-query")
def by_query(id: int = Query(...), member=Depends(active_member)):
    return find_note(id)  # want: PY-BOLA-001


@router.get("/state")
def from_state(request: Request):
    return query(f"SELECT id FROM notes WHERE owner_id = {request.state.member_id}")
