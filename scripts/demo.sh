#!/usr/bin/env bash
# One command for the demo: set up, migrate the embedded SQLite database under var/,
# load the demo data, print the accounts and serve on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo "$@"
echo
echo "Open http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/, API docs: /api/v1/docs/)"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
