#!/usr/bin/env bash
# A local cluster in one command: on this machine, the parts a city deployment spreads over
# several — 2 gunicorn app servers (two ports), 2 task workers (manage.py db_worker) and an
# S3-compatible object store (moto's standalone server) — against the PostgreSQL and Redis
# named by DATABASE_URL and REDIS_URL. `up` migrates, seeds the demo and prints the URLs.
#
#   bash scripts/cluster.sh up | status | down
#
# Settings (environment): DATABASE_URL (postgres://postgres@127.0.0.1:5432/award_cluster),
# REDIS_URL (redis://127.0.0.1:6379/0), CLUSTER_DIR (var/cluster: PID files and logs),
# CLUSTER_PORT_A / CLUSTER_PORT_B / CLUSTER_S3_PORT (8001 / 8002 / 9100),
# CLUSTER_WORKERS (task workers, 2), CLUSTER_WEB_WORKERS (gunicorn workers per app server, 2),
# CLUSTER_SEED (1: load the demo).
# The object store keeps its files in memory: `down` forgets them (the database stays).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

CLUSTER_DIR=${CLUSTER_DIR:-var/cluster}
mkdir -p "$CLUSTER_DIR/logs"
CLUSTER_DIR=$(cd "$CLUSTER_DIR" && pwd)
PORT_A=${CLUSTER_PORT_A:-8001}
PORT_B=${CLUSTER_PORT_B:-8002}
S3_PORT=${CLUSTER_S3_PORT:-9100}
PY=$ROOT/.venv/bin/python

# One environment for every part, as a deployment's shared configuration would give it.
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/award_cluster}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
export S3_BUCKET=${S3_BUCKET:-award-private}
export S3_ACCESS_KEY=${S3_ACCESS_KEY:-cluster-access-key}
export S3_SECRET_KEY=${S3_SECRET_KEY:-cluster-secret-key}
export S3_REGION=${S3_REGION:-us-east-1}
export TASKS_BACKEND=database
export DEBUG=0
export SECRET_KEY=${SECRET_KEY:-local-cluster-only-secret-key-0123456789abcdefghijklmnop}
export AUDIT_KEY=${AUDIT_KEY:-local-cluster-only-audit-key-0123456789}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT_A}
export STAFF_OTP_REQUIRED=${STAFF_OTP_REQUIRED:-0}  # demo accounts sign in with passwords
export VAR_DIR=${VAR_DIR:-$CLUSTER_DIR/var}
export CERT_FONT_DIR=${CERT_FONT_DIR:-$ROOT/var/fonts}
export DJANGO_SETTINGS_MODULE=config.settings
export PYTHONUNBUFFERED=1

WORKERS=${CLUSTER_WORKERS:-2}
WORKER_NAMES=()
for n in $(seq 1 "$WORKERS"); do WORKER_NAMES+=("worker-$n"); done
PARTS=(s3 app-a app-b "${WORKER_NAMES[@]}")

pid_of() {  # the PID of a running part, or nothing
  local file=$CLUSTER_DIR/$1.pid pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$ROOT"; then
    echo "$pid"
  fi
}

start() {  # start NAME COMMAND...: in its own session, logging to logs/NAME.log
  local name=$1; shift
  if [ -n "$(pid_of "$name")" ]; then
    echo "cluster: $name already running (pid $(pid_of "$name"))"
    return
  fi
  setsid "$@" >>"$CLUSTER_DIR/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$CLUSTER_DIR/$name.pid"
  echo "cluster: started $name (pid $!)"
}

stop() {  # stop NAME...: SIGTERM to each (graceful), SIGKILL to any still running after 20 s
  local name pid pids=()
  for name in "$@"; do
    pid=$(pid_of "$name")
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      echo "cluster: stopping $name (pid $pid)"
    fi
  done
  for _ in $(seq 1 200); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
  for name in "$@"; do rm -f "$CLUSTER_DIR/$name.pid"; done
  return 0
}

wait_for() {  # wait_for URL SECONDS: until it answers 200
  "$PY" - "$1" "$2" <<'EOF'
import sys, time, urllib.request
url, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while True:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                break
    except Exception as exc:
        error = exc
    if time.monotonic() > deadline:
        sys.exit(f"cluster: {url} did not answer: {error}")
    time.sleep(0.3)
EOF
}

services() {  # PostgreSQL (creating the database if needed) and Redis must answer
  "$PY" - <<'EOF'
import os, sys
import dj_database_url, psycopg, redis
config = dj_database_url.parse(os.environ["DATABASE_URL"])
if config["ENGINE"] != "django.db.backends.postgresql":
    sys.exit("cluster: DATABASE_URL must name PostgreSQL (every part shares the database).")
params = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432,
          "user": config["USER"] or "postgres", "password": config["PASSWORD"] or None}
try:
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"cluster: created database {config['NAME']}")
except psycopg.Error as exc:
    sys.exit(f"cluster: PostgreSQL is unreachable ({exc}).")
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
except redis.RedisError as exc:
    sys.exit(f"cluster: Redis is unreachable at {os.environ['REDIS_URL']} ({exc}).")
EOF
}

bucket() {  # the private bucket (the store starts empty)
  "$PY" - <<'EOF'
import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT_URL"], region_name=os.environ["S3_REGION"],
                  aws_access_key_id=os.environ["S3_ACCESS_KEY"], aws_secret_access_key=os.environ["S3_SECRET_KEY"])
if os.environ["S3_BUCKET"] not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
    s3.create_bucket(Bucket=os.environ["S3_BUCKET"])
EOF
}

up() {
  bash scripts/setup.sh
  services
  start s3 "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT"
  wait_for "http://127.0.0.1:$S3_PORT/" 30
  bucket
  "$PY" manage.py migrate --noinput -v 0
  # Static files for WhiteNoise (hashed, compressed): again only when the sources changed.
  if [ ! -f staticfiles/staticfiles.json ] || [ -n "$(find static requirements.txt -newer staticfiles/staticfiles.json | head -n1)" ]; then
    "$PY" manage.py collectstatic --noinput --clear -v 0
  fi
  if [ "${CLUSTER_SEED:-1}" = 1 ]; then "$PY" manage.py seed_demo >"$CLUSTER_DIR/logs/seed.log"; fi
  local web_workers=${CLUSTER_WEB_WORKERS:-2}
  start app-a "$ROOT/.venv/bin/gunicorn" -c config/gunicorn.conf.py --name award-app-a \
    --bind "127.0.0.1:$PORT_A" --workers "$web_workers"
  start app-b "$ROOT/.venv/bin/gunicorn" -c config/gunicorn.conf.py --name award-app-b \
    --bind "127.0.0.1:$PORT_B" --workers "$web_workers"
  for n in $(seq 1 "$WORKERS"); do
    start "worker-$n" "$PY" manage.py db_worker --no-reload --no-startup-delay --interval 0.5 --worker-id "worker-$n"
  done
  wait_for "http://127.0.0.1:$PORT_A/readyz" 60
  wait_for "http://127.0.0.1:$PORT_B/readyz" 60
  echo
  echo "Cluster up (PostgreSQL $DATABASE_URL, Redis $REDIS_URL):"
  echo "  app server A   http://127.0.0.1:$PORT_A/   (readiness: /readyz)"
  echo "  app server B   http://127.0.0.1:$PORT_B/"
  echo "  object store   $S3_ENDPOINT_URL  bucket $S3_BUCKET"
  echo "  task workers   ${WORKER_NAMES[*]}   (logs in $CLUSTER_DIR/logs/)"
  echo "Demo accounts as in the README (password demo12345). Stop with: bash scripts/cluster.sh down"
}

status() {
  local name pid
  for name in "${PARTS[@]}"; do
    pid=$(pid_of "$name")
    if [ -n "$pid" ]; then printf '  %-9s running (pid %s)\n' "$name" "$pid"; else printf '  %-9s stopped\n' "$name"; fi
  done
  for port in "$PORT_A" "$PORT_B"; do
    printf '  readyz %s: ' "$port"
    "$PY" -c "import urllib.request,sys
try: print(urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=3).read().decode())
except Exception as exc: print('not answering', exc)"
  done
}

down() {
  local workers=()
  for file in "$CLUSTER_DIR"/worker-*.pid; do [ -e "$file" ] && workers+=("$(basename "$file" .pid)"); done
  stop app-a app-b "${workers[@]}"
  stop s3
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) down ;;
  *) echo "usage: bash scripts/cluster.sh up|status|down" >&2; exit 2 ;;
esac
