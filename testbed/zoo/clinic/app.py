"""Zoo Clinic: patients keyed by their e-mail address (Flask, flask-restful, PostgreSQL).

Shapes: class-based resources (flask-restful Resource); e-mail addresses in paths
(/patients/{email}); opaque bearer tokens from POST /auth; a public search that answers 429 with
Retry-After past 10 requests in 2 seconds; PATCH that only the patient or staff may use; no
"who am I". The spec is in openapi.yaml next to this file and is not served.
"""

import datetime
import hashlib
import os
import re
import secrets
import sys
from functools import wraps

import psycopg2
import psycopg2.extras
from flask import Flask, abort, g, request
from flask_restful import Api, Resource

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import zoolib  # noqa: E402

OPTS = zoolib.options()
SECURE = OPTS.secure
TOKEN_TTL = datetime.timedelta(hours=1)
LOGIN_FAILURES = zoolib.login_throttle()
SEARCHES = zoolib.Throttle(10, 2)
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")

app = Flask(__name__)
zoolib.flask_setup(app)
api = Api(app)

SCHEMA = """
DROP TABLE IF EXISTS tokens, records, doctors, patients CASCADE;
CREATE TABLE patients (email TEXT PRIMARY KEY, name TEXT NOT NULL, password TEXT NOT NULL, role TEXT NOT NULL,
                       phone TEXT, address TEXT, born DATE);
CREATE TABLE tokens (token_hash TEXT PRIMARY KEY, email TEXT NOT NULL REFERENCES patients(email) ON DELETE CASCADE,
                     expires_at TIMESTAMPTZ NOT NULL);
CREATE TABLE records (id SERIAL PRIMARY KEY, email TEXT NOT NULL REFERENCES patients(email) ON DELETE CASCADE,
                      written_by TEXT NOT NULL, note TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE doctors (id SERIAL PRIMARY KEY, name TEXT NOT NULL, specialty TEXT NOT NULL);
"""
SEED_DETAILS = {
    "alice": ("Alice Liddell", "+44 20 7946 0001", "1 Rabbit Hole, Oxford", "1990-05-04"),
    "bob": ("Bob Builder", "+44 20 7946 0002", "7 Scrapyard Lane, Bobsville", "1985-11-11"),
    "carol": ("Dr Carol Admin", "+44 20 7946 0003", "9 Admin Road, London", "1975-01-30"),
}
SEED_RECORDS = [("alice@example.com", "Allergy: penicillin. Asthma, mild."),
                ("bob@example.com", "Fractured left wrist, cast until June.")]
SEED_DOCTORS = [("Dr Who", "general"), ("Dr House", "diagnostics"), ("Dr Quinn", "general"), ("Dr Zhivago", "surgery")]


def connect():
    return psycopg2.connect(OPTS.db, cursor_factory=psycopg2.extras.RealDictCursor)


def stored_password(password):
    # flaw: data-exposure-patient-password (the vulnerable variant keeps passwords as they are)
    return zoolib.hash_password(password) if SECURE else password


def seed():
    with connect() as conn, conn.cursor() as cur:
        cur.execute(SCHEMA)
        for username, password, role, email in zoolib.USERS:
            name, phone, address, born = SEED_DETAILS[username]
            cur.execute("INSERT INTO patients VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        (email, name, stored_password(password), "staff" if role == "admin" else "patient",
                         phone, address, born))
        cur.executemany("INSERT INTO records (email, written_by, note) VALUES (%s, 'carol@example.com', %s)",
                        SEED_RECORDS)
        cur.executemany("INSERT INTO doctors (name, specialty) VALUES (%s, %s)", SEED_DOCTORS)
    conn.close()


def query(sql, args=()):
    if "db" not in g:
        g.db = connect()
        g.db.autocommit = True
    with g.db.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else []


@app.teardown_appcontext
def close_db(_exc):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def body_json():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "a JSON object is required")
    return data


def authenticated(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        auth = request.headers.get("Authorization", "")
        rows = query("SELECT p.email, p.role FROM tokens t JOIN patients p ON p.email = t.email"
                     " WHERE t.token_hash = %s AND t.expires_at > now()",
                     (digest(auth[7:]),)) if auth.startswith("Bearer ") else []
        if not rows:
            abort(401, "bearer token required")
        g.user = rows[0]
        return view(*args, **kwargs)
    return wrapper


def patient_or_staff(email):
    if g.user["email"] != email and g.user["role"] != "staff":
        abort(404, "no such patient")


def password_ok(row, password):
    if SECURE:
        return zoolib.check_password(row["password"] if row else zoolib.DUMMY_HASH, password) and row is not None
    return row is not None and secrets.compare_digest(row["password"], password)


@app.get("/")
def index():
    return {"service": "Zoo Clinic"}


class Auth(Resource):
    def post(self):
        data = body_json()
        email, password = data.get("email"), data.get("password")
        if not isinstance(email, str) or not isinstance(password, str):
            abort(400, "email and password are required")
        key = email.lower()
        wait = LOGIN_FAILURES.wait(key)
        if wait:
            raise zoolib.too_many(wait)
        rows = query("SELECT email, password FROM patients WHERE email = %s", (email,))
        row = rows[0] if rows else None
        if not password_ok(row, password):
            LOGIN_FAILURES.record(key)
            if SECURE:
                abort(401, "invalid e-mail or password")
            # flaw: user-enumeration-auth (the vulnerable variant says which half was wrong)
            abort(401, "no account with this e-mail" if row is None else "wrong password")
        token = secrets.token_urlsafe(32)
        query("INSERT INTO tokens VALUES (%s, %s, now() + %s)", (digest(token), row["email"], TOKEN_TTL))
        return {"token": token, "expires_in": int(TOKEN_TTL.total_seconds())}


class Patient(Resource):
    method_decorators = [authenticated]

    def get(self, email):
        patient_or_staff(email)
        rows = query("SELECT * FROM patients WHERE email = %s", (email,))
        if not rows:
            abort(404, "no such patient")
        patient = rows[0]
        patient["born"] = patient["born"].isoformat()
        if SECURE:
            del patient["password"]
        # flaw: data-exposure-patient-password (the vulnerable variant returns the stored password)
        return patient

    def patch(self, email):
        if SECURE:
            patient_or_staff(email)
        # flaw: bola-patient-patch (any logged-in caller edits any patient in the vulnerable variant)
        data = body_json()
        phone, address = data.get("phone"), data.get("address")
        if phone is not None and (not isinstance(phone, str) or not PHONE.match(phone)):
            abort(400, "phone: digits, spaces, +, ( ) and -")
        if address is not None and (not isinstance(address, str) or len(address) > 200):
            abort(400, "address: at most 200 characters")
        rows = query("UPDATE patients SET phone = coalesce(%s, phone), address = coalesce(%s, address)"
                     " WHERE email = %s RETURNING email, phone, address", (phone, address, email))
        if not rows:
            abort(404, "no such patient")
        return rows[0]


class Records(Resource):
    method_decorators = [authenticated]

    def get(self, email):
        if SECURE:
            patient_or_staff(email)
        # flaw: bola-records-read (the vulnerable variant serves anyone's medical records)
        rows = query("SELECT id, written_by, note, created_at FROM records WHERE email = %s ORDER BY id", (email,))
        for r in rows:
            r["created_at"] = r["created_at"].isoformat()
        return {"records": rows}

    def post(self, email):
        if g.user["role"] != "staff":
            abort(403, "only staff write records")
        note = body_json().get("note")
        if not isinstance(note, str) or not 1 <= len(note) <= 2000:
            abort(400, "note: 1-2000 characters")
        rows = query("INSERT INTO records (email, written_by, note) SELECT email, %s, %s FROM patients"
                     " WHERE email = %s RETURNING id", (g.user["email"], note, email))
        if not rows:
            abort(404, "no such patient")
        return {"id": rows[0]["id"]}, 201


class Doctors(Resource):
    def get(self):
        wait = SEARCHES.take(request.remote_addr)
        if wait:
            raise zoolib.too_many(wait)
        specialty = request.args.get("specialty", "")
        rows = query("SELECT id, name, specialty FROM doctors WHERE %s = '' OR specialty = %s ORDER BY id",
                     (specialty, specialty))
        return {"doctors": rows}


api.add_resource(Auth, "/auth")
api.add_resource(Patient, "/patients/<email>")
api.add_resource(Records, "/patients/<email>/records")
api.add_resource(Doctors, "/doctors")

if __name__ == "__main__":
    seed()
    zoolib.run_flask(app, OPTS)
