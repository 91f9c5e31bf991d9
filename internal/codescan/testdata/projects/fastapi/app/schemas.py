from typing import Optional

from pydantic import BaseModel


class NoteIn(BaseModel):
    title: str
    body: str


class NotePatch(BaseModel):
    title: Optional[str] = None
    body: Optional[str] = None


class SignUp(BaseModel):
    username: str
    password: str
    role: str = "member"


class SignUpSafe(BaseModel):
    username: str
    password: str


class ProfileUpdate(BaseModel):
    display_name: Optional[str] = None
    is_admin: Optional[bool] = None


class Lookup(BaseModel):
    note_id: int
