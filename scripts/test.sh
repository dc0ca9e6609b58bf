#!/usr/bin/env bash
# One command for the tests: set up, then run the whole suite.
# SQLite by default; set DATABASE_URL=postgres://... to run it against PostgreSQL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
.venv/bin/python manage.py makemigrations --check --dry-run --settings=config.settings_test >/dev/null \
  || { echo "test: models and migrations differ; run makemigrations." >&2; exit 1; }
exec .venv/bin/python -m pytest -q -n 2 "$@"
