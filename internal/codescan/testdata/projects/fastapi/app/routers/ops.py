from fastapi import APIRouter

from ..db import query

admin = APIRouter()
maintenance = APIRouter(prefix="/jobs")


@admin.get("/users")
def all_users():
    return query("SELECT id, username, role FROM users")


@maintenance.post("/purge")  # want: PY-BFLA-001
def purge():
    query("DELETE FROM notes WHERE deleted")
    return {"message": "purged"}
