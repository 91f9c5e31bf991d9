# Shared by testbed/up, testbed/reset and testbed/down. Not meant to be run directly.
#
# State lives in testbed/.state (gitignored):
#   tokens.env      bearer tokens of alice, bob and carol (made once, re-seeded on every reset)
#   secrets.env     database passwords, the secure twin's SECRET_KEY and JWT secret (made once)
#   *.pid           process ids of the twins started by up
#   pg_started      present when up started the PostgreSQL cluster (down stops it then)
#   logs/           up.log, vulnerable.log, secure.log

set -euo pipefail

TB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# TB_INSTANCE runs a separate pair of twins (own state, databases and ports, on the same
# PostgreSQL) so that several developers or test runs never disturb each other:
#   TB_INSTANCE=alpha TB_PORT_BASE=8811 testbed/up
TB_INSTANCE=${TB_INSTANCE:-}
if [[ -n $TB_INSTANCE && ! $TB_INSTANCE =~ ^[a-z0-9]{1,16}$ ]]; then
	echo "testbed: TB_INSTANCE must be 1-16 lower-case letters or digits" >&2
	exit 2
fi
TB_PORT_BASE=${TB_PORT_BASE:-8801}
if [[ ! $TB_PORT_BASE =~ ^[0-9]+$ ]] || ((TB_PORT_BASE < 1024 || TB_PORT_BASE > 65000)); then
	echo "testbed: TB_PORT_BASE must be a port number between 1024 and 65000" >&2
	exit 2
fi
STATE="$TB_DIR/.state${TB_INSTANCE:+/instance-$TB_INSTANCE}"
LOGS="$STATE/logs"
PY=/usr/bin/python3
TWINS=(vulnerable secure)
PACKAGES=(postgresql python3-flask python3-psycopg2 python3-jwt python3-yaml)
CORS_ORIGIN="https://app.rampart.test"

mkdir -p "$STATE" "$LOGS"
chmod 700 "$STATE"

# The zoo of API shapes (zoo/README.md) comes up, resets and goes down with the twins.
# shellcheck source=zoo/lib.sh
. "$TB_DIR/zoo/lib.sh"

say() { echo "testbed: $*" >&2; }
note() { echo "$(date '+%F %T') $*" >>"$LOGS/up.log"; }
die() {
	say "error: $*"
	say "logs are in $LOGS"
	exit 1
}

twin_port() { case "$1" in vulnerable) echo "$TB_PORT_BASE" ;; secure) echo $((TB_PORT_BASE + 1)) ;; esac; }
twin_db() { echo "rampart_$1${TB_INSTANCE:+_$TB_INSTANCE}"; }

# Take the testbed lock so that up, reset and down never run at the same time.
lock_state() {
	exec 9>"$STATE/lock"
	flock -w 120 9 || die "another testbed script is still running"
}

# ---------------------------------------------------------------- packages

ensure_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || die "missing Debian packages (${missing[*]}); install them as root"
	say "installing ${missing[*]} (see $LOGS/up.log)"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$LOGS/up.log" 2>&1 9>&-; then
		note "apt-get install failed, updating the package lists"
		apt-get update >>"$LOGS/up.log" 2>&1 9>&- || die "apt-get update failed"
		apt-get install -y --no-install-recommends "${missing[@]}" >>"$LOGS/up.log" 2>&1 9>&- ||
			die "apt-get install ${missing[*]} failed"
	fi
}

# ---------------------------------------------------------------- PostgreSQL

pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1; }

cluster_field() { # field number of "ver main" in pg_lsclusters
	pg_lsclusters -h 2>/dev/null | awk -v v="$1" -v f="$2" '$1 == v && $2 == "main" { print $f }'
}

cluster_online() { [[ $(cluster_field "$1" 4) == online* ]]; }

# Was a cluster running before this script touched anything? Call before ensure_packages.
PG_WAS_RUNNING=no
probe_postgres() {
	local v
	v=$(pg_version)
	if [[ -n $v ]] && command -v pg_lsclusters >/dev/null && cluster_online "$v"; then
		PG_WAS_RUNNING=yes
	fi
}

ensure_postgres() {
	PGVER=$(pg_version)
	[[ -n $PGVER ]] || die "PostgreSQL is not installed"
	if [[ -z $(cluster_field "$PGVER" 2) ]]; then
		note "creating cluster $PGVER/main"
		pg_createcluster "$PGVER" main >>"$LOGS/up.log" 2>&1 9>&- || die "pg_createcluster failed"
	fi
	if ! cluster_online "$PGVER"; then
		note "starting cluster $PGVER/main"
		pg_ctlcluster "$PGVER" main start >>"$LOGS/up.log" 2>&1 9>&- || die "could not start PostgreSQL $PGVER/main"
	fi
	# Only the default instance owns the cluster: stopping it must not pull it from under others.
	if [[ -z $TB_INSTANCE && $PG_WAS_RUNNING == no && ! -e $STATE/pg_started ]]; then
		echo "$PGVER" >"$STATE/pg_started"
	fi
	PGPORT=$(cluster_field "$PGVER" 3)
	local i
	for i in $(seq 1 60); do
		psql_admin -c "SELECT 1" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	die "PostgreSQL $PGVER/main does not answer"
}

psql_admin() {
	(cd / && runuser -u postgres -- psql -p "$PGPORT" -X -q -A -t -v ON_ERROR_STOP=1 "$@")
}

# ensure_database NAME PASSWORD -> prints "new" when the database was created
ensure_database() {
	local name=$1 password=$2
	if [[ -z $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$name'") ]]; then
		psql_admin -c "CREATE ROLE $name LOGIN PASSWORD '$password'" >/dev/null
	else
		psql_admin -c "ALTER ROLE $name LOGIN PASSWORD '$password'" >/dev/null
	fi
	if [[ -z $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'") ]]; then
		psql_admin -c "CREATE DATABASE $name OWNER $name" >/dev/null
		echo new
	fi
	# Like CockroachDB: every transaction is SERIALIZABLE unless it asks otherwise.
	psql_admin -c "ALTER DATABASE $name SET default_transaction_isolation = 'serializable'" >/dev/null
}

database_url() { # twin
	local pwvar
	pwvar="$(tr '[:lower:]' '[:upper:]' <<<"$1")_DB_PASSWORD"
	echo "postgresql://$(twin_db "$1"):${!pwvar}@127.0.0.1:$PGPORT/$(twin_db "$1")"
}

# ---------------------------------------------------------------- secrets and tokens

random_string() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))'; }

ensure_state_files() {
	umask 077
	if [[ ! -s $STATE/tokens.env ]]; then
		{
			echo "TB_ALICE_TOKEN=$(random_string)"
			echo "TB_BOB_TOKEN=$(random_string)"
			echo "TB_CAROL_TOKEN=$(random_string)"
		} >"$STATE/tokens.env"
	fi
	if [[ ! -s $STATE/secrets.env ]]; then
		{
			echo "VULNERABLE_DB_PASSWORD=$(random_string)"
			echo "SECURE_DB_PASSWORD=$(random_string)"
			echo "SECURE_SECRET_KEY=$(random_string)"
			echo "SECURE_JWT_SECRET=$(random_string)"
		} >"$STATE/secrets.env"
	fi
	# Its own file: secrets.env is part of the twins' code hash, and adding to it would restart them.
	if [[ ! -s $STATE/tests-db.env ]]; then
		echo "TESTS_DB_PASSWORD=$(random_string)" >"$STATE/tests-db.env"
	fi
	umask 022
	set -a
	# shellcheck disable=SC1091
	. "$STATE/tests-db.env"
	# shellcheck disable=SC1091
	. "$STATE/tokens.env"
	# shellcheck disable=SC1091
	. "$STATE/secrets.env"
	set +a
}

# ---------------------------------------------------------------- a role for tests of our own

# Tests of Rampart's own database code (rampart serve, rampart worker) create throwaway databases
# on the same cluster with this role (internal/tbtest.PostgresDB); it may create databases, nothing
# more, and owns only what it creates.
tests_role() { echo "rampart_tests${TB_INSTANCE:+_$TB_INSTANCE}"; }

ensure_tests_role() {
	local name
	name=$(tests_role)
	if [[ -z $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$name'") ]]; then
		psql_admin -c "CREATE ROLE $name LOGIN CREATEDB PASSWORD '$TESTS_DB_PASSWORD'" >/dev/null
	else
		psql_admin -c "ALTER ROLE $name LOGIN CREATEDB PASSWORD '$TESTS_DB_PASSWORD'" >/dev/null
	fi
	if [[ -z $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'") ]]; then
		psql_admin -c "CREATE DATABASE $name OWNER $name" >/dev/null
	fi
}

tests_db_url() { echo "postgresql://$(tests_role):$TESTS_DB_PASSWORD@127.0.0.1:$PGPORT/$(tests_role)"; }

# ---------------------------------------------------------------- seeding

seed_hash() { # twin
	cat "$TB_DIR/$1/schema.sql" "$TB_DIR/db/seed.py" "$STATE/tokens.env" | sha256sum | cut -d' ' -f1
}

seed_twin() { # twin
	note "seeding $(twin_db "$1")"
	DATABASE_URL="$(database_url "$1")" "$PY" "$TB_DIR/db/seed.py" --url "$(database_url "$1")" \
		--schema "$TB_DIR/$1/schema.sql" --hash-cache "$STATE/password-hashes.json" >>"$LOGS/up.log" 2>&1 ||
		die "seeding $(twin_db "$1") failed"
	seed_hash "$1" >"$STATE/$1.seeded"
}

# ---------------------------------------------------------------- the twins

twin_pid() { # prints the pid if the twin started by us is running
	local f="$STATE/$1.pid" pid
	[[ -s $f ]] || return 1
	pid=$(cat "$f")
	[[ -r /proc/$pid/cmdline ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$TB_DIR/$1/app.py" || return 1
	echo "$pid"
}

twin_code_hash() { # twin
	cat "$TB_DIR/$1/app.py" "$TB_DIR/openapi.yaml" "$STATE/secrets.env" | sha256sum | cut -d' ' -f1
}

http_status() { # url -> HTTP status, or 000
	"$PY" - "$1" <<'EOF' 2>/dev/null || echo 000
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
EOF
}

twin_healthy() { [[ $(http_status "http://127.0.0.1:$(twin_port "$1")/openapi.json") == 200 ]]; }

port_busy() { # port -> true when something listens there
	"$PY" -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

stop_twin() {
	local pid i
	pid=$(twin_pid "$1") || {
		rm -f "$STATE/$1.pid"
		return 0
	}
	note "stopping $1 (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 50); do
		[[ -d /proc/$pid ]] || break
		sleep 0.1
	done
	if [[ -d /proc/$pid ]]; then
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$STATE/$1.pid"
}

start_twin() {
	local twin=$1 port env
	port=$(twin_port "$twin")
	if port_busy "$port"; then
		die "port $port is in use by another process; cannot start the $twin twin"
	fi
	env=(PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 HOST=127.0.0.1 PORT="$port"
		DATABASE_URL="$(database_url "$twin")")
	if [[ $twin == secure ]]; then
		env+=(SECRET_KEY="$SECURE_SECRET_KEY" JWT_SECRET="$SECURE_JWT_SECRET" CORS_ALLOWED_ORIGINS="$CORS_ORIGIN")
	else
		env+=(WERKZEUG_DEBUG_PIN=off)
	fi
	note "starting $twin on 127.0.0.1:$port"
	echo "---- $(date '+%F %T') start" >>"$LOGS/$twin.log"
	(cd "$TB_DIR/$twin" && exec env -i "${env[@]}" setsid "$PY" "$TB_DIR/$twin/app.py" \
		>>"$LOGS/$twin.log" 2>&1 </dev/null 9>&-) &
	echo $! >"$STATE/$twin.pid"
	twin_code_hash "$twin" >"$STATE/$twin.code"
}

wait_twin() {
	local twin=$1 i
	for i in $(seq 1 150); do
		twin_healthy "$twin" && return 0
		if ! twin_pid "$twin" >/dev/null; then
			tail -n 20 "$LOGS/$twin.log" >&2 || true
			die "the $twin twin exited while starting"
		fi
		sleep 0.2
	done
	die "the $twin twin does not answer on port $(twin_port "$twin")"
}

print_exports() {
	printf "export TB_VULN_URL='http://127.0.0.1:%s'\n" "$(twin_port vulnerable)"
	printf "export TB_SECURE_URL='http://127.0.0.1:%s'\n" "$(twin_port secure)"
	printf "export TB_ALICE_TOKEN='%s'\n" "$TB_ALICE_TOKEN"
	printf "export TB_BOB_TOKEN='%s'\n" "$TB_BOB_TOKEN"
	printf "export TB_CAROL_TOKEN='%s'\n" "$TB_CAROL_TOKEN"
	printf "export TB_STATE_DIR='%s'\n" "$STATE"
	printf "export TB_PG_URL='%s'\n" "$(tests_db_url)"
	printf "export TB_INSTANCE='%s' TB_PORT_BASE='%s'\n" "$TB_INSTANCE" "$TB_PORT_BASE"
	if [[ $ZOO == on ]]; then zoo_exports; fi
}

# bring_up [TWINS [ZOO...]]: everything up does. TWINS is keep (default), force (reseed both
# databases and restart both twins) or skip (leave the twins alone); ZOO is keep (default), force
# (reseed and restart every zoo app), skip (leave the zoo alone; its exports are still printed) or
# the names of the zoo apps to reseed and restart.
bring_up() {
	local twins=${1:-keep} twin created
	shift || true
	local zoo=("${@:-keep}")
	lock_state
	probe_postgres
	ZOO=off
	if zoo_enabled; then
		if [[ ${zoo[0]} == skip ]] || zoo_packages; then ZOO=on; fi
	else
		zoo_note_disabled
	fi
	ensure_packages
	ensure_postgres
	ensure_state_files
	if [[ $twins != skip ]]; then ensure_tests_role; fi
	if [[ $ZOO == on && ${zoo[0]} != skip ]]; then
		zoo_state_files
		zoo_databases
	fi
	# A twin that is already up, healthy and running the current code keeps running with its data;
	# any other twin is (re)started on freshly seeded data.
	declare -A restart=()
	for twin in "${TWINS[@]}"; do
		[[ $twins == skip ]] && break
		local pwvar
		pwvar="$(tr '[:lower:]' '[:upper:]' <<<"$twin")_DB_PASSWORD"
		created=$(ensure_database "$(twin_db "$twin")" "${!pwvar}")
		if [[ $twins == force || $created == new || ! -s $STATE/$twin.seeded ||
			$(cat "$STATE/$twin.seeded") != "$(seed_hash "$twin")" ]] || ! twin_pid "$twin" >/dev/null ||
			[[ ! -s $STATE/$twin.code || $(cat "$STATE/$twin.code") != "$(twin_code_hash "$twin")" ]] ||
			! twin_healthy "$twin"; then
			restart[$twin]=1
		fi
	done
	for twin in "${!restart[@]}"; do stop_twin "$twin"; done
	for twin in "${!restart[@]}"; do rm -f "$STATE/$twin.seeded"; done
	for twin in "${!restart[@]}"; do seed_twin "$twin" & done
	wait
	if [[ $twins != skip ]]; then
		for twin in "${TWINS[@]}"; do
			[[ -s $STATE/$twin.seeded ]] || die "seeding $twin failed"
		done
	fi
	for twin in "${!restart[@]}"; do start_twin "$twin"; done
	# The zoo starts while the twins do.
	if [[ $ZOO == on ]]; then
		case ${zoo[0]} in
		skip) ;;
		keep) zoo_up ;;
		*) zoo_up "${zoo[@]}" ;;
		esac
	fi
	if [[ $twins != skip ]]; then
		for twin in "${TWINS[@]}"; do wait_twin "$twin"; done
		note "up: vulnerable on :$(twin_port vulnerable), secure on :$(twin_port secure)"
	fi
	print_exports
}
