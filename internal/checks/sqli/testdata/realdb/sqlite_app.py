"""A small vulnerable API on a real SQLite, for the sqli checks' tests.

It checks the SQLite probes against the engine itself rather than the Go
fake: run as `python3 sqlite_app.py`, it listens on 127.0.0.1 (a free port,
printed on the first line of stdout) until its stdin closes. Only the
standard library: http.server and sqlite3.
"""

import json
import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.executescript("""
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, note TEXT);
INSERT INTO items (name, note) VALUES ('lamp', ''), ('desk lamp', ''), ('chair', '');
""")
LOCK = threading.Lock()


def run(sql, args=()):
    with LOCK:
        rows = DB.execute(sql, args).fetchall()
        DB.commit()
        return rows


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query).get("q", [""])[0]
        try:
            if url.path == "/search":  # errors shown
                rows = run(f"SELECT name FROM items WHERE name LIKE '%{q}%'")
                return self.answer(200, {"query": q, "results": [r[0] for r in rows]})
            if url.path == "/byname":  # errors hidden
                rows = run(f"SELECT name FROM items WHERE name = '{q}'")
                return self.answer(200, {"query": q, "results": [r[0] for r in rows]})
            if url.path == "/blind":  # errors hidden, the answer never changes
                run(f"SELECT name FROM items WHERE name = '{q}'")
                return self.answer(200, {"ok": True})
            if url.path == "/rename":  # a value an UPDATE writes, errors shown
                run(f"UPDATE items SET note = '{q}' WHERE id = 1")
                return self.answer(200, {"updated": 1})
            if url.path == "/safe":
                rows = run("SELECT name FROM items WHERE name LIKE ?", (f"%{q}%",))
                return self.answer(200, {"query": q, "results": [r[0] for r in rows]})
        except sqlite3.Error as e:
            if url.path in ("/search", "/rename"):
                return self.answer(500, {"error": "database_error", "message": str(e)})
            return self.answer(500, {"error": "internal_error"})
        except Exception:
            return self.answer(500, {"error": "internal_error"})
        return self.answer(404, {"error": "not found"})


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdin.read()  # the test closes stdin to stop the server
    srv.shutdown()


if __name__ == "__main__":
    main()
