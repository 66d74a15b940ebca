"""The « Observatoire national » section of bench/RESULTS.md, from what bench_observatory.py measured: the
table of steps against their goals and the comparison notes."""

from __future__ import annotations

START, END = "<!-- observatory-benchmark:start -->", "<!-- observatory-benchmark:end -->"
GOAL_RATIO, GOAL_PEAK_MB, GOAL_INDICATORS_S = 3.0, 2048, 10.0
TABLE_COLUMNS = ("step", "input", "contracts", "seconds", "peak MB", "ratio", "goal", "met")


def table_rows(measured: dict) -> list[dict]:
    steps, written = measured["steps"], measured["written"]
    floor = steps["floor"].get("seconds")

    def row(step, input_name, result, contracts, goal="", met=None, ratio=True):
        seconds = result.get("seconds")
        return {
            "step": step,
            "input": input_name,
            "contracts": contracts if "error" not in result else "",
            "seconds": f"{seconds:.2f}" if seconds is not None else f"échec : {result.get('error', '?')}",
            "peak MB": f"{result.get('peak_mb', 0):.0f}",
            "ratio": f"{seconds / floor:.1f}×" if ratio and seconds and floor else "",
            "goal": goal,
            "met": "" if met is None or seconds is None else ("oui" if met else "**non**"),
        }

    json_name = f"JSON {written['json_bytes'] / 1e6:.0f} Mo"
    parquet_name = f"Parquet {written['parquet_bytes'] / 1e6:.0f} Mo ({written['rows']} lignes)"

    def ingest_met(result):
        seconds = result.get("seconds")
        return bool(seconds and floor and seconds <= GOAL_RATIO * floor and result["peak_mb"] < GOAL_PEAK_MB)

    compute, pandas_step = steps["compute"], steps["pandas"]
    rows = [
        row("plancher : orjson.loads", json_name, steps["floor"], steps["floor"].get("records", "")),
        row("lecteur spaser.decp seul", json_name, steps["reader"], steps["reader"].get("records", "")),
        row(
            "observatory_ingest", json_name, steps["ingest_json"], steps["ingest_json"].get("contracts", ""),
            "≤ 3× le plancher, < 2 Go", ingest_met(steps["ingest_json"]),
        ),
        row(
            "observatory_ingest", parquet_name, steps["ingest_parquet"],
            steps["ingest_parquet"].get("contracts", ""), "< 2 Go, même magasin que le JSON",
            steps["ingest_parquet"].get("peak_mb", GOAL_PEAK_MB) < GOAL_PEAK_MB
            and measured["stores"].get("differing_rows") == 0,
        ),
        row(
            "indicateurs, tous acheteurs (compute_all)", "magasin (JSON)", compute, compute.get("rows", ""),
            "< 10 s", bool(compute.get("seconds") is not None and compute["seconds"] < GOAL_INDICATORS_S),
            ratio=False,
        ),
        row("indicateurs en pandas (référence)", "magasin (JSON)", pandas_step, pandas_step.get("rows", ""),
            ratio=False),
    ]  # fmt: skip
    rows[4]["contracts"] = f"{compute.get('rows', '')} valeurs" if "error" not in compute else ""
    rows[5]["contracts"] = f"{pandas_step.get('rows', '')} valeurs" if "error" not in pandas_step else ""
    if compute.get("seconds") and pandas_step.get("seconds"):
        rows[5]["ratio"] = f"{pandas_step['seconds'] / compute['seconds']:.1f}× compute_all"
    return rows


def markdown(measured: dict, info: dict, command: str) -> str:
    written, comparison, stores = measured["written"], measured["comparison"], measured["stores"]
    origin = (
        f"files reused from `{measured['reused']}` (buyers: those with contracts in the file)."
        if measured.get("reused")
        else f"generated in {measured['generation_s']:.0f} s."
    )
    lines = [
        START,
        "# Observatoire national",
        "",
        f"Run on {info['date']} — {info['cpus']} CPU ({info['cpu']}), {info['ram_gb']} GB RAM, Python "
        f"{info['python']}, {info['system']}; load average before the steps: {measured['load_start']}, "
        f"at the end: {info['load']}.",
        "",
        f"Command: `{command}`. Data: `bench/generate_national.py`, seed {measured['seed']}: "
        f"{written['contracts']} distinct contracts ({written['concessions']} concessions) of "
        f"{written['buyers']} buyers; the JSON file holds {written['records']} records (duplicates included, "
        f"{written['json_bytes'] / 1e6:.0f} MB); its tabular equivalent {written['rows']} rows "
        f"(CSV {written['csv_bytes'] / 1e6:.0f} MB, Parquet {written['parquet_bytes'] / 1e6:.0f} MB); "
        + origin,
        "",
        "| " + " | ".join(TABLE_COLUMNS) + " |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for row in table_rows(measured):
        lines.append("| " + " | ".join(str(row[column]) for column in TABLE_COLUMNS) + " |")
    lines.append("")
    lines.append(
        "- ratio: the step's time over the floor's (ingest; the issue's 3× goal is set against the parse of "
        "the JSON file, the tabular file's ratio is shown against the same floor for comparison), or "
        "pandas' over `compute_all`'s. Seconds: the "
        "step's own work (interpreter and Django start-up left out). Peak MB: the high-water mark of the "
        "step's child process (`VmHWM`, plus `ru_maxrss` of the processes it started), Django loaded for the "
        "observatory steps."
    )
    if comparison.get("compared"):
        differences = ", ".join(comparison["differences"]) or "none"
        lines.append(
            f"- pandas against `compute_all`, indicators {', '.join(comparison['codes'])}: "
            f"{comparison['equal']} / {comparison['compared']} figures equal (value to 1e-6, numerator and "
            f"denominator to 1e-9 relative, unknowns exactly); differing by indicator: {differences}; "
            f"figures only in the observatory: {comparison['only_observatory']}, only in pandas: "
            f"{comparison['only_pandas']}."
        )
        if comparison.get("ties"):
            lines.append(
                f"- of these differences, {comparison['ties']} are exact ties at the 4th decimal "
                "(e.g. 51 / 640 = "
                "7.96875 %), which the engine rounds half to even in decimals as the app does (7.9688) and "
                "pandas' float rounding does not (7.9687): the engine is right there."
            )
    else:
        lines.append(f"- pandas against `compute_all`: not compared ({comparison.get('missing', '?')}).")
    if "error" not in stores:
        lines.append(
            f"- the store from the JSON file holds {stores['json']} contracts, the one from the Parquet file "
            f"{stores['parquet']}; rows differing on the compared columns: {stores['differing_rows']}."
        )
    lines.append(END)
    return "\n".join(lines) + "\n"
