"""`observatory_ingest`: real small DECP files → the observatory's Parquet store (rows, columns,
tri-state nulls), deduplication across files and on re-ingest, a broken file leaving the store as it
was, bounded batches."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from spaser.observatory import store
from spaser.observatory.ingest import IngestError, ingest

FIXTURES = Path(__file__).parent / "fixtures"
JSON_2022 = FIXTURES / "megalis_decp-59920013600241-2024-07-09-01.json"
TABULAR = FIXTURES / "decp-processing_2024H2_travaux_cpv4521_120.csv"
JSON_2019 = FIXTURES / "e-marchespublics_2019-04-03_40.json"
DIRTY = Path(__file__).parents[1] / "fixtures" / "decp" / "dirty_2022.json"

pytestmark = pytest.mark.django_db  # buyer types look up the suppliers' legal categories


@pytest.fixture(autouse=True)
def _store_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def contracts() -> pl.DataFrame:
    return store.scan().collect().sort("uid")


def store_files() -> dict[str, bytes]:
    root = store.root()
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != ".ingest.lock"
    }


def test_three_real_formats_give_the_store_columns_and_rows():
    summary = ingest([JSON_2022, TABULAR, JSON_2019])

    # The schema is the contract with the other parts, exactly.
    for path in store.contracts_dir().glob("*.parquet"):
        assert pq.read_schema(path).remove_metadata().equals(store.CONTRACT_SCHEMA)
    assert pq.read_schema(store.buyers_path()).remove_metadata().equals(store.BUYERS_SCHEMA)

    with TABULAR.open(encoding="utf-8") as handle:
        tabular_rows = list(csv.DictReader(handle))
    tabular_uids = {row["uid"] for row in tabular_rows}
    raw_2019 = json.loads(JSON_2019.read_text(encoding="utf-8"))["marches"]
    uids_2019 = {record["acheteur"]["id"] + record["id"] for record in raw_2019}
    frame = contracts()
    assert frame["uid"].is_unique().all()
    assert set(frame.filter(pl.col("source") == TABULAR.name)["uid"]) == tabular_uids
    assert set(frame.filter(pl.col("source") == JSON_2019.name)["uid"]) == uids_2019
    assert frame.height == 5 + len(tabular_uids) + len(uids_2019) == summary.contracts
    assert summary.rows == 5 + len(tabular_uids) + len(raw_2019)  # one 2019 record published twice
    assert [report.read for report in summary.files] == [5, len(tabular_uids), len(raw_2019)]

    megalis = frame.filter(pl.col("source") == JSON_2022.name)
    assert set(megalis["buyer_siret"]) == {"59920013600241"}
    assert set(megalis["buyer_siren"]) == {"599200136"}
    assert set(megalis["notification_date"]) == {date(2024, 5, 30)}
    assert set(megalis["notification_year"]) == {2024}
    assert set(megalis["kind"]) == {"marche"}

    # A tabular row, against the file itself.
    row = tabular_rows[0]
    first = frame.filter(pl.col("uid") == row["uid"]).row(0, named=True)
    assert first["amount"] == Decimal(row["montant"])
    assert first["cpv"] == row["codeCPV"]
    assert first["cpv_division"] == row["codeCPV"][:2]
    assert first["bids_received"] == int(row["offresRecues"])
    assert first["duration_months"] == int(row["dureeMois"])
    assert first["buyer_siren"] == row["acheteur_id"][:9]

    # The tabular extract has no considerations: unknown (null), never "no".
    tabular = frame.filter(pl.col("source") == TABULAR.name)
    for flag in store.TRI_STATE_FLAGS:
        if flag != "advance_granted":
            assert tabular[flag].null_count() == tabular.height, flag
    assert tabular["is_framework"].null_count() == 0

    buyers = pl.read_parquet(store.buyers_path())
    assert buyers["buyer_siren"].is_unique().all()
    assert buyers["contracts"].sum() == frame.height
    commune = buyers.filter(pl.col("buyer_siren") == "200062586").row(0, named=True)
    assert commune["name"] == "COMMUNE DE FILLIERE (MAIRIE)"
    assert set(buyers["buyer_type"]) <= set(store.BUYER_TYPES)


def test_tri_state_considerations_are_kept_apart_from_no():
    ingest([DIRTY])
    frame = contracts().filter(pl.col("buyer_siren") == "229300082")
    by_uid = {row["uid"]: row for row in frame.iter_rows(named=True)}
    unknown = by_uid["22930008201453INCONNU"]
    explicit_no = by_uid["22930008201453NON-EXPLICITE"]
    assert unknown["has_social"] is None
    assert unknown["social_clause"] is None
    assert explicit_no["has_social"] is False
    assert explicit_no["social_clause"] is False
    assert by_uid["22930008201453DUP1"]["has_social"] is True
    assert frame["uid"].is_unique().all()  # DUP1 is published twice in the file


def _republished(tmp_path: Path) -> Path:
    """The Mégalis file again, one contract re-published later with a new amount (another platform's copy)."""
    data = json.loads(JSON_2022.read_text(encoding="utf-8"))
    record = data["marches"]["marche"][0]
    record["datePublicationDonnees"] = "2024-12-01"
    record["montant"] = 123456.78
    path = tmp_path / "republication.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path, record["acheteur"]["id"] + record["id"]


def test_duplicates_across_files_keep_the_later_publication_whatever_the_order(tmp_path):
    later, uid = _republished(tmp_path)
    ingest([later])
    ingest([JSON_2022])  # the older version, ingested after: it does not win
    frame = contracts()
    assert frame.height == 5
    kept = frame.filter(pl.col("uid") == uid).row(0, named=True)
    assert kept["amount"] == Decimal("123456.78")
    assert kept["publication_date"] == date(2024, 12, 1)
    assert kept["source"] == "republication.json"

    summary = ingest([JSON_2022, later], replace=True)
    assert summary.rows == 10
    assert summary.contracts == 5
    assert summary.duplicates == 5
    assert contracts().filter(pl.col("uid") == uid)["amount"].item() == Decimal("123456.78")


def test_re_ingesting_a_file_never_duplicates_and_replace_starts_afresh():
    ingest([JSON_2022, JSON_2019])
    before = contracts()
    summary = ingest([JSON_2019])
    assert summary.contracts == before.height
    assert summary.rows == 5 + 40
    assert contracts().equals(before)

    ingest([TABULAR], replace=True)
    assert set(contracts()["source"]) == {TABULAR.name}
    assert sorted(path.name for path in store.parts_dir().iterdir()) == [TABULAR.name]


def test_a_broken_file_gives_a_french_error_and_leaves_the_store_as_it_was(tmp_path):
    ingest([JSON_2022, TABULAR])
    before = store_files()
    truncated = tmp_path / "decp-2024.json"
    text = JSON_2019.read_text(encoding="utf-8")
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")

    with pytest.raises(IngestError) as error:
        ingest([JSON_2019, truncated])  # a good file first: it is not ingested either
    assert "« decp-2024.json » est tronqué" in str(error.value)
    assert "l'observatoire est inchangé" in str(error.value)
    assert store_files() == before

    broken = Path(__file__).parents[1] / "fixtures" / "decp" / "broken.json"
    with pytest.raises(CommandError, match=r"broken\.json"):
        call_command("observatory_ingest", str(broken), "--replace")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("observatory_ingest", str(tmp_path / "absent.json"))
    assert store_files() == before
    assert not [p for p in store.root().iterdir() if p.name.startswith(".ingest-")]  # no staging left


def test_batches_are_bounded_one_part_per_batch():
    summary = ingest([TABULAR], batch_size=10)
    report = summary.files[0]
    assert report.kept == 103
    assert report.parts == 11
    parts = sorted((store.parts_dir() / TABULAR.name).glob("*.parquet"))
    assert len(parts) == 11
    assert [pq.read_metadata(path).num_rows for path in parts] == [10] * 10 + [3]
    assert contracts().height == 103


def test_command_reports_in_french_and_json(tmp_path):
    out = StringIO()
    call_command("observatory_ingest", str(DIRTY), stdout=out)
    text = out.getvalue()
    assert "« dirty_2022.json »" in text
    assert "3 rejeté(s)" in text
    assert "Identifiant de l'acheteur (acheteur.id) absent." in text
    assert "Département 1" in text

    out = StringIO()
    call_command("observatory_ingest", str(DIRTY), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    (report,) = payload["files"]
    assert report["read"] == report["kept"] + report["rejected"] == 14
    assert sum(report["rejection_reasons"].values()) == 3
    assert payload["contracts"] == contracts().height
    assert payload["buyer_types"]["departement"] == 1


def test_the_command_computes_every_buyers_indicators_after_ingesting():
    out = StringIO()
    call_command("observatory_ingest", str(JSON_2022), str(TABULAR), stdout=out)
    years = sorted(contracts()["notification_year"].drop_nulls().unique().to_list())
    listed = ", ".join(map(str, years))
    assert f"Indicateurs de tous les acheteurs recalculés pour : {listed}." in out.getvalue()
    figures = pl.read_parquet(store.indicators_path(2024))
    buyers = contracts().filter(pl.col("notification_year") == 2024)["buyer_siren"].unique().to_list()
    assert set(figures["buyer_siren"].unique().to_list()) == set(buyers)
    assert {"S1", "E1", "C3a"} <= set(figures["code"].to_list())

    call_command("observatory_ingest", str(DIRTY), "--replace", "--sans-indicateurs", stdout=StringIO())
    assert not store.indicators_dir().exists() or not list(store.indicators_dir().glob("*.parquet"))
