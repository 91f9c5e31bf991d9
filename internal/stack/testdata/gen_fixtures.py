"""Regenerate the raw HTTP fixtures in this directory from a real Flask app.

Run: python3 gen_fixtures.py   (needs Flask; talks only to 127.0.0.1)

Each *.http file is the exact bytes a client received (status line with
Werkzeug's upper-case reason phrase, headers, body), so the Go tests parse
them with net/http.ReadResponse just as the engine would.
"""
import os, socket, threading

from flask import Flask, abort, jsonify, request, session
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import make_server

HERE = os.path.dirname(os.path.abspath(__file__))


class SerializationFailure(Exception):
    """Stands in for psycopg2.errors.SerializationFailure (no psycopg2 here)."""


SerializationFailure.__module__ = "psycopg2.errors"


def make_app(debug):
    app = Flask("notes")
    app.secret_key = "dev"  # the Flask tutorial's key, on purpose
    app.debug = debug

    @app.get("/notes")
    def notes():
        return jsonify([])

    @app.post("/notes")
    def create():
        return jsonify(request.get_json()), 201

    @app.get("/login")
    def login():
        session["_user_id"] = "1"
        session["_fresh"] = True
        session["csrf_token"] = "3b1f0c6a9d"
        return jsonify(ok=True)

    @app.get("/big")
    def big():
        session["cart"] = ["item-%d" % (i % 3) for i in range(60)]
        return jsonify(ok=True)

    @app.get("/admin")
    def admin():
        abort(403)

    @app.get("/transfer")
    def transfer():
        raise SerializationFailure(
            'restart transaction: TransactionRetryWithProtoRefreshError: '
            'TransactionRetryError: retry txn (RETRY_SERIALIZABLE): "sql txn" '
            'meta={id=16add5ac key=/Table/61/1/594374003587252225/0 pri=0.03384133 '
            'epo=0 ts=1715787882.440995219,0 min=1715787882.440995219,0 seq=2} '
            'lock=true stat=PENDING rts=1715787882.440995219,0 wto=false gul=0,0\n'
            'HINT:  See: https://www.cockroachlabs.com/docs/v23.1/'
            'transaction-retry-error-reference.html#retry_serializable')

    return app


def serve(wsgi):
    srv = make_server("127.0.0.1", 0, wsgi, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def raw(port, method, path, body=b"", headers=()):
    s = socket.create_connection(("127.0.0.1", port))
    req = "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" % (method, path)
    for h in headers:
        req += h + "\r\n"
    if body:
        req += "Content-Length: %d\r\n" % len(body)
    s.sendall(req.encode() + b"\r\n" + body)
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    s.close()
    return out


def main():
    prod = serve(make_app(debug=False))
    dbg_app = make_app(debug=True)
    dbg = serve(DebuggedApplication(dbg_app, evalex=True, pin_security=True))
    p, d = prod.server_port, dbg.server_port
    fixtures = {
        "werkzeug_404.http": raw(p, "GET", "/nope"),
        "werkzeug_405.http": raw(p, "DELETE", "/notes"),
        "werkzeug_403.http": raw(p, "GET", "/admin"),
        "werkzeug_500.http": raw(p, "GET", "/transfer"),
        "session_login.http": raw(p, "GET", "/login"),
        "session_big.http": raw(p, "GET", "/big"),
        "debug_bad_json.http": raw(d, "POST", "/notes", b"{not json",
                                   ["Content-Type: application/json"]),
        "debugger_crdb_retry.http": raw(d, "GET", "/transfer"),
    }
    for name, data in fixtures.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        print(name, len(data))
    prod.shutdown()
    dbg.shutdown()


if __name__ == "__main__":
    main()
