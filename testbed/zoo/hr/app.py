"""Zoo HR: an employee directory keyed by UUIDs (FastAPI, PostgreSQL).

Shapes: UUID keys; sign-up with a model that documents is_admin (shared with the admin's form);
a JWT whose claims nest the identity under "user"; answers in a {"result": ...} envelope with
paginated lists ({"items": [...], "next": page}); PATCH that only the employee or an admin may use
and DELETE for admins; no "who am I". FastAPI serves the spec at /openapi.json. The vulnerable
variant's signing key is in no wordlist: a scan cracks it only with the source (--source).
"""

import datetime
import enum
import os
import sys
import uuid
from typing import Optional

import jwt
import psycopg2
import psycopg2.errors
import psycopg2.extras
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, constr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
# flaw: jwt-key-in-source (the vulnerable variant signs tokens with a key written only here, in no wordlist)
KEY = zoolib.secret_key(OPTS, weak="zoo-hr-people-directory-signing-2019")
TOKEN_TTL = datetime.timedelta(hours=1)
PAGE = 3
EMAIL = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
LOGIN_FAILURES = zoolib.login_throttle()

app = FastAPI(title="Zoo HR", version="1.0.0")
zoolib.fastapi_setup(app)
psycopg2.extras.register_uuid()

SCHEMA = """
DROP TABLE IF EXISTS employees CASCADE;
CREATE TABLE employees (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), email TEXT UNIQUE NOT NULL,
                        name TEXT NOT NULL, department TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '',
                        salary INT NOT NULL DEFAULT 40000, is_admin BOOLEAN NOT NULL DEFAULT false,
                        password_hash TEXT NOT NULL);
"""
SEED = {"alice": ("Alice Liddell", "engineering", "+44 20 7946 0101", 52000),
        "bob": ("Bob Builder", "support", "+44 20 7946 0102", 41000),
        "carol": ("Carol Admin", "people", "+44 20 7946 0103", 78000)}
SEED_MORE = [("dave@example.com", "Dave Sales", "sales"), ("erin@example.com", "Erin Support", "support"),
             ("frank@example.com", "Frank Engineer", "engineering")]


class Department(str, enum.Enum):
    engineering = "engineering"
    sales = "sales"
    support = "support"
    people = "people"


def connect():
    return psycopg2.connect(OPTS.db, cursor_factory=psycopg2.extras.RealDictCursor)


def query(sql, args=()):
    conn = connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def seed():
    with connect() as conn, conn.cursor() as cur:
        cur.execute(SCHEMA)
        for username, password, role, email in zoolib.USERS:
            name, dept, phone, salary = SEED[username]
            cur.execute("INSERT INTO employees (email, name, department, phone, salary, is_admin, password_hash)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        (email, name, dept, phone, salary, role == "admin", zoolib.hash_password(password)))
        for email, name, dept in SEED_MORE:
            cur.execute("INSERT INTO employees (email, name, department, password_hash) VALUES (%s, %s, %s, %s)",
                        (email, name, dept, zoolib.hash_password(uuid.uuid4().hex)))
    conn.close()


class EmployeeIn(BaseModel):
    email: constr(regex=EMAIL, max_length=254)
    password: constr(min_length=8, max_length=256)
    name: constr(min_length=1, max_length=80)
    department: Department
    is_admin: bool = False


class Credentials(BaseModel):
    email: constr(min_length=3, max_length=254)
    password: constr(min_length=1, max_length=256)


def public_view(row):
    return {"id": row["id"], "name": row["name"], "department": row["department"]}


def full_view(row):
    return dict(public_view(row), email=row["email"], phone=row["phone"], salary=row["salary"],
                is_admin=row["is_admin"])


@app.get("/")
def index():
    return {"result": {"service": "Zoo HR", "documentation": "/openapi.json"}}


@app.post("/register", status_code=201)
def register(body: EmployeeIn):
    # flaw: mass-assignment-register-is-admin (the vulnerable variant stores the is_admin it is sent)
    is_admin = False if SECURE else body.is_admin
    try:
        rows = query("INSERT INTO employees (email, name, department, is_admin, password_hash)"
                     " VALUES (%s, %s, %s, %s, %s) RETURNING *", (body.email, body.name, body.department.value,
                                                                 is_admin, zoolib.hash_password(body.password)))
    except psycopg2.errors.UniqueViolation:
        raise HTTPException(409, "an employee with this e-mail exists")
    return {"result": full_view(rows[0])}


@app.post("/login")
def login(creds: Credentials):
    key = creds.email.lower()
    wait = LOGIN_FAILURES.wait(key)
    if wait:
        raise HTTPException(429, "too many failed logins, retry later", headers={"Retry-After": str(wait)})
    rows = query("SELECT id, email, password_hash FROM employees WHERE email = %s", (creds.email,))
    user = rows[0] if rows else None
    if not zoolib.check_password(user["password_hash"] if user else zoolib.DUMMY_HASH, creds.password) or not user:
        LOGIN_FAILURES.record(key)
        raise HTTPException(401, "invalid e-mail or password")
    now = datetime.datetime.now(datetime.timezone.utc)
    claims = {"user": {"id": str(user["id"]), "email": user["email"]}, "iat": now, "exp": now + TOKEN_TTL}
    return {"result": {"token": jwt.encode(claims, KEY, algorithm="HS256"), "expires_in": 3600}}


def caller(cred: Optional[HTTPAuthorizationCredentials] = Depends(HTTPBearer(auto_error=False))):
    unauthorized = HTTPException(401, "bearer token required", headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = jwt.decode(cred.credentials, KEY, algorithms=["HS256"], options={"require": ["exp"]}) if cred else None
        employee_id = uuid.UUID(claims["user"]["id"]) if claims else None
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        raise unauthorized
    rows = query("SELECT * FROM employees WHERE id = %s", (employee_id,)) if employee_id else []
    if not rows:
        raise unauthorized
    return rows[0]


def employee(employee_id):
    rows = query("SELECT * FROM employees WHERE id = %s", (employee_id,))
    if not rows:
        raise HTTPException(404, "no such employee")
    return rows[0]


@app.get("/employees")
def list_employees(page: int = Query(1, ge=1), user=Depends(caller)):
    rows = query("SELECT * FROM employees ORDER BY name LIMIT %s OFFSET %s", (PAGE + 1, (page - 1) * PAGE))
    return {"result": {"items": [public_view(r) for r in rows[:PAGE]], "next": page + 1 if len(rows) > PAGE else None}}


@app.get("/employees/{employee_id}")
def get_employee(employee_id: uuid.UUID, user=Depends(caller)):
    row = employee(employee_id)
    return {"result": full_view(row) if row["id"] == user["id"] or user["is_admin"] else public_view(row)}


class EmployeePatch(BaseModel):
    phone: Optional[constr(regex=r"^\+?[0-9 ()-]{6,20}$")]
    department: Optional[Department]


@app.patch("/employees/{employee_id}")
def update_employee(employee_id: uuid.UUID, patch: EmployeePatch, user=Depends(caller)):
    row = employee(employee_id)
    if SECURE and row["id"] != user["id"] and not user["is_admin"]:
        raise HTTPException(403, "only the employee or an admin may edit this record")
    # flaw: bola-employee-patch (the vulnerable variant lets anyone edit anyone)
    rows = query("UPDATE employees SET phone = coalesce(%s, phone), department = coalesce(%s, department)"
                 " WHERE id = %s RETURNING *",
                 (patch.phone, patch.department.value if patch.department else None, employee_id))
    return {"result": full_view(rows[0]) if row["id"] == user["id"] or user["is_admin"] else public_view(rows[0])}


@app.delete("/employees/{employee_id}")
def delete_employee(employee_id: uuid.UUID, user=Depends(caller)):
    if SECURE and not user["is_admin"]:
        raise HTTPException(403, "admins only")
    # flaw: bfla-employee-delete (the vulnerable variant lets any employee delete records)
    employee(employee_id)
    query("DELETE FROM employees WHERE id = %s", (employee_id,))
    return {"result": {"message": "deleted"}}


@app.get("/admin/payroll")
def payroll(user=Depends(caller)):
    if not user["is_admin"]:
        raise HTTPException(403, "admins only")
    rows = query("SELECT * FROM employees ORDER BY name")
    return {"result": {"items": [full_view(r) for r in rows], "next": None}}


if __name__ == "__main__":
    seed()
    zoolib.run_fastapi(app, OPTS)
