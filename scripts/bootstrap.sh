#!/usr/bin/env bash
# Creates or refreshes .venv exactly from uv.lock, with this machine's python3 (3.11 or newer).
# Idempotent: a second run only checks that the environment matches the lock.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Spaser demande Python 3.11 ou plus récent.")'
if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version 2>/dev/null | grep -q " $UV_VERSION"; then
  "$PYTHON" -m venv .tools
  .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PYTHON_DOWNLOADS=never UV_PYTHON="$PYTHON"
.tools/bin/uv sync --frozen --quiet
mkdir -p var
