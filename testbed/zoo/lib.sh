# The zoo of API shapes, started and stopped with the testbed. Sourced by testbed/lib.sh (which
# defines say, note, die, ensure_database, random_string, port_busy, STATE, LOGS, PY, PGPORT).
#
# Each app runs twice, vulnerable and secure, on its own ports: app number i (in ZOO_APPS order)
# listens on ZOO_PORT_BASE+2i (vulnerable) and ZOO_PORT_BASE+2i+1 (secure). Every start reseeds the
# app's database (a SQLite file in $ZOO_STATE, or a PostgreSQL database of the testbed's cluster).
#
# State in $STATE/zoo: secrets.env (database password, one SECRET_KEY per app and variant),
# <app>-<variant>.pid/.code/.sqlite; logs in $LOGS/zoo-<app>-<variant>.log.

ZOO_DIR="$TB_DIR/zoo"
ZOO_STATE="$STATE/zoo"
ZOO_APPS=(wiki bank shop clinic forum tickets wallet gateway hr library)
ZOO_POSTGRES=(bank clinic hr)
ZOO_VARIANTS=(vulnerable secure)
ZOO_PACKAGES=(python3-fastapi python3-uvicorn python3-pydantic python3-flask-restful)

# The default instance's zoo listens on 8900-8919; another instance (TB_INSTANCE) needs its own
# ZOO_PORT_BASE and runs no zoo without one. TB_ZOO=off runs none either.
zoo_enabled() {
	[[ ${TB_ZOO:-on} != off ]] || return 1
	if [[ -z ${ZOO_PORT_BASE:-} ]]; then
		[[ -z $TB_INSTANCE ]] || return 1
		ZOO_PORT_BASE=8900
	fi
	if [[ ! $ZOO_PORT_BASE =~ ^[0-9]+$ ]] || ((ZOO_PORT_BASE < 1024 || ZOO_PORT_BASE > 65000)); then
		die "ZOO_PORT_BASE must be a port number between 1024 and 65000"
	fi
	return 0
}

zoo_note_disabled() {
	if [[ ${TB_ZOO:-on} != off && -n $TB_INSTANCE && -z ${ZOO_PORT_BASE:-} ]]; then
		say "zoo not started: set ZOO_PORT_BASE (20 free ports from there) to run it with instance $TB_INSTANCE"
	fi
}

zoo_index() {
	local i
	for i in "${!ZOO_APPS[@]}"; do
		[[ ${ZOO_APPS[$i]} == "$1" ]] && echo "$i" && return 0
	done
	return 1
}

zoo_port() { # app variant
	local i
	i=$(zoo_index "$1")
	echo $((ZOO_PORT_BASE + 2 * i + ($([[ $2 == secure ]] && echo 1 || echo 0))))
}

zoo_is_postgres() { [[ " ${ZOO_POSTGRES[*]} " == *" $1 "* ]]; }

zoo_db_name() { echo "rampart_zoo_$1_$2${TB_INSTANCE:+_$TB_INSTANCE}"; }

zoo_db() { # app variant -> its DATABASE_URL
	if zoo_is_postgres "$1"; then
		echo "postgresql://$(zoo_db_name "$1" "$2"):$ZOO_DB_PASSWORD@127.0.0.1:$PGPORT/$(zoo_db_name "$1" "$2")"
	else
		echo "$ZOO_STATE/$1-$2.sqlite"
	fi
}

zoo_secret_var() { echo "ZOO_SECRET_$(tr '[:lower:]' '[:upper:]' <<<"$1_$2")"; }

zoo_state_files() {
	mkdir -p "$ZOO_STATE"
	chmod 700 "$ZOO_STATE"
	local app variant var
	umask 077
	touch "$ZOO_STATE/secrets.env"
	grep -q '^ZOO_DB_PASSWORD=' "$ZOO_STATE/secrets.env" || echo "ZOO_DB_PASSWORD=$(random_string)" >>"$ZOO_STATE/secrets.env"
	for app in "${ZOO_APPS[@]}"; do
		for variant in "${ZOO_VARIANTS[@]}"; do
			var=$(zoo_secret_var "$app" "$variant")
			grep -q "^$var=" "$ZOO_STATE/secrets.env" || echo "$var=$(random_string)" >>"$ZOO_STATE/secrets.env"
		done
	done
	umask 022
	set -a
	# shellcheck disable=SC1091
	. "$ZOO_STATE/secrets.env"
	set +a
}

# zoo_packages: adds the zoo's packages to what ensure_packages installs; when some are missing
# and this is not root, the twins still come up and the zoo does not (returns 1).
zoo_packages() {
	local missing=() p
	for p in "${ZOO_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	if ((${#missing[@]})) && [[ $(id -u) != 0 ]]; then
		say "zoo not started: missing Debian packages (${missing[*]}); install them as root"
		return 1
	fi
	PACKAGES+=("${ZOO_PACKAGES[@]}")
}

# One role and database per PostgreSQL app and variant, in three psql calls whatever their number.
zoo_databases() {
	local names=() app variant n existing create=()
	for app in "${ZOO_POSTGRES[@]}"; do
		for variant in "${ZOO_VARIANTS[@]}"; do names+=("$(zoo_db_name "$app" "$variant")"); done
	done
	psql_admin -v pw="$ZOO_DB_PASSWORD" -v names="{$(IFS=,; echo "${names[*]}")}" >/dev/null <<'SQL'
SELECT set_config('zoo.pw', :'pw', false), set_config('zoo.names', :'names', false);
DO $$
DECLARE n text;
BEGIN
	FOREACH n IN ARRAY current_setting('zoo.names')::text[] LOOP
		IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = n) THEN
			EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', n, current_setting('zoo.pw'));
		ELSE
			EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', n, current_setting('zoo.pw'));
		END IF;
	END LOOP;
END
$$;
SQL
	existing=" $(psql_admin -c "SELECT string_agg(datname, ' ') FROM pg_database WHERE datname LIKE 'rampart_zoo_%'") "
	for n in "${names[@]}"; do
		[[ $existing == *" $n "* ]] || create+=(-c "CREATE DATABASE $n OWNER $n")
	done
	((${#create[@]} == 0)) || psql_admin "${create[@]}" >/dev/null
}

zoo_pid() { # app variant -> pid when the process up started runs (the pid file holds "pid port")
	local f="$ZOO_STATE/$1-$2.pid" pid port
	[[ -s $f ]] || return 1
	read -r pid port <"$f"
	[[ -r /proc/$pid/cmdline ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$ZOO_DIR/$1/app.py --port $port " || return 1
	echo "$pid"
}

zoo_code_hash() { # app variant
	local var
	var=$(zoo_secret_var "$1" "$2")
	{ cat "$ZOO_DIR/$1/app.py" "$ZOO_DIR/zoolib.py"; echo "${!var} $(zoo_db "$1" "$2")"; } | sha256sum | cut -d' ' -f1
}

# A process that exited but is not yet reaped (state Z) counts as gone: PID 1 may reap late.
zoo_alive() {
	local state=""
	[[ -r /proc/$1/stat ]] && read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null
	[[ -n $state && $state != Z ]]
}

zoo_stop() { # app variant
	local pid i
	pid=$(zoo_pid "$1" "$2") || {
		rm -f "$ZOO_STATE/$1-$2.pid"
		return 0
	}
	note "stopping zoo $1 $2 (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		zoo_alive "$pid" || break
		sleep 0.05
	done
	if zoo_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$ZOO_STATE/$1-$2.pid"
}

zoo_start() { # app variant
	local app=$1 variant=$2 port var
	port=$(zoo_port "$app" "$variant")
	port_busy "$port" && die "port $port is in use by another process; cannot start the zoo's $app ($variant)"
	var=$(zoo_secret_var "$app" "$variant")
	local args=(--port "$port")
	[[ $variant == secure ]] && args+=(--secure)
	note "starting zoo $app $variant on 127.0.0.1:$port"
	echo "---- $(date '+%F %T') start" >>"$LOGS/zoo-$app-$variant.log"
	(cd "$ZOO_DIR/$app" && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 \
		SECRET_KEY="${!var}" DATABASE_URL="$(zoo_db "$app" "$variant")" setsid "$PY" "$ZOO_DIR/$app/app.py" "${args[@]}" \
		>>"$LOGS/zoo-$app-$variant.log" 2>&1 </dev/null 9>&-) &
	echo "$! $port" >"$ZOO_STATE/$app-$variant.pid"
	zoo_code_hash "$app" "$variant" >"$ZOO_STATE/$app-$variant.code"
}

# zoo_wait app-variant...: until each answers GET / (every app does), or die naming the first that
# exited or never answered.
zoo_wait() {
	local specs=() s app variant
	for s in "$@"; do
		app=${s%-*} variant=${s##*-}
		specs+=("$s" $(cat "$ZOO_STATE/$s.pid"))
	done
	((${#specs[@]})) || return 0
	local failed
	failed=$("$PY" - "${specs[@]}" <<'EOF'
import os, sys, time, urllib.request, urllib.error
todo = {sys.argv[i]: (sys.argv[i + 1], sys.argv[i + 2]) for i in range(1, len(sys.argv), 3)}
deadline = time.monotonic() + 60
while todo and time.monotonic() < deadline:
    for name, (pid, port) in list(todo.items()):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            del todo[name]
            continue
        except urllib.error.HTTPError:
            del todo[name]
            continue
        except OSError:
            pass
        if not os.path.exists(f"/proc/{pid}"):
            print(name, "exited")
            sys.exit(0)
    time.sleep(0.1)
for name in todo:
    print(name, "does not answer")
    break
EOF
)
	if [[ -n $failed ]]; then
		tail -n 20 "$LOGS/zoo-${failed%% *}.log" >&2 || true
		die "zoo: ${failed}"
	fi
}

# zoo_unhealthy app-variant...: prints those of them that do not answer GET /, one call for all.
zoo_unhealthy() {
	local specs=() s
	for s in "$@"; do specs+=("$s" "$(zoo_port "${s%-*}" "${s##*-}")"); done
	((${#specs[@]})) || return 0
	"$PY" - "${specs[@]}" <<'EOF'
import sys, urllib.error, urllib.request
from concurrent.futures import ThreadPoolExecutor
def answers(port):
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200
    except (OSError, urllib.error.HTTPError):
        return False
pairs = list(zip(sys.argv[1::2], sys.argv[2::2]))
with ThreadPoolExecutor(16) as pool:
    for (name, _), ok in zip(pairs, pool.map(lambda p: answers(p[1]), pairs)):
        if not ok:
            print(name)
EOF
}

# zoo_up [force|APP...]: start what is not running the current code; "force" restarts (reseeds)
# every app, APP... restarts those apps' two variants. Apps stop and start in parallel.
zoo_up() {
	local app variant restart=() running=() s pids=()
	for app in "${ZOO_APPS[@]}"; do
		for variant in "${ZOO_VARIANTS[@]}"; do
			if [[ ${1:-} == force || " $* " == *" $app "* ]] || ! zoo_pid "$app" "$variant" >/dev/null ||
				[[ ! -s $ZOO_STATE/$app-$variant.code ||
					$(cat "$ZOO_STATE/$app-$variant.code") != "$(zoo_code_hash "$app" "$variant")" ]]; then
				restart+=("$app-$variant")
			else
				running+=("$app-$variant")
			fi
		done
	done
	# shellcheck disable=SC2207
	restart+=($(zoo_unhealthy "${running[@]}"))
	# Wait for these jobs only: the twins up just started are children of this shell too.
	for s in "${restart[@]}"; do
		zoo_stop "${s%-*}" "${s##*-}" &
		pids+=($!)
	done
	((${#pids[@]} == 0)) || wait "${pids[@]}"
	for s in "${restart[@]}"; do zoo_start "${s%-*}" "${s##*-}"; done
	zoo_wait "${restart[@]}"
	note "zoo up on 127.0.0.1:$ZOO_PORT_BASE-$((ZOO_PORT_BASE + 2 * ${#ZOO_APPS[@]} - 1)) (${#restart[@]} started)"
}

zoo_down() {
	local app variant pids=()
	for app in "${ZOO_APPS[@]}"; do
		for variant in "${ZOO_VARIANTS[@]}"; do
			zoo_stop "$app" "$variant" &
			pids+=($!)
		done
	done
	wait "${pids[@]}"
}

zoo_exports() {
	local app up
	printf "export ZOO_PORT_BASE='%s'\n" "$ZOO_PORT_BASE"
	for app in "${ZOO_APPS[@]}"; do
		up=$(tr '[:lower:]' '[:upper:]' <<<"$app")
		printf "export ZOO_%s_URL='http://127.0.0.1:%s'\n" "$up" "$(zoo_port "$app" vulnerable)"
		printf "export ZOO_%s_SECURE_URL='http://127.0.0.1:%s'\n" "$up" "$(zoo_port "$app" secure)"
	done
}
