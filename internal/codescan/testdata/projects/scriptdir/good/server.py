from flask import Flask, jsonify, request

import store

app = Flask(__name__)


@app.get("/users")
def users():
    return jsonify(store.find_user(request.args.get("name", "")))
