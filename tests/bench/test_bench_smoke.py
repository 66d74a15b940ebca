"""The import benchmark still runs (on 500 records), so it cannot rot between two measurement campaigns."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_on_a_small_file_and_writes_its_results(tmp_path):
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [
            sys.executable,
            "bench/bench_import.py",
            "--sizes",
            "500",
            "--workdir",
            str(tmp_path),
            "--results",
            str(results),
        ],
        cwd=ROOT,
        # The smoke run is always on a fresh SQLite file, even when the suite runs on PostgreSQL.
        env={name: value for name, value in os.environ.items() if name != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.strip().splitlines()
    measured = json.loads(line)
    assert (measured["records"], measured["database"], measured["created"] + measured["duplicates"]) == (
        500,
        "sqlite",
        500,
    )
    assert measured["duplicates"] == 4  # one record in 100 is published again later
    assert measured["ratio"] > 0
    assert measured["import_peak_mb"] > 0
    table = results.read_text(encoding="utf-8")
    assert "| 500 |" in table
    assert "Python" in table
    assert "SQLite" in table


def test_generated_file_is_deterministic(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_decp import write_decp_file

    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_decp_file(first, 300)
    write_decp_file(second, 300)
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_bytes())
    assert len(data["marches"]["marche"]) == 300
