import sqlite3

from flask import Flask, request

app = Flask(__name__)
app.config["SECRET_KEY"] = "dev"


@app.route("/items")
def items():
    db = sqlite3.connect("app.db")
    q = request.args.get("q", "")
    rows = db.execute("SELECT name FROM items WHERE name = '%s'" % q).fetchall()
    return {"items": [r[0] for r in rows]}


if __name__ == "__main__":
    app.run(debug=True)
