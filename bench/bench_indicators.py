"""Benchmark of the indicator engine's grouped pass against a baseline of one straightforward ORM query per
figure, in the same run, on a generated organisation (issue 4, point 3).

For each database (a throw-away SQLite file, and PostgreSQL when DATABASE_URL points to one: a throw-away
database is created there and dropped after), each step in its own child process so that peak memory
(`ru_maxrss`) is measured per step:
  1. generate: tables from the models, then (deterministic seed, bulk inserts) 100 000 contracts over 5 years
     of one organisation with 10 directions and a joint scheme of 3 buyers, plus a few contracts of other
     buyers; suppliers (SME / ESS / inclusive / location, some unknown), links, insertion hours and
     participants, actions; a scheme holding the full computed catalogue (`catalogue.COMPUTED`) with mixed
     frequencies (yearly, quarterly, monthly);
  2. engine: `services.scheme_figures(scheme, years)`: every indicator × every scope × every period in
     grouped queries;
  3. baseline: for the same (indicator, scope, period) triples, `engine.compute(method, params,
     scope.contracts, period)` (one query per figure; the `objects` indicator — actions — uses its
     countable, as the engine does); every Result is then compared with the engine's (value, numerator,
     denominator, unknowns, method version, details): the run fails on any difference.
Queries are counted with a connection execute_wrapper. Writes its table into bench/RESULTS.md between the
markers below (the rest of that file belongs to the import benchmark).

    .venv/bin/python bench/bench_indicators.py [--contracts 100000] [--results bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from indicator_data import SCHEME_SLUG, SEED, YEARS, generate  # noqa: E402
from results_file import replace_section  # noqa: E402

ROOT = BENCH_DIR.parent
START, END = "<!-- indicators-benchmark:start -->", "<!-- indicators-benchmark:end -->"
TODAY = date(2025, 11, 20)  # the last year is the current one: its periods stop in November, plus C11
PG_NAME = "spaser_bench_indicators"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _django(work: Path, database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "spaser.settings"
    os.environ["SPASER_DATA_DIR"] = str(work)
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class QueryCounter:
    """A connection execute_wrapper counting the statements sent to the database."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# -- step 1: generate --------------------------------------------------------------------------------


def step_generate(work: Path, server_url: str, contracts: int) -> dict:
    """Tables from the models (no migrations) in a fresh database, then the data."""
    _django(work, server_url)
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["MIGRATE"] = False
    database["TEST"]["NAME"] = (
        str(work / "bench-indicators.sqlite3") if connection.vendor == "sqlite" else PG_NAME
    )
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    start = time.perf_counter()
    stats = generate(contracts)
    # Planner statistics, as autovacuum would gather them after a large import: without them PostgreSQL's
    # plan for the grouped query (correlated EXISTS per aggregate) degrades by an order of magnitude or more.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {**stats, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


# -- steps 2 and 3: engine and baseline --------------------------------------------------------------


def _key(code: str, scope: str, period) -> str:
    return f"{code}|{scope}|{period.year}|{period.key}"


def _result(result) -> list:
    return [
        None if result.value is None else str(result.value),
        str(result.numerator),
        str(result.denominator),
        result.unknown,
        result.method_version,
        result.details,
    ]


def step_engine(work: Path, database_url: str, output: Path) -> dict:
    _django(work, database_url)
    from django.db import connection

    from spaser.indicators.services import scheme_figures
    from spaser.schemes.models import Scheme

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        scheme = Scheme.objects.select_related("organisation").get(slug=SCHEME_SLUG)
        figures = scheme_figures(scheme=scheme, years=YEARS, today=TODAY)
        seconds = time.perf_counter() - start
    results = {_key(f.indicator.code, f.scope.key, f.period): _result(f.result) for f in figures}
    output.write_text(json.dumps(results), encoding="utf-8")
    return {
        "seconds": seconds,
        "figures": len(figures),
        "queries": counter.count,
        "peak_mb": _peak_mb(),
        "no_data": sum(1 for f in figures if f.result.value is None),
    }


def _sample(keys: list[str], size: int) -> list[str]:
    """A deterministic sample of the figures, the same share of each indicator (all of them when size is
    0 or covers them all)."""
    if not size or size >= len(keys):
        return keys
    by_indicator: dict[str, list[str]] = {}
    for key in sorted(keys):
        by_indicator.setdefault(key.split("|", 1)[0], []).append(key)
    rng, per = random.Random(SEED), -(-size // len(by_indicator))
    return [key for group in by_indicator.values() for key in rng.sample(group, min(per, len(group)))]


def step_baseline(work: Path, database_url: str, engine_output: Path, sample: int) -> dict:
    _django(work, database_url)
    from django.db import connection

    from spaser.indicators.engine import compute
    from spaser.indicators.objects import COUNTABLES
    from spaser.indicators.periods import Period
    from spaser.indicators.scopes import organisation_scopes
    from spaser.schemes.models import Scheme

    expected = json.loads(engine_output.read_text(encoding="utf-8"))
    triples = []
    for key in _sample(list(expected), sample):
        code, scope, year, period = key.split("|")
        triples.append((code, scope, Period(int(year), period)))
    counter, results, spent = QueryCounter(), {}, {}
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        scheme = Scheme.objects.select_related("organisation").get(slug=SCHEME_SLUG)
        indicators = {i.code: i for i in scheme.indicators()}
        scopes = {s.key: s for s in organisation_scopes(scheme.organisation, mutualised=scheme.mutualised)}
        for code, scope_key, period in triples:
            began = time.perf_counter()
            indicator, scope = indicators[code], scopes[scope_key]
            if indicator.method == "objects":  # the plan's actions: one countable per figure, as the engine
                params = indicator.params
                result = COUNTABLES[params["object"]].compute(
                    scheme, scope.direction, period, params["measure"]
                )
            else:
                result = compute(indicator.method, indicator.params, scope.contracts, period)
            results[_key(code, scope_key, period)] = result
            spent.setdefault(code, []).append(time.perf_counter() - began)
        seconds = time.perf_counter() - start
    # Every figure's baseline: each indicator's mean time per figure in the sample × its number of figures.
    figures_of = {}
    for key in expected:
        figures_of[key.split("|", 1)[0]] = figures_of.get(key.split("|", 1)[0], 0) + 1
    setup = seconds - sum(sum(times) for times in spent.values())
    estimated = setup + sum(sum(times) / len(times) * figures_of[code] for code, times in spent.items())
    mismatches = [key for key, result in results.items() if not _same(_result(result), expected[key])]
    return {
        "seconds": seconds,
        "figures": len(results),
        "of_figures": len(expected),
        "estimated_all_s": estimated,
        "queries": counter.count,
        "peak_mb": _peak_mb(),
        "mismatches": len(mismatches),
        "mismatch_examples": mismatches[:5],
    }


CENT = Decimal("0.01")


def _same(baseline: list, engine: list) -> bool:
    """Equal as stored: the value exactly, numerator and denominator at the stored precision (cents: on
    SQLite a sum of decimals goes through floating point, so one sum over the year and twelve monthly sums
    added up may differ in the 13th decimal), unknowns, method version and details exactly."""

    def value(text):
        return None if text is None else Decimal(text)

    def stored(text):
        return Decimal(text).quantize(CENT)

    return (
        value(baseline[0]) == value(engine[0])
        and [stored(baseline[1]), stored(baseline[2])] == [stored(engine[1]), stored(engine[2])]
        and baseline[3:] == engine[3:]
    )


def step_drop(work: Path, server_url: str) -> dict:
    _django(work, server_url)
    from django.db import connection

    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
    return {"dropped": PG_NAME}


def _child_main(argv: list[str]) -> None:
    step, work, url, *rest = argv
    work = Path(work)
    if step == "generate":
        result = step_generate(work, url, int(rest[0]))
    elif step == "engine":
        result = step_engine(work, url, Path(rest[0]))
    elif step == "baseline":
        result = step_baseline(work, url, Path(rest[0]), int(rest[1]))
    else:
        result = step_drop(work, url)
    print(json.dumps(result))


# -- parent ------------------------------------------------------------------------------------------


def run_step(*args: str) -> dict:
    command = [sys.executable, __file__, "--step", *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"step {args[0]} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def bench_database(name: str, server_url: str, *, work: Path, contracts: int, sample: int) -> dict:
    generated = run_step("generate", str(work), server_url, str(contracts))
    url = (
        f"sqlite:///{work / 'bench-indicators.sqlite3'}"
        if name == "sqlite"
        else _with_database(server_url, PG_NAME)
    )
    output = work / f"engine-{name}.json"
    try:
        engine = run_step("engine", str(work), url, str(output))
        baseline = run_step("baseline", str(work), url, str(output), str(sample))
    finally:
        if name == "postgresql":
            run_step("drop", str(work), server_url)
    if baseline["mismatches"]:
        raise SystemExit(
            f"{name}: {baseline['mismatches']} figures differ between the engine and the baseline, "
            f"e.g. {baseline['mismatch_examples']}"
        )
    result = {
        "database": name,
        "contracts": generated["contracts"],
        "in_perimeter": generated["in_perimeter"],
        "links": generated["links"],
        "hours": generated["hours"],
        "participants": generated["participants"],
        "indicators": generated["indicators"],
        "generation_s": round(generated["seconds"], 1),
        "figures": engine["figures"],
        "no_data": engine["no_data"],
        "engine_s": round(engine["seconds"], 2),
        "engine_queries": engine["queries"],
        "engine_peak_mb": round(engine["peak_mb"]),
        "baseline_figures": baseline["figures"],
        "baseline_s": round(baseline["seconds"], 1),
        "baseline_queries": baseline["queries"],
        "baseline_peak_mb": round(baseline["peak_mb"]),
        "baseline_ms": round(1000 * baseline["seconds"] / baseline["figures"], 1),
        "engine_ms": round(1000 * engine["seconds"] / engine["figures"], 2),
        # The baseline for every figure (measured when not sampled, else estimated per indicator).
        "baseline_all_s": round(baseline["estimated_all_s"], 1),
        "ratio": round(baseline["estimated_all_s"] / engine["seconds"], 1),
        "identical": baseline["figures"] - baseline["mismatches"],
    }
    print(json.dumps(result), flush=True)
    return result


def section(info: dict, results: list[dict], command: str, notes: list[str], wall_s: float) -> str:
    first = results[0]
    sampled = first["baseline_figures"] < first["figures"]
    lines = [
        START,
        "# Indicator engine benchmark",
        "",
        f"Run on {info['date']} — {info['cpus']} CPU ({info['cpu']}), {info['ram_gb']} GB RAM, "
        f"Python {info['python']}, SQLite {info['sqlite']}, {info['system']}; "
        f"load average at the end: {info['load']}.",
        "",
        f"Command: `{command}` (not in the Makefile). PostgreSQL is measured too when `DATABASE_URL` points "
        f"to a PostgreSQL server (a throw-away database is created there, then dropped). This run took "
        f"{wall_s / 60:.1f} minutes in all, data generation included.",
        "",
        f"Data (seed {SEED}): {first['in_perimeter']:,} contracts of one organisation over {len(YEARS)} "
        f"years ({YEARS[0]}-{YEARS[-1]}; a joint scheme of 3 buyers, 10 directions, a quarter of the "
        f"contracts unattributed) and {first['contracts'] - first['in_perimeter']:,} of another buyer; "
        f"{first['links']:,} supplier links, {first['hours']:,} periods of insertion hours, "
        f"{first['participants']:,} participants, 40 actions; a scheme holding the {first['indicators']} "
        "computed indicators of the catalogue (`catalogue.COMPUTED`), frequencies yearly, quarterly and "
        f"monthly in turn; today = {TODAY.isoformat()} (the last year has its months to November and its "
        "year to date).",
        "",
        "| database | figures | « pas de données » | engine (s) | engine queries | engine peak MB "
        "| baseline figures measured | baseline measured (s) | baseline queries | baseline peak MB "
        "| baseline, all figures (s) | **ratio baseline / engine** | identical results "
        "| data generation (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['figures']} | {r['no_data']} | {r['engine_s']} | {r['engine_queries']} "
            f"| {r['engine_peak_mb']} | {r['baseline_figures']} | {r['baseline_s']} "
            f"| {r['baseline_queries']} | {r['baseline_peak_mb']} | {r['baseline_all_s']} "
            f"| **{r['ratio']}×** | {r['identical']} / {r['baseline_figures']} | {r['generation_s']} |"
        )
    lines += [
        "",
        "- **engine**: `services.scheme_figures(scheme, years)`: every indicator × scope (organisation, "
        "3 buyers, 10 directions) × period (the year, its quarters or months, the year to date), the "
        "aggregates of all contract indicators summed per month and scope by the database in grouped "
        "queries, then added up per period; insertion hours likewise; people read once; the actions "
        "indicator counted per scope and period.",
        "- **baseline**: the same (indicator, scope, period) triples, one "
        "`engine.compute(method, params, scope.contracts, period)` each (one aggregate query per figure, "
        "the straightforward path); the actions indicator through its countable, as the engine does.",
    ]
    if sampled:
        lines.append(
            f"- The baseline takes {first['baseline_ms']} ms a figure here "
            f"(~{first['baseline_all_s'] / 60:.0f} minutes for all of them on SQLite), so it runs on a "
            f"deterministic sample ({first['baseline_figures']} figures, as many for each "
            "indicator, scopes and periods drawn at random); « baseline, all figures » is each indicator's "
            "mean time per figure in the sample × its number of figures, and the ratio uses it. "
            "`--baseline-figures 0` measures them all."
        )
    lines += [
        "- Every baseline Result measured equals the engine's: value exactly, numerator and denominator at "
        "the stored precision (cents), unknowns, method version and details exactly; the run fails "
        "otherwise.",
        "- Seconds and queries include reading the scheme, its indicators and scopes; peak MB is the child "
        "process's `ru_maxrss` (Django loaded). Data generation (bulk inserts) is timed apart.",
        *notes,
        END,
    ]
    return "\n".join(lines)


NOTES = [
    "- Found while building this benchmark: on SQLite a `Sum` of a decimal field is computed in floating "
    "point, so the numerator of a mean of `advance_rate` (4 decimals) summed over a year in one query "
    "(`25.7500000000001`) and summed month by month then added (`25.75000000000000`) differ beyond the "
    "13th decimal; the stored values (numerator at 2 decimals, value at 4) are the same. PostgreSQL sums "
    "`numeric` exactly.",
    "- Where the engine spends its time (cProfile, SQLite): in the database, running the grouped query of "
    "the contract indicators (about a hundred filtered aggregates) three times — per month, then per month "
    "and direction, then per month and buyer — plus, on SQLite, Django's Python functions for date "
    "arithmetic called on every row by the « published within 61 days » condition (T7a). On PostgreSQL the "
    "supplier conditions (SME, ESS, inclusive) are correlated `EXISTS` subqueries evaluated per row and per "
    "aggregate. One pass grouped by month, direction and buyer, added up per scope in Python, would run the "
    "big query once instead of three times.",
    "- The tables are analysed after the bulk load (`ANALYZE`, as autovacuum would do after a large "
    "import). Without planner statistics, a PostgreSQL run of the engine's grouped pass took more than 7 "
    "minutes instead of about half a minute: after a large import on PostgreSQL, recomputing before "
    "statistics exist can be very slow (an `ANALYZE` at the end of the import would prevent it).",
]


def main() -> None:
    parser = argparse.ArgumentParser(description="Indicator engine benchmark (see the module docstring).")
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument(
        "--baseline-figures",
        type=int,
        default=310,
        help="figures the baseline measures (a sample, the same number per indicator); 0: all of them",
    )
    parser.add_argument("--results", type=Path, help="write the section of this Markdown file")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL even with DATABASE_URL")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH_DIR))
    from bench_import import machine

    results, started = [], time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="spaser-bench-indicators-") as temporary:
        work = Path(temporary)
        targets = [("sqlite", f"sqlite:///{work / 'server.sqlite3'}")]
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")) and not args.sqlite_only:
            targets.append(("postgresql", url))
        for name, server_url in targets:
            results.append(
                bench_database(
                    name, server_url, work=work, contracts=args.contracts, sample=args.baseline_figures
                )
            )
    if args.results:
        command = ".venv/bin/python bench/bench_indicators.py --results bench/RESULTS.md"
        wall_s = time.perf_counter() - started
        replace_section(args.results, section(machine(), results, command, NOTES, wall_s), START, END)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        _child_main(sys.argv[2:])
    else:
        main()
