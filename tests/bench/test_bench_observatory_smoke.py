"""The observatory benchmark still runs end to end (on 2 000 contracts), so it cannot rot between two
measurement campaigns; its generator is deterministic and its files read back as the same contracts."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from generate_national import DEMO_SIRET, write_national  # noqa: E402

COLUMNS = "| step | input | contracts | seconds | peak MB | ratio | goal | met |"


def test_benchmark_runs_on_2000_contracts_and_writes_its_section(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Earlier sections\n\nkept as they are\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "bench/bench_observatory.py",
            "--count",
            "2000",
            "--workdir",
            str(tmp_path / "work"),
            "--results",
            str(results),
        ],
        cwd=ROOT,
        env={name: value for name, value in os.environ.items() if name != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    steps = {}
    for line in done.stdout.splitlines():
        if line.startswith('{"step"'):
            measured = json.loads(line)
            steps.setdefault(measured["step"], []).append(measured)
    assert steps["floor"][0]["records"] == 2000 + 18  # the duplicates are in the JSON file
    assert [step["contracts"] for step in steps["ingest"]] == [2000, 2000]  # from Parquet, from JSON
    assert all(0 < step["peak_mb"] < 2048 for step in steps["ingest"])
    assert steps["pandas"][0]["rows"] > 0
    summary = json.loads(next(line for line in done.stdout.splitlines() if line.startswith('{"comparison"')))
    # The JSON file and its tabular equivalent give the same store, column by column.
    assert summary["stores"] == {"json": 2000, "parquet": 2000, "differing_rows": 0}
    if importlib.util.find_spec("spaser.observatory.compute") is not None:
        assert "error" not in steps["compute"][0], steps["compute"][0]
        comparison = summary["comparison"]
        assert comparison["compared"] > 0
        assert comparison["equal"] == comparison["compared"], comparison
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Earlier sections\n\nkept as they are\n")
    assert "# Observatoire national" in text
    assert COLUMNS in text
    assert "| observatory_ingest | JSON 2 Mo | 2000 |" in text
    # A second run replaces the section instead of adding one.
    from bench_observatory import write_results

    section = text[text.index("<!-- observatory-benchmark:start -->") :]
    write_results(results, section.replace("Observatoire national", "Observatoire national (bis)"))
    again = results.read_text(encoding="utf-8")
    assert again.count("<!-- observatory-benchmark:start -->") == 1
    assert "Observatoire national (bis)" in again


def test_generator_is_deterministic_and_national(tmp_path):
    first = write_national(tmp_path / "a", 600, seed=7)
    second = write_national(tmp_path / "b", 600, seed=7)
    for name in ("decp-national.json", "decp-national.csv", "decp-national.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    other = write_national(tmp_path / "c", 600, seed=8, tabular=False)
    assert (tmp_path / "c" / "decp-national.json").read_bytes() != (
        tmp_path / "a" / "decp-national.json"
    ).read_bytes()
    assert first == {**second, **{key: first[key] for key in ("json", "csv", "parquet")}}
    assert other["contracts"] == 600

    data = orjson.loads((tmp_path / "a" / "decp-national.json").read_bytes())["marches"]
    marches, concessions = data["marche"], data["contrat-concession"]
    assert len(concessions) == first["concessions"] == round(600 * 0.004)
    assert all("autoriteConcedante" in record for record in concessions)
    uids = [record["acheteur"]["id"] + record["id"] for record in marches]
    assert len(set(uids)) == 600 - len(concessions) < len(uids)  # some published twice
    # Some considerations are missing (unknown), and the tabular rows hold each contract once.
    assert any("considerationsSociales" not in record for record in marches)
    table = pq.read_table(tmp_path / "a" / "decp-national.parquet")
    assert table.num_rows == first["rows"] >= 600
    assert len(set(table.column("uid").to_pylist())) == 600
    assert {"Sans objet", None} <= set(table.column("considerationsSociales").to_pylist())
    assert first["buyers"] == 40_000


def test_buyers_have_realistic_sirens():
    from generate_national import BUYER_TYPES, NationalGenerator, luhn_complete

    buyers = NationalGenerator(seed=3).buyers
    assert len(buyers) == sum(count for count, *_ in BUYER_TYPES.values())
    by_type = {}
    for buyer in buyers:
        by_type.setdefault(buyer.type, []).append(buyer)
        assert len(buyer.siren) == 9
        assert luhn_complete(buyer.siren[:8]) == buyer.siren
        assert all(
            siret.startswith(buyer.siren) and luhn_complete(siret[:13]) == siret for siret in buyer.sirets
        )
    assert len(by_type["departement"]) == 101
    assert len(by_type["region"]) == 18
    assert all(buyer.siren.startswith("22") for buyer in by_type["departement"])
    assert all(buyer.siren.startswith("23") for buyer in by_type["region"])
    assert all(buyer.siren.startswith("21") for buyer in by_type["commune"])
    assert all(buyer.siren.startswith("26") for buyer in by_type["hopital"])
    assert any(DEMO_SIRET in buyer.sirets for buyer in by_type["departement"])
