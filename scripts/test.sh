#!/usr/bin/env bash
# The test suite: lint, migration check, then pytest. Extra arguments go to pytest.
# DATABASE_URL selects the database (SQLite when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/spaser makemigrations --check --dry-run -v0
exec .venv/bin/pytest "$@"
