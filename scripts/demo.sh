#!/usr/bin/env bash
# The whole demo: install, migrate, load the Seine-Saint-Denis demo, serve on http://127.0.0.1:8000,
# with the background-job worker (imports uploaded in the pages) running beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DEBUG=${DEBUG:-true}
.venv/bin/spaser migrate --no-input -v0
.venv/bin/spaser load_demo

# The national observatory: the demo's own DECP file (written by load_demo) and a generated national file of
# 50 000 contracts of the other buyers (bench/generate_national.py, deterministic; the demo's SIREN left out),
# ingested together: the dashboard shows the demo's position among the départements (about 15 s).
data_dir=${SPASER_DATA_DIR:-var}
national=$(mktemp -d)
.venv/bin/python bench/generate_national.py --count 50000 --no-tabular --exclude-siren 229300082 \
  --output "$national" >/dev/null
mv "$national/decp-national.json" "$national/decp-national-genere-demonstration.json"
.venv/bin/spaser observatory_ingest "$data_dir/demo/decp-2022-seine-saint-denis-demo.json" \
  "$national/decp-national-genere-demonstration.json" | tail -n 2
rm -rf "$national"

# The worker stops with the demo: on Ctrl-C, on an error, or when the web server exits.
.venv/bin/spaser run_huey --quiet &
WORKER_PID=$!
stop_worker() {
  if kill -0 "$WORKER_PID" 2>/dev/null; then
    kill "$WORKER_PID" 2>/dev/null || true
    wait "$WORKER_PID" 2>/dev/null || true
  fi
}
trap stop_worker EXIT
trap 'exit 130' INT TERM

echo "Spaser démo : http://127.0.0.1:8000 (comptes dans le README) ; tâches de fond : processus $WORKER_PID"
# Not `exec`: the shell must outlive the server to run the trap that stops the worker.
.venv/bin/spaser runserver 127.0.0.1:8000
