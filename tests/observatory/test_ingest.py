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

from spaser.contracts.decp_mapping import contract_fields, supplier_key
from spaser.contracts.importing.preference import preference
from spaser.decp import RejectedRecord, open_decp
from spaser.observatory import ingest as ingest_module
from spaser.observatory import store
from spaser.observatory.ingest import ORDER, PART_SCHEMA, IngestError, _row, ingest

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


def _version(tmp_path: Path, name: str, change) -> Path:
    """The Mégalis file under another name, each record changed by `change(index, record)`."""
    data = json.loads(JSON_2022.read_text(encoding="utf-8"))
    for index, record in enumerate(data["marches"]["marche"]):
        change(index, record)
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _reference_winners() -> pl.DataFrame:
    """The rule applied the obvious way (every row of every part in memory, sorted on the preference
    key and the tie-breaks, the last of each uid): what the bounded deduplication must give."""
    rows = pl.concat(
        [pl.read_parquet(path) for path in sorted(store.parts_dir().rglob("*.parquet"))], how="vertical"
    )
    best = rows.sort(ORDER).unique(subset="uid", keep="last")
    return best.select(store.CONTRACT_COLUMNS).sort("uid")


def test_deduplication_keeps_the_preferred_version_across_files_runs_and_buckets(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "BUCKET_ROWS", 3)  # several slices of uids, as at the national scale

    def first(index, record):  # 0: published later
        if index == 0:
            record["datePublicationDonnees"] = "2024-12-01"
            record["montant"] = 50000.0

    def second(index, record):  # 1: one modification more; 2: less complete
        if index == 1:
            record["modifications"] = [{"modification": {"id": 1, "montant": 40000.0, "dureeMois": 6}}]
        if index == 2:
            del record["objet"], record["dureeMois"]

    def third(index, record):  # 4: less complete (a and b tie on it: b, later in the run, wins)
        if index == 4:
            del record["offresRecues"]

    a = _version(tmp_path, "a.json", first)
    b = _version(tmp_path, "b.json", second)
    c = _version(tmp_path, "c.json", third)
    ingest([a, b], batch_size=2)
    summary = ingest([c], batch_size=2)  # another run: a's and b's parts are kept
    assert (summary.rows, summary.contracts) == (15, 5)
    frame = contracts()
    assert frame.equals(_reference_winners())
    uids = [
        "59920013600241" + record["id"]
        for record in json.loads(JSON_2022.read_text(encoding="utf-8"))["marches"]["marche"]
    ]
    won = dict(zip(frame["uid"], frame["source"], strict=True))
    # Latest publication, then more modifications, then more complete, then the later run.
    assert [won[uid] for uid in uids] == ["a.json", "b.json", "c.json", "c.json", "b.json"]
    assert frame.filter(pl.col("uid") == uids[1])["current_amount"].item() == Decimal("40000.00")
    assert frame.filter(pl.col("uid") == uids[0])["amount"].item() == Decimal("50000.00")

    ingest([b], batch_size=2)  # b again, in a later run: it now wins the full ties (2 lost on completeness)
    won = dict(contracts().select("uid", "source").iter_rows())
    assert [won[uid] for uid in uids] == ["a.json", "b.json", "c.json", "b.json", "b.json"]
    assert contracts().equals(_reference_winners())
    buyers = pl.read_parquet(store.buyers_path())
    assert buyers.select("buyer_siren", "contracts").rows() == [("599200136", 5)]


def test_part_rows_are_the_mapping_and_the_importers_preference():
    """`_row` reads the record directly: its values must stay those of `contract_fields` and `preference`."""
    checked = 0
    for path in (JSON_2022, TABULAR, JSON_2019, DIRTY):
        for record in open_decp(path, validate_schema=False):
            if isinstance(record, RejectedRecord):
                continue
            row = _row(record, path.name, 7)
            if row is None:
                continue
            values = dict(zip(PART_SCHEMA.names, row, strict=True))
            fields = contract_fields(record)
            for column in store.CONTRACT_COLUMNS:
                if column in ("amount", "current_amount"):
                    assert values[column] == fields[column], column
                elif column == "advance_rate":
                    rate = fields[column]
                    assert values[column] == (float(rate) if rate is not None else None)
                elif column in fields:
                    assert values[column] == fields[column], column
            assert values["buyer_siren"] == fields["buyer_siret"][:9]
            assert values["supplier_count"] == len({supplier_key(s) for s in record.suppliers})
            key = preference(fields, has_suppliers=bool(record.suppliers))
            assert (values["_published"], values["_modifications"], values["_completeness"]) == key
            assert (values["_run"], values["_position"], values["source"]) == (7, record.position, path.name)
            checked += 1
    assert checked > 150
