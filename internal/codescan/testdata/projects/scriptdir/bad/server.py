# Run as `python bad/server.py`: its directory is first on sys.path, so
# `import store` is bad/store.py, not good/store.py.
from flask import Flask, jsonify, request

import store

app = Flask(__name__)


@app.get("/users")
def users():
    return jsonify(store.find_user(request.args.get("name", "")))  # want: PY-SQLI-001
