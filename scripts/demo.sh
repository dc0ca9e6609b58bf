#!/usr/bin/env bash
# One command for the demo: set up, migrate the embedded SQLite database under var/,
# load the demo data, print the accounts and serve on http://127.0.0.1:8000/.
#
#   bash scripts/demo.sh [--host HOST] [--port PORT] [--dry-run] [seed_demo options, e.g. --password PW]
#
# --host/--port choose where the server listens; SITE_URL (links in e-mails, the certificate
# QR code) and ALLOWED_HOSTS follow them unless already set in the environment.
# --dry-run prints the settings it would use and exits (nothing is installed or started).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

HOST=${DEMO_HOST:-127.0.0.1}
PORT=${DEMO_PORT:-8000}
DRY_RUN=0
SEED_ARGS=()
usage() { sed -n '5,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --host) [ $# -ge 2 ] || { echo "demo: --host needs a value" >&2; exit 2; }; HOST=$2; shift 2 ;;
    --host=*) HOST=${1#--host=}; shift ;;
    --port) [ $# -ge 2 ] || { echo "demo: --port needs a value" >&2; exit 2; }; PORT=$2; shift 2 ;;
    --port=*) PORT=${1#--port=}; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) SEED_ARGS+=("$1"); shift ;;
  esac
done
case "$PORT" in
  ''|*[!0-9]*) echo "demo: --port must be a number, not '$PORT'" >&2; exit 2 ;;
esac
if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
  echo "demo: --port must be between 1 and 65535" >&2; exit 2
fi
[ -n "$HOST" ] || { echo "demo: --host must not be empty" >&2; exit 2; }

# The address people open: a wildcard listen address is reached as 127.0.0.1.
case "$HOST" in
  0.0.0.0|::|"[::]") URL_HOST=127.0.0.1 ;;
  *:*) URL_HOST="[${HOST#[}"; URL_HOST="${URL_HOST%]}]" ;;  # IPv6 literal
  *) URL_HOST=$HOST ;;
esac
export SITE_URL=${SITE_URL:-http://$URL_HOST:$PORT}
if [ -z "${ALLOWED_HOSTS:-}" ]; then
  ALLOWED_HOSTS="127.0.0.1,localhost"
  case ",$ALLOWED_HOSTS," in *",${URL_HOST//[\[\]]/},"*) ;; *) ALLOWED_HOSTS="$ALLOWED_HOSTS,${URL_HOST//[\[\]]/}" ;; esac
  if [ "$HOST" = "0.0.0.0" ] || [ "$HOST" = "::" ] || [ "$HOST" = "[::]" ]; then ALLOWED_HOSTS="*"; fi
fi
export ALLOWED_HOSTS
case "$HOST" in *:*) LISTEN="[${HOST#[}"; LISTEN="${LISTEN%]}]:$PORT" ;; *) LISTEN="$HOST:$PORT" ;; esac

if [ "$DRY_RUN" = 1 ]; then
  echo "SITE_URL=$SITE_URL"
  echo "ALLOWED_HOSTS=$ALLOWED_HOSTS"
  echo "LISTEN=$LISTEN"
  echo "SEED_ARGS=${SEED_ARGS[*]:-}"
  exit 0
fi

bash scripts/setup.sh
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo ${SEED_ARGS[@]+"${SEED_ARGS[@]}"}
echo
echo "Open $SITE_URL/  (admin: $SITE_URL/admin/, API docs: $SITE_URL/api/v1/docs/)"
exec .venv/bin/python manage.py runserver "$LISTEN"
