"""The importer's rules a user relies on: the duplicate rule across chunks, files and platforms, sources,
the fields DECP never overwrites, dry runs, and the per-record report."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from spaser.contracts.importing import CHUNK_SIZE
from spaser.contracts.models import Contract, ContractSupplier, ImportBatch, QuarantinedRecord
from spaser.contracts.services import import_decp_file
from spaser.organisations.models import Direction, DirectionKind, Organisation, OrganisationKind

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "decp"
MEGALIS = FIXTURES / "megalis_decp-59920013600241-2024-07-09-01.json"
DIRTY = FIXTURES / "dirty_2022.json"
TEMPLATE = json.loads(MEGALIS.read_text(encoding="utf-8"))["marches"]["marche"][0]
BUYER = "59920013600241"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def record(contract_id: str, *, published: str = "2024-06-01", amount: float = 100_000.0, **changes) -> dict:
    item = json.loads(json.dumps(TEMPLATE))
    item.update(id=contract_id, datePublicationDonnees=published, montant=amount, **changes)
    return item


def write(path: Path, records: list) -> Path:
    path.write_text(json.dumps({"marches": {"marche": records}}, ensure_ascii=False), encoding="utf-8")
    return path


def fates(summary) -> dict:
    return {
        name: getattr(summary, name)
        for name in ("read", "created", "updated", "unchanged", "duplicates", "quarantined")
    }


def report_rows(summary) -> list[dict]:
    with default_storage.open(summary.report_file, "rb") as stored:
        text = stored.read().decode("utf-8")
    assert text.startswith("\ufeff")  # BOM: Excel reads the accents right
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_a_later_duplicate_in_another_chunk_replaces_the_first_and_a_second_run_changes_nothing(tmp_path):
    filler = [record(f"F{number:05d}") for number in range(CHUNK_SIZE + 10)]
    first = record("DUP", published="2024-06-01", amount=50_000.0, objet="Première publication")
    later = record("DUP", published="2024-07-15", amount=65_000.0, objet="Publication corrigée")
    path = write(tmp_path / "gros.json", [first, *filler, later])

    summary = import_decp_file(path=path, validate_schema=False)

    total = CHUNK_SIZE + 12
    assert fates(summary) == {
        "read": total,
        "created": total - 1,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
        "quarantined": 0,
    }
    contract = Contract.objects.get(uid=f"{BUYER}DUP")
    assert (contract.object, contract.amount) == ("Publication corrigée", Decimal("65000.00"))
    rows = {row["position"]: row for row in report_rows(summary)}
    assert len(rows) == total
    assert rows["1"]["sort"] == "doublon"
    assert f"n° {total}" in rows["1"]["motifs"]
    assert rows[str(total)]["sort"] == "créé"

    before = list(Contract.objects.order_by("pk").values_list("pk", "updated_at", "content_hash"))
    again = import_decp_file(path=path, validate_schema=False)
    assert fates(again) == {
        "read": total,
        "created": 0,
        "updated": 0,
        "unchanged": total - 1,
        "duplicates": 1,
        "quarantined": 0,
    }
    assert again.touched_ids == []
    assert list(Contract.objects.order_by("pk").values_list("pk", "updated_at", "content_hash")) == before


def test_an_older_source_never_overwrites_a_newer_one_and_sources_accumulate(tmp_path):
    newer = write(tmp_path / "plateforme-a.json", [record("X1", published="2024-08-01", amount=80_000.0)])
    older = write(tmp_path / "plateforme-b.json", [record("X1", published="2024-06-01", amount=70_000.0)])

    import_decp_file(path=newer, source_label="Plateforme A")
    summary = import_decp_file(path=older, source_label="Plateforme B")

    assert (summary.created, summary.updated, summary.duplicates) == (0, 0, 1)
    contract = Contract.objects.get(uid=f"{BUYER}X1")
    assert contract.amount == Decimal("80000.00")
    assert contract.sources == ["Plateforme A", "Plateforme B"]
    [row] = report_rows(summary)
    assert row["sort"] == "doublon"
    assert "plus ancienne" in row["motifs"]
    assert ImportBatch.objects.get(pk=summary.batch).source_label == "Plateforme B"

    # The newer one again: unchanged, and its source is not listed twice.
    assert import_decp_file(path=newer, source_label="Plateforme A").unchanged == 1
    assert Contract.objects.get(uid=f"{BUYER}X1").sources == ["Plateforme A", "Plateforme B"]


def test_a_modification_published_later_wins_over_the_bare_record(tmp_path):
    bare = record("M1", published="2024-06-01")
    modified = record(
        "M1",
        published="2024-06-01",
        modifications=[
            {
                "modification": {
                    "id": 1,
                    "montant": 120_000,
                    "datePublicationDonneesModification": "2024-09-01",
                }
            }
        ],
    )
    import_decp_file(path=write(tmp_path / "avec-modif.json", [modified]))
    summary = import_decp_file(path=write(tmp_path / "sans-modif.json", [bare]))
    assert summary.duplicates == 1
    contract = Contract.objects.get(uid=f"{BUYER}M1")
    assert (contract.amount, contract.current_amount) == (Decimal("100000.00"), Decimal("120000.00"))
    assert len(contract.modifications) == 1


def test_a_decp_update_keeps_register_fields_and_a_manual_direction(tmp_path):
    import_decp_file(path=write(tmp_path / "v1.json", [record("R1", published="2024-06-01")]))
    organisation = Organisation.objects.create(
        name="Org", slug="org", siren="599200136", kind=OrganisationKind.AUTRE
    )
    direction = Direction.objects.create(
        organisation=organisation, name="Bâtiments", slug="batiments", kind=DirectionKind.PRESCRIBING
    )
    Contract.objects.filter(uid=f"{BUYER}R1").update(  # as a register import leaves it
        end_date="2026-12-31",
        end_date_estimated=False,
        renewal_deadline="2026-09-30",
        reserved_article="L2113-13",
        estimated_spend=Decimal("90000"),
        insertion_hours_planned=Decimal("350"),
        direction=direction,
        direction_source="manual",
    )
    summary = import_decp_file(
        path=write(tmp_path / "v2.json", [record("R1", published="2024-07-01", objet="Objet corrigé")])
    )
    assert summary.updated == 1
    contract = Contract.objects.get(uid=f"{BUYER}R1")
    assert contract.object == "Objet corrigé"
    assert str(contract.end_date) == "2026-12-31"
    assert str(contract.renewal_deadline) == "2026-09-30"
    assert contract.reserved_article == "L2113-13"
    assert contract.estimated_spend == Decimal("90000.00")
    assert contract.insertion_hours_planned == Decimal("350.00")
    assert (contract.direction, contract.direction_source, contract.origin) == (direction, "manual", "decp")


def test_a_register_only_contract_is_completed_by_decp_not_duplicated(tmp_path):
    Contract.objects.create(
        uid=f"{BUYER}REG1",
        buyer_siret=BUYER,
        contract_id="REG1",
        origin="register",
        source_format="register",
        raw={},
        content_hash="",
        end_date="2027-01-31",
        sources=["Registre DBL"],
    )
    summary = import_decp_file(path=write(tmp_path / "decp.json", [record("REG1")]), source_label="Mégalis")
    assert (summary.created, summary.updated) == (0, 1)
    contract = Contract.objects.get(uid=f"{BUYER}REG1")
    assert (contract.origin, str(contract.end_date), contract.amount) == (
        "decp",
        "2027-01-31",
        Decimal("100000.00"),
    )
    assert contract.sources == ["Registre DBL", "Mégalis"]
    assert Contract.objects.count() == 1


def test_dry_run_counts_and_reports_but_writes_nothing():
    summary = import_decp_file(path=DIRTY, dry_run=True)
    assert summary.dry_run is True
    assert summary.batch is None
    assert fates(summary) == {
        "read": 14,
        "created": 10,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
        "quarantined": 3,
    }
    assert (Contract.objects.count(), ImportBatch.objects.count(), QuarantinedRecord.objects.count()) == (
        0,
        0,
        0,
    )
    assert ContractSupplier.objects.count() == 0
    assert len(report_rows(summary)) == 14
    # The real import gives the same figures.
    assert fates(import_decp_file(path=DIRTY)) == fates(summary)


def test_the_report_gives_every_record_its_fate_and_reasons():
    summary = import_decp_file(path=DIRTY)
    batch = ImportBatch.objects.get(pk=summary.batch)
    assert batch.report_file.name == summary.report_file
    assert (batch.status, batch.warnings) == ("done", summary.warnings)
    rows = report_rows(summary)
    assert list(rows[0]) == ["fichier", "position", "uid", "sort", "motifs", "alertes qualité"]
    assert [int(row["position"]) for row in rows] == list(range(1, 15))
    by_fate = {}
    for row in rows:
        by_fate.setdefault(row["sort"], []).append(row)
    assert {fate: len(items) for fate, items in by_fate.items()} == {
        "créé": 10,
        "doublon": 1,
        "en quarantaine": 3,
    }
    duplicate = by_fate["doublon"][0]
    assert (duplicate["position"], duplicate["uid"]) == ("1", "22930008201453DUP1")
    assert "n° 2" in duplicate["motifs"]
    assert "Identifiant du marché (id) absent." in by_fate["en quarantaine"][0]["motifs"]
    fictif = next(row for row in rows if row["uid"].endswith("FICTIF"))
    assert "fictif" in fictif["alertes qualité"].lower()
    assert summary.warnings >= 1


def test_progress_is_reported_while_reading(tmp_path):
    path = write(tmp_path / "mille.json", [record(f"P{number:04d}") for number in range(1_200)])
    calls = []
    summary = import_decp_file(
        path=path, validate_schema=False, progress=lambda read, fraction: calls.append((read, fraction))
    )
    assert [read for read, _fraction in calls] == [500, 1_000, 1_200]
    assert calls[-1][1] == 1.0
    assert all(fraction is None or 0 <= fraction <= 1 for _read, fraction in calls)
    assert summary.created == 1_200
