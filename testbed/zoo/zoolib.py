"""What every zoo app shares and gets right in both variants.

The zoo's apps differ from one another in their API shapes and deliberate flaws (see each app's
groundtruth.json); everything here is the same in the vulnerable and the secure variant, so that
it adds no flaw that the ground truth does not list: salted password hashes, a per-username
throttle on failed logins (429 with Retry-After), security headers, no version banner and no error
text in answers.

Every app is started as `python3 app.py --port N [--secure]`, with its database (a SQLite file or
a postgresql:// URL) and key in the environment (DATABASE_URL, SECRET_KEY); where a weak key is the deliberate flaw, the vulnerable variant ignores it.
"""

import argparse
import hashlib
import hmac
import os
import secrets
import threading
import time

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

# Seeded identities, the same in every app (testbed/zoo/README.md).
USERS = [
    # username, password, role, e-mail
    ("alice", "wonderland-zoo", "user", "alice@example.com"),
    ("bob", "builder-zoo", "user", "bob@example.com"),
    ("carol", "admin-carol-zoo", "admin", "carol@example.com"),
]


def options():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", default=os.environ.get("DATABASE_URL"),
                   help="SQLite file or postgresql:// URL (default: $DATABASE_URL); reseeded on start")
    p.add_argument("--secure", action="store_true", help="run the secure variant")
    o = p.parse_args()
    if not o.db:
        p.error("--db or DATABASE_URL is required")
    o.host = "127.0.0.1"
    return o


def secret_key(opts, weak=None):
    """The key from the environment; the vulnerable variant uses `weak` instead when given."""
    if weak is not None and not opts.secure:
        return weak
    key = os.environ.get("SECRET_KEY", "")
    if len(key) < 32:
        raise SystemExit("SECRET_KEY (32+ characters) is required")
    return key


# ---------------------------------------------------------------- passwords

# 100k rounds keep the suite fast; a production service would use the library's current default.
ROUNDS = 100_000


def hash_password(password):
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ROUNDS)
    return f"pbkdf2-sha256${ROUNDS}${salt.hex()}${digest.hex()}"


def check_password(stored, password):
    _, rounds, salt, digest = stored.split("$")
    got = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(rounds))
    return hmac.compare_digest(got.hex(), digest)


# Compared against when the user does not exist, so that timing does not tell.
DUMMY_HASH = hash_password(secrets.token_hex(8))


# ---------------------------------------------------------------- throttles

class Throttle:
    """At most `limit` events per key in a sliding window of `window` seconds."""

    def __init__(self, limit, window):
        self.limit, self.window = limit, window
        self.events = {}
        self.lock = threading.Lock()

    def _recent(self, key, now):
        kept = [t for t in self.events.get(key, []) if t > now - self.window]
        self.events[key] = kept
        return kept

    def wait(self, key):
        """Seconds to wait before the next event for key, 0 when it may go ahead."""
        now = time.monotonic()
        with self.lock:
            recent = self._recent(key, now)
            if len(recent) < self.limit:
                return 0
            return max(1, int(recent[0] + self.window - now) + 1)

    def record(self, key):
        with self.lock:
            self._recent(key, time.monotonic()).append(time.monotonic())

    def take(self, key):
        """Record an event unless the key is over its limit; returns the wait (0: taken)."""
        with self.lock:
            now = time.monotonic()
            recent = self._recent(key, now)
            if len(recent) >= self.limit:
                return max(1, int(recent[0] + self.window - now) + 1)
            recent.append(now)
            return 0


# Failed logins: 5 a minute per username, then 429 with Retry-After.
def login_throttle():
    return Throttle(5, 60)


# ---------------------------------------------------------------- Flask

def flask_setup(app):
    from flask import jsonify, request
    from werkzeug.exceptions import HTTPException

    app.json.sort_keys = False
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", MAX_CONTENT_LENGTH=64 * 1024)

    @app.after_request
    def headers(resp):
        resp.headers.update(SECURITY_HEADERS)
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc):
        resp = jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description)
        resp.status_code = exc.code
        if getattr(exc, "retry_after", None):
            resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error="internal_error", message="internal server error"), 500


def too_many(wait):
    """A Flask 429 with Retry-After."""
    from werkzeug.exceptions import TooManyRequests

    return TooManyRequests("too many requests, retry later", retry_after=wait)


def run_flask(app, opts):
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        def version_string(self):  # no Werkzeug and Python versions in Server
            return "zoo"

    app.run(host=opts.host, port=opts.port, debug=False, use_reloader=False, threaded=True, request_handler=Handler)


# ---------------------------------------------------------------- FastAPI

def fastapi_setup(app):
    from fastapi.responses import JSONResponse

    @app.exception_handler(Exception)
    async def unexpected(request, exc):  # no traceback or database text in the answer
        return JSONResponse({"detail": "internal server error"}, status_code=500, headers=SECURITY_HEADERS)

    @app.middleware("http")
    async def headers(request, call_next):
        resp = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            resp.headers[k] = v
        return resp


def run_fastapi(app, opts):
    import uvicorn

    uvicorn.run(app, host=opts.host, port=opts.port, log_level="warning", server_header=False, access_log=False)
