#!/usr/bin/env bash
# The whole demo: install, migrate, load the Seine-Saint-Denis demo, serve on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DEBUG=${DEBUG:-true}
.venv/bin/spaser migrate --no-input -v0
.venv/bin/spaser load_demo
echo "Spaser démo : http://127.0.0.1:8000 (comptes dans le README)"
exec .venv/bin/spaser runserver 127.0.0.1:8000
