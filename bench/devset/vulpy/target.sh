# vulpy (fportantier/vulpy), its "bad" application: Flask on SQLite, HTML pages and a small JSON API.
# Sourced by bench/devset/run; SRC is the copy of the checkout, HERE this folder.
PORT=8953
PACKAGES=(python3-flask python3-jsonschema python3-pyotp python3-qrcode python3-passlib)
EXPECT=(bad/vulpy.py bad/db_init.py bad/libuser.py bad/mod_api.py)
spec() { echo "$HERE/openapi.yaml"; }
# README.rst, Database Initialization: "cd bad; ./db_init.py".
prepare() { (cd "$SRC/bad" && "$PY" db_init.py); }
start() { exec "$PY" "$HERE/serve.py" "$PORT" "$SRC"; }
# The README's accounts log in through the form; the session cookie goes to the scan's
# identities (see rampart.yaml for why they do not log in themselves).
session_of() { # user password
	curl -fsS --max-time 10 -o /dev/null -D - -d "username=$1" --data-urlencode "password=$2" \
		"http://127.0.0.1:$PORT/user/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: vulpy_session=\([^;]*\).*/\1/p'
}
seed() {
	VULPY_ELLIOT_SESSION=$(session_of elliot 123123123)
	VULPY_TIM_SESSION=$(session_of tim 12345678)
	[[ -n $VULPY_ELLIOT_SESSION && -n $VULPY_TIM_SESSION ]] || return 1
	export VULPY_ELLIOT_SESSION VULPY_TIM_SESSION
}
