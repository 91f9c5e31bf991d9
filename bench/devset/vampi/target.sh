# VAmPI (erev0s/VAmPI): Flask + connexion + Flask-SQLAlchemy on SQLite, OpenAPI 3 spec included.
# Sourced by bench/devset/run; SRC is the copy of the checkout, HERE this folder.
PORT=8951
PACKAGES=(python3-flask python3-flask-sqlalchemy python3-sqlalchemy python3-jsonschema python3-jwt python3-yaml)
EXPECT=(app.py config.py api_views/users.py models/user_model.py openapi_specs/openapi3.yml)
spec() { echo "$SRC/openapi_specs/openapi3.yml"; }
# app.py reads `vulnerable` (default 1) and `tokentimetolive` (default 60 s) from the environment.
start() { exec env vulnerable=1 tokentimetolive=60 "$PY" "$HERE/serve.py" "$PORT" "$SRC"; }
# README.md FAQ: "issue a request towards the endpoint /createdb in order to populate the database".
seed() { curl -fsS --max-time 10 "http://127.0.0.1:$PORT/createdb" >/dev/null; }
