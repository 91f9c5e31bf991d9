from typing import Optional

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Extra

from ..db import query
from ..deps import active_member
from ..schemas import ProfileUpdate, SignUp, SignUpSafe

router = APIRouter()


@router.post("/signup")
def signup(body: SignUp):
    query("INSERT INTO users (username, password, role) VALUES (%s, %s, %s)",  # want: PY-MASS-001
          (body.username, hash_password(body.password), body.role))
    return {"message": "created"}


@router.post("/signup-safe")
def signup_safe(body: SignUpSafe):
    query("INSERT INTO users (username, password, role) VALUES (%s, %s, 'member')",
          (body.username, hash_password(body.password)))
    return {"message": "created"}


@router.patch("/me")
def update_me(body: ProfileUpdate, member=Depends(active_member)):
    for column, value in body.dict(exclude_unset=True).items():
        query(f"UPDATE users SET {column} = %s WHERE id = %s", (value, member["id"]))  # want: PY-MASS-002, PY-SQLI-003
    return {"message": "updated"}


@router.patch("/me/name")
def update_my_name(body: ProfileUpdate, member=Depends(active_member)):
    query("UPDATE users SET display_name = %s WHERE id = %s", (body.display_name, member["id"]))
    return {"message": "updated"}


@router.post("/invite")
def invite(body: SignUp, member=Depends(active_member)):
    account = Account(**body.dict())  # want: PY-MASS-001
    account.save()
    return {"message": "invited"}


@router.post("/invite-safe")
def invite_safe(body: SignUpSafe, member=Depends(active_member)):
    account = Account(**body.dict(), role="member")
    account.save()
    return {"message": "invited"}


class Preferences(BaseModel, extra=Extra.allow):
    theme: Optional[str] = None


class Theme(BaseModel):
    theme: Optional[str] = None


@router.patch("/me/preferences")
def update_preferences(prefs: Preferences, member=Depends(active_member)):
    account = Account(id=member["id"])
    for key, value in prefs.dict().items():
        setattr(account, key, value)  # want: PY-MASS-001
    account.save()
    return {"message": "saved"}


@router.patch("/me/theme")
def update_theme(prefs: Theme, member=Depends(active_member)):
    account = Account(id=member["id"])
    for key, value in prefs.dict().items():
        setattr(account, key, value)
    account.save()
    return {"message": "saved"}


class Account:
    def __init__(self, **fields):
        self.fields = fields

    def save(self):
        query("INSERT INTO users (username, password, role) VALUES (%(username)s, %(password)s, %(role)s)", self.fields)


def hash_password(password):
    import hashlib
    return hashlib.sha256(password.encode()).hexdigest()
