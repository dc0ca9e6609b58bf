#!/usr/bin/env bash
# One command for the tests: set up, then run the whole suite.
# SQLite by default; set DATABASE_URL=postgres://... to run it against PostgreSQL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
.venv/bin/python manage.py makemigrations --check --dry-run --settings=config.settings_test >/dev/null \
  || { echo "test: models and migrations differ; run makemigrations." >&2; exit 1; }
# The slower suites run in .ci/run; here only when asked for with -m:
#   cluster (it starts app servers and workers): bash scripts/test.sh -m cluster -n 0 tests/cluster
#   browser (Debian's Chromium through the web UI): bash scripts/test.sh -m browser -n 0 tests/e2e
#   schemathesis (the API against its schema): bash scripts/test.sh -m schemathesis -n 0 tests/security
marker=(-m "not cluster and not browser and not schemathesis")
for arg in "$@"; do case "$arg" in -m|-m*) marker=() ;; esac; done
exec .venv/bin/python -m pytest -q -n 2 "${marker[@]}" "$@"
