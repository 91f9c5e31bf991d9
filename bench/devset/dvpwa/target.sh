# dvpwa (anxolerd/dvpwa): aiohttp + aiopg on PostgreSQL, sessions in Redis; HTML forms.
# Sourced by bench/devset/run; SRC is the copy of the checkout, HERE this folder, STATE a
# scratch folder. PostgreSQL runs as a cluster of its own ("devset", 127.0.0.1:8962) and Redis
# as a server of its own (127.0.0.1:8961), both stopped when the run ends.
PORT=8954
REDIS_PORT=8961
PG_PORT=8962
PACKAGES=(postgresql redis-server python3-aiohttp python3-aiohttp-jinja2 python3-aiohttp-session python3-aiopg
	python3-psycopg2 python3-redis python3-yaml python3-jinja2)
EXPECT=(run.py sqli/app.py sqli/dao/student.py migrations/000-init-schema.sql migrations/001-fixtures.sql)
spec() { echo "$HERE/openapi.yaml"; }

pg_ver() { ls /usr/lib/postgresql | sort -V | tail -n 1; }
pg_sql() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"; }

prepare() {
	local v
	v=$(pg_ver)
	if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$v devset"; then
		pg_createcluster "$v" devset -p "$PG_PORT"
		echo "listen_addresses = '127.0.0.1'" >"/etc/postgresql/$v/devset/conf.d/devset.conf"
	fi
	pg_ctlcluster "$v" devset status >/dev/null 2>&1 || pg_ctlcluster "$v" devset start
	# README.rst, Natively: a database "sqli" of user postgres/postgres, then migrations 000 and 001.
	pg_sql -d postgres -c "DROP DATABASE IF EXISTS sqli" -c "CREATE DATABASE sqli" \
		-c "ALTER USER postgres PASSWORD 'postgres'"
	pg_sql -d sqli -f - <"$SRC/migrations/000-init-schema.sql"
	pg_sql -d sqli -f - <"$SRC/migrations/001-fixtures.sql"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
		--pidfile "$STATE/redis.pid" --dir "$STATE"
	# config/dev.yaml points at the docker-compose hosts and 0.0.0.0:8080; this copy points at
	# the servers above and at loopback.
	cat >"$SRC/config/devset.yaml" <<YAML
db:
  user: postgres
  password: postgres
  host: 127.0.0.1
  port: $PG_PORT
  database: sqli
redis:
  host: 127.0.0.1
  port: $REDIS_PORT
  db: 0
app:
  host: 127.0.0.1
  port: $PORT
YAML
}

start() { cd "$SRC" && exec env PYTHONPATH="$HERE/shim" "$PY" run.py -c config/devset.yaml; }

cleanup() {
	if [[ -f $STATE/redis.pid ]]; then
		kill "$(cat "$STATE/redis.pid")" 2>/dev/null || true
		rm -f "$STATE/redis.pid"
	fi
	pg_ctlcluster "$(pg_ver)" devset stop >/dev/null 2>&1 || true
}
