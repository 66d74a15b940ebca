"""Benchmark of the DECP importer against the floor of parsing the same file with orjson, in the same run.

For each size: generate the file (bench/generate_decp.py), then, each in its own child process so that peak
memory is measured per step (`ru_maxrss` of the child):
  1. floor: `orjson.loads(path.read_bytes())`;
  2. read: iterate the file with spaser.decp (no database), to show what the reader costs;
  3. import: `import_decp_file` into a fresh SQLite database (tables built from the models), and again on
     PostgreSQL when DATABASE_URL points to one (a throw-away test database is created there). As a user
     runs it: large files are read in a second process while this one writes (importing/pipeline.py); the
     peak memory is then the writer's plus the reader's;
  4. the same import in one process (`parallel=False`), for comparison.
Prints one JSON line per measurement; with --results, writes bench/RESULTS.md (machine and date included).

    .venv/bin/python bench/bench_import.py [--sizes 50000 200000] [--schema] [--results bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
NOTES = "## Notes"


# -- child steps (run as `bench_import.py --step NAME FILE`) ---------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def step_floor(path: Path) -> dict:
    import orjson

    start = time.perf_counter()
    data = orjson.loads(path.read_bytes())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "records": len(data["marches"]["marche"]), "peak_mb": _peak_mb()}


def _django(data_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spaser.settings")
    os.environ["SPASER_DATA_DIR"] = str(data_dir)
    import django

    django.setup()


def step_read(path: Path, validate_schema: bool) -> dict:
    from spaser.decp import open_decp

    start = time.perf_counter()
    records = sum(1 for _record in open_decp(path, validate_schema=validate_schema))
    return {"seconds": time.perf_counter() - start, "records": records, "peak_mb": _peak_mb()}


def step_import(path: Path, validate_schema: bool, data_dir: Path, parallel: bool = True) -> dict:
    _django(data_dir)
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    # Tables from the models (no migrations), in a throw-away database: a file for SQLite.
    database.setdefault("TEST", {})["MIGRATE"] = False
    if connection.vendor == "sqlite":
        database["TEST"]["NAME"] = str(data_dir / "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from spaser.contracts.services import import_decp_file

        start = time.perf_counter()
        summary = import_decp_file(path=path, validate_schema=validate_schema, parallel=parallel)
        seconds = time.perf_counter() - start
        counts = {name: getattr(summary, name) for name in ("read", "created", "duplicates", "quarantined")}
        # The reading process, when there is one, is a child of this one: its peak is added (an upper
        # bound of the two together; pages they share are counted twice).
        reader_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if parallel else 0
        return {
            "seconds": seconds,
            **counts,
            "peak_mb": _peak_mb() + reader_mb,
            "database": connection.vendor,
        }
    finally:
        connection.creation.destroy_test_db(database["NAME"], verbosity=0)


def _child_main(argv: list[str]) -> None:
    step, path, validate, data_dir, database_url = argv
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    path, validate_schema = Path(path), validate == "1"
    if step == "floor":
        result = step_floor(path)
    elif step == "read":
        result = step_read(path, validate_schema)
    else:
        result = step_import(path, validate_schema, Path(data_dir), parallel=step == "import")
    print(json.dumps(result))


# -- parent --------------------------------------------------------------------------------------------


def run_step(step: str, path: Path, *, validate_schema: bool, data_dir: Path, database_url: str = "") -> dict:
    command = [sys.executable, __file__, "--step", step, str(path), "1" if validate_schema else "0"]
    command += [str(data_dir), database_url]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_size(count: int, *, work: Path, validate_schema: bool) -> list[dict]:
    sys.path.insert(0, str(BENCH_DIR))
    from generate_decp import write_decp_file

    path = work / f"decp-2022-{count}.json"
    size = write_decp_file(path, count)
    floor = run_step("floor", path, validate_schema=validate_schema, data_dir=work)
    read = run_step("read", path, validate_schema=validate_schema, data_dir=work)
    targets = [("sqlite", "")]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        targets.append(("postgresql", url))
    results = []
    for name, database_url in targets:
        imported = run_step(
            "import", path, validate_schema=validate_schema, data_dir=work, database_url=database_url
        )
        alone = run_step(
            "import-one-process",
            path,
            validate_schema=validate_schema,
            data_dir=work,
            database_url=database_url,
        )
        result = {
            "records": count,
            "file_mb": round(size / 1e6, 1),
            "database": name,
            "schema_validation": validate_schema,
            "floor_s": round(floor["seconds"], 2),
            "floor_peak_mb": round(floor["peak_mb"]),
            "read_s": round(read["seconds"], 2),
            "read_peak_mb": round(read["peak_mb"]),
            "import_s": round(imported["seconds"], 2),
            "import_peak_mb": round(imported["peak_mb"]),
            "one_process_s": round(alone["seconds"], 2),
            "one_process_ratio": round(alone["seconds"] / floor["seconds"], 1),
            "one_process_peak_mb": round(alone["peak_mb"]),
            "ratio": round(imported["seconds"] / floor["seconds"], 1),
            "records_per_s": round(count / imported["seconds"]),
            "created": imported["created"],
            "duplicates": imported["duplicates"],
        }
        print(json.dumps(result), flush=True)
        results.append(result)
    path.unlink()
    return results


def machine() -> dict:
    memory_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "cpu": _cpu_name(),
        "ram_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": platform.platform(),
        "load": " ".join(f"{value:.1f}" for value in os.getloadavg()),
    }


def _cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def write_results(path: Path, info: dict, results: list[dict]) -> None:
    lines = [
        "# Import benchmark results",
        "",
        f"Run on {info['date']} — {info['cpus']} CPU ({info['cpu']}), {info['ram_gb']} GB RAM, Python "
        f"{info['python']}, SQLite {info['sqlite']}, {info['system']}; "
        f"load average at the end: {info['load']}.",
        "",
        "Command: `.venv/bin/python bench/bench_import.py --sizes 50000 200000 --results bench/RESULTS.md`",
        "(add `--schema` to validate every record against the official schema, as `import_decp` does "
        "by default).",
        "",
        "| records | file (MB) | database | schema | orjson floor (s) | reader alone (s) | import (s) "
        "| ratio import / floor | records/s | peak MB floor | peak MB reader | peak MB import "
        "| import in one process (s) | ratio | peak MB |",
        "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['records']} | {r['file_mb']} | {r['database']} "
            f"| {'yes' if r['schema_validation'] else 'no'} "
            f"| {r['floor_s']} | {r['read_s']} | {r['import_s']} | {r['ratio']}× | {r['records_per_s']} "
            f"| {r['floor_peak_mb']} | {r['read_peak_mb']} | {r['import_peak_mb']} "
            f"| {r['one_process_s']} | {r['one_process_ratio']}× | {r['one_process_peak_mb']} |"
        )
    # Hand-written analysis under "## Notes" survives a new run.
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = previous[previous.index(NOTES) :] if NOTES in previous else ""
    path.write_text("\n".join(lines) + "\n" + ("\n" + notes if notes else ""), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="DECP import benchmark (see the module docstring).")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument("--schema", action="store_true", help="validate records against the official schema")
    parser.add_argument("--results", type=Path, help="write the results table to this Markdown file")
    parser.add_argument(
        "--workdir", type=Path, help="where the generated files go (default: a temporary folder)"
    )
    args = parser.parse_args()
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="spaser-bench-") as temporary:
        work = args.workdir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        for count in args.sizes:
            results += bench_size(count, work=work, validate_schema=args.schema)
    if args.results:
        write_results(args.results, machine(), results)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        _child_main(sys.argv[2:])
    else:
        main()
