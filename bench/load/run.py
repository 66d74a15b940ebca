"""Load test: 50 concurrent users on the dashboards and contract lists of an organisation holding 100 000
contracts, on PostgreSQL, through a real WSGI server (gunicorn, several workers, DEBUG off, persistent
connections, static files by WhiteNoise). Goal: p95 under 300 ms on every page, no error.

Steps (each as a user would run it, with the real commands):
  1. data: a dedicated database (dropped and created again) filled with the demo (`spaser load_demo`), then a
     generated DECP file of the demo buyer (bench/generate_decp.py) imported by `spaser import_decp`, the
     indicators computed again (`spaser compute_indicators`), the national observatory ingested (the demo's
     file and a generated national file, as scripts/demo.sh does), static files collected;
  2. server: gunicorn on 127.0.0.1, production-like settings;
  3. scenario: locust headless (bench/load/locustfile.py), 50 users logging in as the demo accounts of several
     roles, think time 1-3 s; statistics reset after the warm-up; then per page: requests, failures, median,
     p95, p99, requests per second;
  4. with --results, the « Charge » section of bench/RESULTS.md is written between its markers; the server
     is stopped in every case.

    .venv/bin/python bench/load/run.py [--database-url postgres://postgres@127.0.0.1:55433/spaser_load]
        [--contracts 100000] [--users 50] [--warmup 30] [--duration 150] [--workers 4] [--reuse]
        [--results bench/RESULTS.md]

`--reuse` keeps the database of a previous run when it holds the data asked for (the setup takes a few
minutes). Traffic goes to 127.0.0.1 only; the run stops by itself after warm-up + duration.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv" / "bin"
GOAL_MS = 300
# bench/generate_decp.py publishes one record in 100 again (a duplicate, not a new contract)
REPUBLISHED_EVERY = 100
START, END = "<!-- load-test:start -->", "<!-- load-test:end -->"
DEMO_SIREN = "229300082"


def log(message: str) -> None:
    print(f"[load {datetime.now():%H:%M:%S}] {message}", flush=True)


def run(command: list, env: dict, **kwargs) -> subprocess.CompletedProcess:
    log(" ".join(str(part) for part in command))
    return subprocess.run([str(part) for part in command], env=env, cwd=ROOT, check=True, **kwargs)


# -- data -------------------------------------------------------------------------------------------------


def _admin_connection(database_url: str):
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True), name


def database_ready(database_url: str, contracts: int, marker: Path) -> bool:
    """True when a previous run filled this database with at least `contracts` contracts (its marker file is
    written after the last setup step) and the database still holds them."""
    import psycopg

    try:
        done = json.loads(marker.read_text(encoding="utf-8"))
        with psycopg.connect(database_url) as connection:
            row = connection.execute("SELECT count(*) FROM contracts_contract").fetchone()
    except (OSError, ValueError, psycopg.Error):
        return False
    return done.get("database_url") == database_url and done.get("contracts", 0) >= contracts <= row[0]


def recreate_database(database_url: str) -> None:
    admin, name = _admin_connection(database_url)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def fill(env: dict, contracts: int, work: Path) -> dict:
    """The demo, then `contracts` generated contracts of the demo buyer through the real importer."""
    timings = {}
    started = time.perf_counter()
    run([VENV / "spaser", "migrate", "--no-input", "-v0"], env)
    run([VENV / "spaser", "load_demo"], env)
    timings["demo"] = time.perf_counter() - started

    records = math.ceil(contracts * (REPUBLISHED_EVERY + 1) / REPUBLISHED_EVERY)
    decp = work / "decp-charge-generee.json"
    run([VENV / "python", ROOT / "bench" / "generate_decp.py", decp, records], env)
    started = time.perf_counter()
    run([VENV / "spaser", "import_decp", decp, "--sans-schema", "--source", "charge-generee"], env)
    timings["import"] = time.perf_counter() - started
    started = time.perf_counter()
    run([VENV / "spaser", "compute_indicators"], env, stdout=subprocess.DEVNULL)
    timings["indicators"] = time.perf_counter() - started

    national = work / "national"
    run(
        [
            *(VENV / "python", ROOT / "bench" / "generate_national.py", "--count", 50000, "--no-tabular"),
            *("--exclude-siren", DEMO_SIREN, "--output", national),
        ],
        env,
        stdout=subprocess.DEVNULL,
    )
    data_dir = Path(env["SPASER_DATA_DIR"])
    run(
        [
            *(VENV / "spaser", "observatory_ingest"),
            *(data_dir / "demo" / "decp-2022-seine-saint-denis-demo.json", national / "decp-national.json"),
        ],
        env,
        stdout=subprocess.DEVNULL,
    )
    decp.unlink()
    return timings


def write_targets(path: Path) -> None:
    """What the users browse (run in a child with Django set up: `run.py --targets PATH`)."""
    import random

    import django

    django.setup()
    from django.db import connection

    from spaser.contracts.models import Contract
    from spaser.demo.users import DEMO_PASSWORD, DEMO_USERS
    from spaser.organisations.models import Organisation

    organisation = Organisation.objects.get(buyers__identifier__startswith=DEMO_SIREN)
    scheme = organisation.schemes.current().first()
    axes = list(scheme.axes.values_list("pk", flat=True))
    commitments = list(scheme.axes.values_list("commitments__pk", flat=True))
    indicators = sorted(
        set(
            scheme.axes.values_list("commitments__indicators__code", flat=True).exclude(
                commitments__indicators__code=None
            )
        )
    )
    ids = list(Contract.objects.for_organisation(organisation).values_list("pk", flat=True))
    rng = random.Random(2026)
    directions = list(organisation.directions.values_list("slug", flat=True))
    filters = [
        {"annee": "2024"},
        {"annee": "2025", "sociale": "oui"},
        {"environnementale": "non", "montant": "100k-1m"},
        {"type": "marche", "accord_cadre": "oui"},
        {"alertes": "oui"},
        {"cpv": "45"},
        {"montant": "5m-plus", "tri": "-montant"},
        *({"direction": slug} for slug in directions[:4]),
    ]
    connection.ensure_connection()
    connection.connection.autocommit = True  # VACUUM runs outside a transaction
    with connection.cursor() as cursor:
        # Statistics and visibility map as autovacuum leaves them after a large import (index-only scans).
        cursor.execute("VACUUM ANALYZE")
    path.write_text(
        json.dumps(
            {
                "password": DEMO_PASSWORD,
                # the pilot, the four referents and the committee member (the superuser has no organisation)
                "users": [user.username for user in DEMO_USERS if user.role is not None],
                "axes": axes,
                "commitments": [pk for pk in commitments if pk is not None],
                "indicators": indicators,
                "contracts": rng.sample(ids, min(500, len(ids))),
                "contracts_total": len(ids),
                "filters": filters,
                "words": ["travaux", "nettoyage", "collège", "fourniture", "maintenance", "restauration"],
            }
        ),
        encoding="utf-8",
    )


# -- server and scenario ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def cpu_sample(server_pid: int) -> dict:
    """CPU seconds used so far by gunicorn (master and workers), by PostgreSQL's processes and by the whole
    machine (every tenant): over the measured period they say where the cores went."""
    import psutil

    def seconds(process) -> float:
        try:
            times = process.cpu_times()
            return times.user + times.system
        except psutil.Error:  # gone meanwhile
            return 0.0

    server = psutil.Process(server_pid)
    machine = psutil.cpu_times()
    return {
        "at": time.monotonic(),
        "gunicorn": sum(seconds(p) for p in [server, *server.children(recursive=True)]),
        "postgres": {
            p.pid: seconds(p) for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"
        },
        "busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0.0),
    }


def renew_stamps(args, stop: threading.Event, load: dict) -> None:
    """Every `--renew-every` seconds, what a write of contracts, values or the scheme does to the pages'
    memos (ADR 0016/0017): a new data stamp, so every web process computes them again."""
    import psycopg

    load["renewals"] = 0
    with psycopg.connect(args.database_url, autocommit=True) as connection:
        while not stop.wait(args.renew_every):
            connection.execute("UPDATE organisations_organisation SET data_stamp = gen_random_uuid()")
            load["renewals"] += 1


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def scenario(env: dict, args, work: Path, targets: Path) -> tuple[list[dict], list[dict], dict]:
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            *(VENV / "gunicorn", "spaser.wsgi:application", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(args.workers), "--timeout", "60"),
            *(
                ("--worker-class", "gthread", "--threads", str(args.threads))
                if args.threads > 1
                else ("--worker-class", "sync")
            ),
            *("--access-logfile", "-", "--error-logfile", str(work / "gunicorn-errors.log")),
        ],
        env=env,
        cwd=ROOT,
        stdout=open(work / "access.log", "wb"),  # noqa: SIM115 - closed with the process
        start_new_session=True,
    )
    try:
        wait_for(f"{host}/connexion/")
        log(f"gunicorn ({args.workers} workers) on {host}, pid {server.pid}")
        prefix = work / "locust"
        load = {"before": os.getloadavg()}
        started = time.perf_counter()
        # CPU from the end of the warm-up (when locust resets its statistics) to the end of the run
        timer = threading.Timer(args.warmup, lambda: load.setdefault("cpu_start", cpu_sample(server.pid)))
        timer.start()
        stop = threading.Event()
        if args.renew_every:
            threading.Thread(target=renew_stamps, args=(args, stop, load), daemon=True).start()
        run(
            [
                *(VENV / "locust", "-f", ROOT / "bench" / "load" / "locustfile.py", "--headless"),
                *("--users", args.users, "--spawn-rate", args.spawn_rate, "--host", host),
                *("--run-time", f"{int(args.warmup + args.duration)}s", "--stop-timeout", "10"),
                *("--csv", prefix, "--only-summary", "--exit-code-on-error", "0", "--loglevel", "WARNING"),
            ],
            {**env, "SPASER_LOAD_TARGETS": str(targets), "SPASER_LOAD_WARMUP": str(args.warmup)},
        )
        timer.cancel()
        stop.set()
        load["cpu_end"] = cpu_sample(server.pid)
        load["after"] = os.getloadavg()
        load["seconds"] = time.perf_counter() - started
        failures = []
        if Path(f"{prefix}_failures.csv").exists():
            with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
                failures = list(csv.DictReader(handle))
        return read_stats(prefix), failures, load
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log("gunicorn stopped")


# -- report -----------------------------------------------------------------------------------------------


def _ms(value: str) -> str:
    return f"{float(value):.0f}" if value not in ("", "N/A") else "–"


def section(stats: list[dict], failures: list[dict], load: dict, args, info: dict) -> str:
    rows = sorted(
        (row for row in stats if row["Name"] != "Aggregated" and int(row["Request Count"])),
        key=lambda row: row["Name"],
    )
    total = next(row for row in stats if row["Name"] == "Aggregated")
    lines = [
        START,
        "# Charge",
        "",
        f"Run on {datetime.now():%Y-%m-%d %H:%M} — {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"{info['postgres']}, {platform.platform()}. Load average before the scenario "
        f"{load['before'][0]:.1f}, after {load['after'][0]:.1f}; the database server, gunicorn and locust "
        "all ran on the same cores, which this machine shares with other tenants.",
        "",
        "Command: `make load` (`.venv/bin/python bench/load/run.py --results bench/RESULTS.md`). Data: the "
        f"demo (`spaser load_demo`) and a generated DECP file imported by `spaser import_decp` — "
        f"**{info['contracts']:,} contracts** in the demo organisation's perimeter — then `spaser "
        "compute_indicators`, the observatory ingested (demo file + 50 000 generated national contracts); "
        "PostgreSQL 15 at 127.0.0.1:55433, database `spaser_load`. "
        + (
            f"Setup: demo {info['timings']['demo']:.0f} s, import {info['timings']['import']:.0f} s, "
            f"indicators {info['timings']['indicators']:.0f} s."
            if info.get("timings")
            else "Data of a previous run reused (`--reuse`)."
        ),
        "",
        f"Server: gunicorn, {args.workers} "
        + (f"gthread workers of {args.threads} threads" if args.threads > 1 else "sync workers")
        + ", `DEBUG=false`, `CONN_MAX_AGE=60`, static files by "
        f"WhiteNoise. Scenario (bench/load/locustfile.py): {args.users} users (the demo's pilot, four "
        "referents and the committee member, in turn) log in, then browse with 1-3 s of think time: "
        "dashboard, axis, commitment, indicator, contract list (first page, next pages, sorts, filters, "
        "search), contract detail, projects, renewals radar, observatory. Warm-up "
        f"{args.warmup:.0f} s (ramp-up and logins, statistics then reset), measured {args.duration:.0f} s."
        + (
            f" The data stamps were renewed every {args.renew_every:.0f} s during the run "
            f"({load.get('renewals', 0)} times), as a write of contracts, values or the scheme does: every "
            "worker computed its memos again."
            if args.renew_every
            else ""
        ),
        "",
        "| page | requests | failures | median (ms) | p95 (ms) | p99 (ms) | req/s | p95 < 300 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in [*rows, total]:
        name = "**all pages**" if row is total else row["Name"]
        p95 = row["95%"]
        met = "yes" if p95 not in ("", "N/A") and float(p95) < GOAL_MS else "**no**"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {_ms(row['50%'])} | {_ms(p95)} "
            f"| {_ms(row['99%'])} | {float(row['Requests/s']):.1f} | {met} |"
        )
    errors = int(total["Failure Count"])
    met_all = all(row["95%"] not in ("", "N/A") and float(row["95%"]) < GOAL_MS for row in [*rows, total])
    lines += [
        "",
        f"**Goal (p95 < {GOAL_MS} ms overall and on every page, zero errors): "
        f"{'met' if met_all and errors == 0 else 'not met'}** — {errors} failed request(s)"
        + (
            ": " + "; ".join(f"{f['Name']}: {f['Error']} ×{f['Occurrences']}" for f in failures[:5]) + "."
            if failures
            else "."
        ),
        "Percentiles are locust's (its response-time buckets round to 10 ms above 100 ms).",
    ]
    if "cpu_start" in load:
        lines += ["", cpu_line(load["cpu_start"], load["cpu_end"], int(total["Request Count"]))]
    if args.notes and args.notes.exists():
        lines += ["", args.notes.read_text(encoding="utf-8").strip()]
    lines.append(END)
    return "\n".join(lines) + "\n"


def cpu_line(start: dict, end: dict, requests: int) -> str:
    seconds = end["at"] - start["at"]
    cores = {name: (end[name] - start[name]) / seconds for name in ("gunicorn", "busy")}
    # PostgreSQL's processes come and go (autovacuum workers): those alive at the end, since the start
    postgres = sum(used - start["postgres"].get(pid, 0.0) for pid, used in end["postgres"].items())
    cores["postgres"] = postgres / seconds
    per_request = (end["gunicorn"] - start["gunicorn"]) * 1000 / max(requests, 1)
    return (
        f"CPU over the measured {seconds:.0f} s ({os.cpu_count()} cores): gunicorn "
        f"{cores['gunicorn']:.2f} cores (**{per_request:.0f} ms of CPU per request**), PostgreSQL "
        f"{cores['postgres']:.2f}, the whole machine {cores['busy']:.2f} (locust and other tenants included)."
    )


def write_section(results: Path, text: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from results_file import replace_section

    replace_section(results, text, START, END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:55433/spaser_load")
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--duration", type=float, default=150)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread) when above 1")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "load")
    parser.add_argument("--reuse", action="store_true", help="keep a database already filled by a run")
    parser.add_argument(
        "--renew-every", type=float, default=0, help="renew the data stamps every N s (memos recomputed)"
    )
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--notes", type=Path, default=Path(__file__).with_name("NOTES.md"))
    parser.add_argument("--targets", type=Path, help=argparse.SUPPRESS)  # child step
    args = parser.parse_args()
    if args.targets:
        write_targets(args.targets)
        return

    args.data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spaser.settings",
        "DATABASE_URL": args.database_url,
        "SPASER_DATA_DIR": str(args.data_dir),
        "DEBUG": "false",
        "CONN_MAX_AGE": "60",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "spaser-load-test-key-not-for-production-" + "x" * 20),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
    }
    with tempfile.TemporaryDirectory(prefix="spaser-load-") as tmp:
        work = Path(tmp)
        info: dict = {}
        marker = args.data_dir / "load-data.json"
        if args.reuse and database_ready(args.database_url, args.contracts, marker):
            log("database already filled: reused")
        else:
            marker.unlink(missing_ok=True)
            recreate_database(args.database_url)
            info["timings"] = fill(env, args.contracts, work)
            marker.write_text(
                json.dumps(
                    {"database_url": args.database_url, "contracts": args.contracts, **info["timings"]}
                ),
                encoding="utf-8",
            )
        run([VENV / "spaser", "collectstatic", "--no-input", "-v0"], env)
        targets = work / "targets.json"
        run([VENV / "python", Path(__file__).resolve(), "--targets", targets], env)
        info["contracts"] = json.loads(targets.read_text(encoding="utf-8"))["contracts_total"]
        import psycopg

        with psycopg.connect(args.database_url) as connection:
            info["postgres"] = "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]
        if args.setup_only:
            shutil.copy(targets, args.data_dir / "targets.json")
            return
        stats, failures, load = scenario(env, args, work, targets)
        text = section(stats, failures, load, args, info)
        print(text)
        if args.results:
            write_section(args.results, text)
            log(f"written to {args.results}")
        errors = work / "gunicorn-errors.log"
        if errors.exists() and "Traceback" in errors.read_text(encoding="utf-8", errors="replace"):
            print(errors.read_text(encoding="utf-8", errors="replace")[-4000:], file=sys.stderr)


if __name__ == "__main__":
    main()
