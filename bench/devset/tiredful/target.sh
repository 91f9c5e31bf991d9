# Tiredful-API, Python 3 port (siddharthbezalwar/Tiredful-API-py3-beta): Django 3.2 + Django REST
# framework + django-oauth-toolkit on SQLite. The checkout ships its seeded db.sqlite3.
# Sourced by bench/devset/run; SRC is the copy of the checkout, HERE this folder.
PORT=8952
PACKAGES=(python3-django python3-djangorestframework python3-django-oauth-toolkit python3-jwt python3-jwcrypto python3-cryptography)
EXPECT=(Tiredful_API/manage.py Tiredful_API/db.sqlite3 Tiredful_API/Tiredful_API/settings.py)
spec() { echo "$HERE/openapi.yaml"; }
prepare() {
	# Debian's django-oauth-toolkit (1.7) has one migration more than the pinned 1.5.
	(cd "$SRC/Tiredful_API" && "$PY" manage.py migrate --noinput)
	# The authors' settings throttle every API call to 10 a day anonymously and 20 an hour per
	# user (the Throttling challenge); a scan then spends its time in Retry-After waits. Unless
	# TIREDFUL_THROTTLE=authors, run with those rates raised (Tiredful_API/devset_settings.py
	# imports the authors' settings and changes nothing else).
	if [[ ${TIREDFUL_THROTTLE:-raised} != authors ]]; then
		cp "$HERE/devset_settings.py" "$SRC/Tiredful_API/Tiredful_API/devset_settings.py"
	fi
}
start() {
	local settings=Tiredful_API.settings
	[[ ${TIREDFUL_THROTTLE:-raised} == authors ]] || settings=Tiredful_API.devset_settings
	cd "$SRC/Tiredful_API" && exec env DJANGO_SETTINGS_MODULE=$settings "$PY" manage.py runserver "127.0.0.1:$PORT" --noreload
}
# The JWT identities' tokens (see rampart.yaml): superman's HS256 token from the endpoint the
# None-algorithm scenario names, joker's RS256 token, which both joker-plan endpoints accept.
jwt_of() { # endpoint user password
	curl -fsS --max-time 10 -H 'Content-Type: application/json' -d "{\"username\":\"$2\",\"password\":\"$3\"}" \
		"http://127.0.0.1:$PORT/api/v1/$1/" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
seed() {
	TIREDFUL_SUPERMAN_JWT=$(jwt_of obtain-jwt-token-hs256 superman Superman@123)
	TIREDFUL_JOKER_JWT=$(jwt_of obtain-jwt-token-rs256 joker Joker@123)
	export TIREDFUL_SUPERMAN_JWT TIREDFUL_JOKER_JWT
}
