"""scripts/demo.sh starts the job worker beside the web server and stops it when the demo ends."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "demo.sh"


def test_demo_script_is_valid_bash_and_manages_the_worker():
    subprocess.run(["bash", "-n", str(DEMO)], check=True)
    text = DEMO.read_text(encoding="utf-8")
    assert "spaser run_huey" in text
    assert "trap stop_worker EXIT" in text
    assert 'kill "$WORKER_PID"' in text
    # the web server must not replace the shell (exec), or the trap stopping the worker would never run
    assert "exec .venv/bin/spaser runserver" not in text


def test_the_worker_command_the_demo_starts_exists(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "spaser.settings", "SPASER_DATA_DIR": str(tmp_path)}
    env.pop("PYTEST_VERSION", None)  # the real (non-immediate) configuration the demo uses
    result = subprocess.run(
        [sys.executable, "-m", "spaser.cli", "run_huey", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--workers" in result.stdout
