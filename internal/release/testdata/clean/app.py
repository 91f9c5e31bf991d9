import os
import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/items")
def items():
    db = sqlite3.connect("app.db")
    name = request.args.get("name", "")
    rows = db.execute("SELECT id, name FROM items WHERE name = ?", (name,)).fetchall()
    return {"items": [dict(id=r[0], name=r[1]) for r in rows]}


if __name__ == "__main__":
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
