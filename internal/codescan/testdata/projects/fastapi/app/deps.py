import os

import jwt
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

from .db import query

SECRET = os.environ["TOKEN_SECRET"]
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/users/token")


def get_current_user(token: str = Depends(oauth2_scheme)):
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        raise HTTPException(401, "invalid token")
    rows = query("SELECT id, username, role, disabled FROM users WHERE username = %s", (claims["sub"],))
    if not rows:
        raise HTTPException(401, "invalid token")
    return rows[0]


def active_member(member=Depends(get_current_user)):
    if member["disabled"]:
        raise HTTPException(400, "inactive account")
    return member


def staff_only(member=Depends(active_member)):
    if member["role"] != "admin":
        raise HTTPException(403, "administrators only")
