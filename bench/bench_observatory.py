"""Benchmark of the national observatory, in one run, on the files of bench/generate_national.py.

Each step runs in its own child process, so that its peak memory (`VmHWM` of the child, plus `ru_maxrss` of
any process it starts) is its own:
  1. floor: `orjson.loads(path.read_bytes())` of the JSON file;
  2. reader: iterating the JSON file with spaser.decp alone (what the reader costs, for the analysis);
  3. ingest: `spaser.observatory.ingest.ingest` (what `spaser observatory_ingest` runs) into a fresh store,
     on the JSON file, then on the Parquet file into another store;
  4. indicators: `spaser.observatory.compute.compute_all` (every buyer, every year) on the JSON's store;
  5. pandas: a straightforward pandas implementation of the same indicators (read the store's Parquet,
     group by buyer and year, the same tri-state counting rules) for S1-S3, E1-E3, C3, C4a-b, C6, C7,
     whose figures are then compared with step 4's.
Prints one JSON line per step and the table; with --results, writes it as the « Observatoire national »
section of that Markdown file (between markers; the rest of the file is kept).

    .venv/bin/python bench/bench_observatory.py [--count 1700000] [--results bench/RESULTS.md]
    .venv/bin/python bench/bench_observatory.py --data /tmp/natC-run/data   # files already generated

With --data DIR, the files decp-national.json and .parquet of DIR (written by generate_national.py with
the same --count and --seed) are used as they are, and never deleted: the generation (5 minutes at the
national scale) is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
# The indicators the pandas implementation computes (the catalogue's codes).
PANDAS_CODES = ("S1", "S2", "S3a", "S3b", "E1", "E2", "E3a", "E3b", "C3a", "C3b", "C4a", "C4b", "C6", "C7")


# -- child steps (run as `bench_observatory.py --step NAME WORKDIR FILE`) ---------------------------------


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: `ru_maxrss` would carry the parent's peak over the fork), plus that of
    the processes it started and waited for."""
    own = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # kilobytes


def _django(data_dir: Path) -> None:
    """Django on a fresh SQLite database in `data_dir` (tables from the models): the observatory reads it only
    for what it knows of buyers (legal categories of suppliers already enriched; none here)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "spaser.settings"
    os.environ["SPASER_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {}).update(MIGRATE=False, NAME=str(data_dir / "bench.sqlite3"))
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def step_floor(work: Path, path: Path) -> dict:
    import orjson

    start = time.perf_counter()
    data = orjson.loads(path.read_bytes())
    seconds = time.perf_counter() - start
    marches = data["marches"]
    concessions = len(marches["contrat-concession"])
    return {"seconds": seconds, "records": len(marches["marche"]) + concessions, "concessions": concessions}


def step_reader(work: Path, path: Path) -> dict:
    from spaser.decp import open_decp

    start = time.perf_counter()
    records = sum(1 for _record in open_decp(path, validate_schema=False))
    return {"seconds": time.perf_counter() - start, "records": records}


def step_ingest(work: Path, path: Path) -> dict:
    _django(work)
    from spaser.observatory.ingest import ingest

    start = time.perf_counter()
    summary = ingest([path], replace=True)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "records": summary.rows,
        "contracts": summary.contracts,
        "buyers": summary.buyers,
        "buyer_types": summary.buyer_types,
    }


def step_compute(work: Path, path: Path) -> dict:
    _django(work)
    from spaser.observatory import store
    from spaser.observatory.compute import compute_all

    start = time.perf_counter()
    outcome = compute_all()
    seconds = time.perf_counter() - start
    import polars as pl

    rows = pl.scan_parquet(str(store.indicators_dir() / "*.parquet")).select(pl.len()).collect().item()
    return {"seconds": seconds, "rows": rows, "outcome": repr(outcome)[:200]}


def step_pandas(work: Path, path: Path) -> dict:
    """The same indicators, the straightforward pandas way (the baseline). Writes pandas.parquet in `work`."""
    import pandas as pd

    start = time.perf_counter()
    contracts = pd.read_parquet(
        work / "observatory" / "contracts",
        columns=[
            "buyer_siren", "kind", "notification_year", "amount", "duration_months", "bids_received",
            "advance_rate", "is_framework", "has_social", "social_clause", "social_criterion",
            "has_environmental", "environmental_clause", "environmental_criterion", "innovative",
            "subcontracting_declared", "advance_granted",
        ],
    )  # fmt: skip
    frame = pandas_indicators(contracts)
    seconds = time.perf_counter() - start
    frame.to_parquet(work / "pandas.parquet", index=False)
    return {"seconds": seconds, "rows": len(frame), "contracts": len(contracts)}


def pandas_indicators(contracts):
    """Every (buyer, year) × indicator: value, numerator, denominator, unknown — domain.md §5: contracts
    (not concessions) of the year of notification; a flag's null is unknown, counted in the denominator and
    never as no; shares in value leave out framework agreements (their amount is a maximum) and contracts
    without an amount; means leave out the unknown values."""
    import pandas as pd

    frame = contracts[(contracts["kind"] == "marche") & contracts["notification_year"].notna()].copy()
    frame["amount"] = frame["amount"].astype(float)
    frame["year"] = frame["notification_year"].astype(int)
    keys = ["buyer_siren", "year"]
    results = []

    def add(code, parts):
        grouped = pd.DataFrame({**{key: frame[key] for key in keys}, **parts}).groupby(keys).sum()
        grouped["code"] = code
        results.append(grouped.reset_index())

    def share_count(code, flag, base=None):
        measured = base if base is not None else pd.Series(True, index=frame.index)
        add(
            code,
            {
                "numerator": (measured & (frame[flag] == True)).astype(float),  # noqa: E712 (object column)
                "denominator": measured.astype(float),
                "unknown": (measured & frame[flag].isna()).astype(int),
            },
        )

    def share_amount(code, flag):
        measured = frame["amount"].notna() & (frame["is_framework"] == False)  # noqa: E712
        amount = frame["amount"].where(measured, 0.0)
        add(
            code,
            {
                "numerator": amount.where(frame[flag] == True, 0.0),  # noqa: E712
                "denominator": amount,
                "unknown": (measured & frame[flag].isna()).astype(int),
            },
        )

    def mean(code, field, base=None, scale=1.0):
        measured = base if base is not None else pd.Series(True, index=frame.index)
        known = measured & frame[field].notna()
        add(
            code,
            {
                "numerator": frame[field].where(known, 0.0).astype(float) * scale,
                "denominator": known.astype(float),
                "unknown": (measured & frame[field].isna()).astype(int),
            },
        )

    share_count("S1", "has_social")
    share_amount("S2", "has_social")
    share_count("S3a", "social_clause")
    share_count("S3b", "social_criterion")
    share_count("E1", "has_environmental")
    share_amount("E2", "has_environmental")
    share_count("E3a", "environmental_clause")
    share_count("E3b", "environmental_criterion")
    mean("C3a", "bids_received")
    frame["single_bid"] = (frame["bids_received"] == 1).astype(object).where(frame["bids_received"].notna())
    share_count("C3b", "single_bid")
    eligible = (frame["amount"] >= 50000.01) & (frame["duration_months"] >= 3)  # R2191-3
    share_count("C4a", "advance_granted", base=eligible)
    mean("C4b", "advance_rate", base=eligible, scale=100.0)
    share_count("C6", "subcontracting_declared")
    share_count("C7", "innovative")
    table = pd.concat(results, ignore_index=True)
    shares = ~table["code"].isin(["C3a", "C4b"])
    ratio = table["numerator"] / table["denominator"].where(table["denominator"] != 0)
    table["value"] = (ratio * 100).where(shares, ratio).round(4)
    return table


def _child_main(argv: list[str]) -> None:
    step, work, path = argv
    steps = {
        "floor": step_floor,
        "reader": step_reader,
        "ingest": step_ingest,
        "compute": step_compute,
        "pandas": step_pandas,
    }
    try:
        result = steps[step](Path(work), Path(path))
    except Exception as error:  # reported in the table as « échec », with the reason
        traceback.print_exc()
        result = {"error": f"{type(error).__name__}: {error}"[:300]}
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


# -- parent ------------------------------------------------------------------------------------------------


def run_step(step: str, work: Path, path: Path) -> dict:
    command = [sys.executable, __file__, "--step", step, str(work), str(path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["sans message"])[-1][:300], "peak_mb": 0}
    result = json.loads(lines[-1])
    print(json.dumps({"step": step, "input": path.name, **result}), flush=True)
    return result


def compare(work: Path) -> dict:
    """Part A's figures (indicators/<year>.parquet) against pandas', indicator by indicator."""
    import polars as pl

    indicators = work / "observatory" / "indicators"
    files = sorted(indicators.glob("*.parquet"))
    if not files or not (work / "pandas.parquet").exists():
        return {"compared": 0, "differences": [], "missing": "figures absentes"}
    ours = (
        pl.read_parquet(files)
        .filter(pl.col("code").is_in(PANDAS_CODES))
        .select(
            "buyer_siren",
            pl.col("year").cast(pl.Int64),
            "code",
            "value",
            "numerator",
            "denominator",
            "unknown",
        )
    )
    theirs = pl.read_parquet(work / "pandas.parquet").select(
        "buyer_siren", pl.col("year").cast(pl.Int64), "code", "value", "numerator", "denominator", "unknown"
    )
    joined = ours.join(
        theirs, on=["buyer_siren", "year", "code"], how="full", suffix="_pandas", coalesce=True
    )
    both = joined.filter(pl.col("denominator").is_not_null() & pl.col("denominator_pandas").is_not_null())
    # A (buyer, year) where one side has no row and the other measured nothing is the same figure.
    only_ours = joined.filter(pl.col("denominator_pandas").is_null() & (pl.col("denominator") > 0)).height
    only_pandas = joined.filter(pl.col("denominator").is_null() & (pl.col("denominator_pandas") > 0)).height

    def close(name: str, tolerance: float) -> pl.Expr:
        # No value may be written as NaN or as null: the same.
        a = pl.col(name).cast(pl.Float64).fill_nan(None)
        b = pl.col(f"{name}_pandas").cast(pl.Float64).fill_nan(None)
        return (a.is_null() & b.is_null()) | (
            (a - b).abs() <= tolerance * pl.max_horizontal(a.abs(), b.abs(), 1.0)
        )

    checked = both.with_columns(
        ok_value=close("value", 1e-6),
        ok_numerator=close("numerator", 1e-9),
        ok_denominator=close("denominator", 1e-9),
        ok_unknown=pl.col("unknown") == pl.col("unknown_pandas"),
    )
    bad = checked.filter(
        ~(pl.col("ok_value") & pl.col("ok_numerator") & pl.col("ok_denominator") & pl.col("ok_unknown"))
    )
    by_code = bad.group_by("code").len().sort("code").rows()
    examples = bad.head(3).to_dicts()
    return {
        "compared": both.height,
        "equal": both.height - bad.height,
        "ties": sum(_rounding_tie(row) for row in bad.iter_rows(named=True)),
        "only_observatory": only_ours,
        "only_pandas": only_pandas,
        "differences": [f"{code}: {count}" for code, count in by_code],
        "examples": [{key: str(value) for key, value in row.items()} for row in examples],
        "codes": sorted(set(both["code"].to_list())),
    }


def _rounding_tie(row: dict) -> bool:
    """A difference of one unit at the 4th decimal, on the same counts, where the exact rate ends in 5 at
    the 5th (51 / 640 = 7.96875 %): the engine rounds it half to even in decimals, as the app's Decimal
    does (7.9688); pandas rounds the float 7.968749999… (7.9687)."""
    from fractions import Fraction

    if not (row["ok_numerator"] and row["ok_denominator"] and row["ok_unknown"]) or not row["denominator"]:
        return False
    exact = Fraction(row["numerator"]) * 100 / Fraction(row["denominator"]) * 10_000
    return exact.denominator == 2 and abs(row["value"] - row["value_pandas"]) <= 0.00011


def machine() -> dict:
    sys.path.insert(0, str(BENCH_DIR))
    from bench_import import machine as import_machine

    return import_machine()


def run(count: int, work: Path, *, seed: int, keep_files: bool = False, data: Path | None = None) -> dict:
    sys.path.insert(0, str(BENCH_DIR))
    from generate_national import write_national

    reused = data is not None
    if data is not None:
        written, generation_s = reuse(data), 0.0
        keep_files = True  # not ours to delete
    else:
        data = work / "data"
        start = time.perf_counter()
        written = write_national(data, count, seed=seed)
        generation_s = time.perf_counter() - start
    json_path, parquet_path = Path(written["json"]), Path(written["parquet"])
    load_start = " ".join(f"{value:.1f}" for value in os.getloadavg())
    steps = {}
    steps["floor"] = run_step("floor", work, json_path)
    if reused:  # what only the JSON's records tell
        written["records"] = steps["floor"].get("records", 0)
        written["concessions"] = steps["floor"].get("concessions", 0)
    steps["reader"] = run_step("reader", work, json_path)
    parquet_work = work / "from-parquet"
    parquet_work.mkdir(exist_ok=True)
    steps["ingest_parquet"] = run_step("ingest", parquet_work, parquet_path)
    steps["ingest_json"] = run_step("ingest", work, json_path)
    steps["compute"] = run_step("compute", work, json_path)
    steps["pandas"] = run_step("pandas", work, json_path)
    comparison = compare(work)
    stores = _compare_stores(work, parquet_work)
    if not keep_files:
        shutil.rmtree(data, ignore_errors=True)
    return {
        "count": count,
        "seed": seed,
        "written": written,
        "generation_s": generation_s,
        "reused": str(data) if reused else "",
        "steps": steps,
        "comparison": comparison,
        "stores": stores,
        "load_start": load_start,
    }


def reuse(data: Path) -> dict:
    """What `write_national` reports, for files it wrote earlier into `data`, read from the files: sizes,
    the Parquet's rows, distinct uids (the contracts) and buyer SIRENs (the buyers that have some: the
    generator's count includes those left without). The JSON's records and concessions are filled in by
    `run` from the floor step, which reads them anyway."""
    import polars as pl
    import pyarrow.parquet as pq

    json_path, parquet_path = data / "decp-national.json", data / "decp-national.parquet"
    missing = [path.name for path in (json_path, parquet_path) if not path.exists()]
    if missing:
        raise SystemExit(
            f"--data {data} : fichier(s) absent(s) : {', '.join(missing)} "
            "(générez-les avec bench/generate_national.py --output DOSSIER)."
        )
    csv_path = data / "decp-national.csv"
    counts = (
        pl.scan_parquet(parquet_path)
        .select(
            pl.col("uid").n_unique().alias("contracts"),
            pl.col("acheteur_id").str.slice(0, 9).n_unique().alias("buyers"),
        )
        .collect()
        .row(0, named=True)
    )
    return {
        "json": str(json_path),
        "parquet": str(parquet_path),
        "csv": str(csv_path),
        "records": 0,
        "concessions": 0,
        "rows": pq.read_metadata(parquet_path).num_rows,
        "json_bytes": json_path.stat().st_size,
        "parquet_bytes": parquet_path.stat().st_size,
        "csv_bytes": csv_path.stat().st_size if csv_path.exists() else 0,
        **counts,
    }


def _compare_stores(work: Path, parquet_work: Path) -> dict:
    """The store made from the JSON file and the one made from its tabular equivalent: the same contracts,
    column by column (but `source`, the file's name)?"""
    import polars as pl

    def hashed(folder: Path) -> pl.DataFrame:
        frame = pl.read_parquet(str(folder / "observatory" / "contracts" / "*.parquet")).drop("source")
        return frame.select("uid", pl.struct(pl.all()).hash().alias("row"))  # nulls hash alike

    try:
        a, b = hashed(work), hashed(parquet_work)
    except Exception as error:  # a store missing: its step failed, already reported
        return {"error": str(error)[:200]}
    joined = a.join(b, on="uid", how="full", suffix="_b")
    differing = joined.filter(pl.col("row").ne_missing(pl.col("row_b"))).height
    return {"json": a.height, "parquet": b.height, "differing_rows": differing}


def write_results(path: Path, section: str) -> None:
    from observatory_report import END, START
    from results_file import replace_section

    replace_section(path, section, START, END)


def main() -> None:
    sys.path.insert(0, str(BENCH_DIR))
    from generate_national import DEFAULT_COUNT, DEFAULT_SEED
    from observatory_report import markdown

    parser = argparse.ArgumentParser(description="Benchmark de l'observatoire national (voir le module).")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--results", type=Path, help="fichier Markdown où écrire la section des résultats")
    parser.add_argument(
        "--workdir", type=Path, help="dossier de travail (par défaut : un dossier temporaire)"
    )
    parser.add_argument("--keep-files", action="store_true", help="garder les fichiers générés")
    parser.add_argument(
        "--data",
        type=Path,
        help="dossier où decp-national.json et .parquet sont déjà générés : réutilisés tels quels "
        "(ni générés, ni supprimés)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spaser-bench-observatory-") as temporary:
        work = args.workdir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        measured = run(args.count, work, seed=args.seed, keep_files=args.keep_files, data=args.data)
    command = (
        "make bench-observatory"
        if args.count == DEFAULT_COUNT and args.data is None
        else (f".venv/bin/python bench/bench_observatory.py --count {args.count}")
    )
    if args.data is not None:
        command = f".venv/bin/python bench/bench_observatory.py --data {args.data}"
    section = markdown(measured, machine(), command)
    print(json.dumps({key: measured[key] for key in ("comparison", "stores")}, default=str))
    print(section)
    if args.results:
        write_results(args.results, section)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        _child_main(sys.argv[2:])
    else:
        main()
