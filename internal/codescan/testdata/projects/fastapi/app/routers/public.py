from fastapi import APIRouter

from ..db import query
from ..schemas import NoteIn

public = APIRouter(prefix="/public")


@public.post("/notes")  # want: PY-AUTH-001
def add_note(note: NoteIn):
    query("INSERT INTO notes (title, body) VALUES (%s, %s)", (note.title, note.body))
    return {"message": "created"}


@public.get("/health")
def health():
    return {"status": "ok"}
